package io.streamgate.subscription;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.Tenants;
import io.streamgate.support.TestStack;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
class LiveDeliveryTest extends GatewayTest {

    @Test
    void subscriberOfTheRightTenantGetsTheEventAndAnotherTenantWithTheSameChannelGetsNothing() {
        // Both tenants' records in one partition: what arrives after a record was fanned out after it.
        String otherTenant = Tenants.sharingPartitionWith(tenant, TestStack.TOPICS.get("inventory-events"));
        try (WsClient mine = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")));
                WsClient theirs = WsClient.connect(uri, Tokens.token(otherTenant, "bob", List.of("inventory:*")))) {
            assertThat(mine.subscribe("inventory:sku-42").getString("type")).isEqualTo("subscribed");
            assertThat(theirs.subscribe("inventory:sku-42").getString("type")).isEqualTo("subscribed");

            records.send("inventory-events", tenant, "sku-42", "{\"stock\":7}");
            records.send("inventory-events", otherTenant, "sku-42", "{\"stock\":1}");
            records.send("inventory-events", tenant, "sku-42", "{\"stock\":8}");

            List<JsonObject> myEvents = mine.events("inventory:sku-42", 2);
            JsonObject event = myEvents.get(0);
            assertThat(event.getString("channel")).isEqualTo("inventory:sku-42");
            assertThat(event.getJsonObject("data").getInteger("stock")).isEqualTo(7);
            assertThat(event.getString("cursor")).isNotBlank();
            assertThat(event.getLong("ts")).isPositive();
            // The other tenant's record lies between my two: had it been sent to me, it would be second.
            assertThat(myEvents.get(1).getJsonObject("data").getInteger("stock")).isEqualTo(8);
            // Their own record (a sentinel after my first) arrived, and it is the first event they got.
            assertThat(theirs.events("inventory:sku-42", 1).get(0).getJsonObject("data").getInteger("stock")).isEqualTo(1);
            assertThat(theirs.pending()).noneMatch(f -> "event".equals(f.getString("type"))
                    && f.getJsonObject("data").getInteger("stock") != 1);
        }
    }

    @Test
    void wildcardSubscriberGetsEverySubjectWithTheConcreteChannelName() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            assertThat(client.subscribe("inventory:*").getString("type")).isEqualTo("subscribed");
            records.send("inventory-events", tenant, "sku-1", "{\"stock\":1}");
            records.send("inventory-events", tenant, "sku-2", "{\"stock\":2}");

            List<JsonObject> events = client.events(null, 2);
            assertThat(events).extracting(e -> e.getString("channel")).containsExactly("inventory:sku-1", "inventory:sku-2");
        }
    }

    @Test
    void eventsOfAChannelArriveInProductionOrderWithIncreasingCursors() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:sku-9")))) {
            client.subscribe("inventory:sku-9");
            IntStream.range(0, 200).forEach(i -> records.send("inventory-events", tenant, "sku-9", "{\"n\":" + i + "}"));

            List<JsonObject> events = client.events("inventory:sku-9", 200);
            assertThat(events).extracting(e -> e.getJsonObject("data").getInteger("n"))
                    .containsExactlyElementsOf(IntStream.range(0, 200).boxed().toList());
            List<Long> offsets = events.stream().map(e -> Long.parseLong(e.getString("cursor").replaceAll(".*\\.", ""))).toList();
            assertThat(offsets).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void subjectCanComeFromTheJsonValue() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("orders:*")))) {
            client.subscribe("orders:o-17");
            records.send("order-events", tenant, null, "{\"orderId\":\"o-16\",\"status\":\"paid\"}");
            records.send("order-events", tenant, null, "{\"orderId\":\"o-17\",\"status\":\"shipped\"}");

            JsonObject event = client.events("orders:o-17", 1).get(0);
            assertThat(event.getJsonObject("data").getString("status")).isEqualTo("shipped");
        }
    }

    @Test
    void optionalIdAndEventHeadersBecomeFrameFields() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            client.subscribe("inventory:sku-5");
            var record = new org.apache.kafka.clients.producer.ProducerRecord<String, byte[]>("inventory-events", tenant,
                    "{\"stock\":3}".getBytes());
            record.headers().add("subject", "sku-5".getBytes()).add("id", "evt-1".getBytes()).add("event", "stock.changed".getBytes());
            records.send(record);

            JsonObject event = client.events("inventory:sku-5", 1).get(0);
            assertThat(event.getString("id")).isEqualTo("evt-1");
            assertThat(event.getString("event")).isEqualTo("stock.changed");
        }
    }

    @Test
    void publicNamespaceAndOwnUserChannelNeedNoGrant() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of()))) {
            assertThat(client.subscribe("notices:banner").getString("type")).isEqualTo("subscribed");
            assertThat(client.subscribe("user:alice").getString("type")).isEqualTo("subscribed");
            JsonObject refused = client.subscribe("user:bob");
            assertThat(refused.getString("type")).isEqualTo("error");
            assertThat(refused.getString("code")).isEqualTo("forbidden");

            records.send("user-events", tenant, "alice", "{\"note\":\"hi\"}");
            assertThat(client.events("user:alice", 1).get(0).getJsonObject("data").getString("note")).isEqualTo("hi");
        }
    }

    @Test
    void unsubscribedChannelReceivesNothingMore() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            client.subscribe("inventory:sku-3");
            client.subscribe("inventory:sku-3b");
            records.send("inventory-events", tenant, "sku-3", "{\"n\":1}");
            client.events("inventory:sku-3", 1);

            String id = client.nextId();
            client.send(new JsonObject().put("type", "unsubscribe").put("id", id).put("channel", "inventory:sku-3"));
            assertThat(client.reply(id).getString("type")).isEqualTo("unsubscribed");
            records.send("inventory-events", tenant, "sku-3", "{\"n\":2}");
            records.send("inventory-events", tenant, "sku-3b", "{\"n\":3}"); // sentinel: same tenant, same partition
            assertThat(client.events(null, 1).get(0).getString("channel")).isEqualTo("inventory:sku-3b");
            assertThat(client.pending()).noneMatch(f -> "event".equals(f.getString("type")));
        }
    }

    @Test
    void unsubscribingAChannelNotSubscribedIsABadRequest() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            JsonObject reply = client.unsubscribe("inventory:never");
            assertThat(reply.getString("type")).isEqualTo("error");
            assertThat(reply.getString("code")).isEqualTo("bad_request");
            // The connection lives.
            assertThat(client.subscribe("inventory:sku-after").getString("type")).isEqualTo("subscribed");
        }
    }
}
