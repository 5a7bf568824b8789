package io.streamgate.connection;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an idle, subscribed connection keeps on the heap (issue 13), counted the way the benchmark does: a class
 * histogram of live objects (the JVM's {@code GC.class_histogram} diagnostic command, which runs a full GC first)
 * before and after opening {@value #N} connections. Fails when a Quarkus or Vert.x upgrade (or a change here) makes
 * every connection keep again what it does not need: the upgrade's routing context and request
 * ({@link DirectWire#forgetDeferredIdentity}), websockets-next's security support for it, Micrometer's per-connection
 * timer samples ({@code PerConnectionMeters}), an inbound queue ({@link GatewayEndpoint}), rate limits never used,
 * the handshake's request headers (Vert.x's map and websockets-next's copy, {@link DirectWire#forgetHeadersAtHandshake})
 * the subscribe command's id, the session's lambdas for its queue and a map for its slots. It also prints what a connection adds, by class (for src/bench/findings.md). The
 * connections share {@value #USERS} tokens, as the benchmark's clients do.
 */
@QuarkusTest
class IdleFootprintTest extends GatewayTest {

    static final int N = 200;
    /** Tokens shared by the connections, as the benchmark's clients share them (not one verified token each). */
    static final int USERS = 10;

    @Inject
    Sessions sessions;

    @Test
    void anIdleSubscribedConnectionKeepsNeitherTheUpgradeRequestNorSamplesNorUnusedLimits() throws Exception {
        List<String> tokens = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            tokens.add(Tokens.token(tenant, "user-" + u, List.of("inventory:*")));
            // The verified-token cache's entries and lazily made singletons are in 'before'.
            WsClient.connect(uri, tokens.get(u)).closeWith(1000);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.count() == 0);
        Histogram before = histogram();
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < N; i++) {
                WsClient client = WsClient.connect(uri, tokens.get(i % USERS));
                clients.add(client);
                assertThat(client.subscribe("inventory:sku-" + i).getString("type")).isEqualTo("subscribed");
            }
            Histogram after = histogram();
            report(before, after);
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
            // The handshake's request headers, emptied at the 101 (DirectWire.forgetHeadersAtHandshake): neither Vert.x's
            // map (its entries and Netty's header names) nor websockets-next's copy (an immutable map of lists) is kept.
            for (String header : List.of("io.netty.util.AsciiString", "java.util.ImmutableCollections$MapN",
                    "java.util.ImmutableCollections$List12",
                    // the subscribe command's id, kept by the subscription's slot only until `subscribed` answered it
                    "com.fasterxml.jackson.databind.node.TextNode")) {
                assertThat(grown(before, after, header)).as(header + " per connection").isLessThan(N / 4);
            }
            // Entries: the server's empty map keeps its head entry; the test's clients keep theirs (3 in all, was 9).
            assertThat(grown(before, after, "io.vertx.core.http.impl.headers.HeadersMultiMap$MapEntry"))
                    .as("header map entries per connection").isLessThan(3L * N + N / 4);
            // The session is its outbound queue's owner itself: no lambdas kept per connection for it.
            assertThat(after.counts.keySet().stream().filter(name -> name.startsWith(ClientSession.class.getName() + "$$Lambda"))
                    .mapToLong(name -> grown(before, after, name)).sum()).as("the session's lambdas per connection")
                    .isLessThan(N / 4);
            // A session's slots are an array, not a map: 6 maps per connection are left (Vert.x's duplicated contexts,
            // websockets-next's UserData, the test's clients), 7 with the slots' map.
            assertThat(grown(before, after, "java.util.concurrent.ConcurrentHashMap")).as("maps per connection")
                    .isLessThan(6L * N + N / 2);
            // The subscribe took a token of the command limit; publish, refresh and ping limits are made on first use.
            assertThat(grown(before, after, "io.streamgate.connection.TokenBucket")).as("rate limits per connection")
                    .isBetween((long) N, N + N / 4L);
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    private static long grown(Histogram before, Histogram after, String className) {
        return after.counts.getOrDefault(className, 0L) - before.counts.getOrDefault(className, 0L);
    }

    /**
     * Prints what one connection adds, by class (bytes and instances per connection, the largest first): the
     * figures of src/bench/findings.md's issue 13 notes, without running the benchmark. The test's clients and the
     * embedded Kafka broker share the JVM: a class that only the gateway uses reads true, the total does not.
     */
    private static void report(Histogram before, Histogram after) {
        Map<String, long[]> grown = new HashMap<>();
        after.counts.forEach((name, count) -> grown.put(name, new long[] {
                count - before.counts.getOrDefault(name, 0L),
                after.bytes.get(name) - before.bytes.getOrDefault(name, 0L)}));
        long total = grown.values().stream().mapToLong(g -> g[1]).sum();
        StringBuilder out = new StringBuilder(String.format(
                "IdleFootprintTest: the JVM grew by %.0f bytes per connection (its clients and the embedded broker too)%n",
                (double) total / N));
        grown.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1])).limit(40)
                .forEach(e -> out.append(String.format("%8.1f B %6.2f  %s%n", (double) e.getValue()[1] / N,
                        (double) e.getValue()[0] / N, e.getKey())));
        System.out.print(out);
    }

    private record Histogram(Map<String, Long> counts, Map<String, Long> bytes) {
    }

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE);

    /** Live instances and bytes by class name, after a full GC ({@code jcmd <pid> GC.class_histogram}, in process). */
    private static Histogram histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, Long> counts = new HashMap<>();
        Map<String, Long> bytes = new HashMap<>();
        Matcher m = ROW.matcher(text);
        while (m.find()) {
            counts.merge(m.group(3), Long.parseLong(m.group(1)), Long::sum);
            bytes.merge(m.group(3), Long.parseLong(m.group(2)), Long::sum);
        }
        assertThat(counts).as("class histogram rows").isNotEmpty();
        return new Histogram(counts, bytes);
    }
}
