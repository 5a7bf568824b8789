package io.streamgate.rewind;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.stream.Cursor;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tenants;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code subscribe} with {@code rewind: N} against real Kafka: the last N events oldest first, then live with
 * neither gap nor duplicate, served from memory for a channel with local subscribers (hot) and from a bounded
 * backward read of Kafka otherwise (cold); the wildcard; other tenants of the partition; refused combinations.
 * Which path served a rewind is read from {@code streamgate_rewinds_total{source}}.
 */
@QuarkusTest
class RewindTest extends GatewayTest {

    private static final String TOPIC = "inventory-events";

    private String token() {
        return token(tenant);
    }

    private static String token(String tenant) {
        return Tokens.token(tenant, "alice", List.of("inventory:*"));
    }

    private void produce(String tenant, String subject, int from, int to) {
        IntStream.range(from, to).forEach(i -> records.send(TOPIC, tenant, subject, "{\"n\":" + i + "}"));
    }

    private static List<Integer> numbers(List<JsonObject> events) {
        return events.stream().map(e -> e.getJsonObject("data").getInteger("n")).toList();
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    private static JsonObject rewind(WsClient client, String channel, Object n) {
        String id = client.nextId();
        client.send(new JsonObject().put("type", "subscribe").put("id", id).put("channel", channel).put("rewind", n));
        return client.reply(id);
    }

    private static void assertNoMoreEvents(WsClient client) {
        assertThat(client.settle(Duration.ofMillis(300))).noneMatch(f -> "event".equals(f.getString("type")));
    }

    @Test
    void coldChannelIsRewoundFromKafkaThenGoesLive() {
        produce(tenant, "cold", 0, 30);
        produce(tenant, "other", 0, 5); // another channel of the tenant: never counted, never delivered
        double before = rewinds("kafka");
        try (WsClient client = WsClient.connect(uri, token())) {
            JsonObject subscribed = rewind(client, "inventory:cold", 10);
            assertThat(subscribed.getString("type")).isEqualTo("subscribed");
            assertThat(subscribed.getInteger("found")).isEqualTo(10);
            assertThat(subscribed.getBoolean("complete")).isTrue();
            assertThat(subscribed.getBoolean("recovered")).isFalse();
            List<JsonObject> rewound = client.events("inventory:cold", 10);
            assertThat(numbers(rewound)).containsExactlyElementsOf(range(20, 30));
            // The reply's cursor is the position just before the first rewound event.
            assertThat(Cursor.decode(subscribed.getString("cursor")).orElseThrow().offset())
                    .isEqualTo(Cursor.decode(rewound.get(0).getString("cursor")).orElseThrow().offset() - 1);
            produce(tenant, "cold", 30, 35);
            assertThat(numbers(client.events("inventory:cold", 5))).containsExactlyElementsOf(range(30, 35));
            assertNoMoreEvents(client);
        }
        assertThat(rewinds("kafka")).isEqualTo(before + 1);
    }

    @Test
    void hotChannelIsRewoundFromMemoryThenGoesLive() {
        try (WsClient watcher = WsClient.connect(uri, token()); WsClient client = WsClient.connect(uri, token())) {
            watcher.subscribe("inventory:hot");
            produce(tenant, "hot", 0, 30);
            watcher.events("inventory:hot", 30); // fan-out has kept them
            double before = rewinds("memory");
            JsonObject subscribed = rewind(client, "inventory:hot", 10);
            assertThat(subscribed.getInteger("found")).isEqualTo(10);
            assertThat(subscribed.getBoolean("complete")).isTrue();
            assertThat(numbers(client.events("inventory:hot", 10))).containsExactlyElementsOf(range(20, 30));
            assertThat(rewinds("memory")).isEqualTo(before + 1);
            produce(tenant, "hot", 30, 35);
            assertThat(numbers(client.events("inventory:hot", 5))).containsExactlyElementsOf(range(30, 35));
            assertNoMoreEvents(client);
        }
    }

    @Test
    void hotRewindWhileEventsAreProducedHasNoGapAndNoDuplicateAtTheSeam() throws Exception {
        try (WsClient watcher = WsClient.connect(uri, token()); WsClient client = WsClient.connect(uri, token())) {
            watcher.subscribe("inventory:busy");
            produce(tenant, "busy", 0, 30);
            watcher.events("inventory:busy", 30);
            double before = rewinds("memory");
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce(tenant, "busy", 30, 400));
            JsonObject subscribed = rewind(client, "inventory:busy", 10);
            producing.get();
            assertThat(subscribed.getInteger("found")).isEqualTo(10);
            assertContiguousTo(client, "inventory:busy", 20, 400);
            assertThat(rewinds("memory")).isEqualTo(before + 1);
        }
    }

    @Test
    void coldRewindWhileEventsAreProducedHasNoGapAndNoDuplicateAtTheSeam() throws Exception {
        produce(tenant, "churn", 0, 30);
        double before = rewinds("kafka");
        try (WsClient client = WsClient.connect(uri, token())) {
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce(tenant, "churn", 30, 400));
            JsonObject subscribed = rewind(client, "inventory:churn", 10);
            producing.get();
            assertThat(subscribed.getInteger("found")).isEqualTo(10);
            assertContiguousTo(client, "inventory:churn", 20, 400);
        }
        assertThat(rewinds("kafka")).isEqualTo(before + 1);
    }

    /**
     * The rewound events and the live ones after them are one run of consecutive numbers ending at the last one
     * produced: the first is one of the last 10 before the subscribe (at least {@code lowest}).
     */
    private static void assertContiguousTo(WsClient client, String channel, int lowest, int end) {
        JsonObject first = client.events(channel, 1).get(0);
        int start = first.getJsonObject("data").getInteger("n");
        assertThat(start).isBetween(lowest, end - 10);
        assertThat(numbers(client.events(channel, end - start - 1))).containsExactlyElementsOf(range(start + 1, end));
        assertNoMoreEvents(client);
    }

    @Test
    void wildcardRewindsTheNamespaceOfTheTenantFromKafkaAndFromMemory() {
        for (int i = 0; i < 20; i++) {
            produce(tenant, "w-" + (i % 3), i, i + 1);
        }
        try (WsClient client = WsClient.connect(uri, token())) {
            JsonObject subscribed = rewind(client, "inventory:*", 5);
            assertThat(subscribed.getInteger("found")).isEqualTo(5);
            List<JsonObject> events = client.events(null, 5);
            assertThat(numbers(events)).containsExactly(15, 16, 17, 18, 19);
            assertThat(events).extracting(e -> e.getString("channel"))
                    .containsExactly("inventory:w-0", "inventory:w-1", "inventory:w-2", "inventory:w-0", "inventory:w-1");

            // Now the wildcard has a local subscriber: its recent events are kept, the next wildcard rewind is served
            // from memory once they cover it.
            produce(tenant, "w-2", 20, 26);
            assertThat(numbers(client.events(null, 6))).containsExactlyElementsOf(range(20, 26));
            double before = rewinds("memory");
            try (WsClient second = WsClient.connect(uri, token())) {
                assertThat(rewind(second, "inventory:*", 4).getInteger("found")).isEqualTo(4);
                assertThat(numbers(second.events(null, 4))).containsExactly(22, 23, 24, 25);
                assertNoMoreEvents(second);
            }
            assertThat(rewinds("memory")).isEqualTo(before + 1);
        }
    }

    @Test
    void anotherTenantsEventsInTheSamePartitionNeverCountNorAppear() {
        String other = Tenants.sharingPartitionWith(tenant, TestStack.TOPICS.get(TOPIC));
        try (WsClient otherWatcher = WsClient.connect(uri, token(other))) {
            otherWatcher.subscribe("inventory:shared"); // the other tenant's channel of the same name is hot here
            produce(tenant, "shared", 0, 6);
            produce(other, "shared", 100, 130);
            otherWatcher.events("inventory:shared", 30);
            try (WsClient client = WsClient.connect(uri, token())) {
                JsonObject subscribed = rewind(client, "inventory:shared", 5);
                assertThat(subscribed.getInteger("found")).isEqualTo(5);
                assertThat(numbers(client.events("inventory:shared", 5))).containsExactly(1, 2, 3, 4, 5);
                assertNoMoreEvents(client);
            }
            // And from memory: this tenant's channel gets a subscriber, so its own events are kept apart.
            try (WsClient mine = WsClient.connect(uri, token()); WsClient client = WsClient.connect(uri, token())) {
                mine.subscribe("inventory:shared");
                produce(tenant, "shared", 6, 12);
                produce(other, "shared", 130, 140);
                mine.events("inventory:shared", 6);
                double before = rewinds("memory");
                assertThat(rewind(client, "inventory:shared", 5).getInteger("found")).isEqualTo(5);
                assertThat(numbers(client.events("inventory:shared", 5))).containsExactly(7, 8, 9, 10, 11);
                assertThat(rewinds("memory")).isEqualTo(before + 1);
                assertNoMoreEvents(client);
            }
        }
    }

    @Test
    void fewerEventsThanAskedAreAllDeliveredAndSaid() {
        produce(tenant, "sparse", 0, 3);
        try (WsClient client = WsClient.connect(uri, token())) {
            JsonObject subscribed = rewind(client, "inventory:sparse", 10);
            assertThat(subscribed.getInteger("found")).isEqualTo(3);
            assertThat(numbers(client.events("inventory:sparse", 3))).containsExactly(0, 1, 2);
            assertNoMoreEvents(client);
        }
    }

    @Test
    void aChannelWithoutEventsIsLiveAtOnce() {
        try (WsClient client = WsClient.connect(uri, token())) {
            JsonObject subscribed = rewind(client, "inventory:empty", 3);
            assertThat(subscribed.getInteger("found")).isZero();
            produce(tenant, "empty", 0, 2);
            assertThat(numbers(client.events("inventory:empty", 2))).containsExactly(0, 1);
        }
    }

    @Test
    void badRewindsAndCombinationsAreRefusedWithAClearError() {
        try (WsClient client = WsClient.connect(uri, token())) {
            JsonObject some = client.subscribe("inventory:x");
            String cursor = some.getString("cursor");
            client.unsubscribe("inventory:x");
            for (Object bad : new Object[] {0, -1, 101, "5", 1.5, true}) {
                JsonObject error = rewind(client, "inventory:x", bad);
                assertThat(error.getString("type")).as("rewind %s", bad).isEqualTo("error");
                assertThat(error.getString("code")).isEqualTo("bad_request");
                assertThat(error.getString("message")).isEqualTo("'rewind' must be an integer from 1 to 100");
            }
            String id = client.nextId();
            client.send(new JsonObject().put("type", "subscribe").put("id", id).put("channel", "inventory:x")
                    .put("rewind", 5).put("since", cursor));
            JsonObject withSince = client.reply(id);
            assertThat(withSince.getString("code")).isEqualTo("bad_request");
            assertThat(withSince.getString("message")).contains("'rewind' or 'since'");
            id = client.nextId();
            client.send(new JsonObject().put("type", "subscribe").put("id", id).put("channel", "inventory:x")
                    .put("rewind", 5).put("resume", true));
            JsonObject withResume = client.reply(id);
            assertThat(withResume.getString("code")).isEqualTo("bad_request");
            assertThat(withResume.getString("message")).contains("'rewind' or 'resume'");
            // Nothing was subscribed by the refused commands: a plain subscribe still works.
            assertThat(client.subscribe("inventory:x").getString("type")).isEqualTo("subscribed");
        }
    }

    /** {@code streamgate_rewinds_total{source}} of the gateway now. */
    private double rewinds(String source) {
        return counter(uri, "streamgate_rewinds_total\\{source=\"" + source + "\"\\}");
    }

    static double counter(URI uri, String seriesRegex) {
        try {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri.resolve("q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("(?m)^" + seriesRegex + " ([0-9.eE+-]+)$").matcher(body);
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
