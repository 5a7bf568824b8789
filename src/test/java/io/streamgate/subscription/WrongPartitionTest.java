package io.streamgate.subscription;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Records;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, item 2: a record of a tenant in a partition other than the tenant's (a librdkafka producer without
 * {@code partitioner=murmur2_random}, a custom partitioner) is never delivered, never compared with offsets of the
 * tenant's partition, and is counted with its own reason.
 */
@QuarkusTest
class WrongPartitionTest extends GatewayTest {

    private static final String TOPIC = "inventory-events";

    @Test
    void aRecordInAnotherPartitionIsRejectedAndDoesNotHideLaterRecords() throws Exception {
        int own = BuiltInPartitioner.partitionForKey(tenant.getBytes(StandardCharsets.UTF_8), 3);
        int other = (own + 1) % 3;
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            client.subscribe("inventory:wp-1");
            // Make the other partition's next offset higher than the tenant's, as it is on a busy topic.
            long gap = end(own) - end(other) + 5;
            for (long i = 0; i < gap; i++) {
                records.send(new ProducerRecord<>(TOPIC, other, "t-filler", "{}".getBytes(StandardCharsets.UTF_8)));
            }
            ProducerRecord<String, byte[]> misplaced = Records.record(TOPIC, tenant, "wp-1", "{\"n\":1}");
            records.send(new ProducerRecord<>(TOPIC, other, tenant, misplaced.value(), misplaced.headers()));
            records.send(TOPIC, tenant, "wp-1", "{\"n\":2}");

            List<JsonObject> events = client.events("inventory:wp-1", 1);
            assertThat(events.get(0).getJsonObject("data").getInteger("n")).isEqualTo(2);
            assertThat(client.settle(Duration.ofMillis(500))).noneMatch(f -> "event".equals(f.getString("type")));
        }
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri.resolve("q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("streamgate_records_rejected_total\\{reason=\"wrong_partition\"} [1-9]");
    }

    private static long end(int partition) throws Exception {
        try (Admin admin = TestStack.get().admin()) {
            TopicPartition tp = new TopicPartition(TOPIC, partition);
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
        }
    }
}
