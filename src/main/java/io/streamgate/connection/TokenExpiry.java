package io.streamgate.connection;

import io.quarkus.runtime.StartupEvent;
import io.streamgate.protocol.CloseCodes;
import io.streamgate.protocol.Frames;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Holds each connection to its token's lifetime: an {@code expiring} frame a minute before the token
 * expires (or halfway, for tokens shorter than two minutes), and a close with 4401 when it has expired
 * without a {@code refresh}. A refresh reschedules both.
 * <p>
 * One periodic check every quarter second over the open sessions, not timers per connection: a session
 * only holds its two deadlines (a timer is a few hundred bytes of heap per connection, and most tokens live
 * for many minutes).
 */
@ApplicationScoped
public class TokenExpiry {

    private static final long WARN_AHEAD_MILLIS = 60_000;
    /** Deadlines are met within this; a scan of 20,000 sessions takes well under a millisecond. */
    static final long CHECK_EVERY_MILLIS = 250;

    @Inject
    Vertx vertx;

    @Inject
    Sessions sessions;

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(CHECK_EVERY_MILLIS, id -> check(System.currentTimeMillis()));
    }

    void schedule(ClientSession session) {
        long now = System.currentTimeMillis();
        long expiresAt = session.grant().expiresAtMillis();
        session.expiry(warnAt(expiresAt, now), now + Math.max(1, expiresAt - now));
    }

    /**
     * When a connection of a token expiring at {@code expiresAtMillis} is warned with {@code expiring}: a minute
     * before, or halfway for a token shorter than two minutes. The SSE transport keeps the same deadlines.
     */
    public static long warnAt(long expiresAtMillis, long nowMillis) {
        long left = Math.max(1, expiresAtMillis - nowMillis);
        long warnIn = left > 2 * WARN_AHEAD_MILLIS ? left - WARN_AHEAD_MILLIS : left / 2;
        return nowMillis + Math.max(1, warnIn);
    }

    void cancel(ClientSession session) {
        session.expiry(0, 0);
    }

    void check(long now) {
        for (ClientSession session : sessions.all()) {
            // The warning always goes first, also when both are due in the same check (a token that was about to
            // expire when the connection opened): the client learns why it is closed.
            if (session.takeWarning(now)) {
                session.send(Frames.expiring(session.grant().expiresAtMillis()));
            }
            long closeAt = session.closeAtMillis();
            if (closeAt != 0 && now >= closeAt) {
                session.close(CloseCodes.TOKEN_EXPIRED);
            }
        }
    }
}
