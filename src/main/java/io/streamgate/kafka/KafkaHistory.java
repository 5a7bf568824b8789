package io.streamgate.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A replay worker's Kafka consumer: no group, no commits, assigned one partition at a time. It stays where
 * the last read left it, so a job that continues from there (the next turn of the same partition) neither
 * seeks nor loses what was prefetched.
 */
final class KafkaHistory implements HistorySource {

    private static final Logger LOG = Logger.getLogger(KafkaHistory.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Duration pollTimeout;
    /** The partition assigned now, and where the consumer stands in it (-1: unknown, seek first). */
    private TopicPartition assigned;
    private long position = -1;
    /**
     * The last batch read, kept so that a read from within it (a resume that stopped mid-batch because its
     * client backed up, coming back) is served from memory instead of seeking back and fetching again.
     */
    private List<ConsumerRecord<String, byte[]>> lastBatch = List.of();

    /**
     * @param base       the Kafka client settings shared by the application ({@code kafka.*})
     * @param fetchBytes how much one fetch may bring of the partition: catch-up throughput is fetches × this
     */
    KafkaHistory(Map<String, Object> base, String clientId, Duration pollTimeout, int fetchBytes, int maxPollRecords) {
        Map<String, Object> props = new java.util.HashMap<>(base);
        props.keySet().retainAll(ConsumerConfig.configNames());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        // As the live consumer: records of aborted or open transactions are never replayed.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, fetchBytes);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(fetchBytes, 52_428_800));
        // History is there to be read, never waited for. A long-poll fetch left open at the end of one
        // partition would hold up the next job's first fetch for the whole wait.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(props);
        this.pollTimeout = pollTimeout;
    }

    @Override
    public long logStart(TopicPartition tp) {
        return consumer.beginningOffsets(List.of(tp)).get(tp);
    }

    @Override
    public long logEnd(TopicPartition tp) {
        return consumer.endOffsets(List.of(tp)).get(tp);
    }

    @Override
    public Batch read(TopicPartition tp, long from) {
        if (!tp.equals(assigned)) {
            consumer.assign(List.of(tp));
            assigned = tp;
            position = -1;
            lastBatch = List.of();
        }
        if (!lastBatch.isEmpty() && from >= lastBatch.get(0).offset() && from < position) {
            int i = 0;
            while (i < lastBatch.size() && lastBatch.get(i).offset() < from) {
                i++;
            }
            return new Batch(lastBatch.subList(i, lastBatch.size()), position);
        }
        if (position != from) {
            consumer.seek(tp, from);
        }
        ConsumerRecords<String, byte[]> records;
        try {
            records = consumer.poll(pollTimeout);
        } catch (OffsetOutOfRangeException e) {
            position = -1;
            lastBatch = List.of();
            throw new PositionLost("offset " + from + " of " + tp + " is no longer in the log", e);
        }
        position = consumer.position(tp);
        lastBatch = records.records(tp);
        return new Batch(lastBatch, position);
    }

    @Override
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        try {
            consumer.close(Duration.ofSeconds(1));
        } catch (RuntimeException e) {
            LOG.debug("Closing replay consumer failed", e);
        }
    }
}
