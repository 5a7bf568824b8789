package io.streamgate.bench.scenario;

import io.streamgate.bench.Settings;
import io.streamgate.bench.client.Delivery;
import io.streamgate.bench.client.Fleet;
import io.streamgate.bench.client.LoadClient;
import io.streamgate.bench.client.Sequences;
import io.streamgate.bench.stack.MemoryFigures;
import io.streamgate.bench.stack.NodeWsServer;
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
 * Scenario 3: memory per idle connection. Each connection is authenticated (where the system authenticates)
 * and subscribed to a channel of its own, then sits idle. At each size, after a heartbeat round (every
 * connection pinged and answered) and a forced full GC: heap in use and resident memory, less the same figures
 * of the freshly started server with no connection, divided by the connections.
 */
public final class IdleScenario implements Scenario {

    private final Settings settings;

    public IdleScenario(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String id() {
        return "idle";
    }

    @Override
    public String title() {
        return "Idle connections: memory per connection";
    }

    @Override
    public List<Supplier<ServerUnderTest>> systems() {
        return List.of(StreamgateServer::new, SocketIoServer::new, VertxServer::new, NodeWsServer::new);
    }

    @Override
    public RunResult run(ServerUnderTest server, Fleet fleet) throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        List<Integer> sizes = settings.idleConnections();
        int max = sizes.get(sizes.size() - 1);
        Delivery delivery = new Delivery();
        List<LoadClient> clients = Clients.make(server, fleet, max, i -> i, delivery, new Sequences(max));
        MemoryFigures empty = server.memoryAfterGc();
        server.saveHeapHistogram(histogramFile(server, 0));
        figures.put("heapBytesEmpty", empty.heapBytes());
        figures.put("rssBytesEmpty", empty.rssBytes());
        int connected = 0;
        try {
            for (int size : sizes) {
                connected = connectUpTo(fleet, clients, connected, size);
                Thread.sleep(settings.pingMillis() + 1000); // a heartbeat round
                MemoryFigures m = server.memoryAfterGc();
                server.saveHeapHistogram(histogramFile(server, connected));
                figures.put("connections@" + size, connected);
                figures.put("heapBytesPerConnection@" + size, (double) (m.heapBytes() - empty.heapBytes()) / connected);
                figures.put("rssBytesPerConnection@" + size, (double) (m.rssBytes() - empty.rssBytes()) / connected);
                System.out.printf("    %s: %,d connections: heap %.1f KiB, RSS %.1f KiB per connection%n", server.name(), connected,
                        (m.heapBytes() - empty.heapBytes()) / 1024.0 / connected, (m.rssBytes() - empty.rssBytes()) / 1024.0 / connected);
            }
            figures.put("reconnects", delivery.reconnects());
        } finally {
            Clients.stop(clients);
        }
        return new RunResult(id(), server.name(), server.configuration(), figures, List.of(), null);
    }

    /** Class histograms (JVM servers) go next to the server's log, for finding what a connection costs. */
    private static java.nio.file.Path histogramFile(ServerUnderTest server, int connections) {
        return server.server().logDirectory().resolve("heap-histogram-" + connections + ".txt");
    }

    /**
     * Connects clients {@code from} .. {@code size - 1}. At the largest size the server may run out of file
     * descriptors before all are in: what it holds then is what is measured.
     */
    private static int connectUpTo(Fleet fleet, List<LoadClient> clients, int from, int size) throws InterruptedException {
        List<LoadClient> batch = clients.subList(from, size);
        try {
            fleet.connectAll(batch, 256, Duration.ofMinutes(3));
        } catch (Exception e) {
            System.out.println("    not every connection got in: " + e.getMessage());
            batch.stream().filter(c -> !c.isSubscribed()).forEach(LoadClient::stop);
            Thread.sleep(2000);
        }
        return (int) clients.subList(0, size).stream().filter(LoadClient::isSubscribed).count();
    }
}
