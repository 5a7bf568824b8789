package io.streamgate.kafka;

import io.streamgate.protocol.OutboundFrame;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a replay delivers to: one subscription that resumes after a cursor. The {@link ReplayScheduler} calls
 * these on a worker thread, in this order: {@link #rejected} or {@link #started}; then {@link #replayed} for
 * each record in offset order that {@link #wants(String)} accepts, interleaved with {@link #tryGoLive} until it
 * answers true; or, after {@code started}, {@link #lost}, {@link #tooSlow} or {@link #failed} once at any
 * point, after which nothing more is called.
 * <p>
 * Targets that name the same {@link #channel} share the reading, the matching and the encoding of a
 * record: {@link #wants(String)} and {@link #encode} are asked of one of them and the answer holds for all. Every
 * target of one fetch belongs to one tenant and reads one topic, so {@link #isTenants} and {@link #subjectOf} are
 * asked once per record, of any of them: a storm's fetch serves many channels without decoding a record's subject
 * once per channel.
 * <p>
 * The events of one fetch go out as one {@link Batch} (made by {@link #newBatch} of one of the targets, shared by
 * every target the fetch serves): frames are counted into each client's outbound queue as they are handed over,
 * so {@link #isBackedUp} sees them at once, and written when the batch is dispatched after the fetch.
 */
public interface ReplayTarget {

    /**
     * The subscribed channel as the client named it ({@code inventory:sku-42}, {@code inventory:*}). Targets
     * of one tenant with equal channels are served the same frames.
     */
    String channel();

    /** The cursor cannot be honoured: {@code expired}, {@code invalid}. The subscription should go on live. */
    void rejected(String reason);

    /** The cursor is good and history follows: register in the index (still skipped by live) and confirm. */
    void started();

    /** Whether the record is one of the tenant's (its key). */
    boolean isTenants(ConsumerRecord<String, byte[]> record);

    /** The subject of one of the tenant's records (its header, or its value's pointer), or null when it has none. */
    String subjectOf(ConsumerRecord<String, byte[]> record);

    /** Whether an event of the tenant with this subject (null: it has none) is an event of this channel. */
    boolean wants(String subject);

    /** Whether the record is an event of this channel: {@link #isTenants} and {@link #wants(String)} of its subject. */
    default boolean wants(ConsumerRecord<String, byte[]> record) {
        return isTenants(record) && wants(subjectOf(record));
    }

    /**
     * The record's event frame on this channel ({@code subject} is its {@link #subjectOf}), or null when it cannot
     * be delivered (reported by the target). The caller hands it to {@link Batch#track} before using it, so that its
     * bytes are released after the writes.
     */
    OutboundFrame encode(ConsumerRecord<String, byte[]> record, String subject);

    /** A batch for the events of one fetch, for this target and any other of the fetch. */
    Batch newBatch();

    /** Queues one replayed event, as {@link #encode} made it, into the fetch's batch. */
    void replayed(long offset, OutboundFrame frame, Batch batch);

    /** Stop early: the client unsubscribed or left. */
    boolean isCancelled();

    /** The client's outbound queue is filling up: deliver no more until it drains. */
    boolean isBackedUp();

    /**
     * History has been read up to {@code position - 1}. If the live consumer has not passed {@code position},
     * switch to live delivery and answer true; else answer false and the replay reads on.
     */
    boolean tryGoLive(long position);

    /**
     * After {@link #started}: the rest of the history is gone ({@code expired}: retention removed it while it
     * was read). End the subscription and tell the client, which may subscribe again.
     */
    void lost(String reason);

    /** After {@link #started}: the client stayed backed up past the grace. Close it as a slow consumer (4008). */
    void tooSlow();

    void failed(Throwable cause);

    /** The writes of one fetch: built by one worker thread, then dispatched once. */
    interface Batch {
        /** Releases the frame's bytes once the batch has been written (also when no client took the frame). */
        void track(OutboundFrame frame);

        /** Writes what was queued: per connection in order, flushed once. */
        void dispatch();
    }
}
