package io.streamgate.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where the live consumer hands each record it reads: implemented by fan-out, so that Kafka code knows
 * nothing of subscriptions. Called on the consumer's thread, one partition at a time, in offset order, under
 * the partition's seam lock ({@link LivePositions}): it must be quick and must not block. A listener that
 * throws loses that record for this replica only; the stream goes on.
 */
public interface LiveListener {

    void onRecord(ConsumerRecord<String, byte[]> record);
}
