package io.streamgate.connection;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Map;

/**
 * Admission at the upgrade, before any WebSocket exists: a draining replica answers 503, and a replica
 * over its new-connections rate answers 429; both with Retry-After, so clients back off and reconnect
 * (elsewhere).
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
        if (!budget.tryUpgrade()) {
            return CheckResult.rejectUpgrade(429, Map.of("Retry-After", List.of("1")));
        }
        return CheckResult.permitUpgrade();
    }
}
