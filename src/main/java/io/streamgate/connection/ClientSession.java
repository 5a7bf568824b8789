package io.streamgate.connection;

import io.micrometer.core.instrument.Counter;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.streamgate.auth.Grant;
import io.streamgate.protocol.CloseCodes;
import io.streamgate.subscription.ConnectionSubscriptions;
import io.streamgate.subscription.EventSink;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything Streamgate keeps for one open WebSocket: the grant, the subscriptions and the outbound
 * queue's size. {@link #send} may be called from any thread (live fan-out, replay workers, the
 * connection's event loop); Vert.x keeps the writes of one connection in call order.
 */
final class ClientSession implements EventSink {

    private static final Logger LOG = Logger.getLogger(ClientSession.class);

    private final WebSocketConnection connection;
    private final ConnectionSubscriptions subscriptions = new ConnectionSubscriptions();
    private final long maxQueuedBytes;
    private final long graceNanos;
    /** When the queue last went above the limit without coming back under it; 0 while under. */
    private volatile long overLimitSince;
    /** Bytes handed to the socket whose write has not completed: the bounded outbound queue. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicInteger badCommands = new AtomicInteger();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final long openedAt = System.nanoTime();
    private final String clientId;
    private final TokenBucket publishBudget;
    private final Counter bytesOut;
    /** When anything (a frame, a pong) last arrived from the client: for detecting dead connections. */
    private volatile long lastSeenNanos = System.nanoTime();
    private volatile Grant grant;
    private volatile long[] expiryTimers = {-1, -1};

    ClientSession(WebSocketConnection connection, Grant grant, String clientId, long maxQueuedBytes,
            Duration slowConsumerGrace, TokenBucket publishBudget, Counter bytesOut) {
        this.graceNanos = slowConsumerGrace.toNanos();
        this.bytesOut = bytesOut;
        this.connection = connection;
        this.grant = grant;
        this.clientId = clientId;
        this.maxQueuedBytes = maxQueuedBytes;
        this.publishBudget = publishBudget;
    }

    @Override
    public void send(String frame) {
        if (closing.get()) {
            return; // a closing client resumes from its cursor; nothing is lost by not queueing more
        }
        // Counted in UTF-16 units: equal to the bytes for the ASCII that JSON frames mostly are.
        long size = frame.length();
        long queued = queuedBytes.addAndGet(size);
        if (queued > maxQueuedBytes && isSlow(queued)) {
            queuedBytes.addAndGet(-size);
            close(CloseCodes.SLOW_CONSUMER);
            return;
        }
        bytesOut.increment(size);
        connection.sendText(frame).subscribe().with(done -> written(size), failure -> written(size));
    }

    private void written(long size) {
        if (queuedBytes.addAndGet(-size) <= maxQueuedBytes) {
            overLimitSince = 0;
        }
    }

    /** Over the limit: slow once over it for the grace period, or far over it. */
    private boolean isSlow(long queued) {
        long now = System.nanoTime();
        long since = overLimitSince;
        if (since == 0) {
            overLimitSince = now;
            return queued > 4 * maxQueuedBytes;
        }
        return queued > 4 * maxQueuedBytes || now - since > graceNanos;
    }

    /** For the periodic sweep: a client that stopped reading may get no more sends to notice it. */
    boolean isStuckOverLimit() {
        long since = overLimitSince;
        return since != 0 && queuedBytes.get() > maxQueuedBytes && System.nanoTime() - since > graceNanos;
    }

    @Override
    public boolean isBackedUp() {
        return queuedBytes.get() > maxQueuedBytes / 2;
    }

    @Override
    public boolean isOpen() {
        return !closing.get() && connection.isOpen();
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
        if (closing.compareAndSet(false, true)) {
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
        return badCommands.incrementAndGet() > allowed;
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
        return queuedBytes.get();
    }

    long openedAtNanos() {
        return openedAt;
    }

    long[] expiryTimers() {
        return expiryTimers;
    }

    void expiryTimers(long warn, long close) {
        this.expiryTimers = new long[] {warn, close};
    }

    /** The client id given on the handshake ({@code ?client_id=}), or "" when none. */
    String clientId() {
        return clientId;
    }

    TokenBucket publishBudget() {
        return publishBudget;
    }

    WebSocketConnection connection() {
        return connection;
    }
}
