package io.streamgate.stream;

/**
 * Identifies one incarnation of a topic's stream: its Kafka topic id and its partition count. A
 * deleted and recreated topic gets a new id; added partitions move tenants to other partitions.
 * Either way old offsets mean nothing, so a cursor of another epoch is never trusted.
 *
 * @param topicId the topic id as Kafka prints it (base64url, 22 characters)
 */
public record Epoch(String topicId, int partitions) {
}
