package io.streamgate.connection;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.streamgate.protocol.OutboundFrame;
import io.streamgate.subscription.DeliveryBatch;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.LongAdder;

/**
 * One connection's outbound side: the bounded queue and how frames reach the socket.
 * <p>
 * With a {@link DirectWire} (the usual case) frames are written to the connection's channel on its own event loop:
 * a live event as a retained duplicate of the bytes encoded once for all its subscribers, gathered per event loop
 * by a {@link DeliveryBatch} with one flush per connection per batch; any other frame (replies, replay, control) is
 * encoded for this connection and written and flushed at once. Without one, frames go through websockets-next's
 * {@code sendText} (the fallback). Either way frames leave in the order {@code send} was called on one thread.
 * <p>
 * The queue is what was handed over and has not reached the socket yet: frames not yet written to the channel (a
 * counter) plus the channel's own pending bytes (Netty keeps that count), or, on the fallback, bytes whose
 * {@code sendText} has not completed. Past the limit for the grace period, or past four times the limit at any
 * moment, the connection is a slow consumer and its {@link Owner#closeSlow} runs (the session closes it with 4008).
 * <p>
 * {@code send} may be called from any thread.
 */
final class Outbound implements DeliveryBatch.Target {

    /**
     * What the queue needs of its connection (the session implements it: no lambdas to keep per connection, 32
     * bytes, issue 13).
     */
    interface Owner {
        /** The fallback: sends a text frame through websockets-next and runs {@code written} once it was written (or failed). */
        void sendThroughWebSocketsNext(String text, Runnable written);

        /** The queue stayed over its bound: close the connection as a slow consumer. */
        void closeSlow();
    }

    private final DirectWire wire;
    private final Owner owner;
    private final long maxQueuedBytes;
    private final long graceNanos;
    private final LongAdder bytesOut;
    /* A volatile long with a field updater rather than an AtomicLong: 24 bytes less per connection (issue 13). */
    private static final AtomicLongFieldUpdater<Outbound> HANDED_OVER = AtomicLongFieldUpdater.newUpdater(Outbound.class, "handedOver");
    /** Bytes handed to {@code send} and not yet to the channel (direct) or not yet written (fallback). */
    private volatile long handedOver;
    /** When the queue last went above the limit without coming back under it; 0 while under. */
    private volatile long overLimitSince;
    private volatile boolean stopped;
    /** Event loop only: a direct write was made and not flushed yet. */
    private boolean unflushed;

    /**
     * @param wire  the channel to write to, or null for the fallback
     * @param owner the connection: its fallback send and its close when too slow
     */
    Outbound(DirectWire wire, Owner owner, long maxQueuedBytes, Duration slowConsumerGrace, LongAdder bytesOut) {
        this.wire = wire;
        this.owner = owner;
        this.maxQueuedBytes = maxQueuedBytes;
        this.graceNanos = slowConsumerGrace.toNanos();
        this.bytesOut = bytesOut;
    }

    boolean isDirect() {
        return wire != null;
    }

    /** No more frames are queued (the connection is closing); frames already handed over still go. */
    void stop() {
        stopped = true;
    }

    /** Sends one frame on its own: encoded for this connection, written and flushed as soon as its event loop runs. */
    void send(String text) {
        if (stopped) {
            return;
        }
        if (wire == null) {
            long size = text.length(); // UTF-16 units: the bytes, for the ASCII that JSON frames mostly are
            if (admit(size)) {
                bytesOut.add(size);
                owner.sendThroughWebSocketsNext(text, () -> HANDED_OVER.addAndGet(this, -size));
            }
            return;
        }
        ByteBuf frame = OutboundFrame.encode(text, wire.alloc());
        int size = frame.readableBytes();
        if (!admit(size)) {
            frame.release();
            return;
        }
        bytesOut.add(size);
        EventLoop loop = wire.eventLoop();
        if (loop.inEventLoop()) {
            writeNow(frame, size, true);
        } else {
            loop.execute(() -> writeNow(frame, size, true));
        }
    }

    /**
     * Writes a WebSocket ping (empty payload) straight to the channel, outside the queue's accounting (two bytes).
     * False without a direct wire: the caller pings through websockets-next.
     */
    boolean ping() {
        if (wire == null) {
            return false;
        }
        if (!stopped) {
            EventLoop loop = wire.eventLoop();
            if (loop.inEventLoop()) {
                pingNow();
            } else {
                loop.execute(this::pingNow);
            }
        }
        return true;
    }

    private void pingNow() {
        if (wire.ready()) { // not before the upgrade's response; nothing once closed
            wire.write(PING.duplicate());
            wire.flush();
            unflushed = false;
        }
    }

    /**
     * FIN + ping, no payload, unmasked; never released (a duplicate of it is written). Direct: a heap buffer is
     * copied into a new direct one by the socket channel on every write.
     */
    private static final ByteBuf PING = Unpooled.unreleasableBuffer(Unpooled.directBuffer(2).writeByte(0x89).writeByte(0));

    /** Queues a live event frame into the poll's batch (written and flushed when the batch runs). */
    void send(OutboundFrame frame, DeliveryBatch batch) {
        if (stopped) {
            return;
        }
        if (wire == null) {
            send(frame.text());
            return;
        }
        int size = frame.size();
        if (admit(size)) {
            bytesOut.add(size);
            batch.add(this, frame);
        }
    }

    /** Counts the frame into the queue, or refuses it: the queue is over its bound and the connection slow. */
    private boolean admit(long size) {
        long queued = HANDED_OVER.addAndGet(this, size) + (wire == null ? 0 : wire.pendingBytes());
        if (queued <= maxQueuedBytes) {
            overLimitSince = 0;
            return true;
        }
        if (isSlow(queued)) {
            HANDED_OVER.addAndGet(this, -size);
            stopped = true;
            owner.closeSlow();
            return false;
        }
        return true;
    }

    /** Over the limit: slow once over it for the grace period, or far over it. */
    private boolean isSlow(long queued) {
        long now = System.nanoTime();
        long since = overLimitSince;
        if (since == 0) {
            overLimitSince = now;
            return queued > 4 * maxQueuedBytes;
        }
        return queued > 4 * maxQueuedBytes || now - since > graceNanos;
    }

    private void writeNow(ByteBuf frame, int size, boolean flush) {
        HANDED_OVER.addAndGet(this, -size);
        if (!wire.ready()) {
            if (wire.isActive()) {
                // Before the upgrade's response was written (not seen so far): let websockets-next send it.
                String text = frame.toString(frame.readerIndex() + headerLength(frame), size - headerLength(frame),
                        java.nio.charset.StandardCharsets.UTF_8);
                frame.release();
                owner.sendThroughWebSocketsNext(text, () -> {
                });
            } else {
                frame.release(); // closed: a client that comes back resumes from its cursor
            }
            return;
        }
        wire.write(frame);
        if (flush) {
            wire.flush();
        } else {
            unflushed = true;
        }
    }

    private static int headerLength(ByteBuf frame) {
        int len = frame.getByte(frame.readerIndex() + 1) & 0x7F;
        return len < 126 ? 2 : len == 126 ? 4 : 10;
    }

    // --- DeliveryBatch.Target: on the event loop ---------------------------------------------------

    @Override
    public Executor eventLoop() {
        return wire.eventLoop();
    }

    @Override
    public void write(OutboundFrame frame) {
        ByteBuf bytes = frame.wire();
        writeNow(bytes.retainedDuplicate(), bytes.readableBytes(), false);
    }

    @Override
    public void flush() {
        if (unflushed) {
            unflushed = false;
            wire.flush();
        }
    }

    // --- the queue, for the session and the sweep ----------------------------------------------------

    long queuedBytes() {
        return Math.max(0, handedOver) + (wire == null ? 0 : wire.pendingBytes());
    }

    boolean isOverLimit() {
        return queuedBytes() > maxQueuedBytes;
    }

    /** Should a replay pause before queueing more? */
    boolean isBackedUp() {
        return queuedBytes() > maxQueuedBytes / 2;
    }

    /** For the periodic sweep: a client that stopped reading may get no more sends to notice it. */
    boolean isStuckOverLimit() {
        long since = overLimitSince;
        long queued = queuedBytes();
        if (queued <= maxQueuedBytes) {
            overLimitSince = 0;
            return false;
        }
        return since != 0 && System.nanoTime() - since > graceNanos;
    }
}
