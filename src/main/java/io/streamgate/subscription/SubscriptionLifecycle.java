package io.streamgate.subscription;

/**
 * CDI events fired when a subscription starts (just before {@code subscribed} is sent) and when it ends, for
 * capabilities that follow subscriptions without the subscription code knowing them (presence). Started is
 * fired on the thread that completed the subscribe (often not the connection's event loop), Ended on the
 * thread that ended it, after the subscription was cancelled: an observer may see Ended first.
 */
public final class SubscriptionLifecycle {

    private SubscriptionLifecycle() {
    }

    /** @param presenceInfo the subscriber's token {@code presence} claim as JSON text, or null */
    public record Started(Subscription subscription, String subject, String presenceInfo) {
    }

    public record Ended(Subscription subscription) {
    }
}
