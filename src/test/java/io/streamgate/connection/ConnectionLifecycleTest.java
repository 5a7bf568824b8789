package io.streamgate.connection;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Records;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Tokens over a long-lived connection, slow consumers and dead connections. */
@QuarkusTest
class ConnectionLifecycleTest extends GatewayTest {

    private static JsonObject refresh(WsClient client, String token) {
        String id = client.nextId();
        client.send(new JsonObject().put("type", "refresh").put("id", id).put("token", token));
        return client.reply(id);
    }

    @Test
    void refreshWithATokenOfTheSameSubjectExtendsTheConnectionAndNarrowsItsGrant() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            client.subscribe("inventory:sku-1");
            client.subscribe("inventory:sku-2");
            String narrower = Tokens.sign(Tokens.claims(tenant, "alice", List.of("inventory:sku-1"), List.of()).expiresIn(7200));
            JsonObject refreshed = refresh(client, narrower);
            assertThat(refreshed.getString("type")).isEqualTo("refreshed");
            assertThat(refreshed.getLong("expires_at")).isGreaterThan(System.currentTimeMillis() + 3_600_000);

            JsonObject revoked = client.await(f -> "unsubscribed".equals(f.getString("type")));
            assertThat(revoked.getString("channel")).isEqualTo("inventory:sku-2");
            assertThat(revoked.getString("reason")).isEqualTo("forbidden");

            records.send("inventory-events", tenant, "sku-2", "{\"n\":2}");
            records.send("inventory-events", tenant, "sku-1", "{\"n\":1}");
            assertThat(client.events(null, 1).get(0).getString("channel")).isEqualTo("inventory:sku-1");
        }
    }

    @Test
    void refreshWithAnotherSubjectTenantOrABadTokenIsUnauthorizedAndChangesNothing() throws Exception {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            client.subscribe("inventory:sku-1");
            for (String token : List.of(Tokens.token(tenant, "mallory", List.of("*")), Tokens.token("other", "alice", List.of("*")),
                    Tokens.foreignSigned(tenant, "alice"), "garbage")) {
                JsonObject reply = refresh(client, token);
                assertThat(reply.getString("type")).isEqualTo("error");
                assertThat(reply.getString("code")).isEqualTo("unauthorized");
            }
            records.send("inventory-events", tenant, "sku-1", "{\"n\":1}");
            assertThat(client.events("inventory:sku-1", 1)).hasSize(1);
        }
    }

    @Test
    void connectionIsWarnedAndThenClosedWith4401WhenItsTokenExpires() {
        // 'exp' is whole seconds: chosen here, so the test knows the very instant the gateway holds the
        // connection to, however late a loaded machine delivers the frames (5 to 6 s to connect in).
        long exp = Instant.now().getEpochSecond() + 6;
        String shortLived = Tokens.sign(Tokens.claims(tenant, "alice", List.of(), List.of()).expiresAt(exp));
        try (WsClient client = WsClient.connect(uri, shortLived)) {
            JsonObject expiring = client.await(f -> "expiring".equals(f.getString("type")));
            assertThat(expiring.getLong("expires_at")).isEqualTo(exp * 1000);
            assertThat(client.awaitClose()).isEqualTo(4401);
            assertThat(System.currentTimeMillis()).as("closed no earlier than the token's expiry").isGreaterThanOrEqualTo(exp * 1000);
        }
    }

    @Test
    void slowConsumerIsClosedWith4008WhileOthersGetEveryEvent() throws Exception {
        try (WsClient slow = WsClient.connect(uri, Tokens.token(tenant, "slow", List.of("inventory:*")));
                WsClient fast = WsClient.connect(uri, Tokens.token(tenant, "fast", List.of("inventory:*")))) {
            slow.subscribe("inventory:bulk");
            fast.subscribe("inventory:steady");
            slow.stopReading();
            // It stops reading but stays alive, as a phone on a congested network does: it still pings, so the
            // idle check (1001) cannot close it first, however long a loaded machine takes to produce the burst.
            ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
            pinger.scheduleAtFixedRate(() -> slow.sendPing(new byte[] {1}), 0, 1, TimeUnit.SECONDS);
            try {
                expectSlowClosedWhileFastGetsEverything(slow, fast);
            } finally {
                pinger.shutdownNow();
            }
        }
    }

    private void expectSlowClosedWhileFastGetsEverything(WsClient slow, WsClient fast) throws Exception {
        // 12 MB for the client that stopped reading, on a channel of the same tenant, so in the same partition
        // and the same fan-out as the reading client's channel. The reading client gets a steady trickle
        // interleaved with the burst: it is never near the queue bound however slowly a loaded machine runs
        // it, so the test shows the backlog of one connection holding up no other, not which client reads
        // faster than Kafka is fetched (a client as far behind as the bound in a burst is slow by design).
        String padding = "x".repeat(4000);
        List<String> steady = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            acks.add(records.sendAsync(Records.record("inventory-events", tenant, "bulk", "{\"n\":" + i + ",\"pad\":\"" + padding + "\"}")));
            if (i % 30 == 0) {
                acks.add(records.sendAsync(Records.record("inventory-events", tenant, "steady", "{\"n\":" + i / 30 + "}")));
                steady.add(String.valueOf(i / 30));
            }
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(60, TimeUnit.SECONDS);
        }

        List<JsonObject> events = fast.events("inventory:steady", steady.size());
        assertThat(events).extracting(e -> String.valueOf(e.getJsonObject("data").getInteger("n")))
                .containsExactlyElementsOf(steady);
        // Reading again, the slow client finds what fitted in its queue, then the close frame.
        slow.resumeReading();
        assertThat(slow.awaitClose()).isEqualTo(4008);
        assertThat(slow.pending().stream().filter(f -> "event".equals(f.getString("type"))).count()).isLessThan(3000);
    }

    @Test
    void connectionThatNeverAnswersPingsIsClosed() throws Exception {
        // A raw socket that completes the upgrade and then never reads or answers a ping: a phone gone dark.
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            String key = Base64.getEncoder().encodeToString(UUID.randomUUID().toString().substring(0, 16).getBytes());
            out.write(("GET /v1/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                    + "Authorization: Bearer " + Tokens.token(tenant, "dark", List.of()) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
            // Read (and ignore) whatever comes until the server closes: its close frame, then EOF.
            socket.setSoTimeout(20_000);
            long start = System.nanoTime();
            byte[] buffer = new byte[4096];
            boolean sawClose = false;
            int pings = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                for (int i = 0; i < n - 1; i++) {
                    // the sweep's ping: FIN + opcode 9, no payload (JSON text frames hold no byte 0x89)
                    if ((buffer[i] & 0xff) == 0x89 && buffer[i + 1] == 0) {
                        pings++;
                    }
                }
                for (int i = 0; i < n - 3; i++) {
                    // close frame: FIN + opcode 8, then the status 1001 (0x03E9)
                    if ((buffer[i] & 0xff) == 0x88 && (buffer[i + 2] & 0xff) == 0x03 && (buffer[i + 3] & 0xff) == 0xE9) {
                        sawClose = true;
                    }
                }
                if (sawClose) {
                    break;
                }
            }
            assertThat(sawClose).as("close frame with 1001").isTrue();
            // Pinged every second (the test profile's ping-interval) until the 5 s idle timeout closed it.
            assertThat(pings).as("pings before the close").isGreaterThanOrEqualTo(2);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        }
    }
}
