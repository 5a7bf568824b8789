package io.streamgate.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What a well-behaved application client does, for the multi-replica tests: one subscription, the last
 * cursor kept, and on any close a reconnect (to whatever replica {@code target} names, after a short
 * jittered pause) that resubscribes with that cursor. It counts what arrived on the wire and what the
 * application keeps after de-duplicating by cursor, so a test can assert exactly-once and in-order.
 */
public final class ResumingClient {

    private static final Vertx VERTX = Vertx.vertx();
    private static final WebSocketClient CLIENT = VERTX.createWebSocketClient(
            new WebSocketClientOptions().setMaxConnections(100_000).setConnectTimeout(30_000));

    private final Supplier<URI> target;
    private final String token;
    private final String channel;
    private final List<Integer> delivered = new ArrayList<>();
    private final AtomicInteger wire = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicInteger unrecovered = new AtomicInteger();
    private final AtomicInteger errors = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> notes = new ArrayList<>();
    /** Every error and unsubscribed frame, as "error <code>" or "unsubscribed <reason>", with how many; guarded by this. */
    private final java.util.Map<String, Integer> errorFrames = new java.util.TreeMap<>();
    private volatile boolean stopped;
    private volatile WebSocket socket;
    private volatile boolean subscribed;
    private long lastOffset = -1;
    private String lastCursor;

    public ResumingClient(Supplier<URI> target, String token, String channel) {
        this.target = target;
        this.token = token;
        this.channel = channel;
    }

    public ResumingClient start() {
        connect();
        return this;
    }

    private void connect() {
        if (stopped) {
            return;
        }
        URI uri = target.get();
        subscribed = false;
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort())
                .setURI("/v1/ws").addHeader("Authorization", "Bearer " + token);
        CLIENT.connect(options).onSuccess(ws -> {
            connections.incrementAndGet();
            socket = ws;
            ws.textMessageHandler(this::onFrame);
            ws.closeHandler(v -> retry());
            JsonObject subscribe = new JsonObject().put("type", "subscribe").put("id", "s").put("channel", channel);
            synchronized (this) {
                if (lastCursor != null) {
                    subscribe.put("since", lastCursor);
                }
            }
            ws.writeTextMessage(subscribe.encode());
        }).onFailure(e -> retry());
    }

    private void retry() {
        if (stopped) {
            return;
        }
        reconnects.incrementAndGet();
        VERTX.setTimer(50 + ThreadLocalRandom.current().nextInt(200), id -> connect());
    }

    private synchronized void onFrame(String text) {
        JsonObject f = new JsonObject(text);
        switch (f.getString("type")) {
            case "subscribed" -> {
                subscribed = true;
                if (lastCursor == null) {
                    // No event yet: the subscription's start position is the cursor to resume from, or the
                    // events written between a drop and the next subscribe would be lost (docs/protocol.md).
                    lastCursor = f.getString("cursor");
                    lastOffset = Long.parseLong(lastCursor.substring(lastCursor.lastIndexOf('.') + 1));
                    return;
                }
                if (lastCursor != null && !f.getBoolean("recovered")) {
                    unrecovered.incrementAndGet();
                    notes.add("unrecovered " + f.getString("reason") + " since " + lastCursor);
                }
            }
            case "event" -> {
                wire.incrementAndGet();
                String cursor = f.getString("cursor");
                long offset = Long.parseLong(cursor.substring(cursor.lastIndexOf('.') + 1));
                if (offset <= lastOffset) {
                    duplicates.incrementAndGet();
                    return;
                }
                int n = f.getJsonObject("data").getInteger("n");
                if (!delivered.isEmpty() && n != delivered.get(delivered.size() - 1) + 1 && notes.size() < 20) {
                    notes.add("gap: " + delivered.get(delivered.size() - 1) + " -> " + n + " (offsets " + lastOffset + " -> "
                            + offset + ", connection " + connections.get() + ")");
                }
                lastOffset = offset;
                lastCursor = cursor;
                delivered.add(f.getJsonObject("data").getInteger("n"));
            }
            case "error", "unsubscribed" -> {
                // A subscribe that failed (a replica still starting, say), or a subscription the server ended
                // (its history could not be read): what an app does is try again.
                errors.incrementAndGet();
                errorFrames.merge(f.getString("type") + " " + ("error".equals(f.getString("type")) ? f.getString("code")
                        : f.getString("reason")), 1, Integer::sum);
                if (notes.size() < 20) {
                    notes.add(text);
                }
                WebSocket ws = socket;
                if (ws != null) {
                    ws.close();
                }
            }
            default -> {
            }
        }
    }

    public int errors() {
        return errors.get();
    }

    /** The error and unsubscribed frames received, by kind ("error internal", "unsubscribed forbidden"...). */
    public synchronized java.util.Map<String, Integer> errorFrames() {
        return java.util.Map.copyOf(errorFrames);
    }

    /**
     * Asserts what every failure test promises of each client: no event sent twice on the wire (an event at
     * or below the last cursor, which this client drops), and no error or unsubscribed frame other than the
     * expected kinds, each named by the test (none unless it says so).
     */
    public static void assertNoDuplicatesAndNoUnexpectedErrors(java.util.Collection<ResumingClient> clients,
            String... expectedErrorKinds) {
        java.util.Set<String> expected = java.util.Set.of(expectedErrorKinds);
        for (ResumingClient c : clients) {
            org.assertj.core.api.Assertions.assertThat(c.duplicates()).as("events repeated on the wire to %s", c).isZero();
            org.assertj.core.api.Assertions.assertThat(c.errorFrames().keySet()).as("error frames of %s", c)
                    .allMatch(expected::contains, "one of the expected " + expected);
        }
    }

    /** How many error and unsubscribed frames of each kind these clients got, for the report. */
    public static String errorSummary(java.util.Collection<ResumingClient> clients) {
        java.util.Map<String, Integer> all = new java.util.TreeMap<>();
        clients.forEach(c -> c.errorFrames().forEach((k, v) -> all.merge(k, v, Integer::sum)));
        return all.isEmpty() ? "0 error frames" : "error frames " + all;
    }

    @Override
    public synchronized String toString() {
        return "client(delivered=" + delivered.size() + ", lastOffset=" + lastOffset + ", subscribed=" + subscribed
                + ", reconnects=" + reconnects + ", errors=" + errors + ", socketOpen="
                + (socket != null && !socket.isClosed()) + ", duplicates=" + duplicates + ", notes=" + notes + ")";
    }

    public boolean isSubscribed() {
        return subscribed;
    }

    /** Closes the socket without stopping: the client reconnects, as after a network drop. */
    public void drop() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.close();
        }
    }

    public void stop() {
        stopped = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.close();
        }
    }

    public synchronized List<Integer> delivered() {
        return List.copyOf(delivered);
    }

    public synchronized int deliveredCount() {
        return delivered.size();
    }

    public int wireEvents() {
        return wire.get();
    }

    public int duplicates() {
        return duplicates.get();
    }

    public int reconnects() {
        return reconnects.get();
    }

    public int unrecovered() {
        return unrecovered.get();
    }
}
