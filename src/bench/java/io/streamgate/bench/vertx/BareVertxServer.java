package io.streamgate.bench.vertx;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The ceiling: the least a JVM WebSocket broadcast server on Vert.x can do, with what a careful hand would give
 * it. One instance per event loop (the Vert.x default of two per core, as Quarkus uses), each holding the
 * subscribers whose connections it owns; a published frame is encoded to bytes once and handed to every event
 * loop once, and each writes the same bytes to its own subscribers as a text frame, with no per-subscriber
 * encoding and no cross-thread hop per subscriber. No authentication, no history, no limits.
 * <p>
 * Subscribers connect to {@code /ws} and send {@code {"type":"subscribe","id":..,"channel":..}}; a publisher
 * connects to {@code /publish} and sends {@code <channel>\n<frame>}, or {@code sync}, answered once everything
 * before it was handed to the event loops. {@code GET /admin/health} answers 200.
 * <p>
 * Usage: {@code BareVertxServer <port> <ping interval ms>}
 */
public final class BareVertxServer extends AbstractVerticle {

    private static final List<BareVertxServer> LOOPS = new CopyOnWriteArrayList<>();

    private final int port;
    private final long pingMillis;
    private final Map<String, List<ServerWebSocket>> subscribers = new HashMap<>();
    private final Set<ServerWebSocket> connections = new HashSet<>();
    private Context loop;

    BareVertxServer(int port, long pingMillis) {
        this.port = port;
        this.pingMillis = pingMillis;
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        long ping = Long.parseLong(args[1]);
        Vertx vertx = Vertx.vertx();
        int loops = 2 * Runtime.getRuntime().availableProcessors();
        vertx.deployVerticle(() -> new BareVertxServer(port, ping), new DeploymentOptions().setInstances(loops))
                .onSuccess(id -> System.out.println("bare Vert.x server on " + port + " with " + loops + " event loops"))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }

    @Override
    public void start() {
        loop = context;
        LOOPS.add(this);
        vertx.setPeriodic(pingMillis, id -> connections.forEach(ws -> ws.writePing(Buffer.buffer())));
        vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1")
                        .setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(1 << 22))
                .webSocketHandler(this::accept)
                .requestHandler(request -> request.response().end("ok"))
                .listen();
    }

    private void accept(ServerWebSocket ws) {
        if (ws.path().equals("/publish")) {
            ws.textMessageHandler(text -> publish(ws, text));
            return;
        }
        connections.add(ws);
        List<String> mine = new ArrayList<>(1);
        ws.textMessageHandler(text -> {
            JsonObject command = new JsonObject(text);
            if ("subscribe".equals(command.getString("type"))) {
                String channel = command.getString("channel");
                subscribers.computeIfAbsent(channel, c -> new ArrayList<>()).add(ws);
                mine.add(channel);
                ws.writeTextMessage(new JsonObject().put("type", "subscribed").put("id", command.getValue("id")).encode());
            }
        });
        ws.closeHandler(v -> {
            connections.remove(ws);
            for (String channel : mine) {
                List<ServerWebSocket> list = subscribers.get(channel);
                list.remove(ws);
                if (list.isEmpty()) {
                    subscribers.remove(channel);
                }
            }
        });
    }

    private static void publish(ServerWebSocket publisher, String text) {
        if (text.equals("sync")) {
            publisher.writeTextMessage("synced");
            return;
        }
        int newline = text.indexOf('\n');
        String channel = text.substring(0, newline);
        byte[] frame = text.substring(newline + 1).getBytes(StandardCharsets.UTF_8);
        for (BareVertxServer server : LOOPS) {
            server.loop.runOnContext(v -> server.deliver(channel, frame));
        }
    }

    private void deliver(String channel, byte[] frame) {
        List<ServerWebSocket> list = subscribers.get(channel);
        if (list == null) {
            return;
        }
        for (ServerWebSocket ws : list) {
            ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, frame, true));
        }
    }
}
