package io.streamgate.api;

import io.streamgate.revocation.Revocations;
import io.streamgate.auth.Grant;
import io.streamgate.auth.Grants;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.connection.TokenBucket;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What every API call checks once SmallRye JWT has verified the token and {@code @RolesAllowed} has found the
 * server role in it: the token names a tenant and a subject (read as the upgrade reads client tokens,
 * {@link Grants}), it is not revoked, and its tenant is within its request rate on this replica. The tenant
 * returned is the only one the call may see or change.
 */
@ApplicationScoped
public class ApiAccess {

    /** Buckets of tenants idle long enough to be full again are dropped beyond this many. */
    private static final int MAX_IDLE_BUCKETS = 10_000;

    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    @Inject
    StreamgateConfig config;

    @Inject
    Revocations revocations;

    /** {@code streamgate.api.enabled}. */
    public boolean enabled() {
        return config.api().enabled();
    }

    /** The caller: the server token's tenant and subject. */
    public Grant admit(JsonWebToken token) {
        Grant caller = Grants.from(token).orElseThrow(() -> new ApiException(403, "forbidden",
                "the server token has no usable 'tenant' claim or no 'sub'"));
        if (revocations.isRevoked(caller)) {
            throw new ApiException(401, "unauthorized", "the server token was revoked");
        }
        if (buckets.size() > MAX_IDLE_BUCKETS) {
            buckets.values().removeIf(TokenBucket::isFull);
        }
        TokenBucket bucket = buckets.computeIfAbsent(caller.tenant(),
                t -> new TokenBucket(config.api().requestsPerSecond(), config.api().burst()));
        if (!bucket.tryTake()) {
            throw new ApiException(429, "rate_limited", "too many API requests for this tenant; retry in a second");
        }
        return caller;
    }
}
