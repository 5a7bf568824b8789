package io.streamgate.revocation;

import io.quarkus.runtime.StartupEvent;
import io.streamgate.auth.Grant;
import io.streamgate.config.StreamgateConfig;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The revocations in force, in memory on every replica, so that checking a token at the upgrade and at
 * {@code refresh} is two hash lookups (and none while nothing is revoked). Loaded from PostgreSQL at startup and
 * again every {@code streamgate.api.revocation-reload}; new ones arrive at once through the control topic
 * ({@code io.streamgate.api.control.ControlTopic}). Entries are only added: a revocation is never lifted, only forgotten once the token it
 * names has expired.
 */
@ApplicationScoped
public class Revocations {

    private static final Logger LOG = Logger.getLogger(Revocations.class);

    /** Revoked tokens, by tenant and {@code jti}. */
    private final ConcurrentHashMap<String, Revocation> tokens = new ConcurrentHashMap<>();
    /** Revoked subjects, by tenant and subject; the latest {@code issued_before} wins. */
    private final ConcurrentHashMap<String, Revocation> subjects = new ConcurrentHashMap<>();
    private volatile boolean loaded;

    @Inject
    RevocationStore store;

    @Inject
    StreamgateConfig config;

    @Inject
    Vertx vertx;

    void start(@Observes StartupEvent event) {
        // Before the HTTP server takes upgrades: a replica that just (re)started must not admit a revoked token.
        reload();
        vertx.setPeriodic(config.api().revocationReload().toMillis(), id -> vertx.executeBlocking(() -> {
            reload();
            return null;
        }, false));
    }

    /** True when the grant's token was revoked: refused at the upgrade, at {@code refresh} and by the server API. */
    public boolean isRevoked(Grant grant) {
        if (tokens.isEmpty() && subjects.isEmpty()) {
            return false;
        }
        Revocation byToken = grant.tokenId() == null ? null : tokens.get(key(grant.tenant(), grant.tokenId()));
        if (byToken != null) {
            return true;
        }
        Revocation bySubject = subjects.get(key(grant.tenant(), grant.subject()));
        return bySubject != null && bySubject.covers(grant);
    }

    /** Takes a revocation into force on this replica (from the API call itself, the control topic or the database). */
    public void add(Revocation r) {
        if (r.tokenId() != null) {
            tokens.putIfAbsent(key(r.tenant(), r.tokenId()), r);
        } else {
            subjects.merge(key(r.tenant(), r.subject()), r,
                    (old, fresh) -> fresh.issuedBeforeMillis() > old.issuedBeforeMillis() ? fresh : old);
        }
    }

    /** The tenant's revocations in force on this replica. */
    public List<Revocation> of(String tenant) {
        List<Revocation> result = new ArrayList<>();
        tokens.values().stream().filter(r -> r.tenant().equals(tenant)).forEach(result::add);
        subjects.values().stream().filter(r -> r.tenant().equals(tenant)).forEach(result::add);
        return result;
    }

    /** Whether the stored revocations were read at least once since startup (readiness of the check). */
    public boolean loaded() {
        return loaded;
    }

    /** Reads the stored revocations (and forgets those whose token has expired); a database outage waits for the next run. */
    void reload() {
        long now = System.currentTimeMillis();
        try {
            store.all().forEach(this::add);
            tokens.values().removeIf(r -> r.expiresAtMillis() < now);
            if (!loaded) {
                LOG.infof("Loaded %d token and %d subject revocations", tokens.size(), subjects.size());
            }
            loaded = true;
        } catch (RuntimeException e) {
            LOG.warnf("Cannot read the revocations from PostgreSQL (%s); retrying in %s", e.getMessage(),
                    config.api().revocationReload());
        }
    }

    private static String key(String tenant, String name) {
        return tenant + '\n' + name;
    }
}
