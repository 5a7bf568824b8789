package io.streamgate.protocol;

import java.util.Locale;

/**
 * The {@code code} of an {@code error} frame. An error answers one command; the connection lives on.
 */
public enum ErrorCode {
    /** The command is not valid JSON, lacks a field or has a field of the wrong type. */
    BAD_REQUEST,
    /** The command's {@code type} is not one this server knows. */
    UNKNOWN_TYPE,
    /** The token's grant does not cover the channel. */
    FORBIDDEN,
    /** The channel's namespace is not configured. */
    UNKNOWN_NAMESPACE,
    /** The connection already holds as many subscriptions as allowed. */
    TOO_MANY_SUBSCRIPTIONS,
    /** The connection sends commands faster than allowed. */
    RATE_LIMITED,
    /** The payload is larger than allowed. */
    TOO_LARGE,
    /** The token (of a refresh) is not acceptable. */
    UNAUTHORIZED,
    /**
     * The tenant has too many resumes waiting for history on this replica ({@code subscribe} with {@code since}
     * or {@code resume}); retry after a pause.
     */
    TOO_MANY_RESUMES,
    /** The server failed; the command may be retried. */
    INTERNAL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
