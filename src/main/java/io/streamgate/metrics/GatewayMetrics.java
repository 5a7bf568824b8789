package io.streamgate.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Streamgate's own meters, exported by Micrometer at {@code /q/metrics} (Prometheus names in brackets).
 * Tenant tags are bounded: the first {@value #MAX_TENANT_TAGS} tenants seen by a replica get their own
 * series, later ones share {@code _other}, so a platform with a million tenants does not melt Prometheus.
 */
@ApplicationScoped
public class GatewayMetrics {

    static final int MAX_TENANT_TAGS = 50;
    static final String OTHER_TENANTS = "_other";

    private final ConcurrentHashMap<String, AtomicInteger> connectionsByTag = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    /**
     * Added to once per frame per connection: a {@code LongAdder} read by a function counter, because a counter
     * of the application's (composite) registry walks its child meters on every increment, which was about half of
     * the live consumer's fan-out time per subscriber in a profile (src/bench/findings.md).
     */
    private final LongAdder bytesOut = new LongAdder();
    private final Timer deliveryLatency;

    @Inject
    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        // [streamgate_bytes_out_total] bytes of frames handed to sockets
        FunctionCounter.builder("streamgate.bytes.out", bytesOut, LongAdder::doubleValue).register(registry);
        // [streamgate_delivery_latency_seconds] Kafka record timestamp to the frame being queued on the sockets
        this.deliveryLatency = Timer.builder("streamgate.delivery.latency")
                .description("Kafka record timestamp to event frame queued for its subscribers")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        registry.gauge("streamgate.sse.streams", sseStreams);
    }

    /** [streamgate_connections{tenant}] open connections. */
    public void connectionOpened(String tenant) {
        connections(tenantTag(tenant)).incrementAndGet();
    }

    /**
     * [streamgate_disconnects_total{code}] closes by close code. A client may close with any code of 3000-4999 (and
     * others), so only the codes of RFC 6455 and of this protocol get their own series; the rest share {@code other}.
     */
    public void connectionClosed(String tenant, int code) {
        connections(tenantTag(tenant)).decrementAndGet();
        registry.counter("streamgate.disconnects", "code", closeCodeTag(code)).increment();
    }

    /** The close code as a bounded label: its number for RFC 6455's and the protocol's codes, else {@code other}. */
    public static String closeCodeTag(int code) {
        return switch (code) {
            case 1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015,
                    4008, 4401, 4403, 4410, 4411, 4429 -> Integer.toString(code);
            default -> "other";
        };
    }

    private final AtomicInteger sseStreams = new AtomicInteger();

    /**
     * [streamgate_sse_streams] open SSE streams (docs/protocol.md, "SSE transport"). They also count in
     * {@code streamgate_connections}, so connection dashboards and limits see every client; this gauge tells how
     * many of them came over the fallback.
     */
    public void sseOpened() {
        sseStreams.incrementAndGet();
    }

    /** [streamgate_sse_closes_total{code}] closed SSE streams, by the close code their {@code close} frame named. */
    public void sseClosed(int code) {
        sseStreams.decrementAndGet();
        registry.counter("streamgate.sse.closes", "code", closeCodeTag(code)).increment();
    }

    public LongAdder bytesOut() {
        return bytesOut;
    }

    /**
     * [streamgate_rewinds_total{source}] subscribes with {@code rewind}: {@code memory} (served from recent events
     * kept by fan-out), {@code kafka} (a backward scan found events, the replay delivers them), {@code none}
     * (the scan found nothing).
     */
    public void rewind(String source) {
        registry.counter("streamgate.rewinds", "source", source).increment();
    }

    /** [streamgate_resumes_total{outcome}] recovered, expired, epoch, invalid, unavailable, nothing_stored. */
    public void resume(String outcome) {
        registry.counter("streamgate.resumes", "outcome", outcome).increment();
    }

    /** [streamgate_auth_failures_total{reason}] refused upgrades and refreshes. */
    public void authFailure(String reason) {
        registry.counter("streamgate.auth.failures", "reason", reason).increment();
    }

    /**
     * [streamgate_upgrades_refused_total{reason}] WebSocket upgrades and SSE streams refused for the replica's own
     * reasons, not the client's token (those are {@link #authFailure}): {@code rate_limited} (429: the tenant's or
     * the replica's new-connection rate), {@code draining} (503 while shutting down), {@code bad_query} (400). A
     * reconnect storm paced by the limits shows here.
     */
    public void upgradeRefused(String reason) {
        registry.counter("streamgate.upgrades.refused", "reason", reason).increment();
    }

    /** [streamgate_publishes_total{outcome}] ok, forbidden, too_large, rate_limited, failed. */
    public void publish(String outcome) {
        registry.counter("streamgate.publishes", "outcome", outcome).increment();
    }

    public void delivered(long recordTimestampMillis) {
        long latency = System.currentTimeMillis() - recordTimestampMillis;
        if (latency >= 0) {
            deliveryLatency.record(latency, TimeUnit.MILLISECONDS);
        }
    }

    private AtomicInteger connections(String tag) {
        return connectionsByTag.computeIfAbsent(tag,
                t -> registry.gauge("streamgate.connections", Tags.of("tenant", t),
                        new AtomicInteger()));
    }

    private String tenantTag(String tenant) {
        if (connectionsByTag.containsKey(tenant) || connectionsByTag.size() < MAX_TENANT_TAGS) {
            return tenant;
        }
        return OTHER_TENANTS;
    }
}
