package io.streamgate.support;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Random tenant ids chosen by the partition their records go to (key = tenant, Kafka's default
 * partitioner). A negative test needs a sentinel in the same partition as the record that must not arrive:
 * Kafka orders records within a partition only.
 */
public final class Tenants {

    private Tenants() {
    }

    public static int partitionOf(String tenant, int partitions) {
        return BuiltInPartitioner.partitionForKey(tenant.getBytes(StandardCharsets.UTF_8), partitions);
    }

    /** A new tenant whose records share {@code tenant}'s partition of a topic with {@code partitions} partitions. */
    public static String sharingPartitionWith(String tenant, int partitions) {
        while (true) {
            String other = "t-" + UUID.randomUUID();
            if (partitionOf(other, partitions) == partitionOf(tenant, partitions)) {
                return other;
            }
        }
    }

    /** A new tenant whose records go to another partition than {@code tenant}'s (partitions > 1). */
    public static String inAnotherPartitionThan(String tenant, int partitions) {
        while (true) {
            String other = "t-" + UUID.randomUUID();
            if (partitionOf(other, partitions) != partitionOf(tenant, partitions)) {
                return other;
            }
        }
    }
}
