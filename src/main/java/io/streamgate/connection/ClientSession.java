package io.streamgate.connection;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.streamgate.auth.Grant;
import io.streamgate.protocol.CloseCodes;
import io.streamgate.protocol.OutboundFrame;
import io.streamgate.subscription.ConnectionSubscriptions;
import io.streamgate.subscription.DeliveryBatch;
import io.streamgate.subscription.EventSink;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Everything Streamgate keeps for one open WebSocket: the grant, the subscriptions, the outbound queue
 * ({@link Outbound}) and the token's deadlines (watched by {@link TokenExpiry}'s one periodic sweep, not by
 * timers of its own). {@link #send} may be called from any thread (live fan-out, replay workers, the
 * connection's event loop); frames sent from one thread leave in that order.
 */
final class ClientSession implements EventSink, Outbound.Owner {

    private static final Logger LOG = Logger.getLogger(ClientSession.class);

    private final WebSocketConnection connection;
    private final ConnectionSubscriptions subscriptions = new ConnectionSubscriptions();
    private final Outbound outbound;
    /* Counted and flagged through field updaters, not AtomicInteger/AtomicBoolean: 32 bytes less per connection. */
    private static final AtomicIntegerFieldUpdater<ClientSession> BAD_COMMANDS =
            AtomicIntegerFieldUpdater.newUpdater(ClientSession.class, "badCommands");
    private static final AtomicIntegerFieldUpdater<ClientSession> CLOSING =
            AtomicIntegerFieldUpdater.newUpdater(ClientSession.class, "closing");
    private volatile int badCommands;
    /** 1 once {@link #close} was called. */
    private volatile int closing;
    private final long openedAt = System.nanoTime();
    private final String clientId;
    /** When anything (a frame, a pong) last arrived from the client: for detecting dead connections. */
    private volatile long lastSeenNanos = System.nanoTime();
    private volatile Grant grant;
    /** When to send {@code expiring} (epoch millis; 0 once sent) and when to close with 4401. */
    private volatile long warnAtMillis;
    private volatile long closeAtMillis;

    ClientSession(WebSocketConnection connection, DirectWire wire, Grant grant, String clientId, long maxQueuedBytes,
            Duration slowConsumerGrace, LongAdder bytesOut) {
        this.connection = connection;
        this.grant = grant;
        this.clientId = clientId;
        this.outbound = new Outbound(wire, this, maxQueuedBytes, slowConsumerGrace, bytesOut);
    }

    @Override
    public void sendThroughWebSocketsNext(String text, Runnable written) {
        connection.sendText(text).subscribe().with(done -> written.run(), failure -> written.run());
    }

    @Override
    public void send(String frame) {
        if (closing == 0) { // a closing client resumes from its cursor; nothing is lost by not queueing more
            outbound.send(frame);
        }
    }

    @Override
    public void send(OutboundFrame frame, DeliveryBatch batch) {
        if (closing == 0) {
            outbound.send(frame, batch);
        }
    }

    /** The sweep's thread only: when the last ping went (System.nanoTime), or 0 before the first. */
    private long pingedAt;

    /** For the sweep: is a ping due (a full interval since the last, or since the open)? If so it is taken. */
    boolean pingDue(long now, long intervalNanos) {
        long last = pingedAt == 0 ? openedAt : pingedAt;
        if (now - last >= intervalNanos) {
            pingedAt = now;
            return true;
        }
        return false;
    }

    /** The event loop that writes to this connection, or null without a direct wire (websockets-next writes). */
    Executor eventLoop() {
        return outbound.isDirect() ? outbound.eventLoop() : null;
    }

    /** Sends a WebSocket ping (empty); the client's pong {@link #touch touches} the session. */
    void ping() {
        if (closing == 0 && !outbound.ping()) {
            connection.sendPing(EMPTY).subscribe().with(ok -> {
            }, failure -> LOG.debugf("Ping of %s failed: %s", connection.id(), failure.getMessage()));
        }
    }

    private static final io.vertx.core.buffer.Buffer EMPTY = io.vertx.core.buffer.Buffer.buffer(0);

    /** For the periodic sweep: a client that stopped reading may get no more sends to notice it. */
    boolean isStuckOverLimit() {
        return outbound.isStuckOverLimit();
    }

    /** Is the outbound queue over its bound right now? */
    boolean isOverLimit() {
        return outbound.isOverLimit();
    }

    @Override
    public boolean isBackedUp() {
        return outbound.isBackedUp();
    }

    @Override
    public boolean isOpen() {
        return closing == 0 && connection.isOpen();
    }

    @Override
    public void closeSlow() {
        close(CloseCodes.SLOW_CONSUMER);
    }

    @Override
    public String connectionId() {
        return connection.id();
    }

    /** Closes once; later calls do nothing. */
    void close(CloseReason reason) {
        if (CLOSING.compareAndSet(this, 0, 1)) {
            outbound.stop();
            LOG.debugf("Closing connection %s: %d %s", connection.id(), reason.getCode(), reason.getMessage());
            connection.close(reason).subscribe().with(ok -> {
            }, failure -> LOG.debugf("Close of %s failed: %s", connection.id(), failure.getMessage()));
        }
    }

    void touch() {
        lastSeenNanos = System.nanoTime();
    }

    long idleNanos() {
        return System.nanoTime() - lastSeenNanos;
    }

    /** Counts a bad command; true when the connection has now sent too many. */
    boolean badCommand(int allowed) {
        return BAD_COMMANDS.incrementAndGet(this) > allowed;
    }

    Grant grant() {
        return grant;
    }

    void grant(Grant grant) {
        this.grant = grant;
    }

    ConnectionSubscriptions subscriptions() {
        return subscriptions;
    }

    long queuedBytes() {
        return outbound.queuedBytes();
    }

    /** Are frames written straight to the connection's channel (not through websockets-next's sendText)? */
    boolean writesDirectly() {
        return outbound.isDirect();
    }

    long openedAtNanos() {
        return openedAt;
    }

    void expiry(long warnAtMillis, long closeAtMillis) {
        this.warnAtMillis = warnAtMillis;
        this.closeAtMillis = closeAtMillis;
    }

    long warnAtMillis() {
        return warnAtMillis;
    }

    /** The warning is due (and taken: true once per deadline). */
    boolean takeWarning(long nowMillis) {
        long at = warnAtMillis;
        if (at != 0 && nowMillis >= at) {
            warnAtMillis = 0;
            return true;
        }
        return false;
    }

    long closeAtMillis() {
        return closeAtMillis;
    }

    /** The client id given on the handshake ({@code ?client_id=}), or "" when none. */
    String clientId() {
        return clientId;
    }

    WebSocketConnection connection() {
        return connection;
    }

    /*
     * The connection's rate limits (issue 15), each made on its first use: most connections never publish, refresh
     * or ping, and an idle one that subscribed once holds one bucket, not four (48 bytes each, issue 13).
     */
    private TokenBucket commandBudget;
    private TokenBucket refreshBudget;
    private TokenBucket publishBudget;
    private TokenBucket pingBudget;

    /** Subscribe, unsubscribe and presence commands. */
    synchronized TokenBucket commandBudget(Supplier<TokenBucket> create) {
        return commandBudget == null ? commandBudget = create.get() : commandBudget;
    }

    synchronized TokenBucket refreshBudget(Supplier<TokenBucket> create) {
        return refreshBudget == null ? refreshBudget = create.get() : refreshBudget;
    }

    synchronized TokenBucket publishBudget(Supplier<TokenBucket> create) {
        return publishBudget == null ? publishBudget = create.get() : publishBudget;
    }

    /** The client's pings (each makes Vert.x write a pong). */
    synchronized TokenBucket pingBudget(Supplier<TokenBucket> create) {
        return pingBudget == null ? pingBudget = create.get() : pingBudget;
    }
}
