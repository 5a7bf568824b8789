package io.streamgate.connection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Limits with small values, in a profile of their own (Quarkus restarts for it). */
@QuarkusTest
@TestProfile(ConnectionLimitsTest.SmallLimits.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectionLimitsTest extends GatewayTest {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamgate.connection.max-per-tenant", "3",
                    "streamgate.connection.max-subscriptions", "2",
                    "streamgate.connection.new-per-second", "1",
                    "streamgate.connection.new-burst", "40",
                    "streamgate.connection.new-per-tenant-per-second", "1",
                    "streamgate.connection.new-per-tenant-burst", "6",
                    "streamgate.connection.max-bad-commands", "5",
                    "streamgate.connection.commands-per-second", "1",
                    "streamgate.connection.commands-burst", "10",
                    "streamgate.connection.refresh-burst", "3");
        }
    }

    @Test
    @Order(1)
    void fourthConnectionOfATenantIsClosedWith4429AndOtherTenantsAreUnaffected() {
        String tenant = "t-" + UUID.randomUUID();
        String token = Tokens.token(tenant, "alice", List.of());
        List<WsClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(WsClient.connect(uri, token));
                open.get(i).await(f -> "welcome".equals(f.getString("type")));
            }
            try (WsClient fourth = WsClient.connect(uri, token)) {
                assertThat(fourth.awaitClose()).isEqualTo(4429);
            }
            try (WsClient other = WsClient.connect(uri, Tokens.token("t-" + UUID.randomUUID(), "bob", List.of()))) {
                assertThat(other.await(f -> "welcome".equals(f.getString("type")))).isNotNull();
            }
        } finally {
            open.forEach(WsClient::close);
        }
    }

    @Test
    @Order(2)
    void subscriptionsBeyondTheLimitAreRefused() {
        try (WsClient client = WsClient.connect(uri, Tokens.token("t-" + UUID.randomUUID(), "alice", List.of("inventory:*")))) {
            client.subscribe("inventory:a");
            client.subscribe("inventory:b");
            JsonObject third = client.subscribe("inventory:c");
            assertThat(third.getString("code")).isEqualTo("too_many_subscriptions");
        }
    }

    @Test
    @Order(3)
    void upgradesFasterThanTheReplicaAcceptsGet429() throws Exception {
        // Forty upgrades at once, so that how long each takes on a loaded machine does not matter: the bucket
        // (burst 12, refilled at 1 per second) accepts at most 12 plus one per second elapsed, and refuses the rest.
        String token = Tokens.token("t-" + UUID.randomUUID(), "alice", List.of());
        double refusedBefore = refused("rate_limited");
        int attempts = 40;
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        try {
            CountDownLatch ready = new CountDownLatch(attempts);
            long started = System.nanoTime();
            List<Future<Integer>> upgrades = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                upgrades.add(pool.submit(() -> {
                    ready.countDown();
                    ready.await();
                    return WsClient.upgradeStatus(uri, token);
                }));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> upgrade : upgrades) {
                statuses.add(upgrade.get(120, TimeUnit.SECONDS));
            }
            long elapsedSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + 1;
            assertThat(statuses).containsOnly(101, 429).contains(429);
            assertThat(statuses.stream().filter(status -> status == 101).count()).isLessThanOrEqualTo(12 + elapsedSeconds);
            // Each 429 is counted, so that an operator sees a storm the limits pace.
            assertThat(refused("rate_limited") - refusedBefore).isEqualTo(statuses.stream().filter(status -> status == 429).count());
        } finally {
            pool.shutdownNow();
        }
    }

    @Inject
    MeterRegistry registry;

    private double refused(String reason) {
        Counter c = registry.find("streamgate.upgrades.refused").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    /** Issue 15, item 10: one tenant's upgrade storm takes its own share of the new-connection rate, not everyone's. */
    @Test
    @Order(4)
    void oneTenantsUpgradeStormDoesNotRefuseOtherTenants() {
        String noisy = Tokens.token("t-" + UUID.randomUUID(), "mallory", List.of());
        List<Integer> statuses = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < 45; i++) {
            statuses.add(WsClient.upgradeStatus(uri, noisy));
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000L + 1;
        assertThat(statuses).contains(429);
        // Its own burst (6) and what its bucket refilled (1/s) meanwhile; the replica's 40 are not its to take.
        assertThat(statuses.stream().filter(s -> s == 101).count()).isLessThanOrEqualTo(6 + seconds);
        assertThat(WsClient.upgradeStatus(uri, Tokens.token("t-" + UUID.randomUUID(), "alice", List.of()))).isEqualTo(101);
    }

    /** Issue 15, item 10: subscribe/unsubscribe/presence churn is rate limited per connection. */
    @Test
    @Order(5)
    void subscribeAndUnsubscribeChurnIsRateLimited() {
        try (WsClient client = WsClient.connect(uri, Tokens.token("t-" + UUID.randomUUID(), "alice", List.of("chat:*")))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String id = client.nextId();
                ids.add(id);
                // Subscribes to distinct channels (beyond max-subscriptions 2: too_many_subscriptions) and presence
                // queries: every one is answered. (An unsubscribe arriving while its subscribe is being set up
                // leaves that subscribe unanswered, so the churn here has none.)
                String type = i % 2 == 0 ? "subscribe" : "presence";
                client.send(new JsonObject().put("type", type).put("id", id).put("channel", "chat:room-" + i));
            }
            List<String> codes = ids.stream().map(client::reply).map(r -> r.getString("code", r.getString("type"))).toList();
            // Burst 10 at 1/s: the commands beyond the burst, sent within milliseconds, are refused.
            assertThat(codes.stream().filter("rate_limited"::equals).count()).as("%s", codes).isGreaterThanOrEqualTo(4);
            assertThat(codes.subList(0, 4)).containsExactly("subscribed", "presence", "subscribed", "presence");
            assertThat(client.isClosed()).isFalse();
        }
    }

    /** Issue 15, item 10: refresh (a signature check on the worker pool) is rate limited and its failures are bad commands. */
    @Test
    @Order(6)
    void refreshIsRateLimitedAndFailedRefreshesCountAsBadCommands() {
        try (WsClient client = WsClient.connect(uri, Tokens.token("t-" + UUID.randomUUID(), "alice", List.of()))) {
            client.await(f -> "welcome".equals(f.getString("type")));
            List<String> codes = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String id = client.nextId();
                client.send(new JsonObject().put("type", "refresh").put("id", id).put("token", "not-a-token"));
                codes.add(client.reply(id).getString("code"));
            }
            assertThat(codes).containsExactly("unauthorized", "unauthorized", "unauthorized", "rate_limited", "rate_limited");
            // Three failed refreshes count as bad commands: three more (max-bad-commands 5) and the connection is closed.
            for (int i = 0; i < 3; i++) {
                client.sendText("{\"type\":\"dance\"}");
            }
            assertThat(client.awaitClose()).isEqualTo(1008);
        }
    }
}
