package io.streamgate.connection;

import io.quarkus.runtime.StartupEvent;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.protocol.CloseCodes;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions open on this replica, by connection id. Also closes the ones from which nothing has arrived
 * for {@code streamgate.connection.idle-timeout}: a phone that vanished in a tunnel does not say goodbye,
 * and the server pings every {@code auto-ping-interval}, which a live client answers.
 */
@ApplicationScoped
public class Sessions {

    @Inject
    StreamgateConfig config;

    @Inject
    Vertx vertx;

    void startIdleSweep(@Observes StartupEvent event) {
        long timeout = config.connection().idleTimeout().toNanos();
        vertx.setPeriodic(Math.max(1000, config.connection().idleTimeout().toMillis() / 4), id -> {
            for (ClientSession s : byId.values()) {
                if (s.isStuckOverLimit()) {
                    s.close(CloseCodes.SLOW_CONSUMER);
                } else if (s.idleNanos() > timeout) {
                    // Silent with its queue over the bound: it stopped reading (so it reads no pings either).
                    s.close(s.isOverLimit() ? CloseCodes.SLOW_CONSUMER : CloseCodes.IDLE);
                }
            }
        });
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
