package io.streamgate.packaged;

import io.streamgate.support.ApiClient;
import io.streamgate.support.GatewayProcess;
import io.streamgate.support.ReplicaSet;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server API across two replicas of the packaged application on one Kafka broker and one PostgreSQL: what an
 * operator does on replica A reaches a client connected to replica B, and what B knows (presence) A lists. A
 * revocation outlives B's restart: B reads it back from PostgreSQL.
 */
class ServerApiIT {

    private static final String CONFIG = """
            streamgate.namespaces."chat".topic=chat-events
            streamgate.namespaces."chat".publish=true
            streamgate.namespaces."chat".presence=true
            streamgate.presence.ttl=PT5S
            streamgate.api.enabled=true
            streamgate.drain.window=PT0.5S
            """;
    /** "Within a second or two", with room for a loaded test machine. */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private static ReplicaSet replicas;

    private final String tenant = "t-" + UUID.randomUUID();

    @BeforeAll
    static void startReplicas() {
        replicas = new ReplicaSet(2, GatewayProcess.environmentFor(TestStack.get()), n -> CONFIG);
    }

    @AfterAll
    static void stopReplicas() {
        replicas.close();
    }

    private ApiClient apiOnA() {
        return new ApiClient(replicas.get(0).uri(), Tokens.server(tenant, "ops"));
    }

    @Test
    void presenceOnAListsAMemberConnectedToB() {
        try (WsClient alice = WsClient.connect(replicas.get(1).uri(), Tokens.token(tenant, "alice", List.of("chat:*")))) {
            assertThat(alice.subscribe("chat:room").getString("type")).isEqualTo("subscribed");
            await().atMost(PROMPTLY).pollInterval(Duration.ofMillis(100)).until(() -> apiOnA()
                    .get("/v1/api/channels/chat:room/presence").body().getJsonArray("members").stream()
                    .anyMatch(m -> "alice".equals(((JsonObject) m).getString("sub"))));
        }
    }

    @Test
    void aDisconnectOnAClosesTheSubjectsConnectionOnBWith4410() {
        try (WsClient alice = WsClient.connect(replicas.get(1).uri(), Tokens.token(tenant, "alice", List.of("chat:*")));
             WsClient bob = WsClient.connect(replicas.get(1).uri(), Tokens.token(tenant, "bob", List.of("chat:*")))) {
            long start = System.nanoTime();
            ApiClient.Answer a = apiOnA().post("/v1/api/subjects/alice/disconnect", null);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body().getInteger("closed_here")).isZero();
            assertThat(alice.awaitClose()).isEqualTo(4410);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPTLY);
            assertThat(bob.subscribe("chat:room").getString("type")).isEqualTo("subscribed");
        }
    }

    @Test
    void aRevocationOnAClosesTheConnectionOnBAndOutlivesBsRestart() throws Exception {
        String leaked = Tokens.sign(Tokens.claims(tenant, "carol", List.of("chat:*"), List.of()).claim("jti", "leaked-" + tenant));
        try (WsClient carol = WsClient.connect(replicas.get(1).uri(), leaked)) {
            long start = System.nanoTime();
            ApiClient.Answer a = apiOnA().post("/v1/api/revocations", "{\"jti\":\"leaked-" + tenant + "\"}");
            assertThat(a.status()).isEqualTo(201);
            assertThat(carol.awaitClose()).isEqualTo(4411);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPTLY);
        }
        assertThat(WsClient.upgradeStatus(replicas.get(1).uri(), leaked)).isEqualTo(401);

        replicas.get(1).stop(Duration.ofSeconds(30));
        replicas.start(1);

        assertThat(WsClient.upgradeStatus(replicas.get(1).uri(), leaked)).isEqualTo(401);
        assertThat(WsClient.upgradeStatus(replicas.get(1).uri(), Tokens.token(tenant, "carol", List.of("chat:*")))).isEqualTo(101);
    }
}
