package io.streamgate.connection;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import io.streamgate.auth.Grants;
import io.streamgate.metrics.GatewayMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Refuses the upgrade of a token that SmallRye JWT accepted but that Streamgate cannot use: a token
 * without a well-formed {@code tenant} claim (or without {@code sub}) gets HTTP 403. Tokens that are
 * missing, forged, expired or from another issuer never get here: the HTTP security policy on
 * {@code /v1/ws} answers them with 401.
 */
@ApplicationScoped
public class TenantClaimCheck implements HttpUpgradeCheck {

    @Inject
    GatewayMetrics metrics;

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        return context.securityIdentity().map(identity -> {
            if (identity == null || identity.isAnonymous()) {
                return CheckResult.rejectUpgradeSync(401);
            }
            if (identity.getPrincipal() instanceof JsonWebToken token && Grants.from(token).isPresent()) {
                return CheckResult.permitUpgradeSync();
            }
            metrics.authFailure("no_tenant");
            return CheckResult.rejectUpgradeSync(403);
        });
    }
}
