package io.streamgate.stream;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A subscription follows the partition that holds its tenant's records: it must be the very partition a
 * Kafka producer with the default partitioner picks for a record keyed by the tenant id. Main code computes
 * it with Kafka's public {@code Utils}; here it is held against the producer's own (internal) partitioner,
 * and against values that partitioner gave, so the test still speaks should that internal class move.
 */
class TenantPartitionTest {

    @Test
    void sameAsTheProducersDefaultPartitioner() {
        for (int partitions : new int[] {1, 2, 3, 6, 7, 12, 64}) {
            Epoch epoch = new Epoch("28mGBR5uQduCztE4xdaBQw", partitions);
            for (int i = 0; i < 500; i++) {
                String tenant = "tenant-" + i;
                int producers = BuiltInPartitioner.partitionForKey(tenant.getBytes(StandardCharsets.UTF_8), partitions);
                assertThat(RecordEvents.partitionOf(tenant, epoch)).as(tenant + " of " + partitions).isEqualTo(producers);
            }
        }
    }

    @Test
    void knownValuesOfKafkaClients41() {
        assertThat(partitions("acme")).containsExactly(0, 0);
        assertThat(partitions("globex")).containsExactly(1, 7);
        assertThat(partitions("initech")).containsExactly(0, 6);
        assertThat(partitions("t-1")).containsExactly(1, 10);
    }

    /** The tenant's partition in a topic of 3 and of 12 partitions. */
    private static int[] partitions(String tenant) {
        return new int[] {RecordEvents.partitionOf(tenant, new Epoch("28mGBR5uQduCztE4xdaBQw", 3)),
                RecordEvents.partitionOf(tenant, new Epoch("28mGBR5uQduCztE4xdaBQw", 12))};
    }
}
