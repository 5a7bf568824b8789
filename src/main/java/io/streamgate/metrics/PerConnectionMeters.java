package io.streamgate.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Set;

/**
 * Turns off the two meters of Quarkus's HTTP server binder that keep an object per open connection: the long task
 * timers {@code http.server.connections} (every TCP connection) and {@code http.server.websocket.connections}
 * (every WebSocket). Each holds a sample (and a map node) for the connection's whole life, about 100 bytes per idle
 * WebSocket (issue 13), to report durations nobody reads: the open connections are {@code streamgate_connections}
 * (by tenant) and Quarkus's {@code http_server_active_connections} gauge, which stay, as do the request meters.
 * Denied, they are Micrometer's no-op timers. Neither appears in docs/ or in the Helm chart's alerts and dashboard.
 */
public class PerConnectionMeters {

    static final Set<String> DENIED = Set.of("http.server.connections", "http.server.websocket.connections");

    @Produces
    @Singleton
    MeterFilter denyPerConnectionTimers() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return id.getType() == Meter.Type.LONG_TASK_TIMER && DENIED.contains(id.getName())
                        ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
            }
        };
    }
}
