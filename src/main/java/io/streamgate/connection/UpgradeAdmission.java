package io.streamgate.connection;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import io.streamgate.auth.Grant;
import io.streamgate.auth.Grants;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.List;
import java.util.Map;

/**
 * Admission at the upgrade, before any WebSocket exists: a draining replica answers 503; a handshake query
 * that cannot be honoured (an undecodable or malformed {@code client_id}) 400; a tenant over its share of the
 * new-connections rate, or a replica over its own, 429. 503 and 429 carry Retry-After, so clients back off and
 * reconnect (elsewhere).
 */
@ApplicationScoped
public class UpgradeAdmission implements HttpUpgradeCheck {

    @Inject
    Drain drain;

    @Inject
    ConnectionBudget budget;

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        if (drain.isDraining()) {
            return CheckResult.rejectUpgrade(503, Map.of("Retry-After", List.of("1")));
        }
        if (GatewayEndpoint.clientId(context.httpRequest().query()) == null) {
            return CheckResult.rejectUpgrade(400);
        }
        return context.securityIdentity().map(identity -> {
            // The tenant is known only from a verified token; an upgrade without one is refused by the security
            // policy (401) or TenantClaimCheck (403) and takes only from the replica's bucket here.
            Grant grant = identity != null && identity.getPrincipal() instanceof JsonWebToken token
                    ? Grants.from(token).orElse(null) : null;
            if (!budget.tryUpgrade(grant == null ? null : grant.tenant())) {
                return CheckResult.rejectUpgradeSync(429, Map.of("Retry-After", List.of("1")));
            }
            return CheckResult.permitUpgradeSync();
        });
    }
}
