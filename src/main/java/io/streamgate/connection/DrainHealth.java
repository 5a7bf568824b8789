package io.streamgate.connection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness goes down as soon as the replica starts draining, so the load balancer sends no one new. */
@Readiness
@ApplicationScoped
public class DrainHealth implements HealthCheck {

    @Inject
    Drain drain;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("streamgate-accepting-connections").status(!drain.isDraining()).build();
    }
}
