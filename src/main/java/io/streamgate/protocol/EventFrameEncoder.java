package io.streamgate.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.streamgate.stream.StreamEvent;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * Writes {@code event} frames. The record's JSON value is checked (one well-formed JSON value, nothing
 * after it) and then copied into the frame as it is, without building a tree: the frame is encoded once
 * per record and channel and the same text goes to every subscriber.
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
        String json = utf8(data);
        if (json == null || !isSingleJsonValue(json)) {
            return null;
        }
        StringWriter out = new StringWriter(data.length + 160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
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
            g.flush();
            return out.toString();
        } catch (IOException e) {
            return null;
        }
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
