package io.streamgate.local;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Destroyed;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Tells the local stack whether the gateway is up (its shutdown hook waits for the gateway to stop
 * before it stops Kafka and PostgreSQL) and prints where to look once the gateway is up.
 */
@ApplicationScoped
@IfBuildProfile("dev")
public class LocalModeLifecycle {

    private static final Logger LOG = Logger.getLogger(LocalModeLifecycle.class);

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int port;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String kafka;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String postgres;

    void started(@Observes StartupEvent event) {
        System.setProperty(LocalStackConfigSourceFactory.APPLICATION_STATE, "running");
        String base = "http://localhost:" + port;
        LOG.infof("""

                ==================================================================================
                  Streamgate local mode is up.
                  Demo storefront:  %1$s/
                  JS client:        %1$s/v1/client.js      WebSocket: ws://localhost:%2$d/v1/ws
                  Demo token:       %1$s/dev/token?tenant=demo&sub=alice
                  Server API:       %1$s/v1/api/ (docs/api.md)   Swagger UI: %1$s/q/swagger-ui
                  Server token:     %1$s/dev/server-token?tenant=demo&sub=backend
                  Kafka:            %3$s   (kcat -b %3$s -L)
                  PostgreSQL:       %4$s   (user postgres, password postgres)
                  Ctrl-C stops the gateway, Kafka, PostgreSQL and the demo producer.
                ==================================================================================""",
                base, port, kafka, postgres);
    }

    /** After every application-scoped bean is gone, Kafka clients and database pools included. */
    void stopped(@Observes @Destroyed(ApplicationScoped.class) Object event) {
        System.setProperty(LocalStackConfigSourceFactory.APPLICATION_STATE, "stopped");
    }
}
