package io.streamgate.connection;

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
                    "streamgate.connection.new-burst", "12");
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
        } finally {
            pool.shutdownNow();
        }
    }
}
