package io.streamgate.packaged;

import io.streamgate.support.GatewayProcess;
import io.streamgate.support.StartupCeiling;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** SIGTERM on the packaged application: readiness down, upgrades refused, connections closed with 1012 over the window. */
class DrainIT {

    @Test
    void sigtermDrainsConnectionsWith1012SpreadOverTheWindow() throws Exception {
        Map<String, String> env = GatewayProcess.environmentFor(TestStack.get());
        env.put("STREAMGATE_DRAIN_WINDOW", "PT3S");
        try (GatewayProcess gateway = GatewayProcess.start("drain", env,
                "streamgate.namespaces.\"inventory\".topic=inventory-events\n").awaitReady(StartupCeiling.PROCESS)) {
            String token = Tokens.token("acme", "alice", List.of("inventory:*"));
            List<WsClient> clients = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                clients.add(WsClient.connect(gateway.uri(), token));
            }
            Map<Integer, Long> closedAt = new ConcurrentHashMap<>();
            List<CompletableFuture<Integer>> codes = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                WsClient c = clients.get(i);
                int n = i;
                codes.add(CompletableFuture.supplyAsync(() -> {
                    int code = c.awaitClose();
                    closedAt.put(n, System.nanoTime());
                    return code;
                }));
            }
            long sigterm = System.nanoTime();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return gateway.stop(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });

            // While draining: not ready, and no new connections. SIGTERM goes out from another thread: wait for
            // readiness to go down rather than guess how long that takes on a loaded machine.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> gateway.readiness().statusCode(), status -> status == 503);
            assertThat(WsClient.upgradeStatus(gateway.uri(), token)).isEqualTo(503);

            for (CompletableFuture<Integer> code : codes) {
                assertThat(code.get()).isEqualTo(1012);
            }
            exit.get();
            long first = closedAt.values().stream().mapToLong(Long::longValue).min().orElseThrow();
            long last = closedAt.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            // Spread over the 3 s window, not all at once.
            assertThat(Duration.ofNanos(last - first)).isGreaterThan(Duration.ofMillis(1500));
            assertThat(Duration.ofNanos(last - sigterm)).isLessThan(Duration.ofSeconds(10));
            assertThat(gateway.output()).contains("Draining 30 connections");
            clients.forEach(WsClient::close);
        }
    }
}
