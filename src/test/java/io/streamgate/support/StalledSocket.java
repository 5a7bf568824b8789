package io.streamgate.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client on a plain TCP socket that does the upgrade, sends what it is told and otherwise never
 * reads: a phone whose app froze, or an attacker. Its receive buffer is kept small before connecting, so
 * the kernel soon stops taking the server's writes and the server's own outbound buffer fills up — a
 * paused Vert.x client would still let the kernel buffer megabytes. {@link #readUntilClose} reads
 * everything queued for it afterwards and returns the server's close code.
 */
public final class StalledSocket implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private long textFramesRead;
    private int closeCode = -1;

    private StalledSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Upgrades {@code /v1/ws} with {@code Authorization: Bearer <token>}; reads nothing after the 101. */
    public static StalledSocket connect(URI base, String token) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096); // before connect: it sets the window the server is offered
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            socket.setSoTimeout(30_000);
            StalledSocket s = new StalledSocket(socket);
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            String request = "GET /v1/ws HTTP/1.1\r\n"
                    + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "Authorization: Bearer " + token + "\r\n\r\n";
            s.out.write(request.getBytes(StandardCharsets.US_ASCII));
            s.out.flush();
            String head = s.readHead();
            if (!head.startsWith("HTTP/1.1 101")) {
                socket.close();
                throw new IllegalStateException("upgrade refused: " + head.lines().findFirst().orElse(head));
            }
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The response head, read one byte at a time so that not one byte of a frame is consumed. */
    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the upgrade");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Sends a text frame, masked as a client must. */
    public void sendText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            throw new IllegalArgumentException("frame too large for this test client");
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        try {
            out.write(frame.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts reading at last: reads (and discards) every frame until the server's close frame, and returns its
     * close code; -1 when the connection ended without one.
     */
    public int readUntilClose() {
        while (readText() != null) {
            // discard: what matters is how the server ends the connection
        }
        return closeCode;
    }

    /** The longest one {@link #readText} waits for a text frame, control frames (the server's pings) or not. */
    private static final long TEXT_WAIT_MILLIS = 30_000;

    /**
     * Starts reading: the payload of the next text frame (control frames are skipped), or null when the server
     * closed the connection. Fails (IllegalStateException) when no text frame comes within 30 s: the server's pings
     * alone would otherwise keep this waiting for ever, and a test would hang instead of failing.
     */
    public String readText() {
        long deadline = System.nanoTime() + TEXT_WAIT_MILLIS * 1_000_000;
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new IllegalStateException("no text frame within " + TEXT_WAIT_MILLIS + " ms (control frames only)");
                }
                socket.setSoTimeout((int) left);
                int b0 = in.read();
                if (b0 < 0) {
                    return null;
                }
                int b1 = in.readUnsignedByte();
                long length = b1 & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                int opcode = b0 & 0x0f;
                if (opcode == 0x8) {
                    closeCode = length >= 2 ? in.readUnsignedShort() : -1;
                    skip(in, length - Math.min(length, 2));
                    return null;
                }
                if (opcode != 0x1) {
                    skip(in, length);
                    continue;
                }
                byte[] payload = new byte[Math.toIntExact(length)];
                in.readFully(payload);
                textFramesRead++;
                return new String(payload, StandardCharsets.UTF_8);
            }
        } catch (EOFException e) {
            return null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The close code {@link #readText} met, or -1. */
    public int closeCode() {
        return closeCode;
    }

    /** Text frames seen by {@link #readUntilClose} and {@link #readText}. */
    public long textFramesRead() {
        return textFramesRead;
    }

    private static void skip(InputStream in, long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException();
                }
                skipped = 1;
            }
            n -= skipped;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket
        }
    }
}
