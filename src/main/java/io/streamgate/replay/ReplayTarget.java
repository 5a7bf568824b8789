package io.streamgate.replay;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a replay delivers to: one subscription that resumes after a cursor. The replay worker calls these
 * on its own thread, in this order: {@link #rejected} or {@link #started}; then {@link #replayed} for each
 * record in offset order (those {@link #wants} accepts), interleaved with {@link #tryGoLive} until it
 * answers true; or {@link #failed} at any point.
 */
public interface ReplayTarget {

    /** The cursor cannot be honoured: {@code expired}, {@code invalid}. The subscription should go on live. */
    void rejected(String reason);

    /** The cursor is good and history follows: register in the index (still skipped by live) and confirm. */
    void started();

    boolean wants(ConsumerRecord<String, byte[]> record);

    void replayed(ConsumerRecord<String, byte[]> record);

    /** Stop early: the client unsubscribed or left. */
    boolean isCancelled();

    /** Pause reading: the client's outbound queue is filling up. */
    boolean isBackedUp();

    /**
     * History has been read up to {@code position - 1}. If the live consumer has not passed {@code position},
     * switch to live delivery and answer true; else answer false and the replay reads on.
     */
    boolean tryGoLive(long position);

    void failed(Throwable cause);
}
