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
     * @return the frame text, or null when {@code data} is not a single JSON value
     */
    public static String encode(String channel, String cursor, long timestamp, String eventId, String eventType,
            String from, byte[] data) {
        if (!isSingleJsonValue(data)) {
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
            g.writeRawValue(new String(data, StandardCharsets.UTF_8));
            g.writeEndObject();
            g.flush();
            return out.toString();
        } catch (IOException e) {
            return null;
        }
    }

    static boolean isSingleJsonValue(byte[] data) {
        if (data == null || data.length == 0) {
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
