package io.streamgate.bench.client;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The load generator's client side of one WebSocket, on a plain Vert.x TCP socket: it writes the HTTP upgrade
 * itself and then reads server frames straight from the bytes each socket read delivers. A read holds many
 * frames; each text frame is handed on as a range of that read's buffer, so receiving an event allocates no
 * frame object, no message buffer and no string (Vert.x's WebSocket client builds several objects per frame and
 * dispatches each through its context: the heaviest part of the old load generator). Pings are answered with
 * pongs and a close frame with a close frame, as RFC 6455 asks; a fragmented message (not sent by the servers
 * measured here) is joined before it is handed on.
 * <p>
 * Threading: everything runs on the socket's event loop; {@link #writeText} and {@link #close} may be called
 * from any thread (Vert.x orders the writes).
 */
public final class RawWebSocket {

    /** What a client does with the server's frames. */
    public interface Listener {
        /** A text message: bytes {@code from} (inclusive) to {@code to} (exclusive) of {@code data}, valid during the call. */
        void text(Buffer data, int from, int to);

        /** The connection is gone (closed by either side, or failed). Called once. */
        void closed();
    }

    private static final int OP_CONTINUATION = 0;
    private static final int OP_TEXT = 1;
    private static final int OP_CLOSE = 8;
    private static final int OP_PING = 9;
    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

    private final NetSocket socket;
    private final Listener listener;
    /** Bytes of a frame cut off at the end of the last read; null when the last read ended on a frame boundary. */
    private Buffer pending;
    /** A fragmented message being joined; null when none. */
    private Buffer fragments;
    private boolean closed;

    private RawWebSocket(NetSocket socket, Listener listener) {
        this.socket = socket;
        this.listener = listener;
    }

    /**
     * Connects, upgrades and completes with the open WebSocket; fails on a refused upgrade (with the status line)
     * or a broken connection.
     */
    public static Future<RawWebSocket> connect(NetClient client, String host, int port, String uri, MultiMap headers,
            Listener listener) {
        return client.connect(port, host).compose(socket -> {
            Promise<RawWebSocket> open = Promise.promise();
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            StringBuilder request = new StringBuilder(256).append("GET ").append(uri).append(" HTTP/1.1\r\nHost: ")
                    .append(host).append(':').append(port)
                    .append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ")
                    .append(Base64.getEncoder().encodeToString(key)).append("\r\n");
            if (headers != null) {
                for (Map.Entry<String, String> h : headers) {
                    request.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
                }
            }
            request.append("\r\n");
            RawWebSocket ws = new RawWebSocket(socket, listener);
            Buffer[] head = {Buffer.buffer(256)};
            socket.handler(chunk -> {
                if (head[0] == null) {
                    ws.read(chunk);
                    return;
                }
                head[0].appendBuffer(chunk);
                int end = indexOf(head[0], HEADER_END);
                if (end < 0) {
                    if (head[0].length() > 16384) {
                        socket.close();
                    }
                    return;
                }
                String status = head[0].getString(0, Math.max(0, indexOf(head[0], new byte[] {'\r', '\n'})), "US-ASCII");
                Buffer rest = head[0].length() > end + 4 ? head[0].getBuffer(end + 4, head[0].length()) : null;
                head[0] = null;
                if (!status.startsWith("HTTP/1.1 101")) {
                    open.tryFail(new IllegalStateException("upgrade refused: " + status));
                    socket.close();
                    return;
                }
                open.tryComplete(ws);
                if (rest != null) {
                    ws.read(rest);
                }
            });
            socket.closeHandler(v -> {
                open.tryFail(new IllegalStateException("connection closed during the upgrade"));
                ws.gone();
            });
            socket.exceptionHandler(e -> socket.close());
            socket.write(Buffer.buffer(request.toString().getBytes(StandardCharsets.ISO_8859_1)));
            return open.future();
        });
    }

    /** Sends a text message (masked, as clients must). */
    public void writeText(String text) {
        write(OP_TEXT, text.getBytes(StandardCharsets.UTF_8), false);
    }

    /** Sends a close frame and ends the TCP connection. */
    public void close() {
        write(OP_CLOSE, new byte[] {0x03, (byte) 0xE8}, true); // 1000: normal closure
    }

    private void write(int opcode, byte[] payload, boolean thenClose) {
        int n = payload.length;
        Buffer frame = Buffer.buffer(n + 14);
        frame.appendByte((byte) (0x80 | opcode));
        if (n < 126) {
            frame.appendByte((byte) (0x80 | n));
        } else if (n < 65536) {
            frame.appendByte((byte) (0x80 | 126)).appendShort((short) n);
        } else {
            frame.appendByte((byte) (0x80 | 127)).appendLong(n);
        }
        int mask = ThreadLocalRandom.current().nextInt();
        frame.appendInt(mask);
        for (int i = 0; i < n; i++) {
            frame.appendByte((byte) (payload[i] ^ (mask >>> (8 * (3 - (i & 3))))));
        }
        if (thenClose) {
            socket.end(frame);
        } else {
            socket.write(frame);
        }
    }

    /** One socket read: every whole frame in it is handled, a cut-off tail is kept for the next read. */
    private void read(Buffer chunk) {
        Buffer data = chunk;
        if (pending != null) {
            data = pending.appendBuffer(chunk);
            pending = null;
        }
        int length = data.length();
        int at = 0;
        while (at < length) {
            int next = frame(data, at, length);
            if (next < 0) {
                break;
            }
            at = next;
        }
        if (at < length) {
            pending = data.getBuffer(at, length); // a copy: the read's buffer is not ours to keep
        }
    }

    /** Handles the frame starting at {@code at}; returns where the next one starts, or -1 if it is not all here. */
    private int frame(Buffer data, int at, int end) {
        if (end - at < 2) {
            return -1;
        }
        int b0 = data.getByte(at) & 0xFF;
        int b1 = data.getByte(at + 1) & 0xFF;
        long len = b1 & 0x7F;
        int header = 2;
        if (len == 126) {
            if (end - at < 4) {
                return -1;
            }
            len = data.getUnsignedShort(at + 2);
            header = 4;
        } else if (len == 127) {
            if (end - at < 10) {
                return -1;
            }
            len = data.getLong(at + 2);
            header = 10;
        }
        if ((b1 & 0x80) != 0) {
            header += 4; // servers do not mask; skip a mask key all the same
        }
        long frameEnd = at + header + len;
        if (frameEnd > end) {
            return -1;
        }
        int from = at + header;
        int to = (int) frameEnd;
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        switch (opcode) {
            case OP_TEXT, OP_CONTINUATION -> {
                if (fin && fragments == null) {
                    listener.text(data, from, to);
                } else {
                    if (fragments == null) {
                        fragments = Buffer.buffer();
                    }
                    fragments.appendBuffer(data, from, to - from);
                    if (fin) {
                        Buffer whole = fragments;
                        fragments = null;
                        listener.text(whole, 0, whole.length());
                    }
                }
            }
            case OP_PING -> write(0x0A, data.getBytes(from, to), false);
            case OP_CLOSE -> {
                if (!closed) {
                    closed = true;
                    write(OP_CLOSE, data.getBytes(from, Math.min(to, from + 2)), true);
                }
            }
            default -> {
                // pong, binary: nothing the load generator needs
            }
        }
        return to;
    }

    private void gone() {
        closed = true;
        listener.closed();
    }

    private static int indexOf(Buffer b, byte[] what) {
        outer:
        for (int i = 0, last = b.length() - what.length; i <= last; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b.getByte(i + j) != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
