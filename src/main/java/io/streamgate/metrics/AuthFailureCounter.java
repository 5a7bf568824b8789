package io.streamgate.metrics;

import io.quarkus.security.spi.runtime.AuthenticationFailureEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.Locale;

/**
 * Counts refused authentications by a coarse reason read from the failure's message chain (SmallRye JWT
 * reports jose4j's validation errors there). The reason set is closed, so it cannot blow up cardinality.
 */
@ApplicationScoped
public class AuthFailureCounter {

    @Inject
    GatewayMetrics metrics;

    void failed(@Observes AuthenticationFailureEvent event) {
        metrics.authFailure(reason(event.getAuthenticationFailure()));
    }

    public static String reason(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null && text.length() < 4000; t = t.getCause()) {
            text.append(' ').append(t.getMessage());
        }
        String s = text.toString().toLowerCase(Locale.ROOT);
        if (s.contains("expir")) {
            return "expired";
        }
        if (s.contains("iss")) {
            return "issuer";
        }
        if (s.contains("signature")) {
            return "signature";
        }
        if (s.contains("alg")) {
            return "algorithm";
        }
        if (s.contains("malformed") || s.contains("parse") || s.contains("invalid json")) {
            return "malformed";
        }
        return "other";
    }
}
