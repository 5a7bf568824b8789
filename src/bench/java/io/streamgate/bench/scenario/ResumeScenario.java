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

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Scenario 4: a client that missed many events comes back. It subscribes, gets a few events (so it holds a
 * cursor), drops off; the events are produced while it is away (and the server has taken them all); then it
 * reconnects with its cursor. Measured: from the reconnect to the last missed event received. The bare Vert.x
 * server keeps no history and is not in this scenario.
 * <p>
 * The drop and the catch-up happen twice, the same way for every system: the first is the first resume the server
 * process ever serves (its code not yet compiled by the JIT, its buffers not yet grown), the second is measured as
 * the result; both times are reported.
 */
public final class ResumeScenario implements Scenario {

    private static final int BEFORE = 10;
    private final Settings settings;

    public ResumeScenario(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String id() {
        return "resume";
    }

    @Override
    public String title() {
        return String.format("Resume: one client catches up on %,d missed events", settings.resumeEvents());
    }

    @Override
    public List<Supplier<ServerUnderTest>> systems() {
        return List.of(StreamgateServer::new, SocketIoServer::new);
    }

    @Override
    public boolean needsRecovery() {
        return true;
    }

    @Override
    public RunResult run(ServerUnderTest server, Fleet fleet) throws Exception {
        Delivery delivery = new Delivery();
        Sequences sequences = new Sequences(1);
        List<LoadClient> clients = Clients.make(server, fleet, 1, i -> 0, delivery, sequences);
        LoadClient client = clients.get(0);
        Map<String, Object> figures = new LinkedHashMap<>();
        try (Publisher publisher = server.publisher(fleet, 1)) {
            Clients.connect(fleet, clients);
            Pacer.burst(publisher, sequences, 0, BEFORE);
            publisher.sync();
            Clients.awaitDelivered(clients, Duration.ofSeconds(30));
            Round first = dropAndCatchUp(server, publisher, client, clients, sequences);
            Round measured = dropAndCatchUp(server, publisher, client, clients, sequences);
            figures.put("missedEvents", settings.resumeEvents());
            figures.put("firstCaughtUp", first.caughtUp);
            figures.put("firstCatchUpSeconds", first.seconds);
            figures.put("caughtUp", first.caughtUp && measured.caughtUp);
            figures.put("catchUpSeconds", measured.seconds);
            figures.put("eventsPerSecond", settings.resumeEvents() / measured.seconds);
            figures.put("serverCpuSeconds", measured.cpu.server());
            figures.put("brokerCpuSeconds", measured.cpu.broker());
            figures.put("loadGeneratorCpuSeconds", measured.cpu.loadGenerator());
            Clients.accounting(figures, clients, delivery);
            System.out.printf("    %s: caught up on %,d events in %.2f s (%,.0f events/s); the first time %.2f s%n", server.name(),
                    settings.resumeEvents(), measured.seconds, settings.resumeEvents() / measured.seconds, first.seconds);
        } finally {
            Clients.stop(clients);
        }
        return new RunResult(id(), server.name(), server.configuration(), figures, List.of(), null);
    }

    private record Round(boolean caughtUp, double seconds, CpuMeter.Reading cpu) {
    }

    /** The client drops, misses {@code resumeEvents} events, comes back with its position and is timed to the last. */
    private Round dropAndCatchUp(ServerUnderTest server, Publisher publisher, LoadClient client, List<LoadClient> clients,
            Sequences sequences) throws Exception {
        client.drop();
        Thread.sleep(1000);
        Pacer.burst(publisher, sequences, 0, settings.resumeEvents());
        publisher.sync();
        CpuMeter cpu = new CpuMeter(server);
        long t0 = System.nanoTime();
        client.connectWithRetries();
        boolean caughtUp = Clients.awaitDelivered(clients, Duration.ofMinutes(5));
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Round(caughtUp, seconds, cpu.read());
    }
}
