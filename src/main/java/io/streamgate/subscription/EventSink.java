package io.streamgate.subscription;

import io.streamgate.protocol.OutboundFrame;

/**
 * The connection side of a subscription: where its frames go. Implemented by the connection's session.
 */
public interface EventSink {

    /** Queues a frame for sending. Never blocks; a sink that is too far behind closes itself instead. */
    void send(String frame);

    /**
     * Queues a live event frame, shared by every subscriber of the event, into the poll's batch: it is written
     * when the batch is dispatched. Never blocks.
     */
    default void send(OutboundFrame frame, DeliveryBatch batch) {
        send(frame.text());
    }

    /**
     * Queues an event frame of {@code subscription} at {@code offset}: a sink that must know each channel's position
     * as it writes (the SSE stream puts them in every message's id) overrides this; others just send the frame.
     */
    default void sendEvent(Subscription subscription, long offset, String frame) {
        send(frame);
    }

    /** {@link #sendEvent(Subscription, long, String)} for a shared live or replayed frame of a poll's batch. */
    default void sendEvent(Subscription subscription, long offset, OutboundFrame frame, DeliveryBatch batch) {
        send(frame, batch);
    }

    /** Is the outbound queue so full that a replay should pause before queueing more? */
    boolean isBackedUp();

    boolean isOpen();

    /**
     * Closes the connection as a slow consumer (4008: reconnect and resume): used by replay for a client that
     * stayed backed up past the grace, as live delivery does when its queue overflows.
     */
    void closeSlow();

    String connectionId();
}
