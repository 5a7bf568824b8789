package io.streamgate.packaged;

import io.streamgate.support.GatewayProcess;
import io.streamgate.support.Records;
import io.streamgate.support.ReliabilityReport;
import io.streamgate.support.ReplicaSet;
import io.streamgate.support.ResumingClient;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A reconnect storm across two packaged replicas (separate processes, one broker): every client of one tenant
 * drops at once and comes back on either replica with its cursor while more events are produced. Every client
 * must get every event once, in order, recovered; and each replica must serve its share of the storm with
 * shared reads (its {@code streamgate_replay_records_read_total}), not one read of the partition per client.
 */
class ReplayStormIT {

    private static final String CONFIG = """
            streamgate.namespaces."inventory".topic=inventory-events
            streamgate.drain.window=PT1S
            """;
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

    /** The replica's count of records read from Kafka for replays, from its Prometheus endpoint. */
    private static double recordsRead(GatewayProcess replica) throws Exception {
        String body = replica.get("q/metrics").body();
        return body.lines().filter(l -> l.startsWith("streamgate_replay_records_read_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void aStormOfOneThousandClientsAcrossTwoReplicasResumesExactlyOnceWithSharedReads() throws Exception {
        int channels = 10;
        int perChannel = 100;
        int before = 20;
        int missed = 50;
        String token = Tokens.token(tenant, "user-" + UUID.randomUUID(), List.of("inventory:*"));
        List<ResumingClient> clients = new ArrayList<>();
        for (int ch = 0; ch < channels; ch++) {
            for (int i = 0; i < perChannel; i++) {
                clients.add(new ResumingClient(replicas::anyAlive, token, "inventory:storm-" + ch).start());
            }
        }
        try (Records records = new Records()) {
            await().atMost(Duration.ofSeconds(120)).until(() -> clients.stream().allMatch(ResumingClient::isSubscribed));
            produce(records, channels, 0, before);
            await().atMost(Duration.ofSeconds(60)).until(() -> clients.stream().allMatch(c -> c.deliveredCount() >= before));
            double readBefore = recordsRead(replicas.get(0)) + recordsRead(replicas.get(1));
            long dropped = System.nanoTime();
            clients.forEach(ResumingClient::drop); // every connection drops at once; all reconnect with cursors
            produce(records, channels, before, before + missed);
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                    .until(() -> clients.stream().allMatch(c -> c.deliveredCount() >= before + missed));
            long caughtUp = System.nanoTime() - dropped;
            List<Integer> expected = IntStream.range(0, before + missed).boxed().toList();
            for (ResumingClient c : clients) {
                assertThat(c.delivered()).containsExactlyElementsOf(expected);
                assertThat(c.unrecovered()).isZero();
            }
            double read = recordsRead(replicas.get(0)) + recordsRead(replicas.get(1)) - readBefore;
            // One read per resume would be about clients x (channels x missed) records: 500,000 here.
            double perResume = (double) channels * missed;
            assertThat(read).as("records read for the storm").isLessThan(clients.size() * perResume / 10);
            ReliabilityReport.add("7. reconnect storm across 2 replicas: " + clients.size() + " clients on " + channels
                    + " channels of one tenant dropped at once and reconnected to either replica while " + channels * missed
                    + " more events were produced: all caught up exactly once, in order, "
                    + Duration.ofNanos(caughtUp).toMillis() + " ms after the drop; the replicas read " + Math.round(read)
                    + " records from Kafka for it (one read per resume: about " + Math.round(clients.size() * perResume)
                    + "); wire events " + clients.stream().mapToInt(ResumingClient::wireEvents).sum() + ", duplicates dropped "
                    + clients.stream().mapToInt(ResumingClient::duplicates).sum() + ", subscribe errors retried "
                    + clients.stream().mapToInt(ResumingClient::errors).sum());
        } finally {
            clients.forEach(ResumingClient::stop);
        }
    }

    private void produce(Records records, int channels, int from, int to) {
        for (int ch = 0; ch < channels; ch++) {
            records.sendAll("inventory-events", tenant, "storm-" + ch,
                    IntStream.range(from, to).mapToObj(n -> "{\"n\":" + n + "}").toList());
        }
    }
}
