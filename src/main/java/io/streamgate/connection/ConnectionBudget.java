package io.streamgate.connection;

import io.streamgate.config.StreamgateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection limits of this replica: new connections per second (checked at the upgrade) and open
 * connections per tenant (checked right after it).
 */
@ApplicationScoped
public class ConnectionBudget {

    private final ConcurrentHashMap<String, AtomicInteger> perTenant = new ConcurrentHashMap<>();
    private TokenBucket upgrades;

    @Inject
    StreamgateConfig config;

    private synchronized TokenBucket upgrades() {
        if (upgrades == null) {
            upgrades = new TokenBucket(config.connection().newPerSecond(), config.connection().newBurst());
        }
        return upgrades;
    }

    boolean tryUpgrade() {
        return upgrades().tryTake();
    }

    /** Counts a tenant's new connection; false (and not counted) when the tenant is at its limit. */
    boolean tryOpen(String tenant) {
        AtomicInteger n = perTenant.computeIfAbsent(tenant, t -> new AtomicInteger());
        if (n.incrementAndGet() > config.connection().maxPerTenant()) {
            n.decrementAndGet();
            return false;
        }
        return true;
    }

    void closed(String tenant) {
        perTenant.computeIfPresent(tenant, (t, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    public int open(String tenant) {
        AtomicInteger n = perTenant.get(tenant);
        return n == null ? 0 : n.get();
    }
}
