package io.streamgate.connection;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.streamgate.auth.Grant;
import io.streamgate.auth.Grants;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.durable.DurableCursorStore;
import io.streamgate.metrics.GatewayMetrics;
import io.streamgate.protocol.CloseCodes;
import io.streamgate.protocol.CommandException;
import io.streamgate.protocol.ErrorCode;
import io.streamgate.protocol.Frames;
import io.streamgate.subscription.SubscriptionService;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The client endpoint, {@code GET /v1/ws}. The upgrade is authenticated before this runs (see
 * {@link TenantClaimCheck}); here a session is opened, commands are handed to {@link CommandRouter} and
 * everything is cleaned up on close. All callbacks run on the connection's event loop.
 */
@WebSocket(path = "/v1/ws")
public class GatewayEndpoint {

    private static final Logger LOG = Logger.getLogger(GatewayEndpoint.class);

    @Inject
    SecurityIdentity identity;

    @Inject
    Sessions sessions;

    @Inject
    CommandRouter router;

    @Inject
    SubscriptionService subscriptions;

    @Inject
    StreamgateConfig config;

    @Inject
    TokenExpiry expiry;

    @Inject
    ConnectionBudget budget;

    @Inject
    GatewayMetrics metrics;

    @Inject
    ConnectionChurn churn;

    @Inject
    DurableCursorStore durableCursors;

    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @ConfigProperty(name = "quarkus.websockets-next.server.auto-ping-interval")
    Optional<Duration> pingInterval;

    @OnOpen
    @NonBlocking
    public void onOpen(WebSocketConnection connection) {
        Grant grant = identity.getPrincipal() instanceof JsonWebToken token ? Grants.from(token).orElse(null) : null;
        if (grant == null) { // TenantClaimCheck refuses such upgrades; this is the belt to its braces
            connection.close(CloseCodes.FORBIDDEN).subscribe().with(ok -> {
            }, failure -> {
            });
            return;
        }
        if (!budget.tryOpen(grant.tenant())) {
            connection.close(CloseCodes.TOO_MANY_CONNECTIONS).subscribe().with(ok -> {
            }, failure -> {
            });
            return;
        }
        String clientId = connection.handshakeRequest().query() == null ? "" : clientId(connection.handshakeRequest().query());
        ClientSession session = new ClientSession(connection, grant, clientId, config.connection().outboundQueueBytes(),
                config.connection().slowConsumerGrace(), new TokenBucket(config.publish().ratePerSecond(), config.publish().burst()), metrics.bytesOut());
        sessions.add(session);
        metrics.connectionOpened(grant.tenant());
        expiry.schedule(session);
        session.send(Frames.welcome(connection.id(), grant.tenant(), grant.subject(), grant.expiresAtMillis(),
                pingInterval.map(Duration::toMillis).orElse(0L)));
        churn.opened();
        LOG.debugf("connection opened id=%s tenant=%s sub=%s", connection.id(), grant.tenant(), grant.subject());
    }

    @OnTextMessage
    @NonBlocking
    public void onText(String message, WebSocketConnection connection) {
        ClientSession session = sessions.get(connection.id());
        if (session != null) {
            session.touch();
            router.handle(session, message);
        }
    }

    @OnPongMessage
    @NonBlocking
    public void onPong(Buffer data, WebSocketConnection connection) {
        ClientSession session = sessions.get(connection.id());
        if (session != null) {
            session.touch();
        }
    }

    @OnBinaryMessage
    @NonBlocking
    public void onBinary(Buffer message, WebSocketConnection connection) {
        ClientSession session = sessions.get(connection.id());
        if (session != null) {
            router.refuse(session, null, new CommandException(ErrorCode.BAD_REQUEST,
                    "binary frames are not supported; send JSON text frames"));
        }
    }

    @OnClose
    @NonBlocking
    public void onClose(WebSocketConnection connection) {
        ClientSession session = sessions.remove(connection.id());
        if (session == null) {
            return;
        }
        expiry.cancel(session);
        subscriptions.unsubscribeAll(session.subscriptions());
        durableCursors.flushSoon();
        budget.closed(session.grant().tenant());
        CloseReason reason = connection.closeReason();
        int code = reason == null ? 1006 : reason.getCode();
        metrics.connectionClosed(session.grant().tenant(), code);
        churn.closed(code);
        LOG.debugf("connection closed id=%s tenant=%s sub=%s code=%s duration_ms=%d", connection.id(),
                session.grant().tenant(), session.grant().subject(), reason == null ? "none" : reason.getCode(),
                (System.nanoTime() - session.openedAtNanos()) / 1_000_000);
    }

    @OnError
    @NonBlocking
    public void onError(Throwable failure, WebSocketConnection connection) {
        ClientSession session = sessions.get(connection.id());
        if (isMessageTooBig(failure)) {
            // Vert.x refuses to aggregate a message over quarkus.websockets-next.server.max-message-size.
            if (session != null) {
                session.close(CloseCodes.TOO_BIG);
            } else {
                connection.close(CloseCodes.TOO_BIG).subscribe().with(ok -> {
                }, f -> {
                });
            }
            return;
        }
        // Never a stack trace to the client: it gets the code, the log gets the cause.
        LOG.errorf(failure, "Unhandled failure on connection %s", connection.id());
        if (session != null) {
            session.send(Frames.error(null, ErrorCode.INTERNAL, "the server failed to handle a frame"));
        }
    }

    private static boolean isMessageTooBig(Throwable failure) {
        return failure instanceof IllegalStateException && failure.getMessage() != null
                && failure.getMessage().contains("max message size");
    }

    /** The {@code client_id} query parameter when well-formed, else "" (one position for all the subject's clients). */
    static String clientId(String query) {
        for (String pair : query.split("&")) {
            if (pair.startsWith("client_id=")) {
                String value = URLDecoder.decode(pair.substring("client_id=".length()), StandardCharsets.UTF_8);
                return CLIENT_ID.matcher(value).matches() ? value : "";
            }
        }
        return "";
    }
}
