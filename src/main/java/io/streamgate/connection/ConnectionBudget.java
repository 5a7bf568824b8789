package io.streamgate.connection;

import io.streamgate.config.StreamgateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection limits of this replica: new connections per second, per tenant and for the replica
 * (checked at the upgrade), and open connections per tenant (checked right after it).
 */
@ApplicationScoped
public class ConnectionBudget {

    private static final int MAX_TENANT_BUCKETS = 10_000;

    private final ConcurrentHashMap<String, AtomicInteger> perTenant = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TokenBucket> tenantUpgrades = new ConcurrentHashMap<>();
    private TokenBucket upgrades;
    private volatile long lastSweep;

    @Inject
    StreamgateConfig config;

    private synchronized TokenBucket upgrades() {
        if (upgrades == null) {
            upgrades = new TokenBucket(config.connection().newPerSecond(), config.connection().newBurst());
        }
        return upgrades;
    }

    /**
     * Takes a new connection from the tenant's bucket, then from the replica's; false (and nothing taken) when
     * either is empty. Only verified grants get here ({@link UpgradeAdmission}), so the tenant is never null.
     */
    public boolean tryUpgrade(String tenant) {
        TokenBucket own = tenantUpgrades.computeIfAbsent(tenant,
                t -> new TokenBucket(config.connection().newPerTenantPerSecond(), config.connection().newPerTenantBurst()));
        if (!own.tryTake()) {
            return false;
        }
        if (!upgrades().tryTake()) {
            own.giveBack();
            return false;
        }
        long now = System.nanoTime();
        if (tenantUpgrades.size() > MAX_TENANT_BUCKETS && now - lastSweep > 1_000_000_000L) {
            lastSweep = now;
            // Tenants come from verified tokens, yet their number is not ours to bound: forget full buckets.
            tenantUpgrades.values().removeIf(TokenBucket::isFull);
        }
        return true;
    }

    /** Counts a tenant's new connection; false (and not counted) when the tenant is at its limit. */
    public boolean tryOpen(String tenant) {
        AtomicInteger n = perTenant.computeIfAbsent(tenant, t -> new AtomicInteger());
        if (n.incrementAndGet() > config.connection().maxPerTenant()) {
            n.decrementAndGet();
            return false;
        }
        return true;
    }

    public void closed(String tenant) {
        perTenant.computeIfPresent(tenant, (t, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    public int open(String tenant) {
        AtomicInteger n = perTenant.get(tenant);
        return n == null ? 0 : n.get();
    }
}
