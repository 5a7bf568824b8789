package io.streamgate.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.util.List;

/**
 * Builds every server frame but {@code event}, which {@link EventFrameEncoder} writes once per record
 * and channel. No other class assembles a frame. Field names are the wire protocol's:
 * see docs/protocol.md.
 */
public final class Frames {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Frames() {
    }

    public static String welcome(String connection, String tenant, String sub, long expiresAtMillis, long heartbeatMillis) {
        ObjectNode f = frame("welcome");
        f.put("connection", connection);
        f.put("tenant", tenant);
        f.put("sub", sub);
        f.put("expires_at", expiresAtMillis);
        f.put("heartbeat_ms", heartbeatMillis);
        return write(f);
    }

    /**
     * @param reason why a requested cursor was not honoured ({@code expired}, {@code epoch}, {@code invalid}); null when
     *        recovered or when none was requested
     * @param cursor the position the subscription starts after; null when the stream has no position yet
     */
    public static String subscribed(JsonNode id, String channel, boolean recovered, String reason, String cursor) {
        return write(subscribedFrame(id, channel, recovered, reason, cursor));
    }

    private static ObjectNode subscribedFrame(JsonNode id, String channel, boolean recovered, String reason, String cursor) {
        ObjectNode f = reply("subscribed", id);
        f.put("channel", channel);
        f.put("recovered", recovered);
        if (reason != null) {
            f.put("reason", reason);
        }
        f.put("cursor", cursor);
        return f;
    }

    /**
     * The answer to a subscribe with {@code rewind}: {@code found} past events follow (at most the N asked for),
     * then live events; {@code complete} is false when the bounded read of Kafka stopped before it found N (older
     * events of the channel may exist). {@code cursor} is the position before the first of them.
     */
    public static String subscribedRewind(JsonNode id, String channel, String reason, String cursor, int found,
            boolean complete) {
        ObjectNode f = subscribedFrame(id, channel, false, reason, cursor);
        f.put("found", found);
        f.put("complete", complete);
        return write(f);
    }

    public static String unsubscribed(JsonNode id, String channel, String reason) {
        ObjectNode f = reply("unsubscribed", id);
        f.put("channel", channel);
        if (reason != null) {
            f.put("reason", reason);
        }
        return write(f);
    }

    public static String published(JsonNode id, String cursor) {
        ObjectNode f = reply("published", id);
        f.put("cursor", cursor);
        return write(f);
    }

    public static String error(JsonNode id, ErrorCode code, String message) {
        ObjectNode f = reply("error", id);
        f.put("code", code.wireName());
        f.put("message", message);
        return write(f);
    }

    /** The token of the connection was replaced by a new one ({@code refresh}). */
    public static String refreshed(JsonNode id, long expiresAtMillis) {
        ObjectNode f = reply("refreshed", id);
        f.put("expires_at", expiresAtMillis);
        return write(f);
    }

    /** The token expires soon: a {@code refresh} now keeps the connection. */
    /**
     * The last message of an SSE stream (docs/protocol.md, "SSE transport"): the WebSocket close code and reason
     * the stream ends with, which the client acts on as on the WebSocket's close.
     */
    public static String close(int code, String reason) {
        ObjectNode f = frame("close");
        f.put("code", code);
        f.put("reason", reason);
        return write(f);
    }

    public static String expiring(long expiresAtMillis) {
        ObjectNode f = frame("expiring");
        f.put("expires_at", expiresAtMillis);
        return write(f);
    }

    /** Who is in a channel: one entry per subject. */
    public static String presence(JsonNode id, String channel, List<PresenceMember> members) {
        ObjectNode f = reply("presence", id);
        f.put("channel", channel);
        ArrayNode list = f.putArray("members");
        members.forEach(m -> list.add(member(m)));
        return write(f);
    }

    /** A subject appeared in a channel ({@code join}) or left it ({@code leave}). */
    public static String presenceChange(boolean join, String channel, PresenceMember member) {
        ObjectNode f = frame(join ? "join" : "leave");
        f.put("channel", channel);
        f.set("member", member(member));
        return write(f);
    }

    private static ObjectNode member(PresenceMember member) {
        ObjectNode m = MAPPER.createObjectNode();
        m.put("sub", member.sub());
        if (member.info() != null) {
            m.set("info", member.info());
        }
        return m;
    }

    private static ObjectNode reply(String type, JsonNode id) {
        ObjectNode f = frame(type);
        if (id != null) {
            f.set("id", id);
        }
        return f;
    }

    private static ObjectNode frame(String type) {
        ObjectNode f = MAPPER.createObjectNode();
        f.put("type", type);
        return f;
    }

    private static String write(ObjectNode frame) {
        try {
            return MAPPER.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
