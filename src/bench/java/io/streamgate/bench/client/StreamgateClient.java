package io.streamgate.bench.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketConnectOptions;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

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
    private final Set<String> recent = new HashSet<>();
    private final ArrayDeque<String> recentOrder = new ArrayDeque<>();
    /** The last cursor seen: an event's, or the {@code subscribed} reply's before any event. */
    private String cursor;
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
        resuming = cursor != null;
        if (resuming) {
            subscribe.put("since", cursor);
        }
        send(subscribe.toString());
    }

    @Override
    protected void frame(Buffer frame) {
        if (FrameFields.startsWith(frame, EVENT)) {
            delivery.wire.increment();
            String eventCursor = FrameFields.string(frame, CURSOR);
            if (!recent.add(eventCursor)) {
                delivery.droppedByCursor.increment();
                return;
            }
            recentOrder.add(eventCursor);
            if (recentOrder.size() > RECENT) {
                recent.remove(recentOrder.poll());
            }
            cursor = eventCursor;
            event(frame);
            return;
        }
        JsonNode control;
        try {
            control = JSON.readTree(frame.getBytes());
        } catch (IOException e) {
            failSubscribe("unreadable frame: " + frame);
            return;
        }
        switch (control.path("type").asText()) {
            case "subscribed" -> {
                if (resuming && !control.path("recovered").asBoolean()) {
                    delivery.unrecovered.increment();
                }
                if (cursor == null) {
                    cursor = control.path("cursor").asText(null);
                }
                confirmSubscribed();
            }
            case "error" -> {
                // 'internal' right after startup (the live consumer not yet assigned): try again shortly.
                fleet.vertx().setTimer(500, id -> opened());
            }
            default -> {
                // welcome, pings answered by Vert.x itself
            }
        }
    }
}
