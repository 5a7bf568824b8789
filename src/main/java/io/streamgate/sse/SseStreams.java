package io.streamgate.sse;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.connection.ConnectionBudget;
import io.streamgate.durable.DurableCursorStore;
import io.streamgate.metrics.GatewayMetrics;
import io.streamgate.protocol.CloseCodes;
import io.streamgate.protocol.Frames;
import io.streamgate.subscription.SubscriptionService;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SSE streams open on this replica, by stream id, and what the WebSocket's sweeps do for connections done
 * for them in one periodic pass: heartbeat comments on quiet streams, the token's {@code expiring} warning and
 * close (4401), and the close of a stream stuck over its outbound bound (4008). On shutdown they are closed with
 * 1012 spread over {@code streamgate.drain.window}, as the WebSockets are.
 */
@ApplicationScoped
public class SseStreams {

    private static final Logger LOG = Logger.getLogger(SseStreams.class);

    private final ConcurrentHashMap<String, SseStream> byStreamId = new ConcurrentHashMap<>();

    @Inject
    StreamgateConfig config;

    @Inject
    Vertx vertx;

    @Inject
    SubscriptionService subscriptions;

    @Inject
    ConnectionBudget budget;

    @Inject
    GatewayMetrics metrics;

    @Inject
    DurableCursorStore durableCursors;

    void start(@Observes StartupEvent event) {
        if (config.sse().enabled()) {
            long heartbeat = config.sse().heartbeat().toNanos();
            vertx.setPeriodic(250, id -> sweep(System.nanoTime(), System.currentTimeMillis(), heartbeat));
        }
    }

    void sweep(long nowNanos, long nowMillis, long heartbeatNanos) {
        for (SseStream s : byStreamId.values()) {
            if (s.takeWarning(nowMillis)) {
                s.send(Frames.expiring(s.grant().expiresAtMillis()));
            }
            long closeAt = s.closeAtMillis();
            if (closeAt != 0 && nowMillis >= closeAt) {
                s.close(CloseCodes.TOKEN_EXPIRED);
            } else if (s.isStuckOverLimit()) {
                s.close(CloseCodes.SLOW_CONSUMER);
            } else {
                s.heartbeatIfQuiet(nowNanos, heartbeatNanos);
            }
        }
    }

    /** Registers an open stream; a stream of the same id still open here (a reconnect that overtook) is closed. */
    void add(SseStream stream) {
        SseStream before = byStreamId.put(stream.streamId(), stream);
        if (before != null) {
            before.close(CloseCodes.SERVICE_RESTART);
        }
        metrics.sseOpened();
        metrics.connectionOpened(stream.grant().tenant());
    }

    /** Cleans up after a stream's response ended, whoever ended it. */
    void closed(SseStream stream) {
        if (!stream.finish()) {
            return;
        }
        byStreamId.remove(stream.streamId(), stream);
        subscriptions.unsubscribeAll(stream.subscriptions());
        durableCursors.flushSoon();
        budget.closed(stream.grant().tenant());
        metrics.sseClosed(stream.closeCode());
        metrics.connectionClosed(stream.grant().tenant(), stream.closeCode());
    }

    /**
     * Ends every stream of this replica whose grant matches (the server API's disconnect and revocation, as
     * {@code Sessions.closeWhere} does for WebSockets). Returns how many.
     */
    public int closeWhere(java.util.function.Predicate<io.streamgate.auth.Grant> which, io.quarkus.websockets.next.CloseReason reason) {
        int closed = 0;
        for (SseStream s : byStreamId.values()) {
            if (which.test(s.grant())) {
                s.close(reason);
                closed++;
            }
        }
        return closed;
    }

    SseStream get(String streamId) {
        return byStreamId.get(streamId);
    }

    void schedule(SseStream stream) {
        long now = System.currentTimeMillis();
        long expiresAt = stream.grant().expiresAtMillis();
        stream.expiry(io.streamgate.connection.TokenExpiry.warnAt(expiresAt, now), Math.max(now + 1, expiresAt));
    }

    int count() {
        return byStreamId.size();
    }

    void onPreShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        drain();
    }

    void onShutdown(@Observes @Priority(2) ShutdownEvent event) {
        drain();
    }

    /** Closes every stream with 1012, spread over the drain window; their clients resume on another replica. */
    private synchronized void drain() {
        List<SseStream> open = new ArrayList<>(byStreamId.values());
        if (open.isEmpty()) {
            return;
        }
        Collections.shuffle(open);
        long window = config.drain().window().toMillis();
        LOG.infof("Draining %d SSE streams over %d ms", open.size(), window);
        long start = System.currentTimeMillis();
        try {
            for (int i = 0; i < open.size(); i++) {
                long wait = start + window * i / open.size() - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                open.get(i).close(CloseCodes.SERVICE_RESTART);
            }
            long deadline = System.currentTimeMillis() + 2000;
            while (!byStreamId.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
