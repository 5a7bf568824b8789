package io.streamgate.auth;

import java.util.List;

/**
 * What a connection's token allows: who it is, in which tenant, and which channels it may subscribe
 * and publish to. Taken from the token only; nothing a client sends later changes it except a
 * {@code refresh} with a new token of the same tenant and subject.
 *
 * @param expiresAtMillis when the token expires, in milliseconds since the epoch
 * @param presenceInfo the token's {@code presence} claim as JSON text (what others see of this subject in
 *        presence lists, such as a display name), or null
 * @param tokenId the token's {@code jti}, or null: what a revocation by token names
 * @param issuedAtMillis the token's {@code iat} in milliseconds since the epoch, 0 when it has none: what a
 *        revocation of a subject's tokens issued before a time compares
 */
public record Grant(String tenant, String subject, List<ChannelPattern> subscribe, List<ChannelPattern> publish,
        long expiresAtMillis, String presenceInfo, String tokenId, long issuedAtMillis) {

    /** A grant of a token without {@code jti} and {@code iat}. */
    public Grant(String tenant, String subject, List<ChannelPattern> subscribe, List<ChannelPattern> publish,
            long expiresAtMillis, String presenceInfo) {
        this(tenant, subject, subscribe, publish, expiresAtMillis, presenceInfo, null, 0);
    }

    public boolean maySubscribe(String channel) {
        return subscribe.stream().anyMatch(p -> p.matches(channel));
    }

    public boolean mayPublish(String channel) {
        return publish.stream().anyMatch(p -> p.matches(channel));
    }
}
