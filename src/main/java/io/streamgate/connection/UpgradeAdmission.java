package io.streamgate.connection;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.streamgate.revocation.Revocations;
import io.streamgate.auth.Grant;
import io.streamgate.auth.TokenVerifier;
import io.streamgate.metrics.AuthFailureCounter;
import io.streamgate.metrics.GatewayMetrics;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Admission at the upgrade, before any WebSocket exists, in this order:
 * <ol>
 *   <li>the bearer token ({@code Authorization} header, or the browser's subprotocol form that websockets-next
 *       turns into that header first) is verified with SmallRye JWT's parser (signature, issuer, expiry): missing
 *       or not valid, HTTP 401; valid but without a usable {@code tenant} claim or {@code sub}, HTTP 403; revoked,
 *       401. A token this replica verified before and that has not expired is not verified again
 *       ({@link TokenVerifier}): a reconnect is admitted on the event loop; revocation is checked all the same;</li>
 *   <li>a draining replica answers 503, with Retry-After, so clients reconnect elsewhere;</li>
 *   <li>a handshake query that cannot be honoured (a malformed {@code client_id}) 400 (a query that is not
 *       URL-decodable never gets here: Quarkus's HTTP server answers 400 to a request URI that is not a valid URI);</li>
 *   <li>a tenant over its share of the new-connections rate, or a replica over its own, 429 with Retry-After.</li>
 * </ol>
 * The connection keeps only the {@link Grant} (in its user data, {@link #GRANT}), not a security identity with the
 * parsed token, and the token is taken out of the request's headers so that websockets-next's copy of them does
 * not keep it for the connection's life. The HTTP layer does not authenticate {@code /v1/ws} itself (no
 * permission policy on it, and authentication is not proactive): otherwise websockets-next would keep the
 * identity and the whole routing context with the connection. For the same reason the lazy identity Quarkus puts
 * in every request is taken out of the routing context when the upgrade is permitted
 * ({@link DirectWire#forgetDeferredIdentity}).
 * <p>
 * The upgrade's Netty channel is kept too ({@link #WIRE}, see {@link DirectWire}), for writing frames encoded once,
 * and the headers left are emptied when the handshake has read them ({@link DirectWire#forgetHeadersAtHandshake}):
 * Vert.x and websockets-next would otherwise both keep them for the connection's life.
 */
@ApplicationScoped
public class UpgradeAdmission implements HttpUpgradeCheck {

    static final UserData.TypedKey<Grant> GRANT = new UserData.TypedKey<>("streamgate.grant");
    static final UserData.TypedKey<DirectWire> WIRE = new UserData.TypedKey<>("streamgate.wire");
    private static final Map<String, List<String>> CHALLENGE = Map.of("WWW-Authenticate", List.of("Bearer"));
    private static final Map<String, List<String>> RETRY = Map.of("Retry-After", List.of("1"));
    /** Request headers the WebSocket handshake (after the checks) still reads; the others are dropped. */
    private static final java.util.Set<String> HANDSHAKE_HEADERS = java.util.Set.of("host", "upgrade", "connection",
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol", "sec-websocket-extensions", "origin");
    /** The prefix of websockets-next's subprotocol form of a header (see propagate-subprotocol-headers). */
    private static final String HEADER_SUBPROTOCOL = "quarkus-http-upgrade";

    @Inject
    Drain drain;

    @Inject
    ConnectionBudget budget;

    @Inject
    TokenVerifier tokens;

    @Inject
    GatewayMetrics metrics;

    @Inject
    Vertx vertx;

    @Inject
    Revocations revocations;

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        HttpServerRequest request = context.httpRequest();
        String token = bearer(request.getHeader("Authorization"));
        if (token == null) {
            return CheckResult.rejectUpgrade(401, CHALLENGE);
        }
        forgetToken(request.headers());
        Grant known = tokens.known(token);
        if (known != null) { // verified before (a client coming back): admitted on the event loop, no signature check
            return Uni.createFrom().item(admit(context, revocationChecked(known)));
        }
        // Signature checks cost CPU, and a JWKS location may mean I/O: not on the event loop.
        return Uni.createFrom().completionStage(() -> vertx.executeBlocking(() -> verify(token), false).toCompletionStage())
                .map(verified -> admit(context, verified));
    }

    private CheckResult admit(HttpUpgradeContext context, Verified verified) {
        if (verified.grant == null) {
            metrics.authFailure(verified.reason);
            return CheckResult.rejectUpgradeSync(verified.status, verified.status == 401 ? CHALLENGE : Map.of());
        }
        if (drain.isDraining()) {
            metrics.upgradeRefused("draining");
            return CheckResult.rejectUpgradeSync(503, RETRY);
        }
        if (GatewayEndpoint.clientId(context.httpRequest().query()) == null) {
            metrics.upgradeRefused("bad_query");
            return CheckResult.rejectUpgradeSync(400, Map.of());
        }
        if (!budget.tryUpgrade(verified.grant.tenant())) {
            metrics.upgradeRefused("rate_limited");
            return CheckResult.rejectUpgradeSync(429, RETRY);
        }
        context.userData().put(GRANT, verified.grant);
        DirectWire wire = DirectWire.of(context.httpRequest());
        if (wire != null) {
            context.userData().put(WIRE, wire);
            wire.forgetHeadersAtHandshake(context.httpRequest().headers()); // else kept twice for the connection's life
        }
        DirectWire.forgetDeferredIdentity(context.httpRequest()); // else the connection keeps the request (~2 KB)
        return CheckResult.permitUpgradeSync();
    }

    private record Verified(Grant grant, int status, String reason) {
    }

    private Verified verify(String token) {
        try {
            return tokens.verify(token).map(this::revocationChecked).orElseGet(() -> new Verified(null, 403, "no_tenant"));
        } catch (ParseException | RuntimeException e) {
            return new Verified(null, 401, AuthFailureCounter.reason(e));
        }
    }

    /** A revocation applies to a token verified just now and to one verified before alike. */
    private Verified revocationChecked(Grant grant) {
        return revocations.isRevoked(grant) ? new Verified(null, 401, "revoked") : new Verified(grant, 200, null);
    }

    /** The token of an {@code Authorization: Bearer <token>} header, or null. */
    public static String bearer(String authorization) {
        if (authorization == null || authorization.length() < 8 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /**
     * Takes what the connection does not need out of the request's headers, which websockets-next copies for the
     * connection's life: the token (the {@code Authorization} header, and the subprotocol entry that carried it for
     * a browser; the offered protocols themselves stay, so that the subprotocol is still negotiated) and every
     * header but those the WebSocket handshake reads (a browser's user agent, cookies and accept headers are
     * hundreds of bytes per connection). The rest are emptied at the 101 ({@link DirectWire#forgetHeadersAtHandshake});
     * this stays for a request whose channel DirectWire cannot reach, and so that no token is kept even then.
     */
    private static void forgetToken(MultiMap headers) {
        headers.names().stream().filter(name -> !HANDSHAKE_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT)))
                .toList().forEach(headers::remove);
        List<String> offered = headers.getAll("Sec-WebSocket-Protocol");
        if (offered.isEmpty()) {
            return;
        }
        List<String> kept = new ArrayList<>();
        boolean changed = false;
        for (String header : offered) {
            StringBuilder value = new StringBuilder();
            for (String protocol : header.split(",")) {
                String p = protocol.trim();
                if (p.startsWith(HEADER_SUBPROTOCOL)) {
                    changed = true;
                    continue;
                }
                value.append(value.length() == 0 ? "" : ", ").append(p);
            }
            if (value.length() > 0) {
                kept.add(value.toString());
            }
        }
        if (changed) {
            headers.set("Sec-WebSocket-Protocol", kept);
        }
    }
}
