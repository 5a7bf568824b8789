package io.streamgate.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.List;

/**
 * Where one replay worker reads history: one Kafka consumer in production ({@link KafkaHistory}), a list of
 * records in unit tests. Used by one thread only.
 */
public interface HistorySource extends AutoCloseable {

    /** The partition's log start offset (the first record retention kept). One broker round trip. */
    long logStart(TopicPartition tp);

    /** The partition's log end offset (the offset the next record will get). One broker round trip. */
    long logEnd(TopicPartition tp);

    /**
     * The next records of the partition from offset {@code from} on, in offset order (at most one fetch's
     * worth; empty when nothing arrives within the poll timeout), and the position after them.
     *
     * @throws PositionLost when {@code from} (or a record after it) is no longer in the log
     */
    Batch read(TopicPartition tp, long from);

    /** Interrupts a read in progress, from another thread (shutdown). */
    default void wakeup() {
    }

    @Override
    void close();

    /**
     * @param records the records read, in offset order
     * @param next    the offset to read from next: above the last record, or further when the log skipped
     *                offsets (compaction, transaction markers)
     */
    record Batch(List<ConsumerRecord<String, byte[]>> records, long next) {
    }

    /** Retention removed records while they were being read: what is gone cannot be replayed. */
    final class PositionLost extends RuntimeException {
        public PositionLost(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
