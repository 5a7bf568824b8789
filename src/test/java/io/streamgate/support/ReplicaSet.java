package io.streamgate.support;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * Several replicas of the packaged gateway, each a separate OS process, that a test kills and restarts;
 * {@link #anyAlive} is where a load balancer would send a (re)connecting client.
 */
public final class ReplicaSet implements AutoCloseable {

    private final AtomicReferenceArray<GatewayProcess> replicas;
    private final Map<String, String> env;
    private final IntFunction<String> configOfReplica;

    /** Starts {@code count} replicas in parallel; {@code configOfReplica} gives each its application.properties. */
    public ReplicaSet(int count, Map<String, String> env, IntFunction<String> configOfReplica) {
        this.replicas = new AtomicReferenceArray<>(count);
        this.env = env;
        this.configOfReplica = configOfReplica;
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            starting.add(CompletableFuture.runAsync(() -> start(n)));
        }
        try {
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            close(); // the replicas that did start must not outlive the failed test
            throw e;
        }
    }

    /** (Re)starts replica {@code n} and waits until it is ready. */
    public void start(int n) {
        try {
            replicas.set(n, GatewayProcess.start("replica-" + n + "-" + System.nanoTime(), env, configOfReplica.apply(n))
                    .awaitReady(StartupCeiling.PROCESS));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public GatewayProcess get(int n) {
        return replicas.get(n);
    }

    public int size() {
        return replicas.length();
    }

    /** A random replica that is up. */
    public URI anyAlive() {
        List<URI> alive = new ArrayList<>();
        for (int i = 0; i < replicas.length(); i++) {
            GatewayProcess p = replicas.get(i);
            if (p != null && p.isAlive()) {
                alive.add(p.uri());
            }
        }
        return alive.get(ThreadLocalRandom.current().nextInt(alive.size()));
    }

    @Override
    public void close() {
        for (int i = 0; i < replicas.length(); i++) {
            GatewayProcess p = replicas.get(i);
            if (p != null) {
                p.close();
            }
        }
    }
}
