package io.streamgate.connection;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

/**
 * The one place that reaches below websockets-next and Vert.x's public API, to write WebSocket frames that were
 * encoded once for many connections. websockets-next (3.33) can only send text it encodes itself, per connection,
 * with a {@code Uni} per send; but an {@code HttpUpgradeCheck} sees the Vert.x upgrade request, whose connection is
 * Vert.x's {@code ConnectionBase} (an implementation class: the only one used) and carries the Netty channel that
 * the WebSocket keeps after the upgrade. Frames are written at Netty's WebSocket encoder ({@code "wsencoder"}, the
 * name Netty's handshaker gives it), so they pass every handler between it and the socket (TLS among them) and
 * nothing that expects frame objects.
 * <p>
 * It also lets go, at the upgrade, of what the framework would keep per connection without need
 * ({@link #forgetDeferredIdentity}, {@link #forgetHeadersAtHandshake}).
 * <p>
 * If a Quarkus or Vert.x upgrade changes any of this, {@link #of} or {@link #ready} answers null/false and the
 * session falls back to websockets-next's {@code sendText}; DirectWireTest fails loudly so that it is noticed.
 * No reflection.
 */
final class DirectWire {

    /** Netty's name for the WebSocket frame encoder it adds at the handshake. */
    static final String WS_ENCODER = "wsencoder";
    /**
     * Vert.x's name for the {@code IdleStateHandler} it puts in every HTTP connection's pipeline when the server has
     * an idle timeout ({@code quarkus.http.idle-timeout}, 30 minutes by default; checked in Vert.x 4.5.27's
     * {@code HttpServerWorker}).
     */
    static final String HTTP_IDLE = "idle";

    private final Channel channel;
    private final ChannelPromise voidPromise;
    /** The encoder's context, found on the event loop once the handshake is done; null until then. */
    private ChannelHandlerContext encoder;

    private DirectWire(Channel channel) {
        this.channel = channel;
        this.voidPromise = channel.unsafe().voidPromise(); // failures are not fired down the pipeline
    }

    /** The channel of an HTTP/1.x upgrade request, or null when this request's connection is not the expected kind. */
    static DirectWire of(HttpServerRequest upgrade) {
        Channel channel = upgrade.connection() instanceof io.vertx.core.net.impl.ConnectionBase base ? base.channel() : null;
        return channel == null ? null : new DirectWire(channel);
    }

    /**
     * Lets websockets-next forget the upgrade request once the WebSocket is up. Quarkus's HTTP security (lazy here:
     * {@code quarkus.http.auth.proactive=false}) puts a deferred security identity into every request's routing
     * context; when websockets-next finds it there after the upgrade checks, it keeps the whole routing context
     * with the connection (its {@code SecuritySupport}, for identities resolved later), and with it the upgrade
     * request, its response, both header maps, Micrometer's request metric and the deferred identity's captured
     * contexts: about 2 KB per idle connection (issue 13). Streamgate verifies the token itself
     * ({@link UpgradeAdmission}) and never asks for that identity, so it is removed; websockets-next then keeps
     * its no-op {@code SecuritySupport}. Vert.x Web's request is a {@code WebServerRequest} (public API); the key
     * is Quarkus's ({@code QuarkusHttpUser}, a runtime class). Returns false when the request is not Vert.x Web's
     * (IdleFootprintTest and DirectWireTest fail then).
     */
    static boolean forgetDeferredIdentity(HttpServerRequest upgrade) {
        if (upgrade instanceof io.vertx.ext.web.WebServerRequest web) {
            web.routingContext().remove(io.quarkus.vertx.http.runtime.security.QuarkusHttpUser.DEFERRED_IDENTITY_KEY);
            return true;
        }
        return false;
    }

    /** The name of the handler that {@link #forgetHeadersAtHandshake} puts in the pipeline until the response. */
    static final String HANDSHAKE_WATCH = "streamgate-handshake";

    /**
     * Empties the upgrade request's headers once the WebSocket handshake has read them: when Netty's handshaker
     * writes the 101 response, it has read every header it needs ({@code Sec-WebSocket-Key}, version, protocol),
     * and neither Vert.x nor websockets-next reads them again to run the connection. But both keep them for the
     * connection's life: Vert.x's {@code ServerWebSocketImpl} keeps the request's header map itself, and
     * websockets-next copies it (lower-cased names, a list per value) into the connection's {@code HandshakeRequest}
     * right after the handshake. With five handshake headers that is about 1.1 KB per idle connection (issue 13):
     * the map entries, Netty's name strings, the values twice and websockets-next's map and lists. Emptied at the
     * 101, Vert.x keeps an empty map and websockets-next copies an empty one ({@code Map.of()}, shared).
     * Streamgate reads nothing of the handshake request after the upgrade check but its query, which is not a
     * header. The handler watches one response only (the upgrade's: 101, or a refusal) and then leaves the
     * pipeline. Public Netty API; what it relies on (the handshake reads the headers before it writes the 101, on
     * the event loop, before websockets-next's copy) is checked by DirectWireTest and IdleFootprintTest.
     */
    void forgetHeadersAtHandshake(MultiMap headers) {
        channel.pipeline().addLast(HANDSHAKE_WATCH, new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                if (msg instanceof HttpResponse response) {
                    if (HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
                        headers.clear();
                    }
                    ctx.pipeline().remove(this);
                }
                ctx.write(msg, promise);
            }
        });
    }

    /** A channel already known (tests). */
    static DirectWire of(Channel channel) {
        return new DirectWire(channel);
    }

    /** The channel (tests). */
    Channel channel() {
        return channel;
    }

    EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /**
     * On the event loop: is the WebSocket encoder in place (the upgrade done) so that frames can be written? The
     * first time it is, Vert.x's HTTP idle handler leaves the pipeline: it turns every write into a promise with a
     * listener (to note the write time) and holds a timer per connection, while Streamgate watches its connections
     * itself ({@link Sessions}: pings, the idle timeout, the stuck-queue check).
     */
    boolean ready() {
        if (encoder == null) {
            ChannelHandlerContext ctx = channel.pipeline().context(WS_ENCODER);
            if (ctx == null || !channel.isActive()) {
                return false;
            }
            encoder = ctx;
            if (channel.pipeline().get(HTTP_IDLE) instanceof IdleStateHandler) {
                channel.pipeline().remove(HTTP_IDLE);
            }
        }
        return true;
    }

    /** On the event loop, after {@link #ready()}: queues an encoded frame (consumes one reference of it). */
    void write(ByteBuf frame) {
        if (encoder.isRemoved() || !channel.isActive()) {
            frame.release(); // closed (perhaps in the middle of a batch): nothing more goes out
            return;
        }
        encoder.write(frame, voidPromise);
    }

    void flush() {
        channel.flush();
    }

    boolean isActive() {
        return channel.isActive();
    }

    /** Bytes written to the channel and not yet to the socket (any thread; a volatile read). */
    long pendingBytes() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    io.netty.buffer.ByteBufAllocator alloc() {
        return channel.alloc();
    }
}
