package io.streamgate.packaged;

import io.streamgate.support.GatewayProcess;
import io.streamgate.support.KafkaBrokerProcess;
import io.streamgate.support.Records;
import io.streamgate.support.ReliabilityReport;
import io.streamgate.support.ResumingClient;
import io.streamgate.support.StartupCeiling;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 4 of the failure tests: the Kafka broker (its own OS process) is stopped for 20 seconds under two
 * running gateway replicas and started again. The gateways keep every WebSocket open, report the outage in
 * readiness (so a load balancer sends no new clients to a replica that cannot serve them) and, once the
 * broker is back, deliver everything produced before, during (buffered by the producer) and after the
 * outage, exactly once and in order, without a single reconnect.
 */
class BrokerOutageIT {

    private static final String CONFIG = """
            streamgate.namespaces."inventory".topic=inventory-events
            streamgate.drain.window=PT1S
            """;
    private static final Duration OUTAGE = Duration.ofSeconds(20);

    private final String tenant = "t-" + UUID.randomUUID();

    @Test
    void brokerStoppedForTwentySecondsKeepsConnectionsAndLosesNothing() throws Exception {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start("kafka-outage")) {
            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic("inventory-events", 3, (short) 1))).all().get();
            }
            Map<String, String> env = GatewayProcess.environmentFor(TestStack.get()); // its PostgreSQL
            env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            try (GatewayProcess a = GatewayProcess.start("outage-a-" + System.nanoTime(), env, CONFIG).awaitReady(StartupCeiling.PROCESS);
                    GatewayProcess b = GatewayProcess.start("outage-b-" + System.nanoTime(), env, CONFIG).awaitReady(StartupCeiling.PROCESS);
                    Records records = new Records(broker.bootstrapServers())) {
                String token = Tokens.token(tenant, "alice", List.of("inventory:*"));
                List<ResumingClient> clients = IntStream.range(0, 20)
                        .mapToObj(i -> new ResumingClient(() -> (i % 2 == 0 ? a : b).uri(), token, "inventory:outage").start())
                        .toList();
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> clients.stream().allMatch(ResumingClient::isSubscribed));
                    produce(records, 0, 100).forEach(BrokerOutageIT::acknowledged);
                    await().atMost(Duration.ofSeconds(30)).until(() -> clients.stream().allMatch(c -> c.deliveredCount() == 100));

                    long stopped = System.nanoTime();
                    broker.stop();
                    await().atMost(OUTAGE).pollInterval(Duration.ofMillis(200))
                            .until(() -> a.readiness().statusCode() == 503 && b.readiness().statusCode() == 503);
                    long notReady = System.nanoTime() - stopped;
                    String readinessDuringOutage = a.readiness().body();
                    // Produced while the broker is away: the upstream producer buffers and retries. On its own
                    // thread, because a send may also block (max.block.ms) while the producer has no leader.
                    CompletableFuture<List<Future<RecordMetadata>>> buffered =
                            CompletableFuture.supplyAsync(() -> produce(records, 100, 200));
                    Thread.sleep(Math.max(0, OUTAGE.toMillis() - Duration.ofNanos(System.nanoTime() - stopped).toMillis()));
                    assertThat(a.isAlive() && b.isAlive()).isTrue();
                    assertThat(clients).allSatisfy(c -> assertThat(c.reconnects()).as("reconnects of %s", c).isZero());

                    long restarted = System.nanoTime();
                    broker.startAgain();
                    buffered.get(60, TimeUnit.SECONDS).forEach(BrokerOutageIT::acknowledged);
                    long acknowledged = System.nanoTime() - restarted;
                    await().atMost(Duration.ofSeconds(60)).until(() -> clients.stream().allMatch(c -> c.deliveredCount() >= 200));
                    long caughtUp = System.nanoTime() - restarted;
                    String[] lastNotReady = {""};
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                        for (GatewayProcess g : List.of(a, b)) {
                            var r = g.readiness();
                            if (r.statusCode() != 200) {
                                lastNotReady[0] = r.body();
                                return false;
                            }
                        }
                        return true;
                    });
                    long readyAgain = System.nanoTime() - restarted;
                    System.out.println("Last readiness before UP: " + lastNotReady[0]);
                    produce(records, 200, 300).forEach(BrokerOutageIT::acknowledged);
                    await().atMost(Duration.ofSeconds(60)).until(() -> clients.stream().allMatch(c -> c.deliveredCount() >= 300));

                    List<Integer> expected = IntStream.range(0, 300).boxed().toList();
                    for (ResumingClient c : clients) {
                        assertThat(c.delivered()).containsExactlyElementsOf(expected);
                        assertThat(c.reconnects()).isZero();
                    }
                    ResumingClient.assertNoDuplicatesAndNoUnexpectedErrors(clients);
                    assertThat(readinessDuringOutage).contains("DOWN");
                    ReliabilityReport.add("4. Kafka broker stopped (SIGTERM) for " + OUTAGE.toSeconds() + " s under 2 replicas"
                            + " with 20 clients, 100 events produced before, 100 during (buffered by the producer), 100 after:"
                            + " readiness 503 on both replicas " + Duration.ofNanos(notReady).toMillis() + " ms after the stop,"
                            + " the broker acknowledged the buffered records " + Duration.ofNanos(acknowledged).toMillis()
                            + " ms after it was back (started and answering metadata requests),"
                            + " the 100 buffered events reached every client " + Duration.ofNanos(caughtUp).toMillis()
                            + " ms after, readiness 200 again after "
                            + Duration.ofNanos(readyAgain).toMillis() + " ms; all 300 events reached every client exactly once,"
                            + " in order; 0 reconnects; wire events "
                            + clients.stream().mapToInt(ResumingClient::wireEvents).sum() + ", duplicates "
                            + clients.stream().mapToInt(ResumingClient::duplicates).sum() + ", "
                            + ResumingClient.errorSummary(clients));
                } finally {
                    clients.forEach(ResumingClient::stop);
                }
            }
        }
    }

    private List<Future<RecordMetadata>> produce(Records records, int from, int to) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int n = from; n < to; n++) {
            acks.add(records.sendAsync(Records.record("inventory-events", tenant, "outage", "{\"n\":" + n + "}")));
        }
        return acks;
    }

    private static void acknowledged(Future<RecordMetadata> ack) {
        try {
            ack.get();
        } catch (Exception e) {
            throw new AssertionError("the broker did not take a record", e);
        }
    }
}
