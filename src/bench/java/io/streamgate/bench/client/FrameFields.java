package io.streamgate.bench.client;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * Reads the few fields the load generator needs (sequence number, send time, cursor) straight from a frame's
 * bytes, a range of a socket read's buffer: no JSON tree, no string, no copy. The load generator shares two
 * cores with the server it measures, so what it spends per frame is taken from the server. Control frames,
 * which are rare, are parsed with Jackson.
 */
public final class FrameFields {

    private FrameFields() {
    }

    public static byte[] key(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    public static boolean startsWith(Buffer frame, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (frame.getByte(from + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Index just after the first occurrence of {@code key} in {@code [from, to)}, or -1. */
    public static int after(Buffer frame, byte[] key, int from, int to) {
        int last = to - key.length;
        byte first = key[0];
        outer:
        for (int i = from; i <= last; i++) {
            if (frame.getByte(i) != first) {
                continue;
            }
            for (int j = 1; j < key.length; j++) {
                if (frame.getByte(i + j) != key[j]) {
                    continue outer;
                }
            }
            return i + key.length;
        }
        return -1;
    }

    /** The integer (optionally negative) starting at {@code at}; {@link Long#MIN_VALUE} when none is there. */
    public static long numberAt(Buffer frame, int at, int to) {
        if (at < 0 || at >= to) {
            return Long.MIN_VALUE;
        }
        boolean negative = frame.getByte(at) == '-';
        int i = negative ? at + 1 : at;
        int start = i;
        long value = 0;
        for (; i < to; i++) {
            byte b = frame.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
        }
        if (i == start) {
            return Long.MIN_VALUE;
        }
        return negative ? -value : value;
    }

    /** The non-negative integer right after {@code key} (searched from {@code from}), or -1 when the key is missing. */
    public static long number(Buffer frame, byte[] key, int from, int to) {
        int i = after(frame, key, from, to);
        if (i < 0) {
            return -1;
        }
        long value = numberAt(frame, i, to);
        return value == Long.MIN_VALUE ? -1 : value;
    }

    /** Index of the next {@code b} at or after {@code from}, or -1. */
    public static int indexOf(Buffer frame, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (frame.getByte(i) == b) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the last {@code b} in {@code [from, to)}, or -1. */
    public static int lastIndexOf(Buffer frame, byte b, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (frame.getByte(i) == b) {
                return i;
            }
        }
        return -1;
    }

    /** Whether bytes {@code [from, to)} equal {@code expected}. */
    public static boolean equals(Buffer frame, int from, int to, byte[] expected) {
        if (expected == null || to - from != expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (frame.getByte(from + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    public static String ascii(Buffer frame, int from, int to) {
        return frame.getString(from, to, "US-ASCII");
    }
}
