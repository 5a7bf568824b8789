package io.streamgate.backplane;

import io.smallrye.mutiny.Uni;
import io.streamgate.subscription.DeliveryBatch;
import io.streamgate.subscription.FanOut;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Reads every partition of every namespace topic from the live end (each replica in a consumer group
 * of its own) and hands each record to fan-out. Nothing here blocks or waits for clients: a slow client
 * is cut off by its own bounded queue, never by slowing this consumer.
 */
@ApplicationScoped
public class LiveConsumer {

    /** The channel name in {@code mp.messaging.incoming.<name>.*}. */
    public static final String CHANNEL = "live-events";

    @Inject
    LivePositions positions;

    @Inject
    FanOut fanOut;

    /**
     * Fans out one poll: its frames are gathered per event loop and written when the whole poll has been
     * fanned out, one task per event loop and one flush per connection (see {@link DeliveryBatch}).
     */
    @Incoming(CHANNEL)
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        DeliveryBatch batch = new DeliveryBatch();
        try {
            for (TopicPartition tp : records.partitions()) {
                positions.dispatch(tp, records.records(tp), record -> fanOut.deliver(record, batch));
            }
        } finally {
            batch.dispatch();
        }
        return Uni.createFrom().voidItem();
    }
}
