package io.streamgate.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real SSE client over java.net.http: takes a ticket with a bearer token, opens {@code /v1/sse} (optionally with
 * {@code Last-Event-ID}) and parses the stream as the EventSource spec says (id and data fields, blank line ends a
 * message, comment lines ignored) on a thread of its own. Blocking helpers with timeouts.
 */
public final class SseClient implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** One message: its id and its data parsed as the JSON frame. */
    public record Message(String id, JsonObject frame) {
    }

    private final List<Message> messages = new ArrayList<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final InputStream body;
    private volatile int heartbeats;

    private SseClient(InputStream body) {
        this.body = body;
        Thread reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code POST /v1/sse/ticket}: the response (201 with ticket and stream, or an error). */
    public static HttpResponse<String> ticket(URI root, String token, JsonArray channels) {
        HttpRequest.Builder request = HttpRequest.newBuilder(root.resolve("v1/sse/ticket"))
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("channels", channels).encode()));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    /** A ticket's value, failing the test when none is issued. */
    public static JsonObject issued(URI root, String token, JsonArray channels) {
        HttpResponse<String> response = ticket(root, token, channels);
        if (response.statusCode() != 201) {
            throw new AssertionError("no ticket: " + response.statusCode() + " " + response.body());
        }
        return new JsonObject(response.body());
    }

    /** Opens the stream; the status when it was refused (the client is then null in {@link Opened}). */
    public static Opened open(URI root, String ticket, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(root.resolve("v1/sse?ticket=" + ticket))
                .header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                String error = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
                return new Opened(response.statusCode(), error, null);
            }
            return new Opened(200, null, new SseClient(response.body()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Opened(int status, String error, SseClient client) {
    }

    /** {@code POST /v1/sse/streams/<stream>/commands} with the token: the HTTP answer (202, or an error). */
    public static HttpResponse<String> command(URI root, String stream, String token, JsonObject command) {
        return send(HttpRequest.newBuilder(root.resolve("v1/sse/streams/" + stream + "/commands"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(command.encode())).build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            StringBuilder data = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        synchronized (messages) {
                            messages.add(new Message(id, new JsonObject(data.toString())));
                            messages.notifyAll();
                        }
                    }
                    data = null;
                } else if (line.startsWith(":")) {
                    heartbeats++;
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
                }
            }
        } catch (IOException e) {
            // the stream was cut: same as its end for the test
        } finally {
            ended.complete(null);
            synchronized (messages) {
                messages.notifyAll();
            }
        }
    }

    /** Waits for the first message whose frame matches, and returns it. */
    public Message await(Predicate<JsonObject> which) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (messages) {
            while (true) {
                for (Message m : messages) {
                    if (which.test(m.frame())) {
                        return m;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || ended.isDone() && messages.stream().noneMatch(m -> which.test(m.frame()))) {
                    throw new AssertionError("no such message; got " + messages);
                }
                try {
                    messages.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    public Message awaitType(String type, String channel) {
        return await(f -> type.equals(f.getString("type")) && (channel == null || channel.equals(f.getString("channel"))));
    }

    /** Waits for n events of the channel (null: of any), in arrival order. */
    public List<Message> events(String channel, int n) {
        await(f -> count(channel) >= n);
        synchronized (messages) {
            return messages.stream().filter(m -> isEvent(m, channel)).limit(n).toList();
        }
    }

    private int count(String channel) {
        return (int) messages.stream().filter(m -> isEvent(m, channel)).count();
    }

    private static boolean isEvent(Message m, String channel) {
        return "event".equals(m.frame().getString("type")) && (channel == null || channel.equals(m.frame().getString("channel")));
    }

    public List<Message> all() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** The id of the last message received. */
    public String lastId() {
        synchronized (messages) {
            return messages.get(messages.size() - 1).id();
        }
    }

    public boolean awaitEnd() {
        try {
            ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    public int heartbeats() {
        return heartbeats;
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
