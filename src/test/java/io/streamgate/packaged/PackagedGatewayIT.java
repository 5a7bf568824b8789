package io.streamgate.packaged;

import io.streamgate.support.GatewayProcess;
import io.streamgate.support.Records;
import io.streamgate.support.StartupCeiling;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar, in its prod profile, started as an operator starts it: only the configuration keys
 * of the README, an external Kafka and PostgreSQL, and nothing embedded.
 */
class PackagedGatewayIT {

    private static final String NAMESPACES = """
            streamgate.namespaces."inventory".topic=inventory-events
            streamgate.namespaces."orders".topic=order-events
            streamgate.namespaces."orders".subject-pointer=/orderId
            """;

    @Test
    void packagedJarServesEventsFromAnExternalKafkaWithOnlyTheDocumentedKeys() throws Exception {
        TestStack stack = TestStack.get();
        String tenant = "t-" + UUID.randomUUID();
        try (GatewayProcess gateway = GatewayProcess.start("packaged", GatewayProcess.environmentFor(stack), NAMESPACES)
                .awaitReady(StartupCeiling.PROCESS);
                Records records = new Records();
                WsClient client = WsClient.connect(gateway.uri(), Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            assertThat(client.subscribe("inventory:sku-1").getString("type")).isEqualTo("subscribed");
            records.send("inventory-events", tenant, "sku-1", "{\"stock\":11}");
            JsonObject event = client.events("inventory:sku-1", 1).get(0);
            assertThat(event.getJsonObject("data").getInteger("stock")).isEqualTo(11);

            String log = gateway.output();
            assertThat(log).contains("Profile prod activated");
            assertThat(log).doesNotContainIgnoringCase("devservices").doesNotContain("KafkaClusterTestKit");
            assertThat(gateway.get("q/health/live").statusCode()).isEqualTo(200);
            // No token minting or demo endpoint in the packaged application.
            assertThat(gateway.get("dev/token").statusCode()).isEqualTo(404);
        }
    }

}
