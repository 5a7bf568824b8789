package io.streamgate.connection;

import io.quarkus.runtime.StartupEvent;
import io.streamgate.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connection churn for operators at INFO: once a minute, and only when connections opened or closed in it,
 * one line with how many opened and how many closed, by close code, so that the line says why connections
 * ended ({@code 1001} idle, {@code 4008} slow consumers, {@code 4401} expired tokens, {@code 1012} a drain...).
 * Codes are those of {@code streamgate_disconnects_total} (RFC 6455's and the protocol's; any other code a
 * client closes with counts as {@code other}), so a client cannot make the line grow. The per-connection lines
 * are at DEBUG: at 10,000 connections one line each would drown everything else.
 * <p>
 * Counts are cumulative (updated from any event loop, never reset); a summary reports what changed since the
 * previous one, so a test can wait for its closes to be counted without racing the timer's summary.
 */
@ApplicationScoped
public class ConnectionChurn {

    private static final Logger LOG = Logger.getLogger(ConnectionChurn.class);
    private static final long INTERVAL_MILLIS = 60_000;

    private final LongAdder opened = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> closedByCode = new ConcurrentHashMap<>();
    private long openedAtLastSummary;
    private final Map<String, Long> closedAtLastSummary = new TreeMap<>();

    @Inject
    Vertx vertx;

    @Inject
    Sessions sessions;

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(INTERVAL_MILLIS, id -> logSummary());
    }

    void opened() {
        opened.increment();
    }

    void closed(int code) {
        closedByCode.computeIfAbsent(GatewayMetrics.closeCodeTag(code), c -> new LongAdder()).increment();
    }

    /** Closes counted since start by close code (as in the summary): for tests, which must not race the timer. */
    Map<String, Long> closedSinceStart() {
        Map<String, Long> closed = new TreeMap<>();
        closedByCode.forEach((code, count) -> closed.put(code, count.sum()));
        return closed;
    }

    /** Logs what changed since the previous summary, if anything did. */
    synchronized void logSummary() {
        long openedNow = opened.sum();
        long openedInInterval = openedNow - openedAtLastSummary;
        openedAtLastSummary = openedNow;
        Map<String, Long> closed = new TreeMap<>();
        closedSinceStart().forEach((code, total) -> {
            long n = total - closedAtLastSummary.getOrDefault(code, 0L);
            closedAtLastSummary.put(code, total);
            if (n > 0) {
                closed.put(code, n);
            }
        });
        if (openedInInterval == 0 && closed.isEmpty()) {
            return;
        }
        long closedTotal = closed.values().stream().mapToLong(Long::longValue).sum();
        LOG.infof("Connections in the last %d s: %d opened, %d closed (by close code: %s); %d open", INTERVAL_MILLIS / 1000,
                openedInInterval, closedTotal, closed.isEmpty() ? "none" : codes(closed), sessions.count());
    }

    /** "1000=3, 4008=1": what an operator greps for. */
    private static String codes(Map<String, Long> closed) {
        StringBuilder line = new StringBuilder();
        closed.forEach((code, n) -> line.append(line.length() == 0 ? "" : ", ").append(code).append('=').append(n));
        return line.toString();
    }
}
