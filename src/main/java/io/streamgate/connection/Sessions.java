package io.streamgate.connection;

import io.quarkus.runtime.StartupEvent;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.protocol.CloseCodes;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The sessions open on this replica, by connection id. One periodic sweep over them pings each every
 * {@code streamgate.connection.ping-interval} (instead of a timer per connection: a timer is a few hundred bytes
 * of heap each), and closes the ones from which nothing has arrived for {@code streamgate.connection.idle-timeout}
 * (a phone that vanished in a tunnel does not say goodbye; a live client answers the pings) or whose outbound queue
 * stayed over its bound.
 */
@ApplicationScoped
public class Sessions {

    @Inject
    StreamgateConfig config;

    @Inject
    Vertx vertx;

    void startSweep(@Observes StartupEvent event) {
        long timeout = config.connection().idleTimeout().toNanos();
        long pingEvery = config.connection().pingInterval().toNanos();
        // Often enough that pings keep their interval to within a quarter of it (and at most a second late).
        long period = Math.max(100, Math.min(1000, config.connection().pingInterval().toMillis() / 4));
        vertx.setPeriodic(period, id -> sweep(System.nanoTime(), timeout, pingEvery));
    }

    void sweep(long now, long idleTimeoutNanos, long pingEveryNanos) {
        Map<Executor, List<ClientSession>> duePings = new HashMap<>();
        for (ClientSession s : byId.values()) {
            if (s.isStuckOverLimit()) {
                s.close(CloseCodes.SLOW_CONSUMER);
            } else if (s.idleNanos() > idleTimeoutNanos) {
                // Silent with its queue over the bound: it stopped reading (so it reads no pings either).
                s.close(s.isOverLimit() ? CloseCodes.SLOW_CONSUMER : CloseCodes.IDLE);
            } else if (s.pingDue(now, pingEveryNanos)) {
                Executor loop = s.eventLoop();
                if (loop == null) {
                    s.ping(); // no direct wire: websockets-next's own ping, which finds its loop itself
                } else {
                    duePings.computeIfAbsent(loop, l -> new ArrayList<>()).add(s);
                }
            }
        }
        // One task per event loop for all of its sessions' pings, not a task each: with thousands of connections
        // that opened together, a sweep handed each ping to the other loop as its own task, a burst that delayed
        // the deliveries queued behind it (the many-channels profile's p99, issue 13).
        duePings.forEach((loop, sessions) -> loop.execute(() -> sessions.forEach(ClientSession::ping)));
    }

    private final ConcurrentHashMap<String, ClientSession> byId = new ConcurrentHashMap<>();

    void add(ClientSession session) {
        byId.put(session.connectionId(), session);
    }

    ClientSession get(String connectionId) {
        return byId.get(connectionId);
    }

    ClientSession remove(String connectionId) {
        return byId.remove(connectionId);
    }

    Collection<ClientSession> all() {
        return byId.values();
    }

    /**
     * Closes every session of this replica whose grant matches (the server API's disconnect and revocation).
     * Returns how many were asked to close.
     */
    public int closeWhere(java.util.function.Predicate<io.streamgate.auth.Grant> which, io.quarkus.websockets.next.CloseReason reason) {
        int closed = 0;
        for (ClientSession s : byId.values()) {
            if (which.test(s.grant())) {
                s.close(reason);
                closed++;
            }
        }
        return closed;
    }

    public int count() {
        return byId.size();
    }
}
