package io.streamgate.kafka;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.Set;

/**
 * Tells {@link LivePositions} where the live consumer starts in each partition it is assigned, and pauses
 * the partitions no local subscriber wants (interest-based assignment). Runs on the consumer's polling
 * thread, where {@code position}, {@code seek} and {@code pause} may be called.
 */
@ApplicationScoped
@Identifier(LiveRebalanceListener.NAME)
public class LiveRebalanceListener implements KafkaConsumerRebalanceListener {

    static final String NAME = "streamgate-live";

    @Inject
    LivePositions positions;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            long position = consumer.position(tp);
            long from = positions.assigned(tp, position);
            if (from == LivePositions.NOT_READ) {
                consumer.pause(Set.of(tp));
            } else if (from != position) {
                consumer.seek(tp, from);
            }
        }
    }
}
