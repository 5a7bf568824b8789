package io.streamgate.packaged;

import io.streamgate.support.GatewayProcess;
import io.streamgate.support.Records;
import io.streamgate.support.StartupCeiling;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Durable cursors across a gateway restart and through a PostgreSQL outage, with the packaged jar as a
 * separate process and PostgreSQL stopped and started for real.
 */
class DurableCursorOutageIT {

    private static final String NAMESPACES = "streamgate.namespaces.\"inventory\".topic=inventory-events\n";

    private final String tenant = "t-" + UUID.randomUUID();



    private void produce(Records records, int from, int to) {
        IntStream.range(from, to).forEach(i -> records.send("inventory-events", tenant, "sku-1", "{\"n\":" + i + "}"));
    }

    private static List<Integer> numbers(List<JsonObject> events) {
        return events.stream().map(e -> e.getJsonObject("data").getInteger("n")).toList();
    }

    @Test
    void acksWrittenOnShutdownLetTheNextGatewayResume() throws Exception {
        Map<String, String> env = GatewayProcess.environmentFor(TestStack.get());
        env.put("STREAMGATE_CURSORS_FLUSH_INTERVAL", "PT1H"); // only the shutdown flush can write them
        String token = Tokens.token(tenant, "alice", List.of("inventory:*"));
        try (Records records = new Records()) {
            try (GatewayProcess first = GatewayProcess.start("restart-a", env, NAMESPACES).awaitReady(StartupCeiling.PROCESS)) {
                WsClient client = WsClient.connect(first.uri(), token);
                client.resume("inventory:sku-1");
                produce(records, 0, 3);
                List<JsonObject> seen = client.events("inventory:sku-1", 3);
                client.ack("inventory:sku-1", seen.get(2).getString("cursor"));
                // Commands are handled in order: once this reply is here, the ack before it was taken.
                assertThat(client.unsubscribe("inventory:not-subscribed").getString("code")).isEqualTo("bad_request");
                first.stop(Duration.ofSeconds(60));
                client.close();
            }
            produce(records, 3, 5);
            try (GatewayProcess second = GatewayProcess.start("restart-b", env, NAMESPACES).awaitReady(StartupCeiling.PROCESS);
                    WsClient client = WsClient.connect(second.uri(), token)) {
                assertThat(client.resume("inventory:sku-1").getBoolean("recovered")).isTrue();
                assertThat(numbers(client.events("inventory:sku-1", 2))).containsExactly(3, 4);
                produce(records, 5, 6); // sentinel: the next event is this one, nothing repeated before it
                assertThat(numbers(client.events("inventory:sku-1", 1))).containsExactly(5);
            }
        }
    }

    @Test
    void databaseOutageDoesNotStopLiveDeliveryAndAcksAreWrittenWhenItReturns() throws Exception {
        Path dataDir = Files.createTempDirectory("streamgate-pg-outage");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmbeddedPostgres postgres = startPostgres(port, dataDir);
        Map<String, String> env = GatewayProcess.environmentFor(TestStack.get());
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://localhost:" + port + "/postgres");
        env.put("STREAMGATE_CURSORS_FLUSH_INTERVAL", "PT0.2S");
        try (Records records = new Records();
                GatewayProcess gateway = GatewayProcess.start("pg-outage", env, NAMESPACES).awaitReady(StartupCeiling.PROCESS);
                WsClient client = WsClient.connect(gateway.uri(), Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            client.resume("inventory:sku-1");
            produce(records, 0, 2);
            client.ack("inventory:sku-1", client.events("inventory:sku-1", 2).get(1).getString("cursor"));
            await().atMost(Duration.ofSeconds(10)).until(() -> storedOffset(port) >= 0);
            assertThat(writeFailures(gateway, "unavailable")).isZero();

            postgres.close(); // PostgreSQL goes away
            produce(records, 2, 4);
            List<JsonObject> live = client.events("inventory:sku-1", 2);
            assertThat(numbers(live)).containsExactly(2, 3);
            client.ack("inventory:sku-1", live.get(1).getString("cursor"));
            long lastOffset = Long.parseLong(live.get(1).getString("cursor").replaceAll(".*\\.", ""));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                var ready = gateway.readiness();
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(ready.body()).contains("degraded");
            });
            assertThat(gateway.isAlive()).isTrue();
            // Each flush PostgreSQL does not take is counted, for the StreamgateDurableCursorWritesFailing alert.
            assertThat(writeFailures(gateway, "unavailable")).isPositive();
            assertThat(writeFailures(gateway, "refused")).isZero();
            // A resume that needs the database while it is away: not recovered, reason unavailable, and live.
            try (WsClient other = WsClient.connect(gateway.uri(), Tokens.token(tenant, "alice", List.of("inventory:*")))) {
                JsonObject subscribed = other.resume("inventory:sku-2");
                assertThat(subscribed.getString("type")).isEqualTo("subscribed");
                assertThat(subscribed.getBoolean("recovered")).isFalse();
                assertThat(subscribed.getString("reason")).isEqualTo("unavailable");
                records.send("inventory-events", tenant, "sku-2", "{\"n\":100}");
                assertThat(numbers(other.events("inventory:sku-2", 1))).containsExactly(100);
            }

            postgres = startPostgres(port, dataDir); // and comes back with its data
            await().atMost(Duration.ofSeconds(30)).until(() -> storedOffset(port) == lastOffset);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(gateway.readiness().body())
                    .doesNotContain("degraded"));
        } finally {
            postgres.close();
        }
    }

    /** streamgate_cursor_write_failures_total{reason} as the gateway exports it (registered at start, so present at 0). */
    private static double writeFailures(GatewayProcess gateway, String reason) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^streamgate_cursor_write_failures_total\\{[^}]*reason=\""
                + reason + "\"[^}]*} (\\S+)$").matcher(gateway.get("q/metrics").body());
        assertThat(m.find()).as("streamgate_cursor_write_failures_total{reason=%s} exported", reason).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** Keeps its data directory on close (clean would delete it), so a second start is a restart. */
    private static EmbeddedPostgres startPostgres(int port, Path dataDir) throws Exception {
        return EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDir).setCleanDataDirectory(false).start();
    }

    private long storedOffset(int port) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "postgres");
                var st = c.prepareStatement("SELECT kafka_offset FROM streamgate_cursor WHERE tenant=?")) {
            st.setString(1, tenant);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        } catch (Exception e) {
            return -2; // not reachable (yet)
        }
    }
}
