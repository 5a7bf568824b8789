package io.streamgate.subscription;

/**
 * CDI events fired when a subscription starts (after {@code subscribed} was sent) and when it ends, for
 * capabilities that follow subscriptions without the subscription code knowing them (presence).
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
