package io.streamgate.subscription;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, item 8: a refresh that narrows the grant also covers a subscription still being set up. Here the
 * durable-cursor lookup of a {@code resume: true} subscribe is held up by a table lock the test takes in
 * PostgreSQL; the refresh arrives meanwhile, and the subscribe must end {@code forbidden}, not complete under
 * the old grant.
 */
@QuarkusTest
class RefreshNarrowsPendingTest extends GatewayTest {

    @Test
    void aSubscribeWaitingForItsDurableCursorEndsForbiddenWhenARefreshNarrowsTheGrant() throws Exception {
        var config = TestStack.get().config();
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*", "orders:*")));
                Connection db = DriverManager.getConnection("jdbc:" + config.get("quarkus.datasource.reactive.url"),
                        config.get("quarkus.datasource.username"), config.get("quarkus.datasource.password"))) {
            client.await(f -> "welcome".equals(f.getString("type")));
            db.setAutoCommit(false);
            db.createStatement().execute("LOCK TABLE streamgate_cursor IN ACCESS EXCLUSIVE MODE");
            String subscribe = client.nextId();
            client.send(new JsonObject().put("type", "subscribe").put("id", subscribe).put("channel", "inventory:pending-1")
                    .put("resume", true));
            // Commands run in order on the connection's event loop: the subscribe is waiting for its lookup, behind
            // the lock, when the refresh arrives.

            String refresh = client.nextId();
            client.send(new JsonObject().put("type", "refresh").put("id", refresh)
                    .put("token", Tokens.token(tenant, "alice", List.of("orders:*"))));
            assertThat(client.reply(refresh).getString("type")).isEqualTo("refreshed");
            db.rollback(); // the lookup goes on

            JsonObject answer = client.reply(subscribe);
            assertThat(answer.getString("type")).isEqualTo("error");
            assertThat(answer.getString("code")).isEqualTo("forbidden");
            records.send("inventory-events", tenant, "pending-1", "{\"n\":1}");
            assertThat(client.settle(Duration.ofMillis(700))).noneMatch(f -> "event".equals(f.getString("type"))
                    || "subscribed".equals(f.getString("type")));
            // The channel is free again: subscribing to it is refused by the new grant, not as "already subscribed".
            assertThat(client.subscribe("inventory:pending-1").getString("code")).isEqualTo("forbidden");
        }
    }
}
