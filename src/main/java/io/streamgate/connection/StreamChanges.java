package io.streamgate.connection;

import io.streamgate.kafka.TopicEpochs;
import io.streamgate.subscription.SubscriptionService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * When a namespace topic's stream changed (partitions added, the topic recreated), moves the subscriptions of
 * every local connection to the new epoch; each client gets {@code subscribed} with reason {@code epoch}.
 * Issue 15, item 1.
 */
@ApplicationScoped
public class StreamChanges {

    @Inject
    Sessions sessions;

    @Inject
    SubscriptionService subscriptions;

    void changed(@Observes TopicEpochs.Changed change) {
        for (ClientSession session : sessions.all()) {
            if (session.isOpen()) {
                subscriptions.moveToEpoch(session, session.grant(), session.subscriptions(), change.topic(), change.epoch());
            }
        }
    }
}
