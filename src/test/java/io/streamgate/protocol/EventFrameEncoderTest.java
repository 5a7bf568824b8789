package io.streamgate.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.streamgate.channel.ChannelName;
import io.streamgate.stream.Cursor;
import io.streamgate.stream.Epoch;
import io.streamgate.stream.StreamEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class EventFrameEncoderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void copiesTheValueIntoTheFrameUnchanged() throws Exception {
        String frame = EventFrameEncoder.encode("inventory:sku-1", "c.1.0.5", 1234L, "e1", "stock", null,
                "{\"stock\": 7, \"name\":\"caf\u00e9 \\\"x\\\"\"}".getBytes(StandardCharsets.UTF_8));
        JsonNode f = MAPPER.readTree(frame);
        assertThat(f.get("type").asText()).isEqualTo("event");
        assertThat(f.get("channel").asText()).isEqualTo("inventory:sku-1");
        assertThat(f.get("cursor").asText()).isEqualTo("c.1.0.5");
        assertThat(f.get("ts").asLong()).isEqualTo(1234L);
        assertThat(f.get("id").asText()).isEqualTo("e1");
        assertThat(f.get("event").asText()).isEqualTo("stock");
        assertThat(f.has("from")).isFalse();
        assertThat(f.get("data").get("stock").asInt()).isEqualTo(7);
        assertThat(f.get("data").get("name").asText()).isEqualTo("café \"x\"");
    }

    @Test
    void scalarValuesAreJsonToo() {
        assertThat(EventFrameEncoder.encode("a:b", "c", 0, null, null, null, "42".getBytes())).endsWith("\"data\":42}");
    }

    @Test
    void refusesValuesThatAreNotExactlyOneJsonValue() {
        for (String bad : new String[] {"", "{", "{\"a\":1} {\"b\":2}", "not json", "{\"a\":1}}", "\"unterminated"}) {
            assertThat(EventFrameEncoder.encode("a:b", "c", 0, null, null, null, bad.getBytes()))
                    .as("value %s", bad).isNull();
        }
        assertThat(EventFrameEncoder.encode("a:b", "c", 0, null, null, null, null)).isNull();
    }

    @Test
    void aValueCannotBreakOutOfItsFrame() throws Exception {
        // A value that closes the frame early and adds fields would be a second JSON value: refused.
        assertThat(EventFrameEncoder.encode("a:b", "c", 0, null, null, null,
                "1},\"channel\":\"other:x\"".getBytes())).isNull();
    }

    /** Issue 15, item 4: JSON in another encoding is no UTF-8 JSON: refused, never copied into a frame. */
    @Test
    void refusesJsonInUtf16Utf32OrWithAByteOrderMarkAndMalformedUtf8() {
        String json = "{\"stock\":7,\"name\":\"Müsli\"}";
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] withBom = new byte[bom.length + json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length];
        System.arraycopy(bom, 0, withBom, 0, 3);
        System.arraycopy(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, withBom, 3, withBom.length - 3);
        byte[][] bad = {
            json.getBytes(java.nio.charset.StandardCharsets.UTF_16LE),
            json.getBytes(java.nio.charset.StandardCharsets.UTF_16BE),
            json.getBytes(java.nio.charset.StandardCharsets.UTF_16), // with its own byte-order mark
            json.getBytes(java.nio.charset.Charset.forName("UTF-32BE")),
            withBom,
            {'"', (byte) 0xC3, '"'}, // a truncated two-byte sequence
            {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, // an encoded surrogate
        };
        for (byte[] value : bad) {
            assertThat(EventFrameEncoder.encode("a:b", "c", 0, null, null, null, value))
                    .as("value %s", java.util.HexFormat.of().formatHex(value)).isNull();
        }
        assertThat(EventFrameEncoder.encode("a:b", "c", 0, null, null, null, json.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .endsWith("\"data\":" + json + "}");
    }

    /**
     * Replay's frames are written straight to bytes: the same payload as the text path, behind the header a text
     * frame of that length has (7-bit, 16-bit and 64-bit lengths), and the text decoded back for a connection
     * without a direct wire.
     */
    @Test
    void aFrameEncodedStraightToBytesIsTheTextFrameByteForByte() {
        for (int size : new int[] {10, 200, 70_000}) {
            byte[] value = ("{\"name\":\"caf\u00e9 \\\"x\\\"\",\"p\":\"" + "y".repeat(size) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            StreamEvent event = new StreamEvent(new ChannelName("inventory", "sku-1"),
                    new Cursor(new Epoch("28mGBR5uQduCztE4xdaBQw", 3), 1, 42), 1234L, "e1", "stock", "bob", value);
            String text = EventFrameEncoder.encode(event);
            OutboundFrame direct = EventFrameEncoder.encodeFrame(event, ByteBufAllocator.DEFAULT);
            ByteBuf expected = OutboundFrame.encode(text, ByteBufAllocator.DEFAULT);
            try {
                assertThat(ByteBufUtil.getBytes(direct.wire())).as("size %d", size).isEqualTo(ByteBufUtil.getBytes(expected));
                assertThat(direct.text()).isEqualTo(text);
            } finally {
                expected.release();
                direct.release();
            }
        }
        StreamEvent notJson = new StreamEvent(new ChannelName("a", "b"), new Cursor(new Epoch("28mGBR5uQduCztE4xdaBQw", 3), 0, 1),
                0, null, null, null, "{".getBytes(StandardCharsets.UTF_8));
        assertThat(EventFrameEncoder.encodeFrame(notJson, ByteBufAllocator.DEFAULT)).isNull();
    }

    /** The frame written without a generator escapes headers as the generator does, and leaves out absent ones. */
    @Test
    void headersAreEscapedAsTheGeneratorEscapesThem() {
        String[] odd = {null, "plain", "quote \" back\\slash", "tab\tnew\nline\u0001ctl", "caf\u00e9 \u2603 \uD83D\uDE00", "</script>"};
        byte[] value = "{\"v\":\"\uFFFD is a character too\"}".getBytes(StandardCharsets.UTF_8);
        for (String id : odd) {
            for (String from : odd) {
                StreamEvent event = new StreamEvent(new ChannelName("chat", "room-1"),
                        new Cursor(new Epoch("28mGBR5uQduCztE4xdaBQw", 3), 2, 9_000_000_000L), -5L, id, from == null ? null : "ev", from, value);
                String text = EventFrameEncoder.encode(event);
                assertThat(text).as("id %s from %s", id, from).isNotNull();
                OutboundFrame direct = EventFrameEncoder.encodeFrame(event, ByteBufAllocator.DEFAULT);
                try {
                    assertThat(direct.text()).isEqualTo(text);
                } finally {
                    direct.release();
                }
            }
        }
        StreamEvent malformed = new StreamEvent(new ChannelName("a", "b"), new Cursor(new Epoch("28mGBR5uQduCztE4xdaBQw", 3), 0, 1),
                0, null, null, null, new byte[] {'"', (byte) 0xC3, '"'});
        assertThat(EventFrameEncoder.encodeFrame(malformed, ByteBufAllocator.DEFAULT)).isNull();
    }
}
