package io.streamgate.connection;

/**
 * A token bucket: {@code burst} at once, refilled at {@code ratePerSecond}. Limits one connection's
 * publishes and commands, a tenant's and the replica's new connections, a tenant's server API requests. Twenty lines do not justify a rate-limiting library;
 * SmallRye Fault Tolerance's {@code @RateLimit} limits a method for everyone, not per connection.
 */
public final class TokenBucket {

    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    public TokenBucket(double ratePerSecond, int burst) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
    }

    public synchronized boolean tryTake() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Returns a token taken by {@link #tryTake} for something that then did not happen. */
    synchronized void giveBack() {
        tokens = Math.min(burst, tokens + 1);
    }

    /** Refilled to its burst: indistinguishable from a new bucket, so it may be forgotten. */
    public synchronized boolean isFull() {
        long now = System.nanoTime();
        return tokens + (now - last) * ratePerNano >= burst;
    }
}
