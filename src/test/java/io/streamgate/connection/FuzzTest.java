package io.streamgate.connection;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Records;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throws thousands of random and mutated frames at a live endpoint, then checks that a well-behaved
 * client on the same replica still gets its events, that the server is healthy, and that no reply
 * leaked a stack trace. The seed is printed, so a failure can be replayed.
 */
@QuarkusTest
class FuzzTest extends GatewayTest {

    private static final List<String> VALID = List.of(
            "{\"type\":\"subscribe\",\"id\":1,\"channel\":\"inventory:sku-1\"}",
            "{\"type\":\"subscribe\",\"id\":\"a\",\"channel\":\"inventory:*\",\"since\":\"28mGBR5uQduCztE4xdaBQw.3.0.5\"}",
            "{\"type\":\"unsubscribe\",\"id\":2,\"channel\":\"inventory:sku-1\"}",
            "{\"type\":\"ack\",\"channel\":\"inventory:sku-1\",\"cursor\":\"28mGBR5uQduCztE4xdaBQw.3.0.5\"}",
            "{\"type\":\"publish\",\"id\":3,\"channel\":\"chat:room-1\",\"data\":{\"text\":\"hi\"}}",
            "{\"type\":\"presence\",\"id\":4,\"channel\":\"chat:room-1\"}",
            "{\"type\":\"refresh\",\"id\":5,\"token\":\"x.y.z\"}",
            "{\"type\":\"subscribe\",\"id\":6,\"channel\":\"orders:o-1\",\"resume\":true}");

    @Test
    void randomAndMutatedFramesNeverHurtTheServerOrOtherClients() throws Exception {
        long seed = System.nanoTime();
        System.out.println("FuzzTest seed " + seed);
        Random random = new Random(seed);
        String tenant = "t-" + UUID.randomUUID();
        String token = Tokens.token(tenant, "fuzzer", List.of("inventory:*", "orders:*", "chat:*"), List.of("chat:*"));
        List<JsonObject> errors = new ArrayList<>();
        int closes = 0;

        try (WsClient good = WsClient.connect(uri, Tokens.token(tenant, "good", List.of("inventory:*")));
                Records records = new Records()) {
            good.subscribe("inventory:canary");
            WsClient fuzzer = WsClient.connect(uri, token);
            for (int i = 0; i < 3000; i++) {
                if (fuzzer.isClosed()) {
                    closes++;
                    errors.addAll(fuzzer.pending());
                    fuzzer.close();
                    fuzzer = WsClient.connect(uri, token);
                }
                if (random.nextInt(20) == 0) {
                    byte[] bytes = new byte[random.nextInt(200)];
                    random.nextBytes(bytes);
                    fuzzer.sendBinary(bytes);
                } else {
                    fuzzer.sendText(frame(random));
                }
                if (i % 10 == 9) {
                    fuzzer.settle(Duration.ofMillis(10)); // let the replies (or the close) arrive
                }
            }
            fuzzer.settle(Duration.ofMillis(300));
            errors.addAll(fuzzer.pending());
            fuzzer.close();

            records.send("inventory-events", tenant, "canary", "{\"alive\":true}");
            assertThat(good.events("inventory:canary", 1).get(0).getJsonObject("data").getBoolean("alive")).isTrue();
        }
        HttpResponse<String> live = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(uri.resolve("q/health/live")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        // Most frames are bad: the fuzzer is closed with 1008 again and again, and reconnects.
        assertThat(closes).isGreaterThan(10);
        assertThat(errors.size()).isGreaterThan(1000);
        assertThat(errors).allSatisfy(f -> assertThat(f.encode()).doesNotContain("Exception").doesNotContain("\\tat "));
        System.out.println("FuzzTest: " + errors.size() + " frames back, " + closes + " policy closes");
    }

    private static String frame(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> randomText(r, r.nextInt(300));
            case 1 -> truncate(r, pick(r));
            case 2 -> flip(r, pick(r));
            case 3 -> pick(r).replaceFirst("\"[a-z]+\"", java.util.regex.Matcher.quoteReplacement("\"" + randomText(r, 5).replace("\"", "") + "\""));
            case 4 -> "{\"type\":\"subscribe\",\"id\":" + (r.nextBoolean() ? "1e400" : "123456789012345678901234567890")
                    + ",\"channel\":\"" + "a:".repeat(r.nextInt(3000)) + "\"}";
            case 5 -> "[".repeat(r.nextInt(5000)) + "]".repeat(r.nextInt(5000));
            case 6 -> pick(r).replace("\"inventory:", "\"inv\\u0000entory:").replace(":1", ":[1,{}]");
            default -> pick(r);
        };
    }

    private static String pick(Random r) {
        return VALID.get(r.nextInt(VALID.size()));
    }

    private static String truncate(Random r, String s) {
        return s.substring(0, r.nextInt(s.length()));
    }

    private static String flip(Random r, String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < 1 + r.nextInt(4); i++) {
            c[r.nextInt(c.length)] = (char) (32 + r.nextInt(95));
        }
        return new String(c);
    }

    private static String randomText(Random r, int length) {
        byte[] b = new byte[length];
        r.nextBytes(b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
