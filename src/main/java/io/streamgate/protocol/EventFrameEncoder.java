package io.streamgate.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.streamgate.stream.StreamEvent;

import java.io.IOException;
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

    private static final JsonStringEncoder QUOTE = JsonStringEncoder.getInstance();
    // The fixed parts of the frame as encodeFrame writes them, in the generator's order (see write).
    private static final byte[] TYPE_AND_CHANNEL = ascii("{\"type\":\"event\",\"channel\":\"");
    private static final byte[] CURSOR = ascii("\",\"cursor\":\"");
    private static final byte[] TIMESTAMP = ascii("\",\"ts\":");
    private static final byte[] ID = ascii(",\"id\":\"");
    private static final byte[] EVENT = ascii(",\"event\":\"");
    private static final byte[] FROM = ascii(",\"from\":\"");
    private static final byte[] DATA = ascii(",\"data\":");

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
     * <p>
     * Byte for byte what {@link #encode(StreamEvent)} writes (its generator's field order and escaping, checked by
     * {@code EventFrameEncoderTest}), but without a generator per record: replay encodes every record it serves,
     * and a Jackson generator's set-up and buffer recycling were half of the encoding's cost (issue 14's profile).
     * The strings are escaped by Jackson's {@link JsonStringEncoder}; the value is copied as its bytes.
     */
    public static OutboundFrame encodeFrame(StreamEvent event, ByteBufAllocator alloc) {
        byte[] data = event.value();
        if (validJson(data) == null) {
            return null;
        }
        ByteBuf buf = alloc.buffer(OutboundFrame.MAX_HEADER + data.length + 160);
        buf.writerIndex(OutboundFrame.MAX_HEADER);
        buf.writeBytes(TYPE_AND_CHANNEL);
        buf.writeBytes(QUOTE.quoteAsUTF8(event.channel().toString()));
        buf.writeBytes(CURSOR);
        buf.writeBytes(QUOTE.quoteAsUTF8(event.cursor().encode()));
        buf.writeBytes(TIMESTAMP);
        ByteBufUtil.writeAscii(buf, Long.toString(event.timestamp()));
        writeOptional(buf, ID, event.id());
        writeOptional(buf, EVENT, event.event());
        writeOptional(buf, FROM, event.from());
        buf.writeBytes(DATA);
        buf.writeBytes(data);
        buf.writeByte('}');
        return OutboundFrame.ofPayload(buf);
    }

    private static void writeOptional(ByteBuf buf, byte[] field, String value) {
        if (value != null) {
            buf.writeBytes(field);
            buf.writeBytes(QUOTE.quoteAsUTF8(value));
            buf.writeByte('"');
        }
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
        // The JDK's decoder is strict (overlong forms, surrogates and truncated sequences are malformed) and replaces
        // what is malformed with U+FFFD; only a text holding U+FFFD needs the reporting decoder to tell a replaced
        // byte from a U+FFFD that was in the value. The common case is the fast path of new String (issue 14).
        String text = new String(data, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') >= 0 && !strictlyUtf8(data)) {
            return null;
        }
        return text.charAt(0) == '\uFEFF' ? null : text;
    }

    private static boolean strictlyUtf8(byte[] data) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(data));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
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
