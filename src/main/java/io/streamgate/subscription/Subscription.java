package io.streamgate.subscription;

import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.protocol.OutboundFrame;
import io.streamgate.stream.Cursor;
import io.streamgate.stream.Epoch;
import org.apache.kafka.common.TopicPartition;

/**
 * One connection's subscription to one channel (or {@code <namespace>:*}) of its tenant. All of a
 * tenant's events of a namespace live in one partition, so the subscription follows exactly one
 * partition and one offset.
 * <p>
 * While it replays history, live fan-out skips it; the replay then switches it to live at the seam
 * (see {@code LivePositions}). Either way an event is delivered only when its offset is above the last
 * one delivered, which keeps per-channel order strict and drops nothing twice.
 */
public final class Subscription {

    private final EventSink sink;
    private final String tenant;
    private final ChannelName channel;
    private final Namespace namespace;
    private final Epoch epoch;
    private final TopicPartition partition;

    /** Guarded by this. */
    private boolean replaying;
    /** Guarded by this: offset of the last event delivered or skipped as history. */
    private long lastOffset;
    private volatile boolean cancelled;

    Subscription(EventSink sink, String tenant, ChannelName channel, Namespace namespace, Epoch epoch,
            TopicPartition partition, boolean replaying, long lastOffset) {
        this.sink = sink;
        this.tenant = tenant;
        this.channel = channel;
        this.namespace = namespace;
        this.epoch = epoch;
        this.partition = partition;
        this.replaying = replaying;
        this.lastOffset = lastOffset;
    }

    synchronized void deliverLive(long offset, String frame) {
        if (!replaying && !cancelled && offset > lastOffset) {
            lastOffset = offset;
            sink.sendEvent(this, offset, frame);
        }
    }

    /** Live fan-out: the frame is shared by all the event's subscribers and written when the poll's batch is. */
    synchronized void deliverLive(long offset, OutboundFrame frame, DeliveryBatch batch) {
        if (!replaying && !cancelled && offset > lastOffset) {
            lastOffset = offset;
            sink.sendEvent(this, offset, frame, batch);
        }
    }

    /**
     * Replay: the frame is shared by the fetch's subscribers of the channel and written when the fetch's batch is,
     * but counted into the connection's outbound queue now (so the replay sees at once when it is backed up).
     */
    synchronized void deliverReplayed(long offset, OutboundFrame frame, DeliveryBatch batch) {
        if (!cancelled && offset > lastOffset) {
            lastOffset = offset;
            sink.sendEvent(this, offset, frame, batch);
        }
    }

    /**
     * A rewind's event found by the backward scan: sent on its own, before the replay from the scan's end begins
     * (the replay's batches are dispatched to the connection's event loop after it).
     */
    synchronized void deliverRewound(long offset, String frame) {
        if (!cancelled && offset > lastOffset) {
            lastOffset = offset;
            sink.sendEvent(this, offset, frame);
        }
    }

    /** Called at the seam: history up to {@code position - 1} was replayed; from now on, live. */
    synchronized void goLive(long position) {
        lastOffset = Math.max(lastOffset, position - 1);
        replaying = false;
    }

    void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled || !sink.isOpen();
    }

    /** The cursor of the last event delivered (or the start position), or null before the stream's first record. */
    public synchronized String cursor() {
        return lastOffset < -1 ? null : new Cursor(epoch, partition.partition(), lastOffset).encode();
    }

    public String tenant() {
        return tenant;
    }

    public ChannelName channel() {
        return channel;
    }

    public Namespace namespace() {
        return namespace;
    }

    public Epoch epoch() {
        return epoch;
    }

    public TopicPartition partition() {
        return partition;
    }

    /** Sends a frame that is not an event (presence changes) to the subscriber. */
    public void sendControl(String frame) {
        if (!isCancelled()) {
            sink.send(frame);
        }
    }

    public String connectionId() {
        return sink.connectionId();
    }

    /** The offset of the last event delivered (or skipped as history): acks may not go beyond it. */
    public synchronized long lastOffset() {
        return lastOffset;
    }
}
