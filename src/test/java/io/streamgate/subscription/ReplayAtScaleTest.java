package io.streamgate.subscription;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.streamgate.support.Await;
import io.streamgate.support.KafkaAndPostgres;
import io.streamgate.support.Records;
import io.streamgate.support.StalledSocket;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resume under load, against the real broker: a storm's resumes share their reads, clients that stop reading
 * do not hold up other tenants, and a confirmed resume whose history disappears ends explicitly.
 * <p>
 * Runs with two replay workers (so two stalled clients would have held every worker of the old design), a
 * slow-consumer grace of 20 s (so stalled clients are still parked while the other tenant resumes) and an idle
 * timeout long enough that the stalled sockets, which never answer a ping, are not closed as dead first.
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgres.class)
@TestProfile(ReplayAtScaleTest.TwoWorkers.class)
class ReplayAtScaleTest {

    public static class TwoWorkers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "streamgate.replay.workers", "2",
                    "streamgate.connection.slow-consumer-grace", "PT20S",
                    "streamgate.connection.idle-timeout", "PT300S");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TestHTTPResource("/")
    URI uri;

    @Inject
    MeterRegistry registry;

    private final Records records = new Records();

    @AfterEach
    void close() {
        records.close();
    }

    private static String token(String tenant) {
        return Tokens.token(tenant, "user-" + UUID.randomUUID(), List.of("inventory:*", "expiring:*"));
    }

    private double recordsRead() {
        return registry.get("streamgate.replay.records.read").functionCounter().count();
    }

    private double closedSlow() {
        return registry.get("streamgate.replay.closed.slow").functionCounter().count();
    }

    private double parked() {
        return registry.get("streamgate.replay.parked").gauge().value();
    }

    /** The cursor of the channel's current position (a fresh subscription's), taken by a client that then leaves. */
    private String currentCursor(String tenant, String channel) {
        try (WsClient c = WsClient.connect(uri, token(tenant))) {
            return c.subscribe(channel).getString("cursor");
        }
    }

    /** Produces {@code n} events of about {@code bytes} each, numbered from 0. */
    private void produce(String topic, String tenant, String subject, int n, int bytes) {
        String padding = "x".repeat(Math.max(0, bytes - 20));
        records.sendAll(topic, tenant, subject,
                IntStream.range(0, n).mapToObj(i -> "{\"n\":" + i + ",\"p\":\"" + padding + "\"}").toList());
    }

    private static JsonObject subscribeCommand(String id, String channel, String since) {
        return new JsonObject().put("type", "subscribe").put("id", id).put("channel", channel).put("since", since);
    }

    @Test
    void aStormOfResumesOnOneChannelReadsThePartitionAFewTimesNotOncePerClient() {
        String tenant = "storm-" + UUID.randomUUID();
        int clients = 100;
        int missed = 300;
        String cursor = currentCursor(tenant, "inventory:hot");
        produce("inventory-events", tenant, "hot", missed, 60);
        List<WsClient> storm = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                storm.add(WsClient.connect(uri, token(tenant)));
            }
            double before = recordsRead();
            // Every client asks at once, as after a mass disconnect.
            for (WsClient c : storm) {
                c.send(subscribeCommand("r", "inventory:hot", cursor));
            }
            for (WsClient c : storm) {
                assertThat(c.reply("r").getBoolean("recovered")).isTrue();
                List<Integer> numbers = c.events("inventory:hot", missed).stream()
                        .map(e -> e.getJsonObject("data").getInteger("n")).toList();
                assertThat(numbers).containsExactlyElementsOf(IntStream.range(0, missed).boxed().toList());
            }
            double read = recordsRead() - before;
            // One read per client would be 30,000 records; shared reads need a few passes at most.
            System.out.printf("Storm of %d resumes of %d events: %.0f records read from Kafka%n", clients, missed, read);
            assertThat(read).isGreaterThanOrEqualTo(missed).isLessThanOrEqualTo(10.0 * missed);
            for (WsClient c : storm) {
                assertThat(c.settle(Duration.ofMillis(50))).noneMatch(f -> "event".equals(f.getString("type")));
            }
        } finally {
            storm.forEach(WsClient::close);
        }
    }

    @Test
    void stalledClientsAndWholePartitionReadsOfOtherTenantsDoNotHoldUpAResume() throws Exception {
        // Tenant "stalled": four raw sockets resume 8 MB of history each and then never read.
        String stalledTenant = "stalled-" + UUID.randomUUID();
        String stalledCursor = currentCursor(stalledTenant, "inventory:big");
        // 8 MB each: more than the kernel buffers of a socket (up to 4 MiB of send buffer here) can take.
        produce("inventory-events", stalledTenant, "big", 2000, 4000);
        List<StalledSocket> stalled = new ArrayList<>();
        double closedAtStart = closedSlow();
        try {
            for (int i = 0; i < 4; i++) {
                StalledSocket s = StalledSocket.connect(uri, token(stalledTenant));
                s.sendText(subscribeCommand("s", "inventory:big", stalledCursor).encode());
                stalled.add(s);
            }
            awaitTrue("the stalled clients' replays parked", () -> parked() >= 4);

            // Tenant "greedy": asks for its whole partition, from before its first record.
            String greedyTenant = "greedy-" + UUID.randomUUID();
            String fresh = currentCursor(greedyTenant, "inventory:all");
            String fromTheStart = fresh.substring(0, fresh.lastIndexOf('.') + 1) + "-1";
            String otherTenant = "other-" + UUID.randomUUID();
            try (WsClient greedy = WsClient.connect(uri, token(greedyTenant));
                    WsClient other = WsClient.connect(uri, token(otherTenant))) {
                greedy.send(subscribeCommand("g", "inventory:*", fromTheStart));

                // Another tenant resumes 100 missed events meanwhile.
                String otherCursor = other.subscribe("inventory:probe").getString("cursor");
                other.unsubscribe("inventory:probe");
                produce("inventory-events", otherTenant, "probe", 100, 60);
                long start = System.nanoTime();
                other.send(subscribeCommand("o", "inventory:probe", otherCursor));
                assertThat(other.reply("o").getBoolean("recovered")).isTrue();
                assertThat(other.events("inventory:probe", 100)).hasSize(100);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                System.out.printf("Resume of 100 events beside 4 stalled clients and a whole-partition read: %d ms%n",
                        took.toMillis());
                assertThat(took).isLessThan(Duration.ofSeconds(5));
                assertThat(closedSlow()).as("the stalled clients are still open").isEqualTo(closedAtStart);
                assertThat(greedy.reply("g").getBoolean("recovered")).isTrue();
            }
            // Past the grace, a client that never drained is closed as a slow consumer, as live delivery would.
            awaitTrue("the stalled clients closed after the grace", () -> closedSlow() >= closedAtStart + 4);
            for (StalledSocket s : stalled) {
                assertThat(s.readUntilClose()).isEqualTo(4008);
            }
        } finally {
            stalled.forEach(StalledSocket::close);
        }
    }

    @Test
    void aConfirmedResumeWhoseHistoryIsDeletedEndsWithUnsubscribedAndIsNeverRegisteredTwice() throws Exception {
        String tenant = "lost-" + UUID.randomUUID();
        String token = token(tenant);
        String cursor = currentCursor(tenant, "expiring:item");
        // 6 MB in 6,000 records: more than one fetch (2,000 records, 4 MiB), so that history the reader has not
        // fetched yet is still ahead of it when retention strikes.
        produce("expiring-events", tenant, "item", 6000, 1000);
        long end;
        try (Admin admin = TestStack.get().admin()) {
            TopicPartition tp = new TopicPartition("expiring-events", 0);
            end = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get().get(tp).offset();
        }
        StalledSocket client = StalledSocket.connect(uri, token);
        try {
            client.sendText(subscribeCommand("s", "expiring:item", cursor).encode());
            awaitTrue("the replay parked", () -> parked() >= 1);
            // Retention deletes the rest of the history while the client is behind.
            try (Admin admin = TestStack.get().admin()) {
                admin.deleteRecords(Map.of(new TopicPartition("expiring-events", 0), RecordsToDelete.beforeOffset(end)))
                        .all().get();
            }
            List<JsonObject> frames = new ArrayList<>();
            JsonObject frame;
            long deadline = System.nanoTime() + WAIT.toNanos();
            do {
                assertThat(System.nanoTime()).as("no unsubscribed within %s; got %d frames", WAIT, frames.size())
                        .isLessThan(deadline);
                String text = client.readText();
                assertThat(text).as("the server closed the connection (%d) instead of ending the subscription",
                        client.closeCode()).isNotNull();
                frame = new JsonObject(text);
                frames.add(frame);
            } while (!"unsubscribed".equals(frame.getString("type")));
            assertThat(frame.getString("channel")).isEqualTo("expiring:item");
            assertThat(frame.getString("reason")).isEqualTo("expired");
            assertThat(frames).filteredOn(f -> "subscribed".equals(f.getString("type"))).hasSize(1)
                    .allMatch(f -> f.getBoolean("recovered"));
            List<JsonObject> events = frames.stream().filter(f -> "event".equals(f.getString("type"))).toList();
            assertThat(events).isNotEmpty().hasSizeLessThan(6000);
            assertThat(events).extracting(e -> e.getJsonObject("data").getInteger("n"))
                    .containsExactlyElementsOf(IntStream.range(0, events.size()).boxed().toList());

            // Nothing of the subscription is left: an event the live consumer fans out now is not delivered to it
            // (a witness shows when it was fanned out)...
            try (WsClient witness = WsClient.connect(uri, token)) {
                witness.subscribe("expiring:item");
                records.send("expiring-events", tenant, "item", "{\"n\":-1}");
                witness.events("expiring:item", 1);
                // ...and subscribing again from the last cursor says what was lost, then delivers live once.
                String last = events.get(events.size() - 1).getString("cursor");
                client.sendText(subscribeCommand("again", "expiring:item", last).encode());
                JsonObject again = new JsonObject(client.readText());
                assertThat(again.getString("type")).as("no event of the ended subscription arrives: " + again)
                        .isEqualTo("subscribed");
                assertThat(again.getBoolean("recovered")).isFalse();
                assertThat(again.getString("reason")).isEqualTo("expired");
                records.send("expiring-events", tenant, "item", "{\"n\":1000}");
                records.send("expiring-events", tenant, "item", "{\"n\":1001}");
                witness.events("expiring:item", 2);
                List<Integer> live = new ArrayList<>();
                while (live.size() < 2) {
                    JsonObject f = new JsonObject(client.readText());
                    assertThat(f.getString("type")).isEqualTo("event");
                    live.add(f.getJsonObject("data").getInteger("n"));
                }
                assertThat(live).as("each live event once, not twice").containsExactly(1000, 1001);
            }
        } finally {
            client.close();
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        Await.until(what, WAIT, condition);
    }
}
