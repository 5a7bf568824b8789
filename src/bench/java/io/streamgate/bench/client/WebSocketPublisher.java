package io.streamgate.bench.client;

import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A backend's connection into a server that has no broker behind it (Socket.IO, the bare servers): events go
 * in over one WebSocket and the server broadcasts them. Each subclass frames events in its server's protocol.
 */
public abstract class WebSocketPublisher implements Publisher {

    protected final String[] channels;
    private volatile WebSocket socket;
    private volatile CompletableFuture<Void> synced = CompletableFuture.completedFuture(null);

    protected WebSocketPublisher(WebSocketClient transport, Endpoint endpoint, String uri, String[] channels) throws Exception {
        this.channels = channels;
        CompletableFuture<Void> ready = new CompletableFuture<>();
        // Handlers are set in the connect callback, on the event loop, before the server's first frame is read.
        transport.connect(new WebSocketConnectOptions().setHost(endpoint.host()).setPort(endpoint.port()).setURI(uri))
                .onSuccess(ws -> {
                    socket = ws;
                    ws.textMessageHandler(text -> received(text, ready::complete));
                    ws.closeHandler(v -> {
                        // Say so at once (a sync in progress would otherwise wait its whole timeout for nothing):
                        // a Node server closes a publisher whose heartbeat replies came too late (pingTimeout).
                        IllegalStateException closed = new IllegalStateException("publisher connection closed by the server"
                                + (ws.closeStatusCode() == null ? "" : " (" + ws.closeStatusCode() + " " + ws.closeReason() + ")"));
                        ready.completeExceptionally(closed);
                        synced.completeExceptionally(closed);
                    });
                })
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        greet();
        ready.get(30, TimeUnit.SECONDS);
    }

    /** Sends whatever opens the session; a protocol without a greeting calls {@link #ready} at once. */
    protected abstract void greet();

    /** A frame from the server; {@code ready} once the session is open. */
    protected abstract void received(String text, Consumer<Void> ready);

    protected abstract String syncRequest();

    protected void write(String text) {
        socket.writeTextMessage(text);
    }

    protected void syncReplied() {
        synced.complete(null);
    }

    @Override
    public void sync() throws Exception {
        CompletableFuture<Void> reply = new CompletableFuture<>();
        synced = reply;
        if (socket.isClosed()) {
            throw new IllegalStateException("publisher connection closed by the server");
        }
        write(syncRequest());
        reply.get(120, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        socket.close();
    }
}
