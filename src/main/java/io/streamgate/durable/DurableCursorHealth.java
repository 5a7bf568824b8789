package io.streamgate.durable;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the durable cursor store in readiness. Always UP: without PostgreSQL a replica still delivers
 * live events and resumes from client-held cursors, so taking it out of the load balancer would do more
 * harm than good. The {@code status} field says {@code degraded} while writes fail.
 */
@Readiness
@ApplicationScoped
public class DurableCursorHealth implements HealthCheck {

    @Inject
    DurableCursorStore store;

    @Override
    public HealthCheckResponse call() {
        String error = store.lastError();
        return HealthCheckResponse.named("streamgate-durable-cursors").up()
                .withData("status", error == null ? "ok" : "degraded")
                .withData("pending", store.pendingCount())
                .withData("last_error", error == null ? "" : error)
                .build();
    }
}
