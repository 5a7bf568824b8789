package io.streamgate.auth;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class VerifiedTokensTest {

    private final AtomicLong now = new AtomicLong(1_000_000);

    private static Grant grantUntil(long expiresAtMillis) {
        return new Grant("acme", "alice", List.of(new ChannelPattern("chat:*")), List.of(), expiresAtMillis, null);
    }

    @Test
    void aVerifiedTokenIsKnownUntilItsExpiryAndNotAfter() {
        VerifiedTokens tokens = new VerifiedTokens(100, Duration.ofHours(1), now::get);
        Grant grant = grantUntil(now.get() + 5_000);
        tokens.put("token-a", grant);
        assertThat(tokens.get("token-a")).isSameAs(grant);
        now.addAndGet(4_999);
        assertThat(tokens.get("token-a")).isSameAs(grant);
        now.addAndGet(1);
        assertThat(tokens.get("token-a")).isNull();
        now.addAndGet(-1); // and forgotten, not only hidden
        assertThat(tokens.get("token-a")).isNull();
    }

    @Test
    void aTokenIsVerifiedAgainAfterTheMaxAgeEvenBeforeItsExpiry() {
        VerifiedTokens tokens = new VerifiedTokens(100, Duration.ofSeconds(10), now::get);
        tokens.put("token-a", grantUntil(now.get() + 3_600_000));
        now.addAndGet(9_999);
        assertThat(tokens.get("token-a")).isNotNull();
        now.addAndGet(1);
        assertThat(tokens.get("token-a")).isNull();
    }

    @Test
    void onlyTheSameTokenTextIsKnown() {
        VerifiedTokens tokens = new VerifiedTokens(100, Duration.ofHours(1), now::get);
        tokens.put("header.payload.signature", grantUntil(now.get() + 60_000));
        assertThat(tokens.get("header.payload.signaturE")).isNull();
        assertThat(tokens.get("header.payload.signature ")).isNull();
        assertThat(tokens.get("header.payload")).isNull();
    }

    @Test
    void anExpiredGrantIsNotRemembered() {
        VerifiedTokens tokens = new VerifiedTokens(100, Duration.ofHours(1), now::get);
        tokens.put("token-a", grantUntil(now.get())); // the parser's clock skew may accept it; the cache does not
        assertThat(tokens.get("token-a")).isNull();
        assertThat(tokens.size()).isZero();
    }

    @Test
    void sizeZeroRemembersNothingAndTheSizeIsBounded() {
        VerifiedTokens none = new VerifiedTokens(0, Duration.ofHours(1), now::get);
        none.put("token-a", grantUntil(now.get() + 60_000));
        assertThat(none.get("token-a")).isNull();
        VerifiedTokens three = new VerifiedTokens(3, Duration.ofHours(1), now::get);
        for (int i = 0; i < 50; i++) {
            three.put("token-" + i, grantUntil(now.get() + 60_000));
        }
        assertThat(three.size()).isLessThanOrEqualTo(3);
    }

    @Test
    void theTokensTextIsNotKeptOnlyItsDigest() {
        VerifiedTokens tokens = new VerifiedTokens(100, Duration.ofHours(1), now::get);
        String token = new String("header.payload.signature-" + "x".repeat(600)); // a JWT's size, its own instance
        Grant grant = grantUntil(now.get() + 60_000);
        tokens.put(token, grant);
        java.lang.ref.WeakReference<String> kept = new java.lang.ref.WeakReference<>(token);
        token = null;
        // Collected once nothing holds it; the cache holding it would keep it reachable for good.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return kept.get() == null;
        });
        assertThat(tokens.get("header.payload.signature-" + "x".repeat(600))).isSameAs(grant);
    }
}
