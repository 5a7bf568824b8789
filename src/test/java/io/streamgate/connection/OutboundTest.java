package io.streamgate.connection;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.streamgate.protocol.OutboundFrame;
import io.streamgate.subscription.DeliveryBatch;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The send path on Netty's embedded channel (a pipeline with Netty's WebSocket encoder under its usual name, as
 * after an upgrade): ordering, one flush per connection per batch, the slow-consumer close and a connection that
 * closes in the middle of a batch. Every frame's bytes must be released in the end.
 */
class OutboundTest {

    /** A connection: its channel, what reached the socket, how often it was flushed, whether it was closed as slow. */
    private static final class Conn {
        final EmbeddedChannel channel = new EmbeddedChannel();
        final AtomicInteger flushes = new AtomicInteger();
        final AtomicInteger slowCloses = new AtomicInteger();
        final List<String> fallbackSent = new ArrayList<>();
        boolean stalled;
        Outbound outbound;

        Conn(long maxQueuedBytes, Duration grace) {
            channel.pipeline().addLast("counter", new ChannelOutboundHandlerAdapter() {
                @Override
                public void flush(ChannelHandlerContext ctx) {
                    flushes.incrementAndGet();
                    if (!stalled) { // a client that stopped reading: nothing leaves the channel's buffer
                        ctx.flush();
                    }
                }
            });
            channel.pipeline().addLast(DirectWire.WS_ENCODER, new WebSocket08FrameEncoder(false));
            outbound = new Outbound(DirectWire.of(channel), owner((text, done) -> {
                fallbackSent.add(text);
                done.run();
            }, slowCloses::incrementAndGet), maxQueuedBytes, grace, new LongAdder());
        }

        Conn() {
            this(1 << 20, Duration.ofSeconds(10));
        }

        /** The text frames that reached the socket, decoded; their buffers released. */
        List<String> received() {
            List<String> texts = new ArrayList<>();
            for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
                ByteBuf b = (ByteBuf) o;
                assertThat(b.getByte(b.readerIndex()) & 0xFF).isEqualTo(0x81); // FIN + text, unmasked
                int len = b.getByte(b.readerIndex() + 1) & 0x7F;
                int header = len < 126 ? 2 : len == 126 ? 4 : 10;
                texts.add(b.toString(b.readerIndex() + header, b.readableBytes() - header, StandardCharsets.UTF_8));
                b.release();
            }
            return texts;
        }
    }

    @Test
    void framesLeaveInCallOrderWithOneFlushPerConnectionPerBatch() {
        Conn c = new Conn();
        c.outbound.send("reply-1");
        assertThat(c.received()).containsExactly("reply-1");
        int flushesBefore = c.flushes.get();

        DeliveryBatch batch = new DeliveryBatch();
        List<OutboundFrame> frames = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            OutboundFrame f = new OutboundFrame("{\"type\":\"event\",\"n\":" + i + ",\"text\":\"grüße\"}");
            frames.add(f);
            c.outbound.send(f, batch);
        }
        List<ByteBuf> bytes = frames.stream().map(OutboundFrame::wire).toList();
        batch.dispatch();
        c.channel.runPendingTasks();
        c.outbound.send("reply-2"); // after the batch, on the event loop
        assertThat(c.received()).containsExactly(
                "{\"type\":\"event\",\"n\":0,\"text\":\"grüße\"}", "{\"type\":\"event\",\"n\":1,\"text\":\"grüße\"}",
                "{\"type\":\"event\",\"n\":2,\"text\":\"grüße\"}", "{\"type\":\"event\",\"n\":3,\"text\":\"grüße\"}",
                "{\"type\":\"event\",\"n\":4,\"text\":\"grüße\"}", "reply-2");
        assertThat(c.flushes.get() - flushesBefore).isEqualTo(2); // the batch's one, reply-2's one
        assertThat(bytes).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        assertThat(c.outbound.queuedBytes()).isZero();
        assertThat(c.fallbackSent).isEmpty();
    }

    @Test
    void oneFrameEncodedOnceReachesEveryConnection() {
        Conn a = new Conn();
        Conn b = new Conn();
        DeliveryBatch batch = new DeliveryBatch();
        OutboundFrame f = new OutboundFrame("x".repeat(300)); // a 16-bit length
        a.outbound.send(f, batch);
        b.outbound.send(f, batch);
        ByteBuf bytes = f.wire();
        batch.dispatch();
        a.channel.runPendingTasks();
        b.channel.runPendingTasks();
        assertThat(a.received()).containsExactly("x".repeat(300));
        assertThat(b.received()).containsExactly("x".repeat(300));
        assertThat(bytes.refCnt()).isZero();
    }

    @Test
    void aClientThatStopsReadingIsClosedAsSlowOnceOverItsQueueForTheGracePeriod() throws Exception {
        Conn slow = new Conn(10_000, Duration.ofMillis(50));
        Conn fast = new Conn(10_000, Duration.ofMillis(50));
        slow.stalled = true;
        String event = "e".repeat(1000);
        List<ByteBuf> all = new ArrayList<>();
        for (int round = 0; round < 30 && slow.slowCloses.get() == 0; round++) {
            DeliveryBatch batch = new DeliveryBatch();
            OutboundFrame f = new OutboundFrame(event);
            slow.outbound.send(f, batch);
            fast.outbound.send(f, batch);
            all.add(f.wire());
            batch.dispatch();
            slow.channel.runPendingTasks();
            fast.channel.runPendingTasks();
            Thread.sleep(10);
        }
        assertThat(slow.slowCloses.get()).isEqualTo(1);
        assertThat(fast.slowCloses.get()).isZero();
        assertThat(fast.received()).hasSize(all.size());
        // After the close nothing more is queued for it.
        long queued = slow.outbound.queuedBytes();
        DeliveryBatch after = new DeliveryBatch();
        OutboundFrame f = new OutboundFrame(event);
        slow.outbound.send(f, after);
        slow.outbound.send("reply");
        after.dispatch();
        slow.channel.runPendingTasks();
        assertThat(slow.outbound.queuedBytes()).isEqualTo(queued);
        assertThat(slow.slowCloses.get()).isEqualTo(1);
        slow.channel.close();
        slow.received();
        assertThat(all).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Test
    void aConnectionThatClosesInTheMiddleOfABatchLosesOnlyItsOwnFrames() {
        Conn closing = new Conn();
        Conn other = new Conn();
        // The closing connection's channel goes away after its first frame reached the pipeline.
        closing.channel.pipeline().addAfter("counter", "closer", new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                super.write(ctx, msg, promise);
                ctx.channel().close();
            }
        });
        DeliveryBatch batch = new DeliveryBatch();
        List<ByteBuf> bytes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            OutboundFrame f = new OutboundFrame("event-" + i);
            closing.outbound.send(f, batch);
            other.outbound.send(f, batch);
            bytes.add(f.wire());
        }
        batch.dispatch();
        closing.channel.runPendingTasks();
        other.channel.runPendingTasks();
        assertThat(other.received()).containsExactly("event-0", "event-1", "event-2", "event-3");
        assertThat(closing.received()).hasSizeLessThanOrEqualTo(1);
        assertThat(closing.channel.isActive()).isFalse();
        assertThat(bytes).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        // Sends after the close are dropped, not queued.
        closing.outbound.send("late");
        closing.channel.runPendingTasks();
        assertThat(closing.received()).isEmpty();
    }

    @Test
    void aPingIsWrittenAndFlushedAtOnceBetweenTheFramesOfOneThread() {
        Conn c = new Conn();
        c.outbound.send("before");
        assertThat(c.outbound.ping()).isTrue();
        c.outbound.send("after");
        List<String> seen = new ArrayList<>();
        for (Object o = c.channel.readOutbound(); o != null; o = c.channel.readOutbound()) {
            ByteBuf b = (ByteBuf) o;
            seen.add(b.getByte(b.readerIndex()) == (byte) 0x89 ? "ping:" + b.readableBytes()
                    : b.toString(b.readerIndex() + 2, b.readableBytes() - 2, StandardCharsets.UTF_8));
            b.release();
        }
        assertThat(seen).containsExactly("before", "ping:2", "after");
        assertThat(c.outbound.queuedBytes()).isZero();
        // Closed: no ping goes out, and a session without a channel is told to ping through websockets-next.
        c.channel.close();
        c.outbound.ping();
        assertThat(c.channel.<Object>readOutbound()).isNull();
        assertThat(new Outbound(null, owner((text, done) -> done.run(), () -> {
        }), 1 << 20, Duration.ofSeconds(10), new LongAdder()).ping()).isFalse();
    }

    @Test
    void aConnectionWithoutAChannelGoesThroughTheFallback() {
        List<String> sent = new ArrayList<>();
        Outbound fallback = new Outbound(null, owner((text, done) -> {
            sent.add(text);
            done.run();
        }, () -> {
        }), 1 << 20, Duration.ofSeconds(10), new LongAdder());
        DeliveryBatch batch = new DeliveryBatch();
        OutboundFrame f = new OutboundFrame("event");
        fallback.send("reply");
        fallback.send(f, batch);
        batch.dispatch();
        assertThat(sent).containsExactly("reply", "event");
        assertThat(fallback.queuedBytes()).isZero();
    }

    /** A connection for the queue: a fallback send and what a slow consumer triggers. */
    static Outbound.Owner owner(java.util.function.BiConsumer<String, Runnable> send, Runnable closeSlow) {
        return new Outbound.Owner() {
            @Override
            public void sendThroughWebSocketsNext(String text, Runnable written) {
                send.accept(text, written);
            }

            @Override
            public void closeSlow() {
                closeSlow.run();
            }
        };
    }
}
