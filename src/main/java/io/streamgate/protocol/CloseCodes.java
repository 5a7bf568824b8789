package io.streamgate.protocol;

import io.quarkus.websockets.next.CloseReason;

/**
 * Why the server closes a connection, and whether the client should come back. Reasons stay under the
 * 123 bytes a close frame allows.
 */
public final class CloseCodes {

    /** Nothing, not even a pong, arrived for the idle timeout: the connection is presumed dead. Reconnect. */
    public static final CloseReason IDLE = new CloseReason(1001, "no heartbeat");
    /** The client broke the protocol too often (keeps sending garbage). Reconnecting is pointless until fixed. */
    public static final CloseReason POLICY = new CloseReason(1008, "too many bad commands");
    /** A message over the inbound size limit. Do not resend it. */
    public static final CloseReason TOO_BIG = new CloseReason(1009, "message too big");
    /** The server failed. Reconnect with backoff. */
    public static final CloseReason INTERNAL = new CloseReason(1011, "internal error");
    /** This replica is shutting down. Reconnect (to another replica) and resume. */
    public static final CloseReason SERVICE_RESTART = new CloseReason(1012, "service restart");
    /** The client did not read fast enough. Reconnect and resume from the last cursor. */
    public static final CloseReason SLOW_CONSUMER = new CloseReason(4008, "slow consumer");
    /** The token expired without a refresh. Get a new token, then reconnect. */
    public static final CloseReason TOKEN_EXPIRED = new CloseReason(4401, "token expired");
    /** The client may not connect at all. Do not reconnect. */
    public static final CloseReason FORBIDDEN = new CloseReason(4403, "forbidden");
    /**
     * An operator disconnected every connection of this subject through the server API. Do not reconnect by
     * yourself: the application decides (sign the user out, or reconnect on a user action).
     */
    public static final CloseReason DISCONNECTED = new CloseReason(4410, "disconnected by the server");
    /** The connection's token was revoked through the server API. Do not reconnect with it: sign in again. */
    public static final CloseReason TOKEN_REVOKED = new CloseReason(4411, "token revoked");
    /** Too many connections for this tenant. Reconnect later. */
    public static final CloseReason TOO_MANY_CONNECTIONS = new CloseReason(4429, "too many connections");

    private CloseCodes() {
    }
}
