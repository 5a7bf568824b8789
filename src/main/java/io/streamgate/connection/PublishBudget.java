package io.streamgate.connection;

/**
 * A token bucket limiting one connection's publishes: {@code burst} at once, refilled at
 * {@code ratePerSecond}. Twenty lines do not justify a rate-limiting library; SmallRye Fault Tolerance's
 * {@code @RateLimit} limits a method for everyone, not per connection.
 */
final class PublishBudget {

    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    PublishBudget(double ratePerSecond, int burst) {
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
