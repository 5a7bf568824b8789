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
 * handing the frame to other threads. The owner releases the bytes with {@link #release()} once every write
 * that uses them was issued (each write holds a reference of its own).
 */
public final class OutboundFrame {

    private final String text;
    private ByteBuf wire;

    public OutboundFrame(String text) {
        this.text = text;
    }

    public String text() {
        return text;
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
        int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
        ByteBuf buf = alloc.buffer(header + length);
        buf.writeByte(0x81); // FIN, text
        if (length < 126) {
            buf.writeByte(length);
        } else if (length < 65536) {
            buf.writeByte(126);
            buf.writeShort(length);
        } else {
            buf.writeByte(127);
            buf.writeLong(length);
        }
        ByteBufUtil.reserveAndWriteUtf8(buf, text, length);
        return buf;
    }
}
