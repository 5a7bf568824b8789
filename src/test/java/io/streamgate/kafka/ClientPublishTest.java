package io.streamgate.kafka;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.KafkaAndPostgres;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
@WithTestResource(KafkaAndPostgres.class)
class ClientPublishTest {

    @TestHTTPResource("/")
    URI uri;

    private final String tenant = "t-" + UUID.randomUUID();

    @Test
    void chatBetweenTwoClientsGoesThroughKafkaWithTheServerSetFrom() {
        try (WsClient alice = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("chat:*"), List.of("chat:room-*")));
                WsClient bob = WsClient.connect(uri, Tokens.token(tenant, "bob", List.of("chat:*"), List.of("chat:room-*")))) {
            alice.subscribe("chat:room-1");
            bob.subscribe("chat:room-1");

            String id = alice.nextId();
            // A forged 'from' next to the data is ignored: the server sets it from the token.
            alice.send(new JsonObject().put("type", "publish").put("id", id).put("channel", "chat:room-1")
                    .put("from", "mallory").put("data", new JsonObject().put("text", "hi bob")));
            JsonObject published = alice.reply(id);
            assertThat(published.getString("type")).isEqualTo("published");

            JsonObject atBob = bob.events("chat:room-1", 1).get(0);
            JsonObject atAlice = alice.events("chat:room-1", 1).get(0);
            assertThat(atBob.getJsonObject("data").getString("text")).isEqualTo("hi bob");
            assertThat(atBob.getString("from")).isEqualTo("alice");
            assertThat(atBob.getString("id")).isNotBlank();
            assertThat(atBob.getString("cursor")).isEqualTo(published.getString("cursor"));
            assertThat(atAlice.getString("cursor")).isEqualTo(published.getString("cursor"));
        }
    }

    @Test
    void publishedRecordFollowsTheRecordContract() {
        try (WsClient alice = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of(), List.of("chat:*")))) {
            String id = alice.nextId();
            alice.send(new JsonObject().put("type", "publish").put("id", id).put("channel", "chat:lobby")
                    .put("data", new JsonObject().put("text", "contract")));
            String cursor = alice.reply(id).getString("cursor");
            String[] parts = cursor.split("\\.");
            ConsumerRecord<String, String> record = read("chat-events", Integer.parseInt(parts[2]), Long.parseLong(parts[3]));
            assertThat(record.key()).isEqualTo(tenant);
            assertThat(header(record, "subject")).isEqualTo("lobby");
            assertThat(header(record, "from")).isEqualTo("alice");
            assertThat(header(record, "id")).isNotBlank();
            assertThat(record.value()).isEqualTo("{\"text\":\"contract\"}");
        }
    }

    @Test
    void clientWithoutThePublishGrantIsForbiddenAndNothingReachesKafka() throws Exception {
        long before = endOffsetsSum("chat-events");
        try (WsClient reader = WsClient.connect(uri, Tokens.token(tenant, "reader", List.of("chat:*"), List.of()))) {
            String id = reader.nextId();
            reader.send(new JsonObject().put("type", "publish").put("id", id).put("channel", "chat:room-1")
                    .put("data", new JsonObject().put("text", "sneaky")));
            JsonObject error = reader.reply(id);
            assertThat(error.getString("code")).isEqualTo("forbidden");
        }
        assertThat(endOffsetsSum("chat-events")).isEqualTo(before);
    }

    @Test
    void namespaceWithoutPublishingRefusesEvenAFullGrant() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of(), List.of("*")))) {
            String id = client.nextId();
            client.send(new JsonObject().put("type", "publish").put("id", id).put("channel", "inventory:sku-1")
                    .put("data", 1));
            assertThat(client.reply(id).getString("code")).isEqualTo("forbidden");
        }
    }

    @Test
    void oversizedPayloadIsTooLarge() {
        // The test profile lowers streamgate.publish.max-payload-bytes to 16 KiB (below the 64 KiB frame limit).
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of(), List.of("chat:*")))) {
            String id = client.nextId();
            client.send(new JsonObject().put("type", "publish").put("id", id).put("channel", "chat:big")
                    .put("data", "x".repeat(20 * 1024)));
            JsonObject reply = client.reply(id);
            assertThat(reply.getString("code")).isEqualTo("too_large");
            assertThat(reply.getString("message")).contains("16384");
        }
    }

    @Test
    void burstOverTheBudgetIsRateLimited() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of(), List.of("chat:*")))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String id = client.nextId();
                ids.add(id);
                client.send(new JsonObject().put("type", "publish").put("id", id).put("channel", "chat:spam").put("data", i));
            }
            int published = 0;
            int limited = 0;
            for (String id : ids) {
                JsonObject reply = client.reply(id);
                if ("published".equals(reply.getString("type"))) {
                    published++;
                } else if ("rate_limited".equals(reply.getString("code"))) {
                    limited++;
                }
            }
            // Burst 40 at 20/s: the first 40 pass at once; of the rest, sent within milliseconds, only what the
            // bucket refilled while the server worked through them passes (a second's worth would be all 20).
            assertThat(published).isGreaterThanOrEqualTo(40);
            assertThat(limited).isPositive();
            assertThat(published + limited).isEqualTo(60);
        }
    }

    private static long endOffsetsSum(String topic) {
        try (KafkaConsumer<String, String> c = consumer()) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static ConsumerRecord<String, String> read(String topic, int partition, long offset) {
        try (KafkaConsumer<String, String> c = consumer()) {
            TopicPartition tp = new TopicPartition(topic, partition);
            c.assign(List.of(tp));
            c.seek(tp, offset);
            for (int i = 0; i < 50; i++) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() == offset) {
                        return r;
                    }
                }
            }
            throw new AssertionError("record " + topic + "-" + partition + "@" + offset + " not found");
        }
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static KafkaConsumer<String, String> consumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer());
    }
}
