package io.streamgate.durable;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.stream.Cursor;
import io.streamgate.stream.Epoch;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15, item 13: the durable cursor table and the write-behind stay bounded. The test profile keeps at most 3
 * client ids per subject, purges rows untouched for longer than {@code streamgate.cursors.retention} every second.
 */
@QuarkusTest
class DurableCursorLimitsTest extends GatewayTest {

    private static final Epoch EPOCH = new Epoch("AAAAAAAAAAAAAAAAAAAAAA", 3);

    @Inject
    DurableCursorStore store;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Test
    void aRowPostgreSqlRefusesIsDroppedAloneAndCounted() {
        // A sub over the 255 characters of its column is not even kept (its connection's ack gets bad_request).
        assertThat(store.ack(new DurableCursor.Key(tenant, "x".repeat(300), "", "inventory:a"), new Cursor(EPOCH, 1, 5))).isFalse();
        // A sub with a NUL character passes those checks (a token may carry one), and PostgreSQL's text cannot hold
        // it: the row is refused, in the same flush as a well-formed row.
        double refusedBefore = writeFailures(DurableCursorStore.REFUSED);
        double unavailableBefore = writeFailures(DurableCursorStore.UNAVAILABLE);
        assertThat(store.ack(new DurableCursor.Key(tenant, "nul\u0000sub", "", "inventory:a"), new Cursor(EPOCH, 1, 5))).isTrue();
        assertThat(store.ack(new DurableCursor.Key(tenant, "alice", "", "inventory:a"), new Cursor(EPOCH, 1, 7))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> clientIds("alice").size() == 1);
        // The bad row is dropped (logged and counted), not retried forever, and the store reports no outage.
        await().atMost(Duration.ofSeconds(10)).until(() -> writeFailures(DurableCursorStore.REFUSED) == refusedBefore + 1);
        assertThat(store.lastError()).isNull();
        assertThat(writeFailures(DurableCursorStore.UNAVAILABLE)).isEqualTo(unavailableBefore);
    }

    /** streamgate_cursor_write_failures_total{reason}: registered at start, so present before any failure. */
    private double writeFailures(String reason) {
        return registry.get("streamgate.cursor.write.failures").tag("reason", reason).counter().count();
    }

    @Test
    void anAckFromAConnectionWhoseSubCannotBeStoredGetsAClearError() {
        String sub = "s".repeat(256);
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, sub, List.of("inventory:*")))) {
            client.subscribe("inventory:long");
            records.send("inventory-events", tenant, "long", "{\"n\":1}");
            String cursor = client.events("inventory:long", 1).get(0).getString("cursor");
            client.ack("inventory:long", cursor);
            JsonObject error = client.await(f -> "error".equals(f.getString("type")));
            assertThat(error.getString("code")).isEqualTo("bad_request");
            assertThat(error.getString("message")).contains("255");
        }
    }

    @Test
    void aSubjectKeepsTheMostRecentlyUsedClientIdsOnly() throws Exception {
        List<String> ids = List.of("c1", "c2", "c3", "c4", "c5");
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            store.ack(new DurableCursor.Key(tenant, "bob", id, "inventory:b"), new Cursor(EPOCH, 0, i));
            await().atMost(Duration.ofSeconds(10)).until(() -> clientIds("bob").contains(id));
        }
        assertThat(clientIds("bob")).containsExactlyInAnyOrder("c3", "c4", "c5");
    }

    @Test
    void rowsUntouchedForLongerThanTheRetentionAreDeleted() throws Exception {
        execute("INSERT INTO streamgate_cursor (tenant, subject, client_id, channel, topic_id, partitions, kafka_partition,"
                + " kafka_offset, updated_at) VALUES ('" + tenant + "', 'carol', 'old', 'inventory:c', 'AAAAAAAAAAAAAAAAAAAAAA', 3,"
                + " 0, 1, now() - interval '31 days'), ('" + tenant + "', 'carol', 'new', 'inventory:c',"
                + " 'AAAAAAAAAAAAAAAAAAAAAA', 3, 0, 1, now())");
        await().atMost(Duration.ofSeconds(10)).until(() -> clientIds("carol").equals(List.of("new")));
    }

    private List<String> clientIds(String subject) throws SQLException {
        try (Connection c = jdbc(); var st = c.prepareStatement(
                "SELECT client_id FROM streamgate_cursor WHERE tenant=? AND subject=? ORDER BY client_id")) {
            st.setString(1, tenant);
            st.setString(2, subject);
            List<String> result = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    result.add(rs.getString(1));
                }
            }
            return result;
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = jdbc(); var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static Connection jdbc() throws SQLException {
        var config = TestStack.get().config();
        return DriverManager.getConnection("jdbc:" + config.get("quarkus.datasource.reactive.url"),
                config.get("quarkus.datasource.username"), config.get("quarkus.datasource.password"));
    }
}
