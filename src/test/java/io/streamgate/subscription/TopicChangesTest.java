package io.streamgate.subscription;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Records;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15, item 1: an operator adds partitions to a namespace's topic, or deletes and recreates it. The tenant's
 * events then live in another partition (or another stream), so every subscription of the topic is moved to the
 * tenant's new partition and its client is told: a {@code subscribed} frame without {@code id}, with
 * {@code recovered: false} and {@code reason: "epoch"} (the JavaScript client reports {@code lost: true}). Events
 * written after it arrive with cursors of the new stream, publishes are answered with such cursors, and a resume
 * from one of them recovers. Topics of their own, so the other tests' partitioning stays as it is.
 */
@QuarkusTest
@TestProfile(TopicChangesTest.OwnTopics.class)
class TopicChangesTest extends GatewayTest {

    static final String GROWING = "grow-events";
    static final String REBORN = "reborn-events";

    public static class OwnTopics implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try (Admin admin = TestStack.get().admin()) {
                admin.createTopics(List.of(new NewTopic(GROWING, 1, (short) 1), new NewTopic(REBORN, 2, (short) 1)))
                        .all().get();
            } catch (ExecutionException e) {
                // created by an earlier start of this profile in the same JVM
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return Map.of("streamgate.namespaces.\"grow\".topic", GROWING,
                    "streamgate.namespaces.\"grow\".publish", "true",
                    "streamgate.namespaces.\"reborn\".topic", REBORN,
                    "streamgate.live.epoch-check-interval", "PT1S",
                    "mp.messaging.incoming.live-events.metadata.max.age.ms", "1000");
        }
    }

    @Test
    void partitionsAddedMoveTheSubscriptionToTheTenantsNewPartitionAndSayEpoch() throws Exception {
        String tenant = tenantMovingTo(4);
        int partition = Utils.toPositive(Utils.murmur2(tenant.getBytes(StandardCharsets.UTF_8))) % 4;
        String token = Tokens.token(tenant, "alice", List.of("grow:*"), List.of("grow:*"));
        String last;
        try (WsClient client = WsClient.connect(uri, token)) {
            client.subscribe("grow:g-1");
            try (Records records = new Records()) {
                records.send(GROWING, tenant, "g-1", "{\"n\":1}");
            }
            assertThat(client.events("grow:g-1", 1).get(0).getString("cursor")).contains(".1.0.");

            try (Admin admin = TestStack.get().admin()) {
                admin.createPartitions(Map.of(GROWING, NewPartitions.increaseTo(4))).all().get();
            }
            JsonObject moved = client.await(f -> "subscribed".equals(f.getString("type")) && !f.containsKey("id"));
            assertThat(moved.getString("channel")).isEqualTo("grow:g-1");
            assertThat(moved.getBoolean("recovered")).isFalse();
            assertThat(moved.getString("reason")).isEqualTo("epoch");
            assertThat(moved.getString("cursor")).contains(".4." + partition + ".");

            try (Records records = new Records()) { // a new producer sees four partitions
                records.send(GROWING, tenant, "g-1", "{\"n\":2}");
            }
            JsonObject event = client.events("grow:g-1", 1).get(0);
            assertThat(event.getJsonObject("data").getInteger("n")).isEqualTo(2);
            assertThat(event.getString("cursor")).contains(".4." + partition + ".");

            String id = client.nextId();
            client.send(new JsonObject().put("type", "publish").put("id", id).put("channel", "grow:g-1")
                    .put("data", new JsonObject().put("n", 3)));
            JsonObject published = client.reply(id);
            assertThat(published.getString("type")).isEqualTo("published");
            assertThat(published.getString("cursor")).contains(".4." + partition + ".");
            last = client.events("grow:g-1", 1).get(0).getString("cursor");
            assertThat(last).isEqualTo(published.getString("cursor"));
        }
        try (Records records = new Records(); WsClient again = WsClient.connect(uri, token)) {
            records.send(GROWING, tenant, "g-1", "{\"n\":4}");
            assertThat(again.subscribe("grow:g-1", last).getBoolean("recovered")).isTrue();
            assertThat(again.events("grow:g-1", 1).get(0).getJsonObject("data").getInteger("n")).isEqualTo(4);
        }
    }

    @Test
    void aTopicDeletedAndRecreatedMovesTheSubscriptionToTheNewStreamAndSaysEpoch() throws Exception {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("reborn:*")))) {
            String before = client.subscribe("reborn:r-1").getString("cursor");
            String oldTopicId = before.substring(0, before.indexOf('.'));
            try (Admin admin = TestStack.get().admin()) {
                admin.deleteTopics(List.of(REBORN)).all().get();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    try {
                        admin.describeTopics(List.of(REBORN)).allTopicNames().get();
                        return false;
                    } catch (ExecutionException e) {
                        return e.getCause() instanceof UnknownTopicOrPartitionException;
                    }
                });
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> admin.createTopics(List.of(new NewTopic(REBORN, 2, (short) 1))).all().get() == null);
            }
            JsonObject moved = client.await(f -> "subscribed".equals(f.getString("type")) && !f.containsKey("id"));
            assertThat(moved.getString("reason")).isEqualTo("epoch");
            assertThat(moved.getString("cursor")).doesNotStartWith(oldTopicId);

            try (Records records = new Records()) {
                records.send(REBORN, tenant, "r-1", "{\"n\":1}");
            }
            JsonObject event = client.events("reborn:r-1", 1).get(0);
            assertThat(event.getJsonObject("data").getInteger("n")).isEqualTo(1);
            assertThat(event.getString("cursor")).doesNotStartWith(oldTopicId);
        }
    }

    /** A tenant whose partition is 0 of one and another than 0 of {@code partitions}: it really moves. */
    private static String tenantMovingTo(int partitions) {
        while (true) {
            String tenant = newTenant();
            if (Utils.toPositive(Utils.murmur2(tenant.getBytes(StandardCharsets.UTF_8))) % partitions != 0) {
                return tenant;
            }
        }
    }
}
