package io.streamgate.packaged;

import io.streamgate.support.GatewayProcess;
import io.streamgate.support.KafkaBrokerProcess;
import io.streamgate.support.Records;
import io.streamgate.support.ReliabilityReport;
import io.streamgate.support.ReplicaSet;
import io.streamgate.support.ResumingClient;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The long randomised soak (Maven profile {@code soak}, not part of {@code ./mvnw verify}): three replicas,
 * one of them with interest-based partition assignment, a broker in its own process, clients that resume
 * by cursor, steady production on several tenants' channels, and every few seconds a random failure: a
 * replica killed (SIGKILL) or restarted (SIGTERM, drain), a third of the clients dropped, or the broker
 * stopped for a while. At the end every client must have seen every event of its channel exactly once
 * and in order.
 * <p>
 * {@code ./mvnw verify -Psoak -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=FailureSoakIT
 * -Dsoak.minutes=5 [-Dsoak.seed=42]}
 */
class FailureSoakIT {

    private static final String TOPIC = "inventory-events";

    private final Duration duration = Duration.ofMinutes(Long.getLong("soak.minutes", 5));
    private final long seed = Long.getLong("soak.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final List<String> tenants = List.of("t-" + UUID.randomUUID(), "t-" + UUID.randomUUID(), "t-" + UUID.randomUUID());
    private final List<String> subjects = List.of("a", "b");
    private volatile boolean producing = true;

    @Test
    void randomFailuresForMinutesLoseNothing() throws Exception {
        System.out.println("Soak for " + duration + " with seed " + seed + " (-Dsoak.seed to repeat the same failures)");
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start("kafka-soak")) {
            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
            }
            Map<String, String> env = GatewayProcess.environmentFor(TestStack.get());
            env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            try (ReplicaSet replicas = new ReplicaSet(3, env, FailureSoakIT::config);
                    Records records = new Records(broker.bootstrapServers())) {
                List<List<ResumingClient>> clientsByChannel = new ArrayList<>();
                for (String tenant : tenants) {
                    String token = Tokens.token(tenant, "alice", List.of("inventory:*"));
                    for (String subject : subjects) {
                        clientsByChannel.add(IntStream.range(0, 10)
                                .mapToObj(i -> new ResumingClient(replicas::anyAlive, token, "inventory:" + subject).start())
                                .toList());
                    }
                }
                List<ResumingClient> all = clientsByChannel.stream().flatMap(List::stream).toList();
                try {
                    await().atMost(Duration.ofSeconds(60)).until(() -> all.stream().allMatch(ResumingClient::isSubscribed));
                    CompletableFuture<int[]> production = CompletableFuture.supplyAsync(() -> produce(records));
                    List<String> failures = inflictFailures(replicas, broker, all);
                    producing = false;
                    int[] produced = production.get(5, TimeUnit.MINUTES);

                    long stopped = System.nanoTime();
                    for (int ch = 0; ch < clientsByChannel.size(); ch++) {
                        int expected = produced[ch];
                        List<ResumingClient> clients = clientsByChannel.get(ch);
                        await().atMost(Duration.ofSeconds(120)).until(() -> clients.stream().allMatch(c -> c.deliveredCount() >= expected));
                        List<Integer> inOrder = IntStream.range(0, expected).boxed().toList();
                        for (ResumingClient c : clients) {
                            assertThat(c.delivered()).as("client %s", c).containsExactlyElementsOf(inOrder);
                            assertThat(c.unrecovered()).isZero();
                        }
                    }
                    if (failures.stream().anyMatch(f -> f.startsWith("broker down"))) {
                        // While the broker is away a subscribe cannot complete: `error internal` ("not yet
                        // reading", or the epoch lookup failed), or a replay that cannot read ends the
                        // subscription with `unsubscribed internal`. The client subscribes again; nothing is lost.
                        ResumingClient.assertNoDuplicatesAndNoUnexpectedErrors(all, "error internal", "unsubscribed internal");
                    } else {
                        ResumingClient.assertNoDuplicatesAndNoUnexpectedErrors(all);
                    }
                    ReliabilityReport.add("soak: " + duration.toMinutes() + " min, seed " + seed + ", " + failures.size()
                            + " failures (" + String.join(", ", failures) + "); " + IntStream.of(produced).sum()
                            + " events on " + produced.length + " channels to " + all.size() + " clients, all exactly once and"
                            + " in order, caught up " + Duration.ofNanos(System.nanoTime() - stopped).toMillis()
                            + " ms after production stopped; wire events " + all.stream().mapToInt(ResumingClient::wireEvents).sum()
                            + ", duplicates " + all.stream().mapToInt(ResumingClient::duplicates).sum()
                            + ", reconnects " + all.stream().mapToInt(ResumingClient::reconnects).sum()
                            + ", " + ResumingClient.errorSummary(all));
                } finally {
                    producing = false;
                    all.forEach(ResumingClient::stop);
                }
            }
        }
    }

    /** Replica 1 reads only the partitions its clients need, and lets them go quickly, so switches happen often. */
    private static String config(int replica) {
        String config = "streamgate.namespaces.\"inventory\".topic=" + TOPIC + "\nstreamgate.drain.window=PT1S\n";
        return replica == 1 ? config + "streamgate.live.assignment=interest\nstreamgate.live.release-delay=PT1S\n" : config;
    }

    /** About 60 events a second, round robin over the channels; returns how many each channel got. */
    private int[] produce(Records records) {
        int[] produced = new int[tenants.size() * subjects.size()];
        List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
        while (producing) {
            for (int t = 0; t < tenants.size(); t++) {
                for (int s = 0; s < subjects.size(); s++) {
                    int ch = t * subjects.size() + s;
                    acks.add(records.sendAsync(Records.record(TOPIC, tenants.get(t), subjects.get(s), "{\"n\":" + produced[ch]++ + "}")));
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (var ack : acks) {
            try {
                ack.get(3, TimeUnit.MINUTES);
            } catch (Exception e) {
                throw new IllegalStateException("the broker did not take a record", e);
            }
        }
        return produced;
    }

    private List<String> inflictFailures(ReplicaSet replicas, KafkaBrokerProcess broker, List<ResumingClient> clients)
            throws Exception {
        List<String> done = new ArrayList<>();
        long end = System.nanoTime() + duration.toNanos();
        long brokerQuietUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            Thread.sleep(5_000 + random.nextInt(10_000));
            int replica = random.nextInt(replicas.size());
            int action = random.nextInt(10);
            if (action < 3) {
                replicas.get(replica).kill();
                replicas.start(replica);
                done.add("SIGKILL replica " + replica);
            } else if (action < 6) {
                replicas.get(replica).stop(Duration.ofSeconds(60));
                replicas.start(replica);
                done.add("SIGTERM replica " + replica);
            } else if (action < 9 || System.nanoTime() < brokerQuietUntil) {
                clients.stream().filter(c -> random.nextInt(3) == 0).forEach(ResumingClient::drop);
                done.add("drop a third of the clients");
            } else {
                int seconds = 5 + random.nextInt(15);
                broker.stop();
                Thread.sleep(seconds * 1000L);
                broker.startAgain();
                brokerQuietUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                done.add("broker down " + seconds + " s");
            }
        }
        return done;
    }
}
