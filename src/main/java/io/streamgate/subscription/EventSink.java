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
