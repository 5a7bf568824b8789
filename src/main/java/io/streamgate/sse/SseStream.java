package io.streamgate.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.quarkus.websockets.next.CloseReason;
import io.streamgate.auth.Grant;
import io.streamgate.connection.TokenBucket;
import io.streamgate.protocol.Frames;
import io.streamgate.protocol.OutboundFrame;
import io.streamgate.stream.Cursor;
import io.streamgate.subscription.ConnectionSubscriptions;
import io.streamgate.subscription.DeliveryBatch;
import io.streamgate.subscription.EventSink;
import io.streamgate.subscription.Subscription;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One open SSE stream: the counterpart of a WebSocket connection's session for the fallback transport. Every frame
 * the WebSocket would send goes out as one SSE message, {@code id: <positions>\ndata: <the same JSON>\n\n}, written
 * on the request's event loop in the order {@code send} was called on one thread. A live or replayed event's JSON
 * is the bytes encoded once for all subscribers (a retained slice, no copy, no re-encoding); the id in front of it
 * names every channel's position after it ({@link LastEventId}), kept here in write order.
 * <p>
 * The outbound bound is the WebSocket's: bytes handed over and not yet written to the socket; over
 * {@code outbound-queue-bytes} for the grace, or four times over at once, the stream is a slow consumer: it gets a
 * {@code close} frame (4008) and ends; its client reconnects and resumes from the last id.
 */
final class SseStream implements EventSink {

    private static final Logger LOG = Logger.getLogger(SseStream.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final Buffer HEARTBEAT = Buffer.buffer(":\n\n");

    private final String connectionId;
    private final String streamId;
    private final HttpServerResponse response;
    private final Context context;
    private final ConnectionSubscriptions subscriptions = new ConnectionSubscriptions();
    /** Each channel's position as of the last message written; the request's event loop only. */
    private final Map<String, String> positions;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final long maxQueuedBytes;
    private final long graceNanos;
    private final LongAdder bytesOut;
    private final String clientId;
    private final TokenBucket publishBudget;
    private final TokenBucket commandBudget;
    private volatile long overLimitSince;
    private volatile long lastWriteNanos = System.nanoTime();
    private volatile Grant grant;
    private volatile long warnAtMillis;
    private volatile long closeAtMillis;

    SseStream(String connectionId, String streamId, HttpServerResponse response, Context context,
            Grant grant, String clientId, Map<String, String> positions, long maxQueuedBytes,
            java.time.Duration slowConsumerGrace, TokenBucket publishBudget, TokenBucket commandBudget, LongAdder bytesOut) {
        this.connectionId = connectionId;
        this.streamId = streamId;
        this.response = response;
        this.context = context;
        this.grant = grant;
        this.clientId = clientId;
        this.positions = new LinkedHashMap<>(positions);
        this.maxQueuedBytes = maxQueuedBytes;
        this.graceNanos = slowConsumerGrace.toNanos();
        this.publishBudget = publishBudget;
        this.commandBudget = commandBudget;
        this.bytesOut = bytesOut;
    }

    // --- EventSink ------------------------------------------------------------------------------------

    @Override
    public void send(String frame) {
        byte[] json = frame.getBytes(StandardCharsets.UTF_8);
        if (admit(json.length)) {
            context.runOnContext(v -> {
                track(frame);
                write(Unpooled.wrappedBuffer(json), json.length);
            });
        }
    }

    @Override
    public void send(OutboundFrame frame, DeliveryBatch batch) {
        send(frame.text());
    }

    @Override
    public void sendEvent(Subscription subscription, long offset, String frame) {
        byte[] json = frame.getBytes(StandardCharsets.UTF_8);
        if (admit(json.length)) {
            context.runOnContext(v -> {
                position(subscription, offset);
                write(Unpooled.wrappedBuffer(json), json.length);
            });
        }
    }

    /** The shared frame's bytes, retained here (on the fan-out's thread) and released once written. */
    @Override
    public void sendEvent(Subscription subscription, long offset, OutboundFrame frame, DeliveryBatch batch) {
        if (closing.get()) {
            return;
        }
        ByteBuf payload = frame.retainedPayload();
        int size = payload.readableBytes();
        if (!admit(size)) {
            payload.release();
            return;
        }
        context.runOnContext(v -> {
            position(subscription, offset);
            write(payload, size);
        });
    }

    @Override
    public boolean isBackedUp() {
        return queued.get() > maxQueuedBytes / 2;
    }

    @Override
    public boolean isOpen() {
        return !closing.get();
    }

    @Override
    public void closeSlow() {
        close(io.streamgate.protocol.CloseCodes.SLOW_CONSUMER);
    }

    @Override
    public String connectionId() {
        return connectionId;
    }

    // --- writing, on the request's event loop ----------------------------------------------------------

    /** Counts the frame into the queue, or refuses it: the stream is over its bound and is closed as slow. */
    private boolean admit(long size) {
        if (closing.get()) {
            return false;
        }
        long now = queued.addAndGet(size);
        if (now <= maxQueuedBytes) {
            overLimitSince = 0;
            return true;
        }
        long since = overLimitSince;
        if (since == 0) {
            overLimitSince = System.nanoTime();
        }
        if (now > 4 * maxQueuedBytes || (since != 0 && System.nanoTime() - since > graceNanos)) {
            queued.addAndGet(-size);
            closeSlow();
            return false;
        }
        return true;
    }

    /** Follows the positions that control frames set: a subscription's start, its end, a refused open subscribe. */
    private void track(String frame) {
        if (!frame.startsWith("{\"type\":\"subscribed\"") && !frame.startsWith("{\"type\":\"unsubscribed\"")
                && !frame.startsWith("{\"type\":\"error\"")) {
            return;
        }
        try {
            JsonNode f = MAPPER.readTree(frame);
            String type = f.path("type").asText();
            if ("subscribed".equals(type)) {
                positions.put(f.path("channel").asText(), f.path("cursor").textValue());
            } else if ("unsubscribed".equals(type)) {
                positions.remove(f.path("channel").asText());
            } else if (f.path("id").isTextual() && subscriptions.get(f.path("id").asText()) == null) {
                // A subscribe the stream opened with (its id is its channel) was refused: it is not resumed.
                positions.remove(f.path("id").asText());
            }
        } catch (IOException e) {
            LOG.debugf("Unreadable control frame on %s: %s", connectionId, e.getMessage());
        }
    }

    private void position(Subscription subscription, long offset) {
        positions.put(subscription.channel().toString(),
                new Cursor(subscription.epoch(), subscription.partition().partition(), offset).encode());
    }

    /** One message: the id of every position, then the JSON (its line breaks, JSON whitespace, made spaces). */
    private void write(ByteBuf json, int size) {
        if (response.closed()) {
            queued.addAndGet(-size);
            json.release();
            return;
        }
        ByteBuf id = Unpooled.copiedBuffer("id: " + LastEventId.encode(streamId, positions), StandardCharsets.US_ASCII);
        ByteBuf message = Unpooled.wrappedBuffer(id, Unpooled.wrappedBuffer(DATA), singleLine(json), Unpooled.wrappedBuffer(END));
        int bytes = message.readableBytes();
        bytesOut.add(bytes);
        lastWriteNanos = System.nanoTime();
        response.write(Buffer.buffer(message)).onComplete(done -> {
            queued.addAndGet(-size);
            message.release(); // Vert.x writes an unreleasable view of a buffer it did not allocate
        });
    }

    /**
     * SSE ends a data line at CR or LF. Inside JSON they can only be whitespace between tokens (a string holds them
     * escaped), so a value written with line breaks is sent with spaces instead: the same JSON to any parser.
     */
    private static ByteBuf singleLine(ByteBuf json) {
        if (json.forEachByte(b -> b != '\n' && b != '\r') < 0) {
            return json;
        }
        byte[] copy = ByteBufUtil.getBytes(json);
        json.release();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == '\n' || copy[i] == '\r') {
                copy[i] = ' ';
            }
        }
        return Unpooled.wrappedBuffer(copy);
    }

    /** Opens the stream: headers, the reconnect delay browsers are to use, then {@code welcome}. */
    void open(int retryMillis, long heartbeatMillis) {
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache, no-store")
                .putHeader("X-Accel-Buffering", "no"); // nginx: do not buffer the stream
        response.write("retry: " + retryMillis + "\n\n");
        send(Frames.welcome(connectionId, grant.tenant(), grant.subject(), grant.expiresAtMillis(), heartbeatMillis));
    }

    /** For the sweep: a comment line when nothing was written for {@code intervalNanos}. */
    void heartbeatIfQuiet(long now, long intervalNanos) {
        if (!closing.get() && now - lastWriteNanos >= intervalNanos) {
            lastWriteNanos = now;
            context.runOnContext(v -> {
                if (!response.closed()) {
                    response.write(HEARTBEAT);
                }
            });
        }
    }

    /** For the sweep: a stream whose queue stayed over the bound for the grace gets no more sends to notice it. */
    boolean isStuckOverLimit() {
        long since = overLimitSince;
        if (queued.get() <= maxQueuedBytes) {
            overLimitSince = 0;
            return false;
        }
        return since != 0 && System.nanoTime() - since > graceNanos;
    }

    /**
     * Closes once: a last message, {@code close} with the WebSocket's code and reason (the client acts on it as on
     * the WebSocket's close), then the end of the response. A browser left to itself reconnects with its last id.
     */
    void close(CloseReason reason) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        LOG.debugf("Closing SSE stream %s: %d %s", connectionId, reason.getCode(), reason.getMessage());
        closeCode = reason.getCode(); // before the end handler can read it
        String frame = Frames.close(reason.getCode(), reason.getMessage());
        byte[] json = frame.getBytes(StandardCharsets.UTF_8);
        queued.addAndGet(json.length);
        context.runOnContext(v -> {
            write(Unpooled.wrappedBuffer(json), json.length);
            if (!response.closed()) {
                response.end();
            }
        });
    }

    private volatile int closeCode = 1006;

    private final AtomicBoolean finished = new AtomicBoolean();

    /** The response ended or the client went away: true the first time (clean up then); nothing more is queued. */
    boolean finish() {
        closing.set(true);
        return finished.compareAndSet(false, true);
    }

    /** The code the server closed the stream with; 1006 when the client went away. */
    int closeCode() {
        return closeCode;
    }

    // --- what the commands and the sweeps read ----------------------------------------------------------

    Context context() {
        return context;
    }

    String streamId() {
        return streamId;
    }

    Grant grant() {
        return grant;
    }

    void grant(Grant grant) {
        this.grant = grant;
    }

    String clientId() {
        return clientId;
    }

    ConnectionSubscriptions subscriptions() {
        return subscriptions;
    }

    TokenBucket publishBudget() {
        return publishBudget;
    }

    TokenBucket commandBudget() {
        return commandBudget;
    }

    void expiry(long warnAtMillis, long closeAtMillis) {
        this.warnAtMillis = warnAtMillis;
        this.closeAtMillis = closeAtMillis;
    }

    /** The {@code expiring} warning is due (and taken: true once per deadline). */
    boolean takeWarning(long nowMillis) {
        long at = warnAtMillis;
        if (at != 0 && nowMillis >= at) {
            warnAtMillis = 0;
            return true;
        }
        return false;
    }

    long closeAtMillis() {
        return closeAtMillis;
    }
}
