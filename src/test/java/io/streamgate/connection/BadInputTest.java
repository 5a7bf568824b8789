package io.streamgate.connection;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Each bad command gets a clear error and the connection lives; a client that keeps at it is closed with 1008. */
@QuarkusTest
class BadInputTest extends GatewayTest {

    private WsClient connect() {
        WsClient client = WsClient.connect(uri, Tokens.token("acme", "alice", List.of("inventory:*")));
        client.await(f -> "welcome".equals(f.getString("type")));
        return client;
    }

    static Stream<Arguments> badCommands() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"type\":\"subscribe\",", "bad_request", "not valid JSON"),
                Arguments.of("not an object", "[1,2,3]", "bad_request", "JSON object"),
                Arguments.of("missing type", "{\"id\":\"x\"}", "bad_request", "'type' is required"),
                Arguments.of("type of the wrong type", "{\"id\":\"x\",\"type\":7}", "bad_request", "'type' is required"),
                Arguments.of("unknown type", "{\"id\":\"x\",\"type\":\"dance\"}", "unknown_type", "dance"),
                Arguments.of("missing channel", "{\"id\":\"x\",\"type\":\"subscribe\"}", "bad_request", "'channel' is required"),
                Arguments.of("channel of the wrong type", "{\"id\":\"x\",\"type\":\"subscribe\",\"channel\":[1]}",
                        "bad_request", "'channel' must be a string"),
                Arguments.of("channel without namespace", "{\"id\":\"x\",\"type\":\"subscribe\",\"channel\":\"sku\"}",
                        "bad_request", "<namespace>:<subject>"),
                Arguments.of("channel with odd characters",
                        "{\"id\":\"x\",\"type\":\"subscribe\",\"channel\":\"inventory:a b<>\"}", "bad_request",
                        "subject may contain"),
                Arguments.of("unknown namespace", "{\"id\":\"x\",\"type\":\"subscribe\",\"channel\":\"nope:a\"}",
                        "unknown_namespace", "nope"),
                Arguments.of("since of the wrong type",
                        "{\"id\":\"x\",\"type\":\"subscribe\",\"channel\":\"inventory:a\",\"since\":5}", "bad_request",
                        "'since' must be a string"),
                Arguments.of("invalid UTF-8 escape", "{\"id\":\"x\",\"type\":\"\\ud800\"}", "unknown_type", "unknown"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommands")
    void badCommandGetsAnErrorAndTheConnectionLives(String name, String frame, String code, String messagePart) {
        try (WsClient client = connect()) {
            client.sendText(frame);
            JsonObject error = client.await(f -> "error".equals(f.getString("type")));
            assertThat(error.getString("code")).isEqualTo(code);
            assertThat(error.getString("message")).contains(messagePart);
            assertThat(error.encode()).doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(client.subscribe("inventory:still-alive").getString("type")).isEqualTo("subscribed");
        }
    }

    @Test
    void errorEchoesTheCommandIdWhenItIsUsable() {
        try (WsClient client = connect()) {
            client.sendText("{\"id\":42,\"type\":\"dance\"}");
            assertThat(client.await(f -> "error".equals(f.getString("type"))).getInteger("id")).isEqualTo(42);
        }
    }

    @Test
    void hugeIdIsRefusedAndNotEchoed() {
        try (WsClient client = connect()) {
            String id = "x".repeat(5000);
            client.sendText("{\"id\":\"" + id + "\",\"type\":\"subscribe\",\"channel\":\"inventory:a\"}");
            JsonObject error = client.await(f -> "error".equals(f.getString("type")));
            assertThat(error.getString("code")).isEqualTo("bad_request");
            assertThat(error.containsKey("id")).isFalse();
        }
    }

    @Test
    void tenKilobyteChannelNameIsRefused() {
        try (WsClient client = connect()) {
            JsonObject error = client.subscribe("inventory:" + "a".repeat(10_000));
            assertThat(error.getString("code")).isEqualTo("bad_request");
            assertThat(error.getString("message")).contains("longer than");
        }
    }

    @Test
    void binaryFrameGetsAnError() {
        try (WsClient client = connect()) {
            client.sendBinary(new byte[] {1, 2, 3});
            JsonObject error = client.await(f -> "error".equals(f.getString("type")));
            assertThat(error.getString("message")).contains("binary");
        }
    }

    @Test
    void subscribingTwiceToTheSameChannelIsRefused() {
        try (WsClient client = connect()) {
            assertThat(client.subscribe("inventory:twice").getString("type")).isEqualTo("subscribed");
            JsonObject error = client.subscribe("inventory:twice");
            assertThat(error.getString("code")).isEqualTo("bad_request");
            assertThat(error.getString("message")).contains("already subscribed");
        }
    }

    @Test
    void clientThatKeepsSendingGarbageIsClosedWith1008() {
        try (WsClient client = connect()) {
            for (int i = 0; i < 60; i++) {
                client.sendText("garbage " + i);
            }
            assertThat(client.awaitClose()).isEqualTo(1008);
        }
    }

    @Test
    void textFrameWithInvalidUtf8GetsAnErrorAndTheConnectionLives() {
        try (WsClient client = connect()) {
            // RFC 6455 would fail the connection with 1007; Vert.x's WebSocket layer does not validate and
            // decodes the bytes with replacement characters, so the command reaches Streamgate with U+FFFD in
            // the channel, and is refused like any other bad channel name: nothing invalid gets further.
            byte[] prefix = "{\"type\":\"subscribe\",\"id\":\"u\",\"channel\":\"inventory:a".getBytes(StandardCharsets.UTF_8);
            byte[] frame = Arrays.copyOf(prefix, prefix.length + 4);
            System.arraycopy(new byte[] {(byte) 0xC3, (byte) 0x28, '"', '}'}, 0, frame, prefix.length, 4);
            client.sendRawText(frame);
            JsonObject error = client.await(f -> "error".equals(f.getString("type")));
            assertThat(error.getString("code")).isEqualTo("bad_request");
            assertThat(error.getString("message")).contains("subject may contain");
            assertThat(client.subscribe("inventory:after-bad-utf8").getString("type")).isEqualTo("subscribed");
        }
    }

    @Test
    void frameOverTheSizeLimitClosesWith1009() {
        try (WsClient client = connect()) {
            client.sendText("{\"type\":\"subscribe\",\"id\":\"" + "x".repeat(70_000) + "\"}");
            assertThat(client.awaitClose()).isEqualTo(1009);
        }
    }
}
