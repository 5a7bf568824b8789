package io.streamgate.kafka;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Reads every partition of every namespace topic from the live end (each replica in a consumer group
 * of its own) and hands each record to the {@link LiveListener} (fan-out). Nothing here blocks or waits
 * for clients: a slow client is cut off by its own bounded queue, never by slowing this consumer.
 */
@ApplicationScoped
public class LiveConsumer {

    /** The channel name in {@code mp.messaging.incoming.<name>.*}. */
    public static final String CHANNEL = "live-events";

    @Inject
    LivePositions positions;

    @Inject
    LiveListener listener;

    @Incoming(CHANNEL)
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            positions.dispatch(tp, records.records(tp), listener::onRecord);
        }
        return Uni.createFrom().voidItem();
    }
}
