package io.streamgate.connection;

import io.streamgate.protocol.OutboundFrame;
import io.vertx.core.Vertx;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Guards {@link DirectWire}'s reliance on Vert.x internals: an upgrade request's connection is Vert.x's
 * {@code ConnectionBase}, its Netty channel carries the WebSocket after the upgrade, and Netty's WebSocket encoder
 * is in that channel's pipeline under the name {@code "wsencoder"}. If a Vert.x (Quarkus) upgrade changes any of
 * it, this test fails: the gateway would then fall back to websockets-next's slower {@code sendText} without a
 * word. GatewayDirectWriteTest checks the same through websockets-next. It also guards the handshake watch that
 * empties the upgrade request's headers ({@link DirectWire#forgetHeadersAtHandshake}); IdleFootprintTest checks
 * its effect through websockets-next.
 */
class DirectWireTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void framesEncodedOnceAreWrittenToTheUpgradedChannelInOrderWithVertxOwnWrites() throws Exception {
        assertFramesArrive(false);
    }

    @Test
    void withPerMessageCompressionNegotiatedTheFramesGoUncompressedAndStillArrive() throws Exception {
        assertFramesArrive(true); // browsers offer permessage-deflate; an uncompressed message is allowed in it
    }

    private void assertFramesArrive(boolean compression) throws Exception {
        AtomicReference<Object> problem = new AtomicReference<>();
        // An idle timeout, as Quarkus sets one (quarkus.http.idle-timeout): Vert.x then adds its idle handler.
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(1800)).requestHandler(request -> {
            DirectWire wire = DirectWire.of(request);
            if (wire == null) {
                problem.set("the upgrade request's connection is no longer Vert.x's ConnectionBase");
                request.response().setStatusCode(500).end();
                return;
            }
            request.toWebSocket().onSuccess(ws -> {
                if (!wire.eventLoop().inEventLoop()) {
                    problem.set("the WebSocket is not handled on the channel's event loop");
                }
                if (!(wire.channel().pipeline().get(DirectWire.HTTP_IDLE) instanceof IdleStateHandler)) {
                    problem.set("no Vert.x idle handler named '" + DirectWire.HTTP_IDLE + "' in the pipeline");
                    return;
                }
                if (!wire.ready()) {
                    problem.set("no '" + DirectWire.WS_ENCODER + "' in the upgraded channel's pipeline");
                    return;
                }
                if (wire.channel().pipeline().get(DirectWire.HTTP_IDLE) != null) {
                    problem.set("the idle handler is still in the pipeline: every direct write would get a promise");
                    return;
                }
                ws.writeTextMessage("vertx-before");
                wire.write(OutboundFrame.encode("direct-1", wire.alloc()));
                wire.write(OutboundFrame.encode("dïrect-2 " + "x".repeat(200), wire.alloc()));
                wire.flush();
                ws.writeTextMessage("vertx-after");
            });
        }).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        List<String> received = new CopyOnWriteArrayList<>();
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(compression));
        client.connect(server.actualPort(), "localhost", "/ws").onSuccess(ws -> ws.textMessageHandler(received::add))
                .onFailure(problem::set);

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 4 || problem.get() != null);
        assertThat(problem.get()).isNull();
        assertThat(received).containsExactly("vertx-before", "direct-1", "dïrect-2 " + "x".repeat(200), "vertx-after");
    }

    /**
     * {@link DirectWire#forgetHeadersAtHandshake}: the handshake still reads what it needs (the key, so the client
     * accepts the 101, and the offered subprotocol, which is still negotiated), and the headers are empty by the
     * time the upgrade's future completes, which is when websockets-next copies them for the connection. The watch
     * leaves the pipeline with the 101.
     */
    @Test
    void theUpgradeRequestsHeadersAreEmptiedByTheTimeTheWebSocketIsUpAndTheHandshakeStillWorks() throws Exception {
        AtomicReference<Object> problem = new AtomicReference<>();
        AtomicReference<String> headersLeft = new AtomicReference<>();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().addWebSocketSubProtocol("streamgate.v1"))
                .requestHandler(request -> {
                    DirectWire wire = DirectWire.of(request);
                    if (wire == null) {
                        problem.set("the upgrade request's connection is no longer Vert.x's ConnectionBase");
                        request.response().setStatusCode(500).end();
                        return;
                    }
                    wire.forgetHeadersAtHandshake(request.headers());
                    request.toWebSocket().onSuccess(ws -> {
                        headersLeft.set(request.headers().names() + " " + ws.headers().names());
                        if (wire.channel().pipeline().get(DirectWire.HANDSHAKE_WATCH) != null) {
                            problem.set("the handshake watch is still in the pipeline");
                        }
                        ws.writeTextMessage("up");
                    }).onFailure(problem::set);
                }).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        List<String> received = new CopyOnWriteArrayList<>();
        AtomicReference<String> subprotocol = new AtomicReference<>();
        vertx.createWebSocketClient().connect(new io.vertx.core.http.WebSocketConnectOptions().setPort(server.actualPort())
                .setHost("localhost").setURI("/v1/ws").addSubProtocol("streamgate.v1").addHeader("Origin", "http://localhost"))
                .onSuccess(ws -> {
                    subprotocol.set(ws.subProtocol());
                    ws.textMessageHandler(received::add);
                }).onFailure(problem::set);

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1 || problem.get() != null);
        assertThat(problem.get()).isNull();
        assertThat(received).containsExactly("up");
        assertThat(subprotocol.get()).as("the negotiated subprotocol").isEqualTo("streamgate.v1");
        assertThat(headersLeft.get()).as("the request's and the WebSocket's header names after the handshake").isEqualTo("[] []");
    }

    @Test
    void theDeferredIdentityIsTakenOutOfAVertxWebRequestsRoutingContext() throws Exception {
        String key = io.quarkus.vertx.http.runtime.security.QuarkusHttpUser.DEFERRED_IDENTITY_KEY;
        AtomicReference<Object> left = new AtomicReference<>("not run");
        io.vertx.ext.web.Router router = io.vertx.ext.web.Router.router(vertx);
        router.route().handler(ctx -> {
            ctx.put(key, "identity"); // what Quarkus's lazy authentication does for every request
            ctx.next();
        });
        router.route().handler(ctx -> {
            boolean recognised = DirectWire.forgetDeferredIdentity(ctx.request());
            left.set(recognised ? ctx.get(key) : "the request is no longer Vert.x Web's WebServerRequest");
            ctx.response().end();
        });
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.createHttpClient().request(io.vertx.core.http.HttpMethod.GET, server.actualPort(), "localhost", "/v1/ws")
                .compose(request -> request.send()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(left.get()).as("what is left under the deferred identity's key").isNull();
    }
}
