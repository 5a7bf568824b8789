package io.streamgate.bench.scenario;

import io.streamgate.bench.Settings;
import io.streamgate.bench.client.Delivery;
import io.streamgate.bench.client.Fleet;
import io.streamgate.bench.client.LoadClient;
import io.streamgate.bench.client.Pacer;
import io.streamgate.bench.client.Publisher;
import io.streamgate.bench.client.Sequences;
import io.streamgate.bench.stack.ServerUnderTest;
import io.streamgate.bench.stack.SocketIoServer;
import io.streamgate.bench.stack.StreamgateServer;
import io.streamgate.bench.stack.VertxServer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Scenarios 1 and 2: connections subscribed, the producer's rate raised step by step until p99 passes 100 ms.
 * Reports the most deliveries/s within the bar and the server's CPU seconds per million deliveries there.
 * <ul>
 *   <li>fan-out: every connection on one channel, each event goes to all of them;</li>
 *   <li>many channels: every connection on a channel of its own, events round-robin over the channels.</li>
 * </ul>
 */
public final class RampScenario implements Scenario {

    private final String id;
    private final String title;
    private final int connections;
    private final int channels;
    private final List<Integer> targets;
    private final Settings settings;

    private RampScenario(String id, String title, int connections, int channels, List<Integer> targets, Settings settings) {
        this.id = id;
        this.title = title;
        this.connections = connections;
        this.channels = channels;
        this.targets = targets;
        this.settings = settings;
    }

    public static RampScenario fanOut(int subscribers, Settings settings) {
        return new RampScenario("fanout-" + subscribers, String.format("Fan-out: one channel, %,d subscribers", subscribers),
                subscribers, 1, settings.fanOutTargets(), settings);
    }

    public static RampScenario manyChannels(Settings settings) {
        int n = settings.manyChannels();
        return new RampScenario("many-channels", String.format("Many channels: %,d connections, each on its own channel", n),
                n, n, settings.manyChannelsTargets(), settings);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public List<Supplier<ServerUnderTest>> systems() {
        return List.of(StreamgateServer::new, SocketIoServer::new, VertxServer::new);
    }

    @Override
    public RunResult run(ServerUnderTest server, Fleet fleet) throws Exception {
        Delivery delivery = new Delivery();
        Sequences sequences = new Sequences(channels);
        List<LoadClient> clients = Clients.make(server, fleet, connections, i -> i % channels, delivery, sequences);
        Clients.connect(fleet, clients);
        Map<String, Object> figures = new LinkedHashMap<>();
        try (Publisher publisher = server.publisher(fleet, channels); Pacer pacer = new Pacer(publisher, sequences)) {
            int deliveriesPerEvent = connections / channels;
            List<Step> steps = Ramp.run(server, clients, pacer, delivery, deliveriesPerEvent, targets, settings);
            Clients.awaitDelivered(clients, Duration.ofSeconds(30));
            Ramp.summarize(figures, steps);
            Clients.accounting(figures, clients, delivery);
            return new RunResult(id, server.name(), server.configuration(), figures, steps, null);
        } finally {
            Clients.stop(clients);
        }
    }
}
