package io.streamgate.bench.scenario;

import io.streamgate.bench.client.Delivery;
import io.streamgate.bench.client.Fleet;
import io.streamgate.bench.client.LoadClient;
import io.streamgate.bench.client.Sequences;
import io.streamgate.bench.stack.ServerUnderTest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/** Helpers over a scenario's clients: make, connect, wait for delivery, count what went missing. */
final class Clients {

    private Clients() {
    }

    static List<LoadClient> make(ServerUnderTest server, Fleet fleet, int count, IntUnaryOperator channelOf, Delivery delivery,
            Sequences sequences) {
        List<LoadClient> clients = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            clients.add(server.client(fleet, i, channelOf.applyAsInt(i), delivery, sequences));
        }
        return clients;
    }

    /** Connects and subscribes them all, a few hundred handshakes at a time. */
    static void connect(Fleet fleet, List<LoadClient> clients) throws Exception {
        fleet.connectAll(clients, 256, Duration.ofMinutes(5));
    }

    /** Waits until every client has every event produced to its channel; false on timeout. */
    static boolean awaitDelivered(List<LoadClient> clients, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (missing(clients) == 0) {
                return true;
            }
            Thread.sleep(20);
        }
        return missing(clients) == 0;
    }

    static long missing(List<LoadClient> clients) {
        long missing = 0;
        for (LoadClient c : clients) {
            missing += c.missing();
        }
        return missing;
    }

    static void stop(List<LoadClient> clients) {
        clients.forEach(LoadClient::stop);
    }

    /** Lost = gaps seen plus events never received; duplicated = repeats after cursor de-duplication. */
    static void accounting(java.util.Map<String, Object> figures, List<LoadClient> clients, Delivery delivery) {
        figures.put("wireEvents", delivery.wire());
        figures.put("droppedByCursor", delivery.droppedByCursor());
        figures.put("delivered", delivery.delivered());
        figures.put("lost", delivery.gaps() + missing(clients));
        figures.put("duplicated", delivery.duplicated());
        figures.put("reconnects", delivery.reconnects());
        figures.put("unrecovered", delivery.unrecovered());
    }
}
