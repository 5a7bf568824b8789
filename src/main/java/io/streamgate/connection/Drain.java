package io.streamgate.connection;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.protocol.CloseCodes;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Graceful shutdown for rolling restarts. On SIGTERM (Quarkus' ShutdownEvent, observed before the
 * durable cursor store's final flush): readiness goes down, new upgrades are refused with 503, and the
 * open connections are closed with 1012 one by one, spread evenly over {@code streamgate.drain.window},
 * so that their clients do not all reconnect to the same replica in the same second. Each client then
 * resumes elsewhere from its cursors.
 */
@ApplicationScoped
public class Drain {

    private static final Logger LOG = Logger.getLogger(Drain.class);

    private volatile boolean draining;

    @Inject
    Sessions sessions;

    @Inject
    StreamgateConfig config;

    /**
     * Quarkus' pre-shutdown phase ({@code quarkus.shutdown.delay-enabled}): the HTTP server still serves, so
     * the connections can be closed one by one with a proper 1012 and readiness answers "down".
     */
    void onPreShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        drainAll();
    }

    /** Without a pre-shutdown phase (dev and test mode), drain here; after a drain, nothing is left to do. */
    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        drainAll();
    }

    private synchronized void drainAll() {
        if (draining && sessions.count() == 0) {
            return;
        }
        draining = true;
        List<ClientSession> open = new ArrayList<>(sessions.all());
        if (open.isEmpty()) {
            return;
        }
        Collections.shuffle(open);
        long window = config.drain().window().toMillis();
        LOG.infof("Draining %d connections over %d ms", open.size(), window);
        long start = System.currentTimeMillis();
        try {
            for (int i = 0; i < open.size(); i++) {
                long due = start + window * i / open.size();
                long wait = due - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                open.get(i).close(CloseCodes.SERVICE_RESTART);
            }
            // Let the close frames go out and the close handlers run (they queue the last cursors).
            long deadline = System.currentTimeMillis() + 2000;
            while (sessions.count() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.infof("Drained; %d connections left", sessions.count());
    }

    public boolean isDraining() {
        return draining;
    }
}
