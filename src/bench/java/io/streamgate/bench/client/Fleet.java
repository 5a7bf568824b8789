package io.streamgate.bench.client;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The load generator's connections: one Vert.x with one event loop per core, and per loopback source address
 * (127.0.0.2, 127.0.0.3, ...) one TCP client for the subscribers' {@link RawWebSocket}s, so that tens of
 * thousands of connections to one server port never run out of ephemeral ports, also while earlier runs'
 * sockets sit in TIME_WAIT.
 */
public final class Fleet implements AutoCloseable {

    private final Vertx vertx;
    private final List<NetClient> netClients = new ArrayList<>();

    public Fleet(int sourceAddresses) {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())
                .setBlockedThreadCheckInterval(10_000));
        for (int i = 0; i < sourceAddresses; i++) {
            netClients.add(vertx.createNetClient(new NetClientOptions().setLocalAddress("127.0.0." + (i + 2))
                    .setConnectTimeout(30_000).setTcpNoDelay(true)));
        }
    }

    public Vertx vertx() {
        return vertx;
    }

    NetClient netClientFor(int clientIndex) {
        return netClients.get(clientIndex % netClients.size());
    }

    /**
     * Connects and subscribes every client, at most {@code inFlight} handshakes at a time, each retried on
     * failure; returns once all are subscribed.
     */
    public void connectAll(List<? extends LoadClient> clients, int inFlight, Duration timeout) throws Exception {
        Semaphore slots = new Semaphore(inFlight);
        List<CompletableFuture<Void>> all = new ArrayList<>(clients.size());
        for (LoadClient client : clients) {
            if (!slots.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("connecting took longer than " + timeout);
            }
            all.add(client.connectWithRetries().whenComplete((ok, failure) -> slots.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** All clients at once, as after a network outage: every reconnect starts together. */
    public static CompletableFuture<Void> reconnectAll(List<? extends LoadClient> clients) {
        return CompletableFuture.allOf(clients.stream().map(LoadClient::connectWithRetries).toArray(CompletableFuture[]::new));
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort at the end of a run
        }
    }
}
