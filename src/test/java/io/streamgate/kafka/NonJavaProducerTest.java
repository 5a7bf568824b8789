package io.streamgate.kafka;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.KafkaAndPostgres;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The record contract needs nothing Java-specific: a record written by kcat (librdkafka) with only a
 * key, a header and a JSON value is delivered. .ci/run installs kcat; elsewhere the test is skipped.
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgres.class)
class NonJavaProducerTest {

    @TestHTTPResource("/")
    URI uri;

    @Test
    void recordProducedByKcatIsDelivered() throws Exception {
        assumeTrue(new File("/usr/bin/kcat").canExecute(), "kcat is not installed (apt-get install kcat)");
        String tenant = "t-" + UUID.randomUUID();
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            assertThat(client.subscribe("inventory:sku-kcat").getString("type")).isEqualTo("subscribed");

            // librdkafka's default partitioner differs from Java's; murmur2 puts a tenant where the gateway
            // (and every Java producer) expects it. The README's record contract says so.
            Process kcat = new ProcessBuilder("/usr/bin/kcat", "-P", "-b", TestStack.get().bootstrapServers(),
                    "-t", "inventory-events", "-k", tenant, "-H", "subject=sku-kcat", "-H", "event=stock.changed",
                    "-X", "partitioner=murmur2_random")
                    .redirectErrorStream(true).start();
            kcat.getOutputStream().write("{\"stock\":3,\"by\":\"kcat\"}\n".getBytes(StandardCharsets.UTF_8));
            kcat.getOutputStream().close();
            assertThat(kcat.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(kcat.exitValue()).as(new String(kcat.getInputStream().readAllBytes())).isZero();

            JsonObject event = client.events("inventory:sku-kcat", 1).get(0);
            assertThat(event.getJsonObject("data").getString("by")).isEqualTo("kcat");
            assertThat(event.getString("event")).isEqualTo("stock.changed");
        }
    }
}
