package io.streamgate.connection;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connection churn for operators at INFO: once a minute, and only when connections opened or closed in it,
 * one line with how many opened and how many closed by close code. The per-connection lines are at DEBUG:
 * at 10,000 connections one line each would drown everything else. Counters are updated from any event
 * loop; the summary takes and resets them.
 */
@ApplicationScoped
public class ConnectionChurn {

    private static final Logger LOG = Logger.getLogger(ConnectionChurn.class);
    private static final long INTERVAL_MILLIS = 60_000;

    private final AtomicLong opened = new AtomicLong();
    private final ConcurrentHashMap<Integer, AtomicLong> closedByCode = new ConcurrentHashMap<>();

    @Inject
    Vertx vertx;

    @Inject
    Sessions sessions;

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(INTERVAL_MILLIS, id -> logSummary());
    }

    void opened() {
        opened.incrementAndGet();
    }

    void closed(int code) {
        closedByCode.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
    }

    private void logSummary() {
        long openedNow = opened.getAndSet(0);
        Map<Integer, Long> closed = new TreeMap<>();
        closedByCode.forEach((code, count) -> {
            long n = count.getAndSet(0);
            if (n > 0) {
                closed.put(code, n);
            }
        });
        if (openedNow == 0 && closed.isEmpty()) {
            return;
        }
        long closedTotal = closed.values().stream().mapToLong(Long::longValue).sum();
        LOG.infof("Connections in the last %d s: %d opened, %d closed %s; %d open", INTERVAL_MILLIS / 1000, openedNow,
                closedTotal, closed, sessions.count());
    }
}
