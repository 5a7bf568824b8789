package io.streamgate.connection;

import io.streamgate.protocol.CloseCodes;
import io.streamgate.protocol.Frames;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Holds each connection to its token's lifetime: an {@code expiring} frame a minute before the token
 * expires (or halfway, for tokens shorter than two minutes), and a close with 4401 when it has expired
 * without a {@code refresh}. A refresh reschedules both.
 */
@ApplicationScoped
public class TokenExpiry {

    private static final long WARN_AHEAD_MILLIS = 60_000;

    @Inject
    Vertx vertx;

    void schedule(ClientSession session) {
        cancel(session);
        long expiresAt = session.grant().expiresAtMillis();
        long left = Math.max(1, expiresAt - System.currentTimeMillis());
        long warnIn = left > 2 * WARN_AHEAD_MILLIS ? left - WARN_AHEAD_MILLIS : left / 2;
        long warn = vertx.setTimer(Math.max(1, warnIn), id -> session.send(Frames.expiring(expiresAt)));
        long close = vertx.setTimer(left, id -> session.close(CloseCodes.TOKEN_EXPIRED));
        session.expiryTimers(warn, close);
    }

    void cancel(ClientSession session) {
        for (long timer : session.expiryTimers()) {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
        }
    }
}
