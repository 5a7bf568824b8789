package io.streamgate.connection;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an idle, subscribed connection keeps on the heap (issue 13), counted the way the benchmark does: a class
 * histogram of live objects (the JVM's {@code GC.class_histogram} diagnostic command, which runs a full GC first)
 * before and after opening {@value #N} connections. Fails when a Quarkus or Vert.x upgrade (or a change here) makes
 * every connection keep again what it does not need: the upgrade's routing context and request
 * ({@link DirectWire#forgetDeferredIdentity}), websockets-next's security support for it, Micrometer's per-connection
 * timer samples ({@code PerConnectionMeters}), an inbound queue ({@link GatewayEndpoint}), rate limits never used.
 */
@QuarkusTest
class IdleFootprintTest extends GatewayTest {

    static final int N = 100;

    @Test
    void anIdleSubscribedConnectionKeepsNeitherTheUpgradeRequestNorSamplesNorUnusedLimits() throws Exception {
        Map<String, Long> before = histogram();
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < N; i++) {
                WsClient client = WsClient.connect(uri, Tokens.token(tenant, "user-" + i, List.of("inventory:*")));
                clients.add(client);
                assertThat(client.subscribe("inventory:sku-" + i).getString("type")).isEqualTo("subscribed");
            }
            Map<String, Long> after = histogram();
            // The histogram sees the connections (so the counts below can fail): one of websockets-next's each.
            assertThat(grown(before, after, "io.quarkus.websockets.next.runtime.WebSocketConnectionImpl")).isGreaterThanOrEqualTo(N);
            // None kept per connection; a few may be in flight elsewhere (the test's own HTTP calls), never N.
            for (String perUpgrade : List.of("io.vertx.ext.web.impl.RoutingContextImpl",
                    "io.vertx.core.http.impl.Http1xServerRequest", "io.vertx.core.http.impl.Http1xServerResponse",
                    "io.quarkus.websockets.next.runtime.SecuritySupport",
                    "io.smallrye.mutiny.operators.uni.UniMemoizeOp",
                    "io.micrometer.core.instrument.internal.DefaultLongTaskTimer$SampleImpl",
                    // websockets-next's SERIAL inbound queue (GatewayEndpoint is CONCURRENT)
                    "org.jctools.queues.atomic.unpadded.MpscUnboundedAtomicUnpaddedArrayQueue")) {
                assertThat(grown(before, after, perUpgrade)).as(perUpgrade + " per connection").isLessThan(N / 4);
            }
            // The subscribe took a token of the command limit; publish, refresh and ping limits are made on first use.
            assertThat(grown(before, after, "io.streamgate.connection.TokenBucket")).as("rate limits per connection")
                    .isBetween((long) N, N + N / 4L);
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    private static long grown(Map<String, Long> before, Map<String, Long> after, String className) {
        return after.getOrDefault(className, 0L) - before.getOrDefault(className, 0L);
    }

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+(\\S+)", Pattern.MULTILINE);

    /** Live instances by class name, after a full GC ({@code jcmd <pid> GC.class_histogram}, in process). */
    private static Map<String, Long> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, Long> counts = new HashMap<>();
        Matcher m = ROW.matcher(text);
        while (m.find()) {
            counts.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
        }
        assertThat(counts).as("class histogram rows").isNotEmpty();
        return counts;
    }
}
