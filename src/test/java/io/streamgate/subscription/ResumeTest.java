package io.streamgate.subscription;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.stream.Cursor;
import io.streamgate.support.KafkaAndPostgres;
import io.streamgate.support.Records;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
@WithTestResource(KafkaAndPostgres.class)
class ResumeTest {

    @TestHTTPResource("/")
    URI uri;

    private final Records records = new Records();
    private final String tenant = "t-" + UUID.randomUUID();

    @AfterEach
    void close() {
        records.close();
    }

    private String token() {
        return Tokens.token(tenant, "alice", List.of("inventory:*", "orders:*", "expiring:*"));
    }

    private void produce(String topic, String subject, int from, int to) {
        IntStream.range(from, to).forEach(i -> records.send(topic, tenant, subject, "{\"n\":" + i + "}"));
    }

    private static List<Integer> numbers(List<JsonObject> events) {
        return events.stream().map(e -> e.getJsonObject("data").getInteger("n")).toList();
    }

    @Test
    void reconnectWithCursorGetsEveryMissedEventOnceInOrderThenLiveEvents() {
        String cursor;
        try (WsClient first = WsClient.connect(uri, token())) {
            first.subscribe("inventory:sku-1");
            produce("inventory-events", "sku-1", 0, 5);
            List<JsonObject> seen = first.events("inventory:sku-1", 5);
            cursor = seen.get(4).getString("cursor");
        }
        produce("inventory-events", "sku-1", 5, 25);
        produce("inventory-events", "sku-2", 0, 3); // another channel of the same tenant: not replayed here

        try (WsClient second = WsClient.connect(uri, token())) {
            JsonObject subscribed = second.subscribe("inventory:sku-1", cursor);
            assertThat(subscribed.getBoolean("recovered")).isTrue();
            assertThat(subscribed.containsKey("reason")).isFalse();
            assertThat(numbers(second.events("inventory:sku-1", 20))).containsExactlyElementsOf(range(5, 25));

            produce("inventory-events", "sku-1", 25, 30);
            assertThat(numbers(second.events("inventory:sku-1", 5))).containsExactlyElementsOf(range(25, 30));
            assertThat(second.settle(Duration.ofMillis(300))).noneMatch(f -> "event".equals(f.getString("type")));
        }
    }

    @Test
    void resumeWhileEventsAreBeingProducedHasNoGapAndNoDuplicateAtTheSeam() throws Exception {
        String cursor;
        try (WsClient first = WsClient.connect(uri, token())) {
            first.subscribe("inventory:hot");
            produce("inventory-events", "hot", 0, 1);
            cursor = first.events("inventory:hot", 1).get(0).getString("cursor");
        }
        produce("inventory-events", "hot", 1, 200);
        // Keep producing while the client resumes, so the switch from history to live happens under load.
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce("inventory-events", "hot", 200, 600));
        try (WsClient second = WsClient.connect(uri, token())) {
            assertThat(second.subscribe("inventory:hot", cursor).getBoolean("recovered")).isTrue();
            producing.get();
            List<JsonObject> events = second.events("inventory:hot", 599);
            assertThat(numbers(events)).containsExactlyElementsOf(range(1, 600));
            assertThat(second.settle(Duration.ofMillis(300))).noneMatch(f -> "event".equals(f.getString("type")));
        }
    }

    @Test
    void wildcardSubscriptionResumesWithItsLastCursor() {
        String cursor;
        try (WsClient first = WsClient.connect(uri, token())) {
            first.subscribe("inventory:*");
            produce("inventory-events", "a", 0, 2);
            cursor = first.events(null, 2).get(1).getString("cursor");
        }
        produce("inventory-events", "b", 2, 4);
        produce("inventory-events", "c", 4, 6);
        try (WsClient second = WsClient.connect(uri, token())) {
            assertThat(second.subscribe("inventory:*", cursor).getBoolean("recovered")).isTrue();
            List<JsonObject> events = second.events(null, 4);
            assertThat(numbers(events)).containsExactly(2, 3, 4, 5);
            assertThat(events).extracting(e -> e.getString("channel"))
                    .containsExactly("inventory:b", "inventory:b", "inventory:c", "inventory:c");
        }
    }

    @Test
    void malformedCursorIsNotRecoveredAndTheSubscriptionGoesOnLive() {
        try (WsClient client = WsClient.connect(uri, token())) {
            JsonObject subscribed = client.subscribe("inventory:sku-7", "not-a-cursor");
            assertThat(subscribed.getString("type")).isEqualTo("subscribed");
            assertThat(subscribed.getBoolean("recovered")).isFalse();
            assertThat(subscribed.getString("reason")).isEqualTo("invalid");
            produce("inventory-events", "sku-7", 0, 1);
            assertThat(numbers(client.events("inventory:sku-7", 1))).containsExactly(0);
        }
    }

    @Test
    void cursorOfAnotherTopicIsNotRecoveredWithReasonEpoch() {
        String orderCursor;
        try (WsClient client = WsClient.connect(uri, token())) {
            client.subscribe("orders:o-1");
            records.send("order-events", tenant, null, "{\"orderId\":\"o-1\",\"n\":0}");
            orderCursor = client.events("orders:o-1", 1).get(0).getString("cursor");

            JsonObject subscribed = client.subscribe("inventory:sku-8", orderCursor);
            assertThat(subscribed.getBoolean("recovered")).isFalse();
            assertThat(subscribed.getString("reason")).isEqualTo("epoch");
            produce("inventory-events", "sku-8", 0, 1);
            assertThat(numbers(client.events("inventory:sku-8", 1))).containsExactly(0);
        }
    }

    @Test
    void cursorBelowTheLogStartOffsetIsNotRecoveredWithReasonExpired() throws Exception {
        String cursor;
        try (WsClient client = WsClient.connect(uri, token())) {
            client.subscribe("expiring:item");
            produce("expiring-events", "item", 0, 10);
            cursor = client.events("expiring:item", 10).get(2).getString("cursor");
        }
        long cursorOffset = Long.parseLong(cursor.substring(cursor.lastIndexOf('.') + 1));
        // What retention does, on demand: delete the records after the cursor too.
        try (Admin admin = TestStack.get().admin()) {
            admin.deleteRecords(Map.of(new TopicPartition("expiring-events", 0), RecordsToDelete.beforeOffset(cursorOffset + 5)))
                    .all().get();
        }
        try (WsClient client = WsClient.connect(uri, token())) {
            JsonObject subscribed = client.subscribe("expiring:item", cursor);
            assertThat(subscribed.getBoolean("recovered")).isFalse();
            assertThat(subscribed.getString("reason")).isEqualTo("expired");
            produce("expiring-events", "item", 10, 11);
            assertThat(numbers(client.events("expiring:item", 1))).containsExactly(10);
        }
    }

    @Test
    void cursorAheadOfTheStreamIsInvalid() {
        try (WsClient client = WsClient.connect(uri, token())) {
            JsonObject first = client.subscribe("inventory:sku-9");
            String current = first.getString("cursor");
            String ahead = current.substring(0, current.lastIndexOf('.') + 1) + "999999999";
            client.send(new JsonObject().put("type", "unsubscribe").put("id", "u").put("channel", "inventory:sku-9"));
            client.reply("u");
            JsonObject subscribed = client.subscribe("inventory:sku-9", ahead);
            assertThat(subscribed.getBoolean("recovered")).isFalse();
            assertThat(subscribed.getString("reason")).isEqualTo("invalid");
        }
    }

    @Test
    void freshSubscriptionReportsTheCurrentPositionAsItsCursorAndResumingFromItLosesNothing() {
        String cursor;
        try (WsClient client = WsClient.connect(uri, token())) {
            JsonObject subscribed = client.subscribe("inventory:fresh");
            assertThat(subscribed.getBoolean("recovered")).isFalse();
            assertThat(subscribed.containsKey("reason")).isFalse();
            cursor = subscribed.getString("cursor");
            assertThat(Cursor.decode(cursor)).isPresent();
        }
        produce("inventory-events", "fresh", 0, 3);
        try (WsClient client = WsClient.connect(uri, token())) {
            assertThat(client.subscribe("inventory:fresh", cursor).getBoolean("recovered")).isTrue();
            assertThat(numbers(client.events("inventory:fresh", 3))).containsExactly(0, 1, 2);
        }
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }
}
