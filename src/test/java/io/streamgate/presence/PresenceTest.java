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

    /**
     * Writes what another replica writes for one of its members. The test stack's presence topic has one
     * partition, so a record written after another is read after it: once its join is seen, every record
     * written before it was read too.
     */
    private static void otherReplicasMember(Records records, String tenant, String channel, String sub) {
        String connection = "other-replica-" + UUID.randomUUID();
        String value = new JsonObject().put("tenant", tenant).put("channel", channel).put("connection", connection)
                .put("sub", sub).put("expires_at", System.currentTimeMillis() + 60_000).encode();
        records.send(new ProducerRecord<>("streamgate-presence", tenant + "|" + connection + "|" + channel,
                value.getBytes(StandardCharsets.UTF_8)));
    }

    private static boolean isPresence(JsonObject f, String type, String sub) {
        return type.equals(f.getString("type")) && sub.equals(f.getJsonObject("member").getString("sub"));
    }

    @Test
    void joinAndLeaveAreSeenByAnotherClientAndMembersAreListed() {
        try (WsClient alice = connect(tenant, "alice"); Records records = new Records()) {
            alice.subscribe("chat:room-p");
            try (WsClient bob = connect(tenant, "bob")) {
                bob.subscribe("chat:room-p");
                // Listed as soon as `subscribed` arrived, by its own replica.
                assertThat(members(bob, "chat:room-p")).extracting(m -> ((JsonObject) m).getString("sub"))
                        .containsExactlyInAnyOrder("alice", "bob");
                JsonObject join = awaitPresence(alice, "join", "bob");
                assertThat(join.getString("channel")).isEqualTo("chat:room-p");
                assertThat(join.getJsonObject("member").getJsonObject("info").getString("name")).isEqualTo("BOB");
                assertThat(members(alice, "chat:room-p")).extracting(m -> ((JsonObject) m).getString("sub"))
                        .containsExactlyInAnyOrder("alice", "bob");
            }
            awaitPresence(alice, "leave", "bob");
            assertThat(members(alice, "chat:room-p")).extracting(m -> ((JsonObject) m).getString("sub"))
                    .containsExactly("alice");
            // Bob's records come back through the presence topic after he left: a sentinel written after them
            // shows they were read, and that they did not bring him back.
            otherReplicasMember(records, tenant, "chat:room-p", "sentinel");
            awaitPresence(alice, "join", "sentinel");
            assertThat(alice.pending()).noneMatch(f -> isPresence(f, "join", "bob"));
            assertThat(members(alice, "chat:room-p")).extracting(m -> ((JsonObject) m).getString("sub"))
                    .containsExactlyInAnyOrder("alice", "sentinel");
        }
    }

    @Test
    void membersOfAnotherTenantAreNeverVisible() {
        String otherTenant = "t-" + UUID.randomUUID();
        try (WsClient alice = connect(tenant, "alice"); WsClient eve = connect(otherTenant, "eve");
                Records records = new Records()) {
            eve.subscribe("chat:room-q");
            alice.subscribe("chat:room-q");
            // Alice's join was queued to the room's subscribers before her `subscribed`; eve's presence reply,
            // on eve's one connection, comes after anything queued to eve before it.
            assertThat(members(eve, "chat:room-q")).extracting(m -> ((JsonObject) m).getString("sub")).containsExactly("eve");
            assertThat(members(alice, "chat:room-q")).extracting(m -> ((JsonObject) m).getString("sub")).containsExactly("alice");
            // Through the presence topic: a member of alice's tenant, then a sentinel of eve's.
            otherReplicasMember(records, tenant, "chat:room-q", "mallory");
            otherReplicasMember(records, otherTenant, "chat:room-q", "sentinel");
            awaitPresence(eve, "join", "sentinel");
            awaitPresence(alice, "join", "mallory");
            assertThat(eve.pending()).noneMatch(f -> isPresence(f, "join", "alice") || isPresence(f, "join", "mallory"));
            assertThat(alice.pending()).noneMatch(f -> isPresence(f, "join", "eve") || isPresence(f, "join", "sentinel"));
            assertThat(members(eve, "chat:room-q")).extracting(m -> ((JsonObject) m).getString("sub"))
                    .containsExactlyInAnyOrder("eve", "sentinel");
        }
    }

    @Test
    void aSubjectWithSeveralConnectionsIsOneMemberUntilItsLastConnectionLeaves() {
        try (WsClient bob = connect(tenant, "bob"); WsClient alice1 = connect(tenant, "alice");
                WsClient alice2 = connect(tenant, "alice")) {
            bob.subscribe("chat:room-m");
            alice1.subscribe("chat:room-m");
            alice2.subscribe("chat:room-m");
            assertThat(members(bob, "chat:room-m")).extracting(m -> ((JsonObject) m).getString("sub"))
                    .containsExactlyInAnyOrder("alice", "bob");
            // The presence reply follows every frame queued to bob before it: exactly one join for alice.
            assertThat(bob.pending()).filteredOn(f -> isPresence(f, "join", "alice")).hasSize(1);
            assertThat(alice1.unsubscribe("chat:room-m").getString("type")).isEqualTo("unsubscribed");
            assertThat(members(bob, "chat:room-m")).extracting(m -> ((JsonObject) m).getString("sub"))
                    .containsExactlyInAnyOrder("alice", "bob");
            assertThat(bob.pending()).noneMatch(f -> isPresence(f, "leave", "alice"));
            assertThat(alice2.unsubscribe("chat:room-m").getString("type")).isEqualTo("unsubscribed");
            awaitPresence(bob, "leave", "alice");
            assertThat(members(bob, "chat:room-m")).extracting(m -> ((JsonObject) m).getString("sub")).containsExactly("bob");
        }
    }

    @Test
    void presenceInfoOverOneKibibyteIsNotShown() {
        // {"note":"xxx…"}: 11 characters around the note.
        String fits = "x".repeat(1024 - 11);
        String tooLong = "x".repeat(1024 - 11 + 1);
        try (WsClient small = WsClient.connect(uri, Tokens.sign(Tokens.claims(tenant, "small", List.of("chat:*"), List.of())
                .claim("presence", Map.of("note", fits))));
                WsClient big = WsClient.connect(uri, Tokens.sign(Tokens.claims(tenant, "big", List.of("chat:*"), List.of())
                        .claim("presence", Map.of("note", tooLong))))) {
            small.subscribe("chat:room-i");
            big.subscribe("chat:room-i");
            JsonArray members = members(small, "chat:room-i");
            assertThat(members).hasSize(2);
            for (Object m : members) {
                JsonObject member = (JsonObject) m;
                if ("small".equals(member.getString("sub"))) {
                    assertThat(member.getJsonObject("info").getString("note")).isEqualTo(fits);
                } else {
                    assertThat(member.getString("sub")).isEqualTo("big");
                    assertThat(member.containsKey("info")).isFalse();
                }
            }
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
