package io.streamgate.backplane;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;

/**
 * Tells {@link LivePositions} where the live consumer starts in each partition it is assigned. Runs on
 * the consumer's polling thread, where {@code position} may be called.
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
            long seekTo = positions.assigned(tp, consumer.position(tp));
            if (seekTo >= 0) {
                consumer.seek(tp, seekTo);
            }
        }
    }
}
