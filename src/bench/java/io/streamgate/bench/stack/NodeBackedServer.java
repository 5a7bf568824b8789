package io.streamgate.bench.stack;

import io.streamgate.bench.client.Endpoint;

/** What the Node servers have in common: one {@link NodeServer} process, measured through its admin hook. */
abstract class NodeBackedServer implements ServerUnderTest {

    protected NodeServer node;

    @Override
    public Endpoint endpoint() {
        return new Endpoint("127.0.0.1", node.port());
    }

    @Override
    public ManagedProcess server() {
        return node.process();
    }

    @Override
    public MemoryFigures memoryAfterGc() throws Exception {
        return node.memoryAfterGc();
    }

    @Override
    public void close() {
        if (node != null) {
            node.close();
        }
    }
}
