package io.streamgate.bench.client;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * Reads the few fields the load generator needs (sequence number, send time, cursor) straight from a frame's
 * bytes. The load generator shares two cores with the server it measures: building a JSON tree for each of
 * hundreds of thousands of frames a second would measure the load generator instead. Control frames, which
 * are rare, are parsed with Jackson.
 */
public final class FrameFields {

    private FrameFields() {
    }

    public static byte[] key(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    public static boolean startsWith(Buffer frame, byte[] prefix) {
        if (frame.length() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (frame.getByte(i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Index just after the first occurrence of {@code key}, or -1. */
    public static int after(Buffer frame, byte[] key, int from) {
        int last = frame.length() - key.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < key.length; j++) {
                if (frame.getByte(i + j) != key[j]) {
                    continue outer;
                }
            }
            return i + key.length;
        }
        return -1;
    }

    /** The non-negative integer right after {@code key}, or -1 when the key is missing. */
    public static long number(Buffer frame, byte[] key) {
        int i = after(frame, key, 0);
        if (i < 0) {
            return -1;
        }
        long value = 0;
        for (int n = frame.length(); i < n; i++) {
            byte b = frame.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    /** The JSON string (without escapes) right after {@code key}, which ends in the opening quote; or null. */
    public static String string(Buffer frame, byte[] key) {
        int start = after(frame, key, 0);
        if (start < 0) {
            return null;
        }
        int end = start;
        while (end < frame.length() && frame.getByte(end) != '"') {
            end++;
        }
        return frame.getString(start, end, "US-ASCII");
    }
}
