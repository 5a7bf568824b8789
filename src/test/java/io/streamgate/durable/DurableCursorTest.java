package io.streamgate.durable;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.KafkaAndPostgres;
import io.streamgate.support.Records;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Durable cursors on the real PostgreSQL: ack, leave, come back with {@code resume: true}. */
@QuarkusTest
@WithTestResource(KafkaAndPostgres.class)
class DurableCursorTest {

    @TestHTTPResource("/")
    URI uri;

    @Inject
    DurableCursorStore store;

    private final Records records = new Records();
    private final String tenant = "t-" + UUID.randomUUID();

    @AfterEach
    void close() {
        records.close();
    }

    private WsClient connect(String clientId) {
        URI withClient = clientId == null ? uri : URI.create(uri + "?client_id=" + clientId);
        return WsClient.connectTo(withClient, Tokens.token(tenant, "alice", List.of("inventory:*")));
    }

    private void produce(String subject, int from, int to) {
        IntStream.range(from, to).forEach(i -> records.send("inventory-events", tenant, subject, "{\"n\":" + i + "}"));
    }



    private static List<Integer> numbers(List<JsonObject> events) {
        return events.stream().map(e -> e.getJsonObject("data").getInteger("n")).toList();
    }

    @Test
    void clientThatAckedAndLeftResumesWithExactlyTheMissedEvents() {
        try (WsClient client = connect(null)) {
            client.resume("inventory:sku-1");
            produce("sku-1", 0, 5);
            List<JsonObject> seen = client.events("inventory:sku-1", 5);
            client.ack("inventory:sku-1", seen.get(2).getString("cursor")); // acked up to n=2 only
        }
        produce("sku-1", 5, 8);
        await().atMost(Duration.ofSeconds(10)).until(() -> storedOffset("inventory:sku-1", "") >= 0);

        try (WsClient client = connect(null)) {
            JsonObject subscribed = client.resume("inventory:sku-1");
            assertThat(subscribed.getBoolean("recovered")).isTrue();
            assertThat(numbers(client.events("inventory:sku-1", 5))).containsExactly(3, 4, 5, 6, 7);
            assertThat(client.settle(Duration.ofMillis(300))).noneMatch(f -> "event".equals(f.getString("type")));
        }
    }

    @Test
    void twoClientIdsOfOneSubjectResumeIndependently() {
        try (WsClient phone = connect("phone"); WsClient laptop = connect("laptop")) {
            phone.resume("inventory:sku-2");
            laptop.resume("inventory:sku-2");
            produce("sku-2", 0, 4);
            List<JsonObject> onPhone = phone.events("inventory:sku-2", 4);
            List<JsonObject> onLaptop = laptop.events("inventory:sku-2", 4);
            phone.ack("inventory:sku-2", onPhone.get(3).getString("cursor"));
            laptop.ack("inventory:sku-2", onLaptop.get(0).getString("cursor"));
        }
        produce("sku-2", 4, 6);
        try (WsClient phone = connect("phone"); WsClient laptop = connect("laptop")) {
            assertThat(phone.resume("inventory:sku-2").getBoolean("recovered")).isTrue();
            assertThat(laptop.resume("inventory:sku-2").getBoolean("recovered")).isTrue();
            assertThat(numbers(phone.events("inventory:sku-2", 2))).containsExactly(4, 5);
            assertThat(numbers(laptop.events("inventory:sku-2", 5))).containsExactly(1, 2, 3, 4, 5);
        }
    }

    @Test
    void resumeWithNothingStoredStartsLive() {
        try (WsClient client = connect("fresh")) {
            JsonObject subscribed = client.resume("inventory:never-acked");
            assertThat(subscribed.getBoolean("recovered")).isFalse();
            assertThat(subscribed.containsKey("reason")).isFalse();
        }
    }

    @Test
    void staleAckNeverMovesTheStoredPositionBackwards() throws Exception {
        try (WsClient client = connect("stale")) {
            client.resume("inventory:sku-3");
            produce("sku-3", 0, 3);
            List<JsonObject> seen = client.events("inventory:sku-3", 3);
            client.ack("inventory:sku-3", seen.get(2).getString("cursor"));
            await().atMost(Duration.ofSeconds(10)).until(() -> storedOffset("inventory:sku-3", "stale") >= 0);
            long stored = storedOffset("inventory:sku-3", "stale");
            client.ack("inventory:sku-3", seen.get(0).getString("cursor"));
            store.flushSoon();
            Thread.sleep(600); // two flush intervals of the test profile
            assertThat(storedOffset("inventory:sku-3", "stale")).isEqualTo(stored);
        }
    }

    @Test
    void ackOfACursorNotDeliveredOnThisChannelIsRefused() {
        try (WsClient client = connect("foreign")) {
            client.resume("inventory:sku-4");
            produce("sku-4", 0, 1);
            String cursor = client.events("inventory:sku-4", 1).get(0).getString("cursor");
            String ahead = cursor.substring(0, cursor.lastIndexOf('.') + 1) + "99999999";
            client.ack("inventory:sku-4", ahead);
            assertThat(client.await(f -> "error".equals(f.getString("type"))).getString("message")).contains("ahead");
            client.ack("inventory:other", cursor);
            assertThat(client.await(f -> "error".equals(f.getString("type"))).getString("message")).contains("not subscribed");
            client.ack("inventory:sku-4", "garbage");
            assertThat(client.await(f -> "error".equals(f.getString("type"))).getString("message")).contains("not a cursor");
        }
    }

    @Test
    void acksAreCoalescedIntoFewWrites() {
        int before = store.writtenTotal();
        try (WsClient client = connect("coalesce")) {
            client.resume("inventory:sku-5");
            produce("sku-5", 0, 100);
            for (JsonObject e : client.events("inventory:sku-5", 100)) {
                client.ack("inventory:sku-5", e.getString("cursor"));
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> storedOffset("inventory:sku-5", "coalesce") >= 0);
        // 100 acks within a few flush intervals: a handful of row writes (this test's and other tests' rows), not 100.
        assertThat(store.writtenTotal() - before).isLessThan(30);
    }

    /** The stored offset, read straight from PostgreSQL over JDBC; -1 when there is no row. */
    private long storedOffset(String channel, String clientId) throws Exception {
        var config = TestStack.get().config();
        try (Connection c = DriverManager.getConnection("jdbc:" + config.get("quarkus.datasource.reactive.url"),
                config.get("quarkus.datasource.username"), config.get("quarkus.datasource.password"));
                var st = c.prepareStatement("SELECT kafka_offset FROM streamgate_cursor WHERE tenant=? AND subject='alice' "
                        + "AND client_id=? AND channel=?")) {
            st.setString(1, tenant);
            st.setString(2, clientId);
            st.setString(3, channel);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
