package io.streamgate.bench.client;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * The plain protocol of the bare servers (the Vert.x ceiling and Node's ws): {@code subscribe} answered by
 * {@code subscribed}, then event frames. No resume: a bare server keeps no history.
 */
public final class PlainClient extends LoadClient {

    private static final byte[] EVENT = FrameFields.key("{\"type\":\"event\"");
    private static final byte[] SUBSCRIBED = FrameFields.key("{\"type\":\"subscribed\"");

    public PlainClient(Fleet fleet, Endpoint endpoint, int index, int channel, String channelName, Delivery delivery,
            Sequences sequences) {
        super(fleet, endpoint, index, channel, channelName, delivery, sequences);
    }

    @Override
    protected WebSocketConnectOptions upgrade() {
        return new WebSocketConnectOptions().setURI("/ws");
    }

    @Override
    protected void opened() {
        send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channelName + "\"}");
    }

    @Override
    protected void frame(Buffer data, int from, int to) {
        if (FrameFields.startsWith(data, from, to, EVENT)) {
            delivery.wire.increment();
            event(data, from, to);
        } else if (FrameFields.startsWith(data, from, to, SUBSCRIBED)) {
            confirmSubscribed();
        }
    }
}
