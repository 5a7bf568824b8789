package io.streamgate.revocation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.streamgate.auth.Grant;

/**
 * One revocation of a tenant's tokens: either one token by its {@code jti}, or every token of a subject issued
 * before a time. Stored in PostgreSQL, held in memory by every replica ({@link Revocations}), and sent to the
 * others on the control topic.
 *
 * @param tokenId            the revoked token's {@code jti}; null for a revocation of a subject
 * @param subject            the subject whose tokens issued before {@code issuedBeforeMillis} are revoked; null for
 *                           a revocation of one token
 * @param issuedBeforeMillis tokens of the subject whose {@code iat} is before this (ms since the epoch) are revoked;
 *                           a token without {@code iat} is too
 * @param expiresAtMillis    when a revocation of one token may be forgotten (its token has expired by then); 0 for
 *                           a revocation of a subject, which is kept
 */
@RegisterForReflection // read and written by Jackson (the control topic)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Revocation(String tenant, @JsonProperty("jti") String tokenId, String subject,
        @JsonProperty("issued_before") long issuedBeforeMillis, @JsonProperty("expires_at") long expiresAtMillis) {

    public static Revocation ofToken(String tenant, String tokenId, long expiresAtMillis) {
        return new Revocation(tenant, tokenId, null, 0, expiresAtMillis);
    }

    public static Revocation ofSubject(String tenant, String subject, long issuedBeforeMillis) {
        return new Revocation(tenant, null, subject, issuedBeforeMillis, 0);
    }

    /** Whether a connection or request holding this grant must be refused. */
    public boolean covers(Grant grant) {
        if (!tenant.equals(grant.tenant())) {
            return false;
        }
        return tokenId != null ? tokenId.equals(grant.tokenId())
                : subject.equals(grant.subject()) && grant.issuedAtMillis() < issuedBeforeMillis;
    }
}
