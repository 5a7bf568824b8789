package io.streamgate.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgate.channel.Namespace;
import io.streamgate.stream.Cursor;
import io.streamgate.stream.Epoch;
import io.streamgate.stream.RecordEvents;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The latest value of each subject of one tenant in one namespace, read straight from Kafka, with the
 * cursor of the position it was read up to. This is what a storefront backend does before the page
 * subscribes: render the current state, then subscribe {@code since} that cursor, so nothing written in
 * between is lost and nothing is applied twice.
 *
 * <p>Reads at most the last {@code maxRecords} records of the tenant's partition: a demo shortcut; a real
 * backend keeps its state in its own database.
 */
final class TopicSnapshot {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** @param cursor the position up to which {@code latest} is complete: subscribe {@code since} it */
    record Result(String cursor, Map<String, JsonNode> latest) {
    }

    private TopicSnapshot() {
    }

    static Result read(Map<String, Object> kafka, Namespace namespace, Epoch epoch, String tenant, int maxRecords) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.keySet().retainAll(ConsumerConfig.configNames());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        int partition = BuiltInPartitioner.partitionForKey(tenant.getBytes(StandardCharsets.UTF_8), epoch.partitions());
        TopicPartition tp = new TopicPartition(namespace.topic(), partition);
        Map<String, JsonNode> latest = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
            long begin = consumer.beginningOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
            consumer.seek(tp, Math.max(begin, end - maxRecords));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < end && tenant.equals(record.key())) {
                        String subject = RecordEvents.subject(namespace, record);
                        JsonNode value = parse(record.value());
                        if (subject != null && value != null) {
                            latest.put(subject, value);
                        }
                    }
                }
            }
            // Normally 'end'; less if the deadline cut the read short. The cursor claims only what was read.
            long reached = Math.min(consumer.position(tp), end);
            return new Result(new Cursor(epoch, partition, reached - 1).encode(), latest);
        }
    }

    private static JsonNode parse(byte[] value) {
        try {
            return value == null ? null : MAPPER.readTree(value);
        } catch (IOException e) {
            return null;
        }
    }
}
