package io.streamgate.bench.stack;

import io.streamgate.bench.client.Delivery;
import io.streamgate.bench.client.Fleet;
import io.streamgate.bench.client.LoadClient;
import io.streamgate.bench.client.PlainClient;
import io.streamgate.bench.client.Publisher;
import io.streamgate.bench.client.Sequences;

import java.util.Map;

/** A bare Node {@code ws} server (src/bench/node/ws-server.js): the floor of a WebSocket's cost in Node. Idle only. */
public final class NodeWsServer extends NodeBackedServer {

    private String version = "8";

    @Override
    public String name() {
        return "bare Node ws " + version;
    }

    @Override
    public String configuration() {
        return "ws-server.js (src/bench/node): a channel map and a ping timer, nothing else";
    }

    @Override
    public void start(ServerOptions options) throws Exception {
        version = NodeServer.version(options.tools().nodeDirectory(), "ws");
        node = NodeServer.start("ws-server.js", options, Map.of());
    }

    @Override
    public LoadClient client(Fleet fleet, int index, int channel, Delivery delivery, Sequences sequences) {
        return new PlainClient(fleet, endpoint(), index, channel, ServerUnderTest.channel(channel), delivery, sequences);
    }

    @Override
    public Publisher publisher(Fleet fleet, int channels) {
        throw new UnsupportedOperationException("the bare ws server is measured idle only");
    }

    @Override
    public boolean resumes() {
        return false;
    }
}
