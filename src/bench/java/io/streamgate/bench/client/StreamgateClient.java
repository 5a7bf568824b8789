package io.streamgate.bench.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketConnectOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Speaks Streamgate's protocol (docs/protocol.md) like its JavaScript client: a bearer token on the upgrade,
 * {@code subscribe} with {@code since} = the last cursor seen when coming back, and events whose cursor was
 * already seen dropped as repeats.
 */
public final class StreamgateClient extends LoadClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] EVENT = FrameFields.key("{\"type\":\"event\"");
    private static final byte[] CURSOR = FrameFields.key("\"cursor\":\"");
    /** How many recent cursors are remembered to recognise a repeat (the JavaScript client keeps a window too). */
    private static final int RECENT = 256;

    private final String token;
    /**
     * The last cursor seen (an event's, or the {@code subscribed} reply's before any event), kept as its stream
     * part ({@code <topic id>.<partitions>.<partition>.}) and its offset so that reading it from a frame makes no
     * string; null prefix before any.
     */
    private byte[] cursorPrefix;
    private long cursorOffset;
    /** The offsets of the last {@link #RECENT} events of the current stream, a ring, and the highest of them. */
    private final long[] recent = new long[RECENT];
    private int recentCount;
    private int recentNext;
    private long recentMax = Long.MIN_VALUE;
    private boolean resuming;

    public StreamgateClient(Fleet fleet, Endpoint endpoint, int index, int channel, String channelName, Delivery delivery,
            Sequences sequences, String token) {
        super(fleet, endpoint, index, channel, channelName, delivery, sequences);
        this.token = token;
    }

    @Override
    protected WebSocketConnectOptions upgrade() {
        return new WebSocketConnectOptions().setURI("/v1/ws").addHeader("Authorization", "Bearer " + token);
    }

    @Override
    protected void opened() {
        ObjectNode subscribe = JSON.createObjectNode().put("type", "subscribe").put("id", 1).put("channel", channelName);
        resuming = cursorPrefix != null;
        if (resuming) {
            subscribe.put("since", new String(cursorPrefix, StandardCharsets.US_ASCII) + cursorOffset);
        }
        send(subscribe.toString());
    }

    @Override
    protected void frame(Buffer data, int from, int to) {
        if (FrameFields.startsWith(data, from, to, EVENT)) {
            delivery.wire.increment();
            int start = FrameFields.after(data, CURSOR, from, to);
            int end = start < 0 ? -1 : FrameFields.indexOf(data, (byte) '"', start, to);
            int dot = end < 0 ? -1 : FrameFields.lastIndexOf(data, (byte) '.', start, end);
            if (dot < 0) {
                failSubscribe("event without a cursor");
                return;
            }
            long offset = FrameFields.numberAt(data, dot + 1, end);
            if (!FrameFields.equals(data, start, dot + 1, cursorPrefix)) {
                cursorPrefix = data.getBytes(start, dot + 1); // another stream (first event, new epoch): a new window
                recentCount = 0;
                recentNext = 0;
                recentMax = Long.MIN_VALUE;
            } else if (seen(offset)) {
                delivery.droppedByCursor.increment();
                return;
            }
            remember(offset);
            cursorOffset = offset;
            event(data, from, to);
            return;
        }
        JsonNode control;
        try {
            control = JSON.readTree(data.getBytes(from, to));
        } catch (IOException e) {
            failSubscribe("unreadable frame: " + data.getString(from, to));
            return;
        }
        switch (control.path("type").asText()) {
            case "subscribed" -> {
                if (resuming && !control.path("recovered").asBoolean()) {
                    delivery.unrecovered.increment();
                }
                String given = control.path("cursor").asText(null);
                int dot = given == null ? -1 : given.lastIndexOf('.');
                if (cursorPrefix == null && dot > 0) {
                    cursorPrefix = given.substring(0, dot + 1).getBytes(StandardCharsets.US_ASCII);
                    cursorOffset = Long.parseLong(given.substring(dot + 1));
                }
                confirmSubscribed();
            }
            case "error" -> {
                // 'internal' right after startup (the live consumer not yet assigned): try again shortly.
                fleet.vertx().setTimer(500, id -> opened());
            }
            default -> {
                // welcome, pings answered by the socket itself
            }
        }
    }

    /** Was this offset among the last {@link #RECENT} events'? Offsets above all of them never were. */
    private boolean seen(long offset) {
        if (offset > recentMax) {
            return false;
        }
        for (int i = 0; i < recentCount; i++) {
            if (recent[i] == offset) {
                return true;
            }
        }
        return false;
    }

    private void remember(long offset) {
        recent[recentNext] = offset;
        recentNext = (recentNext + 1) % RECENT;
        recentCount = Math.min(RECENT, recentCount + 1);
        recentMax = Math.max(recentMax, offset);
    }
}
