package io.streamgate.bench.client;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One simulated user: one WebSocket ({@link RawWebSocket}: frames read in place from the socket's reads), subscribed to one channel, checking every event it gets. Subclasses speak
 * one server's protocol; this class keeps the books: per channel the sequence numbers must run 0, 1, 2, ...
 * with no gap (lost) and no repeat (duplicated), after the repeats a cursor-aware client drops by cursor.
 * <p>
 * Threading: after {@link #connectWithRetries()} everything runs on the connection's Vert.x event loop.
 */
public abstract class LoadClient {

    private static final byte[] SEQ = FrameFields.key("\"seq\":");
    private static final byte[] SENT = FrameFields.key("\"sent\":");
    private static final int MAX_ATTEMPTS = 60;

    protected final Fleet fleet;
    protected final Endpoint endpoint;
    protected final int index;
    protected final int channel;
    protected final String channelName;
    protected final Delivery delivery;
    private final Sequences sequences;

    /** The current connection; null after a drop, so the dropped one's late close event is recognised. */
    private volatile RawWebSocket socket;
    /** The next sequence number expected; written on the event loop, read by the scenario once quiet. */
    private volatile long nextSeq;
    private CompletableFuture<Void> subscribed = new CompletableFuture<>();
    /** True while the client wants to be connected: an unexpected close then reconnects and resumes. */
    private volatile boolean wanted;
    private volatile boolean everSubscribed;

    protected LoadClient(Fleet fleet, Endpoint endpoint, int index, int channel, String channelName, Delivery delivery,
            Sequences sequences) {
        this.fleet = fleet;
        this.endpoint = endpoint;
        this.index = index;
        this.channel = channel;
        this.channelName = channelName;
        this.delivery = delivery;
        this.sequences = sequences;
    }

    /** The upgrade request: path and headers. */
    protected abstract WebSocketConnectOptions upgrade();

    /** The WebSocket is open: start subscribing (or resuming). */
    protected abstract void opened();

    /** One text frame from the server: bytes {@code from} to {@code to} of {@code data}, valid during the call only. */
    protected abstract void frame(Buffer data, int from, int to);

    /** Connects and subscribes (resuming where the protocol allows); retries refused or failed attempts. */
    public CompletableFuture<Void> connectWithRetries() {
        wanted = true;
        subscribed = new CompletableFuture<>();
        attempt(1);
        return subscribed;
    }

    private void attempt(int n) {
        CompletableFuture<Void> target = subscribed;
        WebSocketConnectOptions upgrade = upgrade();
        RawWebSocket[] self = new RawWebSocket[1];
        RawWebSocket.connect(fleet.netClientFor(index), endpoint.host(), endpoint.port(), upgrade.getURI(), upgrade.getHeaders(),
                new RawWebSocket.Listener() {
                    @Override
                    public void text(Buffer data, int from, int to) {
                        frame(data, from, to);
                    }

                    @Override
                    public void closed() {
                        if (self[0] != null) {
                            LoadClient.this.closed(self[0]);
                        }
                    }
                })
                .onSuccess(ws -> {
                    self[0] = ws;
                    socket = ws;
                    opened();
                })
                .onFailure(e -> {
                    delivery.refusedAttempts.increment();
                    if (n >= MAX_ATTEMPTS || !wanted) {
                        target.completeExceptionally(e);
                    } else {
                        // Refused (429 while a server paces upgrades, a full accept queue): back off with jitter.
                        long delay = Math.min(2000, 100L * n) + ThreadLocalRandom.current().nextLong(100);
                        fleet.vertx().setTimer(delay, id -> attempt(n + 1));
                    }
                });
    }

    private void closed(RawWebSocket ws) {
        if (ws != socket || !wanted) {
            return; // a connection this client dropped (its close may come after the reconnect began)
        }
        // Closed by the server (a slow-consumer close, say): come back and resume, as a real client would.
        delivery.reconnects.increment();
        fleet.vertx().setTimer(100 + ThreadLocalRandom.current().nextLong(400), id -> {
            if (wanted) {
                connectWithRetries();
            }
        });
    }

    /** The client's side of a network drop: the connection goes; the client keeps its cursors. */
    public void drop() {
        wanted = false;
        RawWebSocket ws = socket;
        socket = null;
        if (ws != null) {
            ws.close();
        }
    }

    /** Ends the client for good. */
    public void stop() {
        drop();
    }

    protected void send(String text) {
        socket.writeText(text);
    }

    /** The subscription is confirmed. */
    protected void confirmSubscribed() {
        everSubscribed = true;
        subscribed.complete(null);
    }

    protected void failSubscribe(String why) {
        subscribed.completeExceptionally(new IllegalStateException(why));
    }

    protected boolean wasSubscribedBefore() {
        return everSubscribed;
    }

    /** An event frame, already past cursor de-duplication: check its sequence number and record its latency. */
    protected void event(Buffer data, int from, int to) {
        long received = System.nanoTime();
        int at = FrameFields.after(data, SEQ, from, to);
        long seq = FrameFields.numberAt(data, at, to);
        long sent = FrameFields.number(data, SENT, Math.max(from, at), to);
        long expected = nextSeq;
        if (seq == expected) {
            nextSeq = seq + 1;
        } else if (seq > expected) {
            delivery.gaps.add(seq - expected);
            nextSeq = seq + 1;
        } else {
            delivery.duplicated.increment();
            return;
        }
        delivery.record(sent, received);
    }

    /** Events produced to this client's channel that it has not received (yet). */
    public long missing() {
        return Math.max(0, sequences.produced(channel) - nextSeq);
    }

    public boolean isSubscribed() {
        return subscribed.isDone() && !subscribed.isCompletedExceptionally();
    }
}
