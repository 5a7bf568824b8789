package io.streamgate.sse;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.SseClient;
import io.streamgate.support.Tenants;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The SSE transport against the real Kafka and PostgreSQL, with a real HTTP client reading the stream. */
@QuarkusTest
class SseTransportTest extends GatewayTest {

    private static JsonArray channels(String... names) {
        JsonArray a = new JsonArray();
        for (String n : names) {
            a.add(new JsonObject().put("channel", n));
        }
        return a;
    }

    @Test
    void eachChannelIsAuthorisedAsASubscribeIsAndEventsAreTheWebSocketsFrames() {
        String token = Tokens.token(tenant, "alice", List.of("inventory:sku-1"));
        JsonObject ticket = SseClient.issued(uri, token, channels("inventory:sku-1", "inventory:sku-2"));
        try (SseClient sse = SseClient.open(uri, ticket.getString("ticket"), null).client()) {
            assertThat(sse.awaitType("welcome", null).frame().getString("tenant")).isEqualTo(tenant);
            assertThat(sse.awaitType("subscribed", "inventory:sku-1").frame().getBoolean("recovered")).isFalse();
            JsonObject refused = sse.await(f -> "error".equals(f.getString("type"))).frame();
            assertThat(refused.getString("id")).isEqualTo("inventory:sku-2");
            assertThat(refused.getString("code")).isEqualTo("forbidden");

            records.send("inventory-events", tenant, "sku-2", "{\"stock\":2}");
            records.send("inventory-events", tenant, "sku-1", "{\n  \"stock\": 1\n}");
            SseClient.Message event = sse.events(null, 1).get(0);
            assertThat(event.frame().getString("channel")).isEqualTo("inventory:sku-1");
            assertThat(event.frame().getJsonObject("data").getInteger("stock")).isEqualTo(1);
            // The id names the stream and the channel's position: the event's own cursor.
            assertThat(event.id()).startsWith("v1;" + ticket.getString("stream") + ";")
                    .endsWith("inventory:sku-1 " + event.frame().getString("cursor"));
            assertThat(sse.all()).allMatch(m -> m.id() != null);
        }
    }

    @Test
    void anotherTenantsEventsInTheSamePartitionNeverArrive() {
        String other = Tenants.sharingPartitionWith(tenant, TestStack.TOPICS.get("inventory-events"));
        JsonObject ticket = SseClient.issued(uri, Tokens.token(tenant, "alice", List.of("inventory:*")), channels("inventory:sku-42"));
        try (SseClient sse = SseClient.open(uri, ticket.getString("ticket"), null).client()) {
            sse.awaitType("subscribed", "inventory:sku-42");
            records.send("inventory-events", other, "sku-42", "{\"stock\":99}");
            records.send("inventory-events", tenant, "sku-42", "{\"stock\":1}"); // the sentinel, after theirs
            List<SseClient.Message> events = sse.events(null, 1);
            assertThat(events.get(0).frame().getJsonObject("data").getInteger("stock")).isEqualTo(1);
            assertThat(sse.all()).noneMatch(m -> "event".equals(m.frame().getString("type"))
                    && m.frame().getJsonObject("data").getInteger("stock") == 99);
        }
    }

    @Test
    void aTicketOpensOneStreamOnlyAndNeedsABearerToken() {
        assertThat(SseClient.ticket(uri, null, channels("inventory:sku-1")).statusCode()).isEqualTo(401);
        assertThat(SseClient.ticket(uri, Tokens.unsigned(tenant, "alice"), channels("inventory:sku-1")).statusCode()).isEqualTo(401);
        JsonObject ticket = SseClient.issued(uri, Tokens.token(tenant, "alice", List.of("inventory:*")), channels("inventory:sku-1"));
        try (SseClient first = SseClient.open(uri, ticket.getString("ticket"), null).client()) {
            first.awaitType("subscribed", "inventory:sku-1");
            SseClient.Opened again = SseClient.open(uri, ticket.getString("ticket"), null);
            assertThat(again.status()).isEqualTo(401);
            // Nor does naming another stream in Last-Event-ID make the used ticket open one.
            assertThat(SseClient.open(uri, ticket.getString("ticket"), "v1;someone-elses;inventory:sku-1 -").status())
                    .isEqualTo(401);
        }
    }

    @Test
    void lastEventIdResumesEveryChannelExactlyAfterWhatArrived() {
        JsonObject ticket = SseClient.issued(uri, Tokens.token(tenant, "alice", List.of("inventory:*")),
                channels("inventory:sku-1", "inventory:sku-2"));
        String last;
        try (SseClient sse = SseClient.open(uri, ticket.getString("ticket"), null).client()) {
            sse.awaitType("subscribed", "inventory:sku-1");
            sse.awaitType("subscribed", "inventory:sku-2");
            records.send("inventory-events", tenant, "sku-1", "{\"n\":1}");
            records.send("inventory-events", tenant, "sku-2", "{\"n\":1}");
            sse.events(null, 2);
            last = sse.lastId();
        }
        records.send("inventory-events", tenant, "sku-1", "{\"n\":2}");
        records.send("inventory-events", tenant, "sku-2", "{\"n\":2}");
        records.send("inventory-events", tenant, "sku-1", "{\"n\":3}");
        // The browser reconnects with the same URL and the last id it got.
        try (SseClient sse = SseClient.open(uri, ticket.getString("ticket"), last).client()) {
            assertThat(sse.awaitType("subscribed", "inventory:sku-1").frame().getBoolean("recovered")).isTrue();
            assertThat(sse.awaitType("subscribed", "inventory:sku-2").frame().getBoolean("recovered")).isTrue();
            records.send("inventory-events", tenant, "sku-2", "{\"n\":4}"); // a sentinel: nothing else is on its way
            List<SseClient.Message> events = sse.events(null, 4);
            assertThat(events).extracting(m -> m.frame().getString("channel") + "#" + m.frame().getJsonObject("data").getInteger("n"))
                    .containsExactlyInAnyOrder("inventory:sku-1#2", "inventory:sku-2#2", "inventory:sku-1#3", "inventory:sku-2#4");
            sse.awaitType("event", null);
            assertThat(sse.all().stream().filter(m -> "event".equals(m.frame().getString("type")))).hasSize(4);
        }
    }

    @Test
    void theStreamClosesWith4401AtExpiryUnlessRefreshedAndItsTicketDiesWithTheToken() throws Exception {
        String shortLived = Tokens.sign(Tokens.claims(tenant, "alice", List.of("inventory:*"), List.of()).expiresIn(4));
        JsonObject ticket = SseClient.issued(uri, shortLived, channels("inventory:sku-1"));
        try (SseClient sse = SseClient.open(uri, ticket.getString("ticket"), null).client()) {
            sse.awaitType("subscribed", "inventory:sku-1");
            sse.awaitType("expiring", null);
            assertThat(sse.awaitType("close", null).frame().getInteger("code")).isEqualTo(4401);
            assertThat(sse.awaitEnd()).isTrue();
            assertThat(SseClient.open(uri, ticket.getString("ticket"), sse.lastId()).status()).isEqualTo(401);
        }
        // Refreshed in time, it lives on past the first token.
        String first = Tokens.sign(Tokens.claims(tenant, "bob", List.of("inventory:*"), List.of()).expiresIn(4));
        JsonObject refreshed = SseClient.issued(uri, first, channels("inventory:sku-1"));
        try (SseClient sse = SseClient.open(uri, refreshed.getString("ticket"), null).client()) {
            sse.awaitType("subscribed", "inventory:sku-1");
            String later = Tokens.token(tenant, "bob", List.of("inventory:*"));
            assertThat(SseClient.command(uri, refreshed.getString("stream"), later,
                    new JsonObject().put("type", "refresh").put("id", 7)).statusCode()).isEqualTo(202);
            assertThat(sse.awaitType("refreshed", null).frame().getInteger("id")).isEqualTo(7);
            Thread.sleep(5000); // past the first token's expiry: a test of what does not happen
            records.send("inventory-events", tenant, "sku-1", "{\"alive\":true}");
            assertThat(sse.events("inventory:sku-1", 1)).hasSize(1);
            assertThat(sse.all()).noneMatch(m -> "close".equals(m.frame().getString("type")));
        }
    }

    @Test
    void commandsOverHttpAddAndRemoveChannelsOnTheOpenStream() {
        String token = Tokens.token(tenant, "alice", List.of("inventory:*"));
        JsonObject ticket = SseClient.issued(uri, token, new JsonArray());
        try (SseClient sse = SseClient.open(uri, ticket.getString("ticket"), null).client()) {
            sse.awaitType("welcome", null);
            String stream = ticket.getString("stream");
            assertThat(SseClient.command(uri, stream, token, new JsonObject().put("type", "subscribe").put("id", 1)
                    .put("channel", "inventory:sku-5")).statusCode()).isEqualTo(202);
            assertThat(sse.awaitType("subscribed", "inventory:sku-5").frame().getInteger("id")).isEqualTo(1);
            records.send("inventory-events", tenant, "sku-5", "{\"n\":1}");
            assertThat(sse.events("inventory:sku-5", 1)).hasSize(1);
            // Another subject's token does not act on the stream.
            assertThat(SseClient.command(uri, stream, Tokens.token(tenant, "mallory", List.of("inventory:*")),
                    new JsonObject().put("type", "unsubscribe").put("id", 2).put("channel", "inventory:sku-5")).statusCode())
                    .isEqualTo(403);
            assertThat(SseClient.command(uri, stream, token, new JsonObject().put("type", "unsubscribe").put("id", 3)
                    .put("channel", "inventory:sku-5")).statusCode()).isEqualTo(202);
            assertThat(sse.awaitType("unsubscribed", "inventory:sku-5").id()).doesNotContain("inventory:sku-5");
            assertThat(SseClient.command(uri, "no-such-stream", token, new JsonObject().put("type", "presence")).statusCode())
                    .isEqualTo(404);
        }
    }
}
