package io.streamgate.packaged;

import io.streamgate.support.ApiClient;
import io.streamgate.support.GatewayProcess;
import io.streamgate.support.Records;
import io.streamgate.support.ReplicaSet;
import io.streamgate.support.Tenants;
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
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server API across two replicas of the packaged application on one Kafka broker and one PostgreSQL: what an
 * operator does on replica A reaches a client connected to replica B, and what B knows (presence) A lists. A
 * revocation outlives B's restart: B reads it back from PostgreSQL. A rewind gives the same events on both: from
 * A's memory where the channel is hot, from a read of Kafka on B where it is cold.
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

    @Test
    void aRewindOnTheColdReplicaAndOnTheHotOneGivesTheSameLastEventsThenLiveAndNoOtherTenants() throws Exception {
        String other = Tenants.sharingPartitionWith(tenant, TestStack.TOPICS.get("chat-events"));
        GatewayProcess a = replicas.get(0);
        GatewayProcess b = replicas.get(1);
        double aMemory = rewinds(a, "memory"), aKafka = rewinds(a, "kafka");
        double bMemory = rewinds(b, "memory"), bKafka = rewinds(b, "kafka");
        try (Records records = new Records();
             WsClient watcher = WsClient.connect(a.uri(), Tokens.token(tenant, "alice", List.of("chat:*")));
             WsClient otherWatcher = WsClient.connect(a.uri(), Tokens.token(other, "alice", List.of("chat:*")))) {
            // A keeps both tenants' recent events of chat:ticker in memory; B has no subscriber of it.
            assertThat(watcher.subscribe("chat:ticker").getString("type")).isEqualTo("subscribed");
            assertThat(otherWatcher.subscribe("chat:ticker").getString("type")).isEqualTo("subscribed");
            produceInterleaved(records, other, 0, 20);
            watcher.events("chat:ticker", 20);
            otherWatcher.events("chat:ticker", 20);

            int end = 300;
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produceInterleaved(records, other, 20, end));
            // Subscribe once production is under way: the last 3 before the subscribe are at least 38, 39, 40.
            watcher.await(f -> "event".equals(f.getString("type")) && f.getJsonObject("data").getInteger("n") == 40);
            try (WsClient onB = WsClient.connect(b.uri(), Tokens.token(tenant, "bob", List.of("chat:*")));
                 WsClient onA = WsClient.connect(a.uri(), Tokens.token(tenant, "carol", List.of("chat:*")))) {
                String idB = sendRewind(onB, "chat:ticker", 3);
                String idA = sendRewind(onA, "chat:ticker", 3);
                for (JsonObject subscribed : List.of(onB.reply(idB), onA.reply(idA))) {
                    assertThat(subscribed.getString("type")).isEqualTo("subscribed");
                    assertThat(subscribed.getInteger("found")).isEqualTo(3);
                    assertThat(subscribed.getBoolean("complete")).isTrue();
                }
                producing.get();
                assertLastThreeThenEveryLaterOnce(onB, 38, end);
                assertLastThreeThenEveryLaterOnce(onA, 38, end);
            }
        }
        assertThat(rewinds(b, "kafka")).as("B, cold, read Kafka").isEqualTo(bKafka + 1);
        assertThat(rewinds(b, "memory")).as("B has no memory of the channel").isEqualTo(bMemory);
        assertThat(rewinds(a, "memory")).as("A, hot, served from memory").isEqualTo(aMemory + 1);
        assertThat(rewinds(a, "kafka")).isEqualTo(aKafka);
    }

    /**
     * Events {@code n} of this tenant on chat:ticker, each followed in the same partition by one of {@code other}
     * on its chat:ticker ({@code n + 1000}): a rewind that let one through would break the run of numbers.
     */
    private void produceInterleaved(Records records, String other, int from, int to) {
        IntStream.range(from, to).forEach(n -> {
            records.send("chat-events", tenant, "ticker", "{\"n\":" + n + "}");
            records.send("chat-events", other, "ticker", "{\"n\":" + (n + 1000) + "}");
        });
    }

    private static String sendRewind(WsClient client, String channel, int n) {
        String id = client.nextId();
        client.send(new JsonObject().put("type", "subscribe").put("id", id).put("channel", channel).put("rewind", n));
        return id;
    }

    /**
     * The 3 rewound events and the live ones after them are one run of consecutive numbers ending at the last one
     * produced, starting at or after {@code lowest}: no gap, no duplicate, nothing of another tenant, nothing more.
     */
    private static void assertLastThreeThenEveryLaterOnce(WsClient client, int lowest, int end) {
        int start = client.events("chat:ticker", 1).get(0).getJsonObject("data").getInteger("n");
        assertThat(start).isBetween(lowest, end - 3);
        assertThat(client.events("chat:ticker", end - start - 1))
                .extracting(e -> e.getJsonObject("data").getInteger("n"))
                .containsExactlyElementsOf(IntStream.range(start + 1, end).boxed().toList());
        assertThat(client.settle(Duration.ofMillis(300))).noneMatch(f -> "event".equals(f.getString("type")));
    }

    /** {@code streamgate_rewinds_total{source}} of a replica now (0 before its first rewind). */
    private static double rewinds(GatewayProcess replica, String source) throws Exception {
        Matcher m = Pattern.compile("(?m)^streamgate_rewinds_total\\{source=\"" + source + "\"\\} ([0-9.eE+-]+)$")
                .matcher(replica.get("q/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
