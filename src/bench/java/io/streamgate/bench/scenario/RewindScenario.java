package io.streamgate.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgate.bench.client.Fleet;
import io.streamgate.bench.client.Publisher;
import io.streamgate.bench.stack.ServerUnderTest;
import io.streamgate.bench.stack.StreamgateServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What a {@code rewind} of the last 10 events costs (issue 16): on a hot channel (one with a subscriber on the
 * gateway: served from the recent events fan-out keeps) and on a cold channel in a busy partition (its last 10
 * events lie behind {@value #BUSY} records of another channel of the tenant: found by a backward read of Kafka, then
 * replayed). Each rewind is a fresh connection that subscribes with {@code rewind: 10}, waits for the 10 events and
 * closes, one after the other; a batch of plain subscribes (no rewind) on the same connections' path is measured the
 * same way, so the difference is the rewind's own time and gateway CPU.
 */
public final class RewindScenario implements Scenario {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int N = 10;
    private static final int HOT = 0;
    private static final int COLD = 1;
    private static final int NOISE = 2;
    /** Records of another channel written after the cold channel's last event. */
    static final int BUSY = 50_000;
    private static final int ROUNDS = 100;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Override
    public String id() {
        return "rewind";
    }

    @Override
    public String title() {
        return "Rewind: the last " + N + " events of a hot channel and of a cold one in a busy partition";
    }

    @Override
    public List<Supplier<ServerUnderTest>> systems() {
        return List.of(StreamgateServer::new);
    }

    @Override
    public RunResult run(ServerUnderTest server, Fleet fleet) throws Exception {
        StreamgateServer gateway = (StreamgateServer) server;
        URI uri = URI.create("ws://" + server.endpoint().host() + ":" + server.endpoint().port() + "/v1/ws");
        Map<String, Object> figures = new LinkedHashMap<>();
        try (Publisher publisher = server.publisher(fleet, 3); Probe watcher = Probe.open(uri, gateway.token(0))) {
            watcher.subscribe(channel(HOT), null);
            long seq = 0;
            for (int i = 0; i < N; i++) {
                publisher.publish(COLD, seq++, System.nanoTime());
            }
            for (int i = 0; i < BUSY; i++) {
                publisher.publish(NOISE, seq++, System.nanoTime());
            }
            for (int i = 0; i < 100; i++) {
                publisher.publish(HOT, seq++, System.nanoTime());
            }
            publisher.sync();
            watcher.awaitEvents(100);

            figures.put("busyRecordsAfterTheColdChannel", BUSY);
            measure("plain subscribe", uri, gateway, HOT, 0, figures);
            measure("hot rewind", uri, gateway, HOT, N, figures);
            measure("cold rewind", uri, gateway, COLD, N, figures);
        }
        return new RunResult(id(), server.name(), server.configuration(), figures, List.of(), null);
    }

    private static String channel(int channel) {
        return StreamgateServer.NAMESPACE + ":c-" + channel;
    }

    /** {@link #ROUNDS} connections one after the other, each subscribing (with {@code rewind} unless 0) and closing. */
    private static void measure(String what, URI uri, StreamgateServer gateway, int channel, int rewind,
            Map<String, Object> figures) throws Exception {
        List<Double> millis = new ArrayList<>();
        CpuMeter cpu = new CpuMeter(gateway);
        for (int i = 0; i < ROUNDS; i++) {
            try (Probe probe = Probe.open(uri, gateway.token(i + 1))) {
                long t0 = System.nanoTime();
                JsonNode subscribed = probe.subscribe(channel(channel), rewind == 0 ? null : rewind);
                if (rewind > 0) {
                    if (subscribed.path("found").asInt() != rewind) {
                        throw new IllegalStateException(what + ": found " + subscribed);
                    }
                    probe.awaitEvents(rewind);
                }
                millis.add((System.nanoTime() - t0) / 1e6);
            }
        }
        CpuMeter.Reading used = cpu.read();
        millis.sort(Double::compare);
        double mean = millis.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        String key = what.replace(' ', '_');
        figures.put(key + "_mean_ms", mean);
        figures.put(key + "_p50_ms", millis.get(millis.size() / 2));
        figures.put(key + "_p99_ms", millis.get((int) Math.ceil(millis.size() * 0.99) - 1));
        figures.put(key + "_server_cpu_ms_per_connection", used.server() * 1000 / ROUNDS);
        figures.put(key + "_broker_cpu_ms_per_connection", used.broker() * 1000 / ROUNDS);
        System.out.printf("    %s: %d connections, subscribe-to-last-event mean %.2f ms (p50 %.2f, p99 %.2f); gateway CPU "
                + "%.2f ms and broker CPU %.2f ms per connection (connect, subscribe, close included)%n", what, ROUNDS, mean,
                millis.get(millis.size() / 2), millis.get((int) Math.ceil(millis.size() * 0.99) - 1),
                used.server() * 1000 / ROUNDS, used.broker() * 1000 / ROUNDS);
    }

    /** One connection: sends a subscribe, collects the frames. */
    private static final class Probe implements WebSocket.Listener, AutoCloseable {
        private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Probe open(URI uri, String token) throws Exception {
            Probe probe = new Probe();
            probe.socket = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + token)
                    .buildAsync(uri, probe).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            probe.next("welcome");
            return probe;
        }

        JsonNode subscribe(String channel, Integer rewind) throws Exception {
            var command = JSON.createObjectNode().put("type", "subscribe").put("id", 1).put("channel", channel);
            if (rewind != null) {
                command.put("rewind", rewind);
            }
            socket.sendText(command.toString(), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return next("subscribed");
        }

        void awaitEvents(int n) throws Exception {
            for (int i = 0; i < n; i++) {
                next("event");
            }
        }

        private JsonNode next(String type) throws Exception {
            while (true) {
                JsonNode frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (frame == null) {
                    throw new IllegalStateException("no '" + type + "' within " + WAIT);
                }
                String got = frame.path("type").asText();
                if (got.equals(type)) {
                    return frame;
                }
                if (got.equals("error")) {
                    throw new IllegalStateException("refused: " + frame);
                }
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
