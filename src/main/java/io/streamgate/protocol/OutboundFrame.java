package io.streamgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * A text frame to send, in both forms a connection may need: its text (for a connection written through
 * websockets-next) and, made once on first use, the whole WebSocket frame as bytes (FIN + text opcode, the
 * length, the UTF-8 payload; unmasked, as server frames are) that is written as a retained duplicate to every
 * connection written to directly. One live event is one instance for all of its subscribers.
 * <p>
 * Not thread-safe until {@link #wire()} has been called once: the thread that builds the frame calls it before
 * handing the frame to other threads (and, for a frame made {@link #ofPayload}, asks for its {@link #text()}, if at
 * all, on that thread too: replay's frames are handed to every connection by the worker that encoded them). The
 * owner releases the bytes with {@link #release()} once every write that uses them was issued (each write holds a
 * reference of its own).
 */
public final class OutboundFrame {

    /** Room a payload written in place leaves before it for the header ({@link #ofPayload}): the longest header. */
    public static final int MAX_HEADER = 10;

    private String text;
    private ByteBuf wire;

    public OutboundFrame(String text) {
        this.text = text;
    }

    private OutboundFrame(ByteBuf wire) {
        this.wire = wire;
    }

    /**
     * A frame whose UTF-8 payload was written straight into {@code buf}, after {@link #MAX_HEADER} bytes left free
     * at its start: the header goes into that room, right before the payload, and the frame owns {@code buf}. The
     * text is only made if a connection without a direct wire asks for it.
     */
    public static OutboundFrame ofPayload(ByteBuf buf) {
        int length = buf.writerIndex() - MAX_HEADER;
        int start = MAX_HEADER - headerLength(length);
        writeHeader(buf, start, length);
        buf.readerIndex(start);
        return new OutboundFrame(buf);
    }

    /** The frame's text; decoded from the bytes on first use for a frame made {@link #ofPayload}. */
    public String text() {
        String t = text;
        if (t == null) {
            ByteBuf w = wire;
            int length7 = w.getByte(w.readerIndex() + 1) & 0x7F;
            int header = length7 < 126 ? 2 : length7 == 126 ? 4 : 10;
            t = w.toString(w.readerIndex() + header, w.readableBytes() - header, java.nio.charset.StandardCharsets.UTF_8);
            text = t;
        }
        return t;
    }

    /** The encoded frame; its reader index and content must not be changed: write duplicates of it. */
    public ByteBuf wire() {
        ByteBuf w = wire;
        if (w == null) {
            w = encode(text, ByteBufAllocator.DEFAULT);
            wire = w;
        }
        return w;
    }

    /**
     * The frame's UTF-8 payload (the JSON, without the WebSocket header) as a retained slice of the encoded bytes,
     * for a transport that frames it otherwise (SSE); the caller releases it. Same threading rule as {@link #wire()}.
     */
    public ByteBuf retainedPayload() {
        ByteBuf w = wire();
        int length7 = w.getByte(w.readerIndex() + 1) & 0x7F;
        int header = length7 < 126 ? 2 : length7 == 126 ? 4 : 10;
        return w.retainedSlice(w.readerIndex() + header, w.readableBytes() - header);
    }

    /** Bytes on the wire, header included (the frame is encoded if it was not yet). */
    public int size() {
        return wire().readableBytes();
    }

    /** Releases the owner's reference to the encoded frame, if it was encoded. */
    public void release() {
        ByteBuf w = wire;
        if (w != null) {
            wire = null;
            w.release();
        }
    }

    /** Encodes a server text frame (no mask, no extension bits) into a new buffer of {@code alloc}. */
    public static ByteBuf encode(String text, ByteBufAllocator alloc) {
        int length = ByteBufUtil.utf8Bytes(text);
        int header = headerLength(length);
        ByteBuf buf = alloc.buffer(header + length);
        writeHeader(buf, 0, length);
        buf.writerIndex(header);
        ByteBufUtil.reserveAndWriteUtf8(buf, text, length);
        return buf;
    }

    private static int headerLength(int payloadLength) {
        return payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10;
    }

    /** FIN + text opcode and the payload length, at {@code index} (the buffer's indexes are left alone). */
    private static void writeHeader(ByteBuf buf, int index, int length) {
        buf.setByte(index, 0x81);
        if (length < 126) {
            buf.setByte(index + 1, length);
        } else if (length < 65536) {
            buf.setByte(index + 1, 126);
            buf.setShort(index + 2, length);
        } else {
            buf.setByte(index + 1, 127);
            buf.setLong(index + 2, length);
        }
    }
}
