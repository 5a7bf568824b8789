package io.streamgate.connection;

/**
 * A token bucket: {@code burst} at once, refilled at {@code ratePerSecond}. Limits one connection's
 * publishes and the replica's new connections. Twenty lines do not justify a rate-limiting library;
 * SmallRye Fault Tolerance's {@code @RateLimit} limits a method for everyone, not per connection.
 */
final class TokenBucket {

    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    TokenBucket(double ratePerSecond, int burst) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
    }

    synchronized boolean tryTake() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
