package io.streamgate.bench.stack;

import io.streamgate.bench.client.Delivery;
import io.streamgate.bench.client.Endpoint;
import io.streamgate.bench.client.Fleet;
import io.streamgate.bench.client.LoadClient;
import io.streamgate.bench.client.PlainClient;
import io.streamgate.bench.client.PlainPublisher;
import io.streamgate.bench.client.Publisher;
import io.streamgate.bench.client.Sequences;
import io.streamgate.bench.vertx.BareVertxServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** The bare Vert.x broadcast server ({@link BareVertxServer}) in a JVM of its own, with the gateway's JVM flags. */
public final class VertxServer implements ServerUnderTest {

    private ManagedProcess process;
    private int port;
    private Tools tools;

    @Override
    public String name() {
        return "bare Vert.x " + io.vertx.core.impl.launcher.commands.VersionCommand.getVersion();
    }

    @Override
    public String configuration() {
        return "BareVertxServer (src/bench), JVM flags " + String.join(" ", tools.serverJvmFlags()) + ", 2 event loops per"
                + " core, frame encoded once and written as the same bytes to every subscriber; no authentication, no"
                + " history, no limits";
    }

    @Override
    public void start(ServerOptions options) throws Exception {
        tools = options.tools();
        port = Http.freePort();
        Path dir = options.runDirectory();
        List<String> command = new ArrayList<>();
        command.add(tools.java());
        command.addAll(tools.serverJvmFlags());
        command.addAll(List.of("-cp", tools.classpath(), BareVertxServer.class.getName(), Integer.toString(port),
                Long.toString(options.pingMillis())));
        process = ManagedProcess.start("bare-vertx", command, dir, dir.resolve("bare-vertx.log"), Map.of());
        Http.awaitOk("http://127.0.0.1:" + port + "/admin/health", process, Duration.ofSeconds(60));
    }

    @Override
    public Endpoint endpoint() {
        return new Endpoint("127.0.0.1", port);
    }

    @Override
    public LoadClient client(Fleet fleet, int index, int channel, Delivery delivery, Sequences sequences) {
        return new PlainClient(fleet, endpoint(), index, channel, ServerUnderTest.channel(channel), delivery, sequences);
    }

    @Override
    public Publisher publisher(Fleet fleet, int channels) throws Exception {
        return new PlainPublisher(fleet.vertx().createWebSocketClient(), endpoint(),
                IntStream.range(0, channels).mapToObj(ServerUnderTest::channel).toArray(String[]::new));
    }

    @Override
    public boolean resumes() {
        return false;
    }

    @Override
    public ManagedProcess server() {
        return process;
    }

    @Override
    public MemoryFigures memoryAfterGc() throws Exception {
        return new MemoryFigures(JvmMemory.heapUsedAfterGc(process.pid()), process.rssBytes());
    }

    @Override
    public void saveHeapHistogram(Path file) throws Exception {
        JvmMemory.saveClassHistogram(process.pid(), file);
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
