package io.streamgate.kafka;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.streamgate.support.KafkaAndPostgres;
import io.streamgate.support.Records;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code streamgate.live.assignment=interest}: the live consumer reads a partition only while a local
 * subscriber of a tenant in it exists. Asks the Kafka consumer itself whether it fetches the partition
 * (paused, and its position does not move while records are produced), and checks that a subscriber
 * arriving at such a partition gets its events at once, and a resuming one everything it missed, with
 * neither gap nor duplicate while records keep arriving across the switch.
 */
@QuarkusTest
@TestProfile(InterestAssignmentTest.InterestOnly.class)
@WithTestResource(KafkaAndPostgres.class)
class InterestAssignmentTest {

    public static class InterestOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamgate.live.assignment", "interest", "streamgate.live.release-delay", "PT0.2S");
        }
    }

    private static final String TOPIC = "inventory-events";
    private static final int PARTITIONS = 3;

    @TestHTTPResource("/")
    URI uri;

    @Inject
    KafkaClientService clients;

    @Inject
    LivePositions positions;

    private final Records records = new Records();
    private final String tenant = "t-" + UUID.randomUUID();
    private final String otherTenant = tenantOutside(partitionOf(tenant));
    private final TopicPartition partition = new TopicPartition(TOPIC, partitionOf(tenant));
    private final TopicPartition otherPartition = new TopicPartition(TOPIC, partitionOf(otherTenant));

    @AfterEach
    void close() {
        records.close();
    }

    @Test
    void aPartitionWithoutLocalSubscribersIsNotReadAndIsReadTheMomentOneArrives() throws Exception {
        awaitAssigned(partition);
        assertNotRead(partition);
        long pausedAt = position(partition);
        produce(0, 20); // nobody here wants these: the consumer must not fetch them
        Thread.sleep(1000); // twenty times the live consumer's fetch wait: a reading consumer would have moved
        assertThat(position(partition)).isEqualTo(pausedAt);
        assertNotRead(partition);

        String cursor;
        try (WsClient client = WsClient.connect(uri, token(tenant))) {
            JsonObject subscribed = client.subscribe("inventory:sku-1");
            assertThat(subscribed.getBoolean("recovered")).isFalse();
            assertThat(positions.isReading(partition)).isTrue();
            assertThat(positions.isReading(otherPartition)).isFalse(); // another tenant's partition stays unread
            produce(20, 40);
            List<JsonObject> events = client.events("inventory:sku-1", 20);
            assertThat(numbers(events)).containsExactlyElementsOf(range(20, 40));
            cursor = events.get(19).getString("cursor");
        }
        // The last subscriber left: after the release delay the partition is not read any more.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertNotRead(partition));

        produce(40, 140); // missed while the partition was not read
        // Records keep coming while the client resumes: the switch from history to live happens under load.
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce(140, 400));
        try (WsClient client = WsClient.connect(uri, token(tenant))) {
            assertThat(client.subscribe("inventory:sku-1", cursor).getBoolean("recovered")).isTrue();
            producing.get();
            assertThat(numbers(client.events("inventory:sku-1", 360))).containsExactlyElementsOf(range(40, 400));
            assertThat(client.settle(Duration.ofMillis(300))).noneMatch(f -> "event".equals(f.getString("type")));
        }
    }

    @Test
    void manySubscribersComingAndGoingKeepThePartitionReadUntilTheLastLeaves() {
        awaitAssigned(otherPartition);
        try (WsClient first = WsClient.connect(uri, token(otherTenant));
                WsClient second = WsClient.connect(uri, token(otherTenant))) {
            first.subscribe("inventory:a");
            second.subscribe("inventory:b");
            first.unsubscribe("inventory:a");
            records.send(TOPIC, otherTenant, "b", "{\"n\":1}");
            assertThat(numbers(second.events("inventory:b", 1))).containsExactly(1);
            assertThat(positions.isReading(otherPartition)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertNotRead(otherPartition));
    }

    private void assertNotRead(TopicPartition tp) {
        assertThat(positions.isReading(tp)).isFalse();
        assertThat(consumer().paused().await().atMost(Duration.ofSeconds(10))).contains(tp);
    }

    private void awaitAssigned(TopicPartition tp) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> consumer().getAssignments().await().atMost(Duration.ofSeconds(10)).contains(tp));
    }

    /** Where the Kafka consumer would fetch the partition from next: it moves only when it reads. */
    private long position(TopicPartition tp) {
        Function<Consumer<String, byte[]>, Long> position = c -> c.position(tp);
        return consumer().runOnPollingThread(position).await().atMost(Duration.ofSeconds(10));
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return clients.getConsumer(LiveConsumer.CHANNEL);
    }

    private void produce(int from, int to) {
        records.sendAll(TOPIC, tenant, "sku-1", IntStream.range(from, to).mapToObj(n -> "{\"n\":" + n + "}").toList());
    }

    private static String token(String tenant) {
        return Tokens.token(tenant, "alice", List.of("inventory:*"));
    }

    private static int partitionOf(String tenant) {
        return BuiltInPartitioner.partitionForKey(tenant.getBytes(StandardCharsets.UTF_8), PARTITIONS);
    }

    private static String tenantOutside(int partition) {
        while (true) {
            String t = "t-" + UUID.randomUUID();
            if (partitionOf(t) != partition) {
                return t;
            }
        }
    }

    private static List<Integer> numbers(List<JsonObject> events) {
        return events.stream().map(e -> e.getJsonObject("data").getInteger("n")).toList();
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }
}
