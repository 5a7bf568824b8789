package io.streamgate.kafka;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.Tools;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The record contract needs nothing Java-specific: a record written by kcat (librdkafka) with only a
 * key, a header and a JSON value is delivered. kcat is found on PATH; .ci/run installs it. Without it the test
 * fails in CI and is skipped with a warning elsewhere ({@link Tools}).
 */
@QuarkusTest
class NonJavaProducerTest extends GatewayTest {

    @Test
    void recordProducedByKcatIsDelivered() throws Exception {
        Path kcat = Tools.require("kcat", "apt-get install kcat");
        String tenant = "t-" + UUID.randomUUID();
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            assertThat(client.subscribe("inventory:sku-kcat").getString("type")).isEqualTo("subscribed");

            // librdkafka's default partitioner differs from Java's; murmur2 puts a tenant where the gateway
            // (and every Java producer) expects it. The README's record contract says so.
            Tools.Result produced = Tools.run(List.of(kcat.toString(), "-P", "-b", TestStack.get().bootstrapServers(),
                    "-t", "inventory-events", "-k", tenant, "-H", "subject=sku-kcat", "-H", "event=stock.changed",
                    "-X", "partitioner=murmur2_random"), "{\"stock\":3,\"by\":\"kcat\"}\n", Duration.ofSeconds(60),
                    Path.of("target", "kcat.log"));
            assertThat(produced.exitCode()).as(produced.output()).isZero();

            JsonObject event = client.events("inventory:sku-kcat", 1).get(0);
            assertThat(event.getJsonObject("data").getString("by")).isEqualTo("kcat");
            assertThat(event.getString("event")).isEqualTo("stock.changed");
        }
    }
}
