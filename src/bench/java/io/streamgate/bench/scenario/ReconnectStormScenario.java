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
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Scenario 5: a reconnect storm. Clients spread over channels, each holding a cursor; all connections drop at
 * once; events are produced to every channel while they are away; all reconnect at the same moment with their
 * cursors. Measured: until every client is subscribed again, and until every client has every missed event.
 * The bare Vert.x server cannot resume: it gets no events during the outage and is timed on reconnecting only.
 */
public final class ReconnectStormScenario implements Scenario {

    private static final int BEFORE = 3;
    /** How long each phase (all subscribed, all caught up) may take before the scenario reports what it has. */
    private static final Duration LIMIT = Duration.ofMinutes(3);
    private final Settings settings;

    public ReconnectStormScenario(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String id() {
        return "storm";
    }

    @Override
    public String title() {
        return String.format("Reconnect storm: %,d clients reconnect at once with cursors", settings.stormClients());
    }

    @Override
    public List<Supplier<ServerUnderTest>> systems() {
        return List.of(StreamgateServer::new, SocketIoServer::new, VertxServer::new);
    }

    @Override
    public boolean needsRecovery() {
        return true;
    }

    @Override
    public RunResult run(ServerUnderTest server, Fleet fleet) throws Exception {
        int channels = settings.stormChannels();
        Delivery delivery = new Delivery();
        Sequences sequences = new Sequences(channels);
        List<LoadClient> clients = Clients.make(server, fleet, settings.stormClients(), i -> i % channels, delivery, sequences);
        Map<String, Object> figures = new LinkedHashMap<>();
        try (Publisher publisher = server.publisher(fleet, channels)) {
            Clients.connect(fleet, clients);
            produce(publisher, sequences, channels, BEFORE);
            Clients.awaitDelivered(clients, Duration.ofSeconds(60));
            clients.forEach(LoadClient::drop);
            Thread.sleep(2000); // the server sees every close
            int missed = server.resumes() ? settings.stormMissedPerChannel() : 0;
            produce(publisher, sequences, channels, missed);
            CpuMeter cpu = new CpuMeter(server);
            long refusedBefore = delivery.refusedAttempts();
            long t0 = System.nanoTime();
            boolean allSubscribed = awaitSubscribed(Fleet.reconnectAll(clients));
            double subscribedSeconds = (System.nanoTime() - t0) / 1e9;
            boolean caughtUp = allSubscribed && Clients.awaitDelivered(clients, LIMIT);
            double caughtUpSeconds = (System.nanoTime() - t0) / 1e9;
            figures.put("allSubscribed", allSubscribed);
            figures.put("subscribedWithinLimit", clients.stream().filter(LoadClient::isSubscribed).count());
            CpuMeter.Reading used = cpu.read();
            figures.put("clients", clients.size());
            figures.put("missedEventsPerClient", missed);
            figures.put("allSubscribedSeconds", subscribedSeconds);
            figures.put("caughtUp", caughtUp);
            figures.put("allCaughtUpSeconds", caughtUpSeconds);
            figures.put("reconnectsPerSecond", clients.size() / subscribedSeconds);
            figures.put("refusedAttempts", delivery.refusedAttempts() - refusedBefore);
            figures.put("serverCpuSeconds", used.server());
            figures.put("brokerCpuSeconds", used.broker());
            figures.put("loadGeneratorCpuSeconds", used.loadGenerator());
            Clients.accounting(figures, clients, delivery);
            System.out.printf("    %s: %,d clients subscribed again in %.2f s, caught up in %.2f s%n", server.name(), clients.size(),
                    subscribedSeconds, caughtUpSeconds);
        } finally {
            Clients.stop(clients);
        }
        return new RunResult(id(), server.name(), server.configuration(), figures, List.of(), null);
    }

    /** Waits for every reconnect, up to {@link #LIMIT}: a storm that takes longer is reported as such. */
    private static boolean awaitSubscribed(java.util.concurrent.CompletableFuture<Void> all) throws InterruptedException {
        try {
            all.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    private static void produce(Publisher publisher, Sequences sequences, int channels, int perChannel) throws Exception {
        for (int ch = 0; ch < channels; ch++) {
            Pacer.burst(publisher, sequences, ch, perChannel);
        }
        publisher.sync();
    }
}
