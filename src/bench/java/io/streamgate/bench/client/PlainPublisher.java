package io.streamgate.bench.client;

import io.vertx.core.http.WebSocketClient;

import java.util.function.Consumer;

/**
 * Publishes to the bare Vert.x server: {@code <channel>\n<frame>}, where the frame is the event frame exactly as
 * subscribers get it (the same fields as Streamgate's, with a stand-in cursor), so the server only routes it.
 * {@code sync} is answered once the server has broadcast everything before it.
 */
public final class PlainPublisher extends WebSocketPublisher {

    public PlainPublisher(WebSocketClient transport, Endpoint endpoint, String[] channels) throws Exception {
        super(transport, endpoint, "/publish", channels);
    }

    @Override
    protected void greet() {
        write("sync");
    }

    @Override
    protected void received(String text, Consumer<Void> ready) {
        ready.accept(null);
        syncReplied();
    }

    @Override
    protected String syncRequest() {
        return "sync";
    }

    @Override
    public void publish(int channel, long seq, long sentNanos) {
        String name = channels[channel];
        write(name + "\n{\"type\":\"event\",\"channel\":\"" + name + "\",\"cursor\":\"bench.1.0." + seq + "\",\"ts\":"
                + System.currentTimeMillis() + ",\"data\":" + Publisher.data(seq, sentNanos) + "}");
    }
}
