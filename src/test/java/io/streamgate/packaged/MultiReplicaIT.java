package io.streamgate.packaged;

import io.streamgate.support.GatewayProcess;
import io.streamgate.support.Records;
import io.streamgate.support.ReplicaSet;
import io.streamgate.support.ReliabilityReport;
import io.streamgate.support.ResumingClient;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scale-out and failure with processes, not mocks: three replicas of the packaged application on one
 * Kafka broker and one PostgreSQL, real WebSocket clients that resume by cursor, and replicas killed and
 * restarted under load. Each scenario asserts, per client, that the application saw every produced event
 * exactly once and in order; that no event came twice on the wire and no error frame came; the wire counts are reported in
 * target/reliability-report.txt.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiReplicaIT {

    private static final String CONFIG = """
            streamgate.namespaces."inventory".topic=inventory-events
            streamgate.namespaces."chat".topic=chat-events
            streamgate.namespaces."chat".publish=true
            streamgate.drain.window=PT1S
            """;
    private static final int REPLICAS = 3;
    private static ReplicaSet replicas;

    private final String tenant = "t-" + UUID.randomUUID();

    @BeforeAll
    static void startReplicas() {
        replicas = new ReplicaSet(REPLICAS, GatewayProcess.environmentFor(TestStack.get()), n -> CONFIG);
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        replicas.close();
    }

    private static URI anyAlive() {
        return replicas.anyAlive();
    }

    private String token() {
        return Tokens.token(tenant, "user-" + UUID.randomUUID(), List.of("inventory:*", "chat:*"), List.of("chat:*"));
    }

    private static void awaitAll(List<ResumingClient> clients, int events, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> clients.stream().allMatch(c -> c.deliveredCount() >= events));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not all clients got " + events + " events: "
                    + clients.stream().filter(c -> c.deliveredCount() < events).map(Object::toString).toList(), e);
        }
    }

    private static void assertExactlyOnceInOrder(List<ResumingClient> clients, int events) {
        List<Integer> expected = IntStream.range(0, events).boxed().toList();
        for (ResumingClient c : clients) {
            assertThat(c.delivered()).containsExactlyElementsOf(expected);
            assertThat(c.unrecovered()).isZero();
        }
        ResumingClient.assertNoDuplicatesAndNoUnexpectedErrors(clients);
    }

    private static String wireSummary(List<ResumingClient> clients) {
        return "wire events " + clients.stream().mapToInt(ResumingClient::wireEvents).sum()
                + ", duplicates " + clients.stream().mapToInt(ResumingClient::duplicates).sum()
                + ", reconnects " + clients.stream().mapToInt(ResumingClient::reconnects).sum()
                + ", " + ResumingClient.errorSummary(clients);
    }

    @Test
    @Order(1)
    void publishOnOneReplicaReachesSubscribersOnEveryReplica() {
        List<WsClient> subscribers = new ArrayList<>();
        try {
            for (int i = 0; i < REPLICAS; i++) {
                WsClient c = WsClient.connect(replicas.get(i).uri(), token());
                assertThat(c.subscribe("chat:room-1").getString("type")).isEqualTo("subscribed");
                subscribers.add(c);
            }
            WsClient publisher = subscribers.get(0);
            for (int n = 0; n < 50; n++) {
                String id = publisher.nextId();
                publisher.send(new JsonObject().put("type", "publish").put("id", id).put("channel", "chat:room-1")
                        .put("data", new JsonObject().put("n", n)));
                assertThat(publisher.reply(id).getString("type")).isEqualTo("published");
            }
            for (WsClient c : subscribers) {
                assertThat(c.events("chat:room-1", 50)).extracting(e -> e.getJsonObject("data").getInteger("n"))
                        .containsExactlyElementsOf(IntStream.range(0, 50).boxed().toList());
            }
            ReliabilityReport.add("1. publish on replica 0, subscribers on 0, 1, 2: 50 events each, in order, exactly once");
        } finally {
            subscribers.forEach(WsClient::close);
        }
    }

    @Test
    @Order(2)
    void killedReplicasClientsResumeElsewhereAndMissNothing() throws Exception {
        GatewayProcess victim = replicas.get(0);
        List<ResumingClient> clients = IntStream.range(0, 20)
                .mapToObj(i -> new ResumingClient(() -> victim.isAlive() ? victim.uri() : anyAlive(), token(), "inventory:kill").start())
                .toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> clients.stream().allMatch(ResumingClient::isSubscribed));
        try (Records records = new Records()) {
            for (int n = 0; n < 400; n++) {
                records.send("inventory-events", tenant, "kill", "{\"n\":" + n + "}");
                if (n == 150) {
                    victim.kill(); // SIGKILL mid-stream
                }
                Thread.sleep(2);
            }
        }
        long start = System.nanoTime();
        awaitAll(clients, 400, Duration.ofSeconds(60));
        assertExactlyOnceInOrder(clients, 400);
        ReliabilityReport.add("2. SIGKILL of replica 0 after event 150 of 400, 20 clients moved to replicas 1-2: all 400 exactly once,"
                + " in order; caught up " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms after the last"
                + " event was produced; " + wireSummary(clients));
        clients.forEach(ResumingClient::stop);
        replicas.start(0);
    }

    @Test
    @Order(3)
    void rollingRestartUnderSteadyProductionLosesNothing() throws Exception {
        List<ResumingClient> clients = IntStream.range(0, 30)
                .mapToObj(i -> new ResumingClient(MultiReplicaIT::anyAlive, token(), "inventory:rolling").start())
                .toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> clients.stream().allMatch(ResumingClient::isSubscribed));
        CompletableFuture<Integer> producing = CompletableFuture.supplyAsync(() -> {
            int n = 0;
            try (Records records = new Records()) {
                while (n < 5000 && !Thread.currentThread().isInterrupted()) {
                    records.send("inventory-events", tenant, "rolling", "{\"n\":" + n + "}");
                    n++;
                    if (n >= 200 && restartsDone) {
                        break;
                    }
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return n;
        });
        for (int i = 0; i < REPLICAS; i++) {
            int code = replicas.get(i).stop(Duration.ofSeconds(60)); // SIGTERM: drain with 1012
            ReliabilityReport.add("3. replica " + i + " exited with " + code + " after SIGTERM");
            replicas.start(i);
        }
        restartsDone = true;
        int produced = producing.get();
        long start = System.nanoTime();
        awaitAll(clients, produced, Duration.ofSeconds(60));
        assertExactlyOnceInOrder(clients, produced);
        ReliabilityReport.add("3. rolling restart of all 3 replicas (SIGTERM, drain 1 s) under steady production: 30 clients got all "
                + produced + " events exactly once, in order; caught up " + Duration.ofNanos(System.nanoTime() - start).toMillis()
                + " ms after the last; " + wireSummary(clients));
        clients.forEach(ResumingClient::stop);
    }

    private static volatile boolean restartsDone;

    @Test
    @Order(6)
    void reconnectStormOfTwoThousandClientsAllResume() throws Exception {
        int channels = 20;
        int perChannel = 100;
        List<ResumingClient> clients = new ArrayList<>();
        String token = token();
        GatewayProcess first = replicas.get(1);
        for (int ch = 0; ch < channels; ch++) {
            for (int i = 0; i < perChannel; i++) {
                clients.add(new ResumingClient(() -> clients.isEmpty() ? first.uri() : anyAlive(), token,
                        "inventory:storm-" + ch).start());
            }
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> clients.stream().allMatch(ResumingClient::isSubscribed));
        try (Records records = new Records()) {
            produceRound(records, channels, 0, 20);
            awaitAll(clients, 20, Duration.ofSeconds(60));
            long dropped = System.nanoTime();
            clients.forEach(ResumingClient::drop); // every connection drops at once; all reconnect with cursors
            produceRound(records, channels, 20, 40);
            awaitAll(clients, 40, Duration.ofSeconds(180));
            long caughtUp = System.nanoTime() - dropped;
            for (int ch = 0; ch < channels; ch++) {
                List<ResumingClient> ofChannel = clients.subList(ch * perChannel, (ch + 1) * perChannel);
                assertExactlyOnceInOrder(ofChannel, 40);
            }
            ReliabilityReport.add("6. reconnect storm: " + clients.size() + " clients on " + channels + " channels dropped at once and"
                    + " reconnected with their cursors while 400 more events were produced: all caught up exactly once, in"
                    + " order, " + Duration.ofNanos(caughtUp).toMillis() + " ms after the drop; " + wireSummary(clients));
        } finally {
            clients.forEach(ResumingClient::stop);
        }
    }

    private void produceRound(Records records, int channels, int from, int to) {
        for (int ch = 0; ch < channels; ch++) {
            int channel = ch;
            records.sendAll("inventory-events", tenant, "storm-" + channel,
                    IntStream.range(from, to).mapToObj(n -> "{\"n\":" + n + "}").toList());
        }
    }
}
