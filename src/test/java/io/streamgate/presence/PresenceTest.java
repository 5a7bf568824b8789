package io.streamgate.presence;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Records;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
class PresenceTest extends GatewayTest {

    private WsClient connect(String tenant, String sub) {
        return WsClient.connect(uri, Tokens.sign(Tokens.claims(tenant, sub, List.of("chat:*"), List.of())
                .claim("presence", Map.of("name", sub.toUpperCase()))));
    }

    private static JsonArray members(WsClient client, String channel) {
        String id = client.nextId();
        client.send(new JsonObject().put("type", "presence").put("id", id).put("channel", channel));
        JsonObject reply = client.reply(id);
        assertThat(reply.getString("type")).isEqualTo("presence");
        return reply.getJsonArray("members");
    }

    private static JsonObject awaitPresence(WsClient client, String type, String sub) {
        return client.await(f -> type.equals(f.getString("type")) && sub.equals(f.getJsonObject("member").getString("sub")));
    }

    @Test
    void joinAndLeaveAreSeenByAnotherClientAndMembersAreListed() {
        try (WsClient alice = connect(tenant, "alice")) {
            alice.subscribe("chat:room-p");
            try (WsClient bob = connect(tenant, "bob")) {
                bob.subscribe("chat:room-p");
                JsonObject join = awaitPresence(alice, "join", "bob");
                assertThat(join.getString("channel")).isEqualTo("chat:room-p");
                assertThat(join.getJsonObject("member").getJsonObject("info").getString("name")).isEqualTo("BOB");
                assertThat(members(alice, "chat:room-p")).extracting(m -> ((JsonObject) m).getString("sub"))
                        .containsExactlyInAnyOrder("alice", "bob");
            }
            awaitPresence(alice, "leave", "bob");
            assertThat(members(alice, "chat:room-p")).extracting(m -> ((JsonObject) m).getString("sub"))
                    .containsExactly("alice");
        }
    }

    @Test
    void membersOfAnotherTenantAreNeverVisible() {
        String otherTenant = "t-" + UUID.randomUUID();
        try (WsClient alice = connect(tenant, "alice"); WsClient eve = connect(otherTenant, "eve")) {
            alice.subscribe("chat:room-q");
            eve.subscribe("chat:room-q");
            assertThat(members(eve, "chat:room-q")).extracting(m -> ((JsonObject) m).getString("sub")).containsExactly("eve");
            assertThat(members(alice, "chat:room-q")).extracting(m -> ((JsonObject) m).getString("sub")).containsExactly("alice");
            assertThat(eve.settle(Duration.ofMillis(300))).noneMatch(f -> "join".equals(f.getString("type"))
                    && "alice".equals(f.getJsonObject("member").getString("sub")));
        }
    }

    @Test
    void memberOfAReplicaThatStoppedRenewingDisappearsAfterTheTtl() {
        try (WsClient alice = connect(tenant, "alice"); Records records = new Records()) {
            alice.subscribe("chat:room-r");
            // What a replica that then crashed would have written: a member with a distant expiry (listed, however
            // late a loaded machine reads it), then its last renewal, after which nothing more comes.
            String key = tenant + "|ghost-connection|chat:room-r";
            records.send(new ProducerRecord<>("streamgate-presence", key, ghost(System.currentTimeMillis() + 600_000)));
            awaitPresence(alice, "join", "ghost");
            assertThat(members(alice, "chat:room-r")).extracting(m -> ((JsonObject) m).getString("sub")).contains("ghost");
            long lastExpiry = System.currentTimeMillis() + 1000;
            records.send(new ProducerRecord<>("streamgate-presence", key, ghost(lastExpiry)));
            awaitPresence(alice, "leave", "ghost");
            assertThat(System.currentTimeMillis()).as("dropped no earlier than its expiry").isGreaterThanOrEqualTo(lastExpiry);
            assertThat(members(alice, "chat:room-r")).extracting(m -> ((JsonObject) m).getString("sub")).doesNotContain("ghost");
        }
    }

    private byte[] ghost(long expiresAt) {
        return new JsonObject().put("tenant", tenant).put("channel", "chat:room-r")
                .put("connection", "ghost-connection").put("sub", "ghost")
                .put("expires_at", expiresAt).encode().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void presenceOfANamespaceWithoutPresenceIsABadRequest() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            String id = client.nextId();
            client.send(new JsonObject().put("type", "presence").put("id", id).put("channel", "inventory:sku-1"));
            assertThat(client.reply(id).getString("code")).isEqualTo("bad_request");
        }
    }

    @Test
    void presenceOfAChannelOutsideTheGrantIsForbidden() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("chat:room-1")))) {
            String id = client.nextId();
            client.send(new JsonObject().put("type", "presence").put("id", id).put("channel", "chat:room-2"));
            assertThat(client.reply(id).getString("code")).isEqualTo("forbidden");
        }
    }
}
