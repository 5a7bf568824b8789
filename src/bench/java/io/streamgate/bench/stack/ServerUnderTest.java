package io.streamgate.bench.stack;

import io.streamgate.bench.client.Delivery;
import io.streamgate.bench.client.Endpoint;
import io.streamgate.bench.client.Fleet;
import io.streamgate.bench.client.LoadClient;
import io.streamgate.bench.client.Publisher;
import io.streamgate.bench.client.Sequences;

import java.util.Optional;

/** One of the systems compared: started fresh for each scenario, measured from outside, stopped after it. */
public interface ServerUnderTest extends AutoCloseable {

    /** Its name in the report, with its version. */
    String name();

    /** Its configuration in one sentence, for the report. */
    String configuration();

    void start(ServerOptions options) throws Exception;

    Endpoint endpoint();

    /** The client of the given index, subscribing to channel number {@code channel}. */
    LoadClient client(Fleet fleet, int index, int channel, Delivery delivery, Sequences sequences);

    /** Where events for channels 0 .. channels-1 are produced. */
    Publisher publisher(Fleet fleet, int channels) throws Exception;

    /** Can a client that was away get what it missed? */
    boolean resumes();

    /** The process that serves the WebSockets. */
    ManagedProcess server();

    /** The broker behind it, measured separately; empty for systems without one. */
    default Optional<ManagedProcess> broker() {
        return Optional.empty();
    }

    /** Heap in use after a forced full GC, and resident memory, of the server process. */
    MemoryFigures memoryAfterGc() throws Exception;

    /** Writes what fills the heap, by class, where the runtime can tell (JVMs: {@code jcmd GC.class_histogram}). */
    default void saveHeapHistogram(java.nio.file.Path file) throws Exception {
    }

    @Override
    void close();

    static String channel(int channel) {
        return "c-" + channel;
    }
}
