package io.streamgate.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real WebSocket client (Vert.x, its own event loop) that records every frame the server sends.
 * Blocking helpers with timeouts make tests read top to bottom.
 */
public final class WsClient implements AutoCloseable {

    private static final Vertx VERTX = Vertx.vertx();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private WebSocket socket;
    private final WebSocketClient client;
    /** Guarded by itself; waiters are notified on every arrival. */
    private final List<JsonObject> frames = new ArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final AtomicInteger ids = new AtomicInteger();

    private WsClient(WebSocketClient client) {
        this.client = client;
    }

    /** Runs on the client's event loop as the upgrade completes, before any frame can be handled. */
    private WebSocket attach(WebSocket ws) {
        this.socket = ws;
        ws.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            synchronized (frames) {
                frames.add(frame);
                frames.notifyAll();
            }
        });
        ws.closeHandler(v -> closed.complete(ws.closeStatusCode() == null ? -1 : (int) ws.closeStatusCode()));
        return ws;
    }

    /** Connects with {@code Authorization: Bearer <token>}. */
    public static WsClient connect(URI base, String token) {
        WebSocketConnectOptions options = options(base);
        if (token != null) {
            options.addHeader("Authorization", "Bearer " + token);
        }
        return connect(options);
    }

    /** Connects to a full URL (with a query such as {@code ?client_id=}) with {@code Authorization: Bearer}. */
    public static WsClient connectTo(URI uriWithQuery, String token) {
        WebSocketConnectOptions options = options(uriWithQuery);
        if (uriWithQuery.getRawQuery() != null) {
            options.setURI("/v1/ws?" + uriWithQuery.getRawQuery());
        }
        options.addHeader("Authorization", "Bearer " + token);
        return connect(options);
    }

    /**
     * Connects with a query string sent exactly as given, also when it is no valid URI ({@code client_id=%zz}),
     * with {@code Authorization: Bearer}.
     */
    public static WsClient connectWithRawQuery(URI base, String rawQuery, String token) {
        WebSocketConnectOptions options = options(base);
        options.setURI("/v1/ws?" + rawQuery);
        options.addHeader("Authorization", "Bearer " + token);
        return connect(options);
    }

    /** Connects the way a browser must: the token inside {@code Sec-WebSocket-Protocol}. */
    public static WsClient connectWithSubprotocolToken(URI base, String token) {
        WebSocketConnectOptions options = options(base);
        options.setSubProtocols(List.of("streamgate.v1",
                java.net.URLEncoder.encode("quarkus-http-upgrade#Authorization#Bearer " + token,
                        java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20")));
        return connect(options);
    }

    /** The HTTP status of a refused upgrade, or 101 if the upgrade succeeded (the socket is then closed). */
    public static int upgradeStatus(URI base, String token) {
        try (WsClient c = connect(base, token)) {
            return 101;
        } catch (UpgradeFailed e) {
            return e.status;
        }
    }

    private static WebSocketConnectOptions options(URI base) {
        return new WebSocketConnectOptions().setHost(base.getHost()).setPort(base.getPort()).setURI("/v1/ws");
    }

    private static WsClient connect(WebSocketConnectOptions options) {
        WebSocketClient client = VERTX.createWebSocketClient();
        WsClient wsClient = new WsClient(client);
        try {
            client.connect(options).map(wsClient::attach).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            return wsClient;
        } catch (java.util.concurrent.ExecutionException e) {
            client.close();
            if (e.getCause() instanceof UpgradeRejectedException rejected) {
                throw new UpgradeFailed(rejected.getStatus());
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            client.close();
            throw new IllegalStateException(e);
        }
    }

    public static final class UpgradeFailed extends RuntimeException {
        public final int status;

        UpgradeFailed(int status) {
            super("upgrade refused with HTTP " + status);
            this.status = status;
        }
    }

    public String nextId() {
        return "c" + ids.incrementAndGet();
    }

    public void sendText(String text) {
        socket.writeTextMessage(text);
    }

    public void send(JsonObject frame) {
        socket.writeTextMessage(frame.encode());
    }

    /**
     * A text frame whose payload is these bytes, valid UTF-8 or not (what a broken client might send). Vert.x's
     * public factory only makes text frames from a String, so this takes its frame implementation.
     */
    public void sendRawText(byte[] bytes) {
        socket.writeFrame(new io.vertx.core.http.impl.ws.WebSocketFrameImpl(io.vertx.core.http.WebSocketFrameType.TEXT,
                io.netty.buffer.Unpooled.wrappedBuffer(bytes), true));
    }

    /** A WebSocket ping; the server answers each with a pong. */
    public void sendPing(byte[] payload) {
        socket.writePing(io.vertx.core.buffer.Buffer.buffer(payload));
    }

    public void sendBinary(byte[] bytes) {
        socket.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer(bytes));
    }

    /** Sends a subscribe and returns the {@code subscribed} (or {@code error}) reply. */
    public JsonObject subscribe(String channel) {
        return subscribe(channel, null);
    }

    public JsonObject subscribe(String channel, String since) {
        String id = nextId();
        JsonObject cmd = new JsonObject().put("type", "subscribe").put("id", id).put("channel", channel);
        if (since != null) {
            cmd.put("since", since);
        }
        send(cmd);
        return reply(id);
    }

    /** Sends an unsubscribe and returns the {@code unsubscribed} (or {@code error}) reply. */
    public JsonObject unsubscribe(String channel) {
        String id = nextId();
        send(new JsonObject().put("type", "unsubscribe").put("id", id).put("channel", channel));
        return reply(id);
    }

    /** Subscribes with {@code resume: true} (the durable cursor) and returns the reply. */
    public JsonObject resume(String channel) {
        String id = nextId();
        send(new JsonObject().put("type", "subscribe").put("id", id).put("channel", channel).put("resume", true));
        return reply(id);
    }

    /** Acknowledges a cursor for {@code resume}; the server does not answer. */
    public void ack(String channel, String cursor) {
        send(new JsonObject().put("type", "ack").put("channel", channel).put("cursor", cursor));
    }

    /** The reply to the command with this id ({@code error} or its success frame). */
    public JsonObject reply(String id) {
        return await(f -> id.equals(f.getString("id")) && !"event".equals(f.getString("type")));
    }

    /** Waits for the first frame matching and takes it; frames before it stay queued, in order. */
    public JsonObject await(Predicate<JsonObject> match) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (frames) {
            while (true) {
                for (int i = 0; i < frames.size(); i++) {
                    if (match.test(frames.get(i))) {
                        return frames.remove(i);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching frame within " + WAIT + "; got " + frames);
                }
                try {
                    frames.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** The next {@code n} event frames of a channel (exact or any, when channel is null), in arrival order. */
    public List<JsonObject> events(String channel, int n) {
        List<JsonObject> events = new ArrayList<>();
        while (events.size() < n) {
            events.add(takeEvent(channel));
        }
        return events;
    }

    private JsonObject takeEvent(String channel) {
        return await(x -> "event".equals(x.getString("type")) && (channel == null || channel.equals(x.getString("channel"))));
    }

    /** Every frame received so far and not yet taken, without waiting. */
    public List<JsonObject> pending() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }

    /** Waits until nothing more arrives for {@code quiet}, then returns what is pending. */
    public List<JsonObject> settle(Duration quiet) {
        int size;
        do {
            size = pending().size();
            sleep(quiet.toMillis());
        } while (pending().size() != size);
        return pending();
    }

    /** Stops reading from the socket: the server's writes back up, as with a client on a dead-slow network. */
    public void stopReading() {
        socket.pause();
    }

    public void resumeReading() {
        socket.resume();
    }

    public int awaitClose() {
        try {
            return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("connection was not closed within " + WAIT, e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    public String subprotocol() {
        return socket.subProtocol();
    }

    /** Closes with the given close code (as a client may choose any of 1000, 3000-4999) and waits for the server's answer. */
    public void closeWith(int code) {
        socket.close((short) code, "test");
        awaitClose();
        client.close();
    }

    @Override
    public void close() {
        if (!socket.isClosed()) {
            socket.close();
        }
        client.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
