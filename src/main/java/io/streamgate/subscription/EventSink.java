package io.streamgate.subscription;

/**
 * The connection side of a subscription: where its frames go. Implemented by the connection's session.
 */
public interface EventSink {

    /** Queues a frame for sending. Never blocks; a sink that is too far behind closes itself instead. */
    void send(String frame);

    /** Is the outbound queue so full that a replay should pause before queueing more? */
    boolean isBackedUp();

    boolean isOpen();

    String connectionId();
}
