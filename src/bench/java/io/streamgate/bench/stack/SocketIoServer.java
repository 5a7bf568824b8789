package io.streamgate.bench.stack;

import io.streamgate.bench.client.Delivery;
import io.streamgate.bench.client.Fleet;
import io.streamgate.bench.client.LoadClient;
import io.streamgate.bench.client.Publisher;
import io.streamgate.bench.client.Sequences;
import io.streamgate.bench.client.SocketIoClient;
import io.streamgate.bench.client.SocketIoPublisher;

import java.util.Map;
import java.util.stream.IntStream;

/** Socket.IO 4 (src/bench/node/socketio-server.js): a room per channel, a publisher socket emitting to rooms. */
public final class SocketIoServer extends NodeBackedServer {

    private boolean recovery;
    private String version = "4";

    @Override
    public String name() {
        return "Socket.IO " + version;
    }

    @Override
    public String configuration() {
        return "default in-memory adapter, WebSocket transport"
                + " only, no compression, one process (Node is single-threaded; clustering needs a sticky balancer and"
                + " an adapter); connection state recovery only in the resume scenarios; no authentication";
    }

    @Override
    public void start(ServerOptions options) throws Exception {
        version = NodeServer.version(options.tools().nodeDirectory(), "socket.io");
        recovery = options.recovery();
        node = NodeServer.start("socketio-server.js", options, Map.of("RECOVERY", Boolean.toString(recovery)));
    }

    @Override
    public LoadClient client(Fleet fleet, int index, int channel, Delivery delivery, Sequences sequences) {
        return new SocketIoClient(fleet, endpoint(), index, channel, ServerUnderTest.channel(channel), delivery, sequences, recovery);
    }

    @Override
    public Publisher publisher(Fleet fleet, int channels) throws Exception {
        return new SocketIoPublisher(fleet.vertx().createWebSocketClient(), endpoint(),
                IntStream.range(0, channels).mapToObj(ServerUnderTest::channel).toArray(String[]::new));
    }

    @Override
    public boolean resumes() {
        return true;
    }
}
