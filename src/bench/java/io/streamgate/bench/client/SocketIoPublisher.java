package io.streamgate.bench.client;

import io.vertx.core.http.WebSocketClient;

import java.util.function.Consumer;

/**
 * A backend connected to the Socket.IO server as a Socket.IO client: {@code publish(room, data)} events, which
 * the server broadcasts to the room, and {@code sync} with an acknowledgement, which comes back once the server
 * has handled every event before it (Socket.IO handles one socket's packets in order).
 */
public final class SocketIoPublisher extends WebSocketPublisher {

    private int nextAck = 1;

    public SocketIoPublisher(WebSocketClient transport, Endpoint endpoint, String[] channels) throws Exception {
        super(transport, endpoint, "/socket.io/?EIO=4&transport=websocket", channels);
    }

    @Override
    protected void greet() {
        write("40"); // at once, as the subscribers do (see SocketIoClient#opened)
    }

    @Override
    protected void received(String text, Consumer<Void> ready) {
        if (text.equals("2")) {
            write("3");
        } else if (text.startsWith("40")) {
            ready.accept(null);
        } else if (text.startsWith("43")) {
            syncReplied();
        }
    }

    @Override
    protected String syncRequest() {
        return "42" + (nextAck++) + "[\"sync\"]";
    }

    @Override
    public void publish(int channel, long seq, long sentNanos) {
        write("42[\"publish\",\"" + channels[channel] + "\"," + Publisher.data(seq, sentNanos) + "]");
    }
}
