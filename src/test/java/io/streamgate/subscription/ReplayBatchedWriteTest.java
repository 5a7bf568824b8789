package io.streamgate.subscription;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.Await;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.StalledSocket;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replay writes a fetch's events as one batch per event loop (one flush per client), with frames encoded once and
 * shared by the clients of a channel. Against the real broker and real sockets: every client gets its events in
 * order and once, a client that goes away in the middle of a batch takes nothing from the others, and a client
 * that stops reading is still parked and closed with 4008 after the grace (the default 2 s) while the others of
 * the same reads go live.
 */
@QuarkusTest
class ReplayBatchedWriteTest extends GatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    MeterRegistry registry;

    private String token() {
        return Tokens.token(tenant, "user", List.of("inventory:*"));
    }

    /** The cursor of the channel's current position, taken by a client that then leaves. */
    private String currentCursor(String channel) {
        try (WsClient c = WsClient.connect(uri, token())) {
            return c.subscribe(channel).getString("cursor");
        }
    }

    private void produce(String subject, int from, int to, int bytes) {
        String padding = "x".repeat(Math.max(0, bytes - 20));
        records.sendAll("inventory-events", tenant, subject,
                IntStream.range(from, to).mapToObj(i -> "{\"n\":" + i + ",\"p\":\"" + padding + "\"}").toList());
    }

    private static JsonObject subscribeCommand(String id, String channel, String since) {
        return new JsonObject().put("type", "subscribe").put("id", id).put("channel", channel).put("since", since);
    }

    private static List<Integer> numbers(List<JsonObject> events) {
        return events.stream().map(e -> e.getJsonObject("data").getInteger("n")).toList();
    }

    private double waiting() {
        return registry.get("streamgate.replay.waiting").gauge().value();
    }

    private double closedSlow() {
        return registry.get("streamgate.replay.closed.slow").functionCounter().count();
    }

    private double parked() {
        return registry.get("streamgate.replay.parked").gauge().value();
    }

    @Test
    void clientsResumingTogetherGetEveryEventInOrderOnceAndOneLeavingMidBatchTakesNothingFromTheOthers() {
        int missed = 5000;
        String cursor = currentCursor("inventory:batch");
        produce("batch", 0, missed, 200);
        List<WsClient> clients = new ArrayList<>();
        StalledSocket leaver = StalledSocket.connect(uri, token());
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(WsClient.connect(uri, token()));
            }
            // All ask at once, so that they share the reads and every batch holds frames for the leaver too.
            leaver.sendText(subscribeCommand("l", "inventory:batch", cursor).encode());
            for (WsClient c : clients) {
                c.send(subscribeCommand("r", "inventory:batch", cursor));
            }
            // The leaver reads its confirmation and a first event, then its socket closes with history still to go.
            String text;
            do {
                text = leaver.readText();
                assertThat(text).as("the leaver's connection ended early").isNotNull();
            } while (!"event".equals(new JsonObject(text).getString("type")));
            leaver.close();

            for (WsClient c : clients) {
                assertThat(c.reply("r").getBoolean("recovered")).isTrue();
                assertThat(numbers(c.events("inventory:batch", missed)))
                        .containsExactlyElementsOf(IntStream.range(0, missed).boxed().toList());
            }
            // Live after the seam, once each, nothing left of the replay.
            produce("batch", missed, missed + 3, 200);
            for (WsClient c : clients) {
                assertThat(numbers(c.events("inventory:batch", 3))).containsExactly(missed, missed + 1, missed + 2);
                assertThat(c.settle(Duration.ofMillis(200))).noneMatch(f -> "event".equals(f.getString("type")));
            }
            awaitTrue("no resume left waiting", () -> waiting() == 0);
        } finally {
            leaver.close();
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void aClientThatStopsReadingIsParkedAndClosedWith4008WhileAnotherOfTheSameReadsGoesLive() {
        String cursor = currentCursor("inventory:big");
        // 8 MB: more than the socket buffers and the 1 MiB outbound queue of the client that does not read.
        produce("big", 0, 2000, 4000);
        double closedAtStart = closedSlow();
        StalledSocket stalled = StalledSocket.connect(uri, token());
        try (WsClient reader = WsClient.connect(uri, token())) {
            stalled.sendText(subscribeCommand("s", "inventory:big", cursor).encode());
            reader.send(subscribeCommand("r", "inventory:big", cursor));
            assertThat(reader.reply("r").getBoolean("recovered")).isTrue();
            assertThat(numbers(reader.events("inventory:big", 2000)))
                    .containsExactlyElementsOf(IntStream.range(0, 2000).boxed().toList());
            awaitTrue("the stalled client parked or already closed", () -> parked() >= 1 || closedSlow() > closedAtStart);

            awaitTrue("the stalled client closed as slow", () -> closedSlow() >= closedAtStart + 1);
            assertThat(stalled.readUntilClose()).isEqualTo(4008);
            // The reader, which shared every read with it, is live: the next event arrives once.
            produce("big", 2000, 2001, 100);
            assertThat(numbers(reader.events("inventory:big", 1))).containsExactly(2000);
        } finally {
            stalled.close();
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        Await.until(what, WAIT, condition);
    }
}
