package io.streamgate.connection;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.InboundProcessingMode;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPingMessage;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.streamgate.auth.Grant;
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
import org.jboss.logging.Logger;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The client endpoint, {@code GET /v1/ws}. The upgrade is authenticated before this runs (see
 * {@link UpgradeAdmission}, which leaves the grant in the connection's user data); here a session is
 * opened, commands are handed to {@link CommandRouter} and everything is cleaned up on close. All
 * callbacks run on the connection's event loop.
 * <p>
 * Inbound processing is {@code CONCURRENT}: with websockets-next's default ({@code SERIAL}) every connection gets a
 * queue that holds back a callback until the previous one's {@code Uni} completes, a jctools queue with a chunk of
 * 257 references (about 1.1 KB per idle connection, issue 13). Every callback here is void and non-blocking, so it
 * completes where it runs, on the connection's event loop, which takes the frames in order: nothing is reordered.
 */
@WebSocket(path = "/v1/ws", inboundProcessingMode = InboundProcessingMode.CONCURRENT)
public class GatewayEndpoint {

    private static final Logger LOG = Logger.getLogger(GatewayEndpoint.class);

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

    @OnOpen
    @NonBlocking
    public void onOpen(WebSocketConnection connection) {
        Grant grant = connection.userData().remove(UpgradeAdmission.GRANT);
        DirectWire wire = connection.userData().remove(UpgradeAdmission.WIRE);
        if (grant == null) { // UpgradeAdmission refuses such upgrades; this is the belt to its braces
            connection.close(CloseCodes.FORBIDDEN).subscribe().with(ok -> {
            }, failure -> {
            });
            return;
        }
        // UpgradeAdmission refused an unusable query with 400; read it before any budget is taken all the same.
        String clientId = clientId(connection.handshakeRequest().query());
        if (clientId == null) {
            connection.close(new io.quarkus.websockets.next.CloseReason(1008, "unusable client_id")).subscribe().with(ok -> {
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
        ClientSession session = null;
        try {
            session = new ClientSession(connection, wire, grant, clientId, config.connection().outboundQueueBytes(),
                    config.connection().slowConsumerGrace(), metrics.bytesOut());
            sessions.add(session);
            metrics.connectionOpened(grant.tenant());
            expiry.schedule(session);
            session.send(Frames.welcome(connection.id(), grant.tenant(), grant.subject(), grant.expiresAtMillis(),
                    config.connection().pingInterval().toMillis()));
        } catch (RuntimeException e) {
            // Whatever failed, the budget taken above goes back and the socket does not stay open unwatched.
            LOG.errorf(e, "Opening connection %s failed", connection.id());
            if (session != null && sessions.remove(connection.id()) != null) {
                expiry.cancel(session);
                metrics.connectionClosed(grant.tenant(), CloseCodes.INTERNAL.getCode());
            }
            budget.closed(grant.tenant());
            connection.close(CloseCodes.INTERNAL).subscribe().with(ok -> {
            }, failure -> {
            });
            return;
        }
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

    /**
     * Vert.x answers every ping with a pong of the same payload (up to 125 bytes) at once, outside the session's
     * outbound queue: a client that pings without reading would grow the server's socket buffer without bound.
     * So pings are rate limited per connection ({@value #PING_BURST} at once, {@value #PINGS_PER_SECOND} a second
     * after that; browsers send none) and a client over it is closed with 1008. Issue 15, item 14.
     */
    @OnPingMessage
    @NonBlocking
    public void onPing(Buffer data, WebSocketConnection connection) {
        ClientSession session = sessions.get(connection.id());
        if (session != null) {
            session.touch();
            TokenBucket pings = session.pingBudget(() -> new TokenBucket(PINGS_PER_SECOND, PING_BURST));
            if (!pings.tryTake()) {
                session.close(TOO_MANY_PINGS);
            }
        }
    }

    static final int PINGS_PER_SECOND = 5;
    static final int PING_BURST = 20;
    private static final CloseReason TOO_MANY_PINGS = new CloseReason(1008, "too many pings");

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
        if (isConnectionGone(failure)) {
            // The client went away (reset, closed mid-write): nothing failed here, and nobody is left to tell.
            LOG.debugf("connection %s went away: %s", connection.id(), failure);
            return;
        }
        // Never a stack trace to the client: it gets the code, the log gets the cause.
        LOG.errorf(failure, "Unhandled failure on connection %s", connection.id());
        if (session != null) {
            session.send(Frames.error(null, ErrorCode.INTERNAL, "the server failed to handle a frame"));
        }
    }

    private static boolean decodable(String part) {
        try {
            URLDecoder.decode(part, StandardCharsets.UTF_8);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A failure that only says the peer is gone: Vert.x's closed-connection exception, or a socket error (reset). */
    static boolean isConnectionGone(Throwable failure) {
        return failure instanceof io.vertx.core.http.HttpClosedException || failure instanceof java.io.IOException;
    }

    private static boolean isMessageTooBig(Throwable failure) {
        return failure instanceof IllegalStateException && failure.getMessage() != null
                && failure.getMessage().contains("max message size");
    }

    /**
     * The {@code client_id} query parameter: "" when there is none (one position for all the subject's clients),
     * null when the query is not URL-decodable (in any parameter) or the client id is outside
     * {@code [A-Za-z0-9._-]{1,64}}: such an upgrade is refused with 400 ({@link UpgradeAdmission}). Other
     * parameters are otherwise ignored.
     */
    static String clientId(String query) {
        if (query == null) {
            return "";
        }
        for (String pair : query.split("&")) {
            if (!decodable(pair)) {
                return null; // before this check, such a query (in any parameter) left the upgrade hanging
            }
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("client_id=")) {
                String value;
                try {
                    value = URLDecoder.decode(pair.substring("client_id=".length()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null; // "%zz" and the like
                }
                return CLIENT_ID.matcher(value).matches() ? value : null;
            }
        }
        return "";
    }
}
