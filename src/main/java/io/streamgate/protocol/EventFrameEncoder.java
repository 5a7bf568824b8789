package io.streamgate.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.streamgate.stream.StreamEvent;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * Writes {@code event} frames. The record's JSON value is checked (one well-formed JSON value, nothing
 * after it) and then copied into the frame as it is, without building a tree: the frame is encoded once
 * per record and channel and the same frame goes to every subscriber (live: as text, encoded to bytes by
 * {@link OutboundFrame}; replay: as the bytes of the WebSocket frame, written in place).
 */
public final class EventFrameEncoder {

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build())
            .build();

    private EventFrameEncoder() {
    }

    /** The {@code event} frame of a record, or null when its value is not a single JSON value. */
    public static String encode(StreamEvent event) {
        return encode(event.channel().toString(), event.cursor().encode(), event.timestamp(), event.id(), event.event(),
                event.from(), event.value());
    }

    /**
     * @param data the record value, UTF-8 JSON
     * @return the frame text, or null when {@code data} is not a single JSON value in strict UTF-8 without BOM
     */
    public static String encode(String channel, String cursor, long timestamp, String eventId, String eventType,
            String from, byte[] data) {
        String json = validJson(data);
        if (json == null) {
            return null;
        }
        StringWriter out = new StringWriter(data.length + 160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(g, channel, cursor, timestamp, eventId, eventType, from, json);
        } catch (IOException e) {
            return null;
        }
        return out.toString();
    }

    /**
     * The {@code event} frame of a record as the whole WebSocket frame, its UTF-8 payload written straight into a
     * buffer of {@code alloc} (no text, no second encoding), or null when its value is not a single JSON value.
     * The caller owns the frame's bytes ({@link OutboundFrame#release}).
     */
    public static OutboundFrame encodeFrame(StreamEvent event, ByteBufAllocator alloc) {
        byte[] data = event.value();
        String json = validJson(data);
        if (json == null) {
            return null;
        }
        ByteBuf buf = alloc.buffer(OutboundFrame.MAX_HEADER + data.length + 160);
        buf.writerIndex(OutboundFrame.MAX_HEADER);
        try (JsonGenerator g = JSON.createGenerator((OutputStream) new ByteBufOutputStream(buf))) {
            write(g, event.channel().toString(), event.cursor().encode(), event.timestamp(), event.id(), event.event(),
                    event.from(), json);
        } catch (IOException | RuntimeException e) {
            buf.release();
            return null;
        }
        return OutboundFrame.ofPayload(buf);
    }

    /** The value as text when it is one JSON value in strict UTF-8, else null. */
    private static String validJson(byte[] data) {
        String json = utf8(data);
        return json == null || !isSingleJsonValue(json) ? null : json;
    }

    private static void write(JsonGenerator g, String channel, String cursor, long timestamp, String eventId,
            String eventType, String from, String json) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "event");
        g.writeStringField("channel", channel);
        g.writeStringField("cursor", cursor);
        g.writeNumberField("ts", timestamp);
        if (eventId != null) {
            g.writeStringField("id", eventId);
        }
        if (eventType != null) {
            g.writeStringField("event", eventType);
        }
        if (from != null) {
            g.writeStringField("from", from);
        }
        g.writeFieldName("data");
        g.writeRawValue(json);
        g.writeEndObject();
    }

    /**
     * The value as text when it is strict UTF-8 without a byte-order mark, else null. Parsing the bytes directly
     * would let Jackson detect UTF-16 and UTF-32 (and skip a BOM) and accept a value that, copied into a UTF-8
     * frame, no client could read (issue 15, item 4); malformed UTF-8 would become U+FFFD.
     */
    static String utf8(byte[] data) {
        if (data == null || data.length == 0) {
            return null;
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(data)).toString();
            return text.charAt(0) == '\uFEFF' ? null : text;
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /** One JSON value and nothing after it; a NUL (as UTF-16 text decoded as UTF-8 has) is no JSON. */
    static boolean isSingleJsonValue(String data) {
        if (data == null || data.isEmpty()) {
            return false;
        }
        try (JsonParser p = JSON.createParser(data)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
