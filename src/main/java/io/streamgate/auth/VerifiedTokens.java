package io.streamgate.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The grants of tokens whose signature was verified, keyed by the SHA-256 digest of the token's whole text (32
 * bytes in four longs, not the token: a JWT is typically 500-1,000 characters, and with one token per client the
 * cache holds one per connection, issue 13), each until the token's
 * {@code exp} and at most {@code maxAge} after it was verified. A client that reconnects presents the same token,
 * and verifying an RS256 signature again is most of what a reconnect costs the gateway (issue 14's profile).
 * <p>
 * Only what the signature proves is remembered: the claims. Whether the token is revoked is asked on every use by
 * the caller, so a revocation applies to a remembered token at once. {@code maxAge} bounds how long a token stays
 * accepted without its signature being checked again, e.g. after its signing key was withdrawn from a JWKS. At most
 * {@code size} tokens are kept (least recently used dropped first); a size of 0 remembers nothing.
 */
public final class VerifiedTokens {

    private record Entry(Grant grant, long untilMillis) {
    }

    /** A token's SHA-256 digest: equal digests mean the same token text (a collision is not a practical concern). */
    private record Digest(long a, long b, long c, long d) {

        static Digest of(String token) {
            try {
                ByteBuffer hash = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
                return new Digest(hash.getLong(), hash.getLong(), hash.getLong(), hash.getLong());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }
    }

    private final Cache<Digest, Entry> entries;
    private final long maxAgeMillis;
    private final LongSupplier clockMillis;

    public VerifiedTokens(int size, Duration maxAge, LongSupplier clockMillis) {
        this.maxAgeMillis = maxAge.toMillis();
        this.clockMillis = clockMillis;
        this.entries = Caffeine.newBuilder()
                .maximumSize(size)
                // Eviction only frees the memory of expired entries; get() checks the time itself.
                .expireAfter(Expiry.<Digest, Entry>creating(
                        (token, e) -> Duration.ofMillis(Math.max(0, e.untilMillis - clockMillis.getAsLong()))))
                .executor(Runnable::run) // maintenance on the caller's thread: no hop to the common pool
                .build();
    }

    /** The grant of a token verified earlier, or null when it was not, or has expired or reached its max age since. */
    public Grant get(String token) {
        Digest key = Digest.of(token);
        Entry e = entries.getIfPresent(key);
        if (e == null) {
            return null;
        }
        if (clockMillis.getAsLong() >= e.untilMillis) {
            entries.invalidate(key);
            return null;
        }
        return e.grant;
    }

    /** Remembers the grant of a token whose signature, issuer and expiry were just verified. */
    public void put(String token, Grant grant) {
        long now = clockMillis.getAsLong();
        long until = Math.min(grant.expiresAtMillis(), now + maxAgeMillis);
        if (until > now && maxAgeMillis > 0) {
            entries.put(Digest.of(token), new Entry(grant, until));
        }
    }

    /** Tokens remembered now (for tests and a gauge); expired ones may count until they are evicted. */
    public long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }
}
