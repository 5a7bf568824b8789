package io.streamgate.kafka;

import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Set;

/**
 * Starts and stops the live consumer's reading of single partitions (interest-based assignment). Kafka's
 * consumer is not thread-safe: every command runs on the connector's polling thread, in the order issued,
 * and is dropped there when {@link LivePositions} has taken a later decision for the partition.
 */
@ApplicationScoped
class LiveConsumerControl {

    private static final Logger LOG = Logger.getLogger(LiveConsumerControl.class);
    private static final Duration END_OFFSET_TIMEOUT = Duration.ofSeconds(10);

    @Inject
    KafkaClientService clients;

    @Inject
    LivePositions positions;

    /** Seeks to the end of the partition and fetches it from there. */
    void startReading(TopicPartition tp, long generation) {
        consumer().runOnPollingThread(c -> {
            if (!positions.isCurrent(tp, generation) || !c.assignment().contains(tp)) {
                return; // superseded, or not assigned yet: the rebalance listener starts it then
            }
            c.seekToEnd(Set.of(tp));
            // Asks the broker for the end offset. Bounded: this thread also polls every other partition.
            long position = c.position(tp, END_OFFSET_TIMEOUT);
            c.resume(Set.of(tp));
            positions.startedReading(tp, generation, position);
        }).subscribe().with(ok -> {
        }, failure -> {
            LOG.warnf("Could not start reading %s: %s", tp, failure.getMessage());
            positions.startFailed(tp, generation);
        });
    }

    /** Stops fetching the partition. */
    void stopReading(TopicPartition tp, long generation) {
        consumer().runOnPollingThread(c -> {
            if (positions.isCurrent(tp, generation) && c.assignment().contains(tp)) {
                c.pause(Set.of(tp));
                positions.paused(tp, generation);
            }
        }).subscribe().with(ok -> {
        }, failure -> LOG.warnf("Could not stop reading %s: %s", tp, failure.getMessage()));
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return clients.getConsumer(LiveConsumer.CHANNEL);
    }
}
