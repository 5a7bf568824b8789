package io.streamgate.metrics;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Records;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
class MetricsTest extends GatewayTest {

    @Test
    void prometheusEndpointExposesTheGatewayMeters() throws Exception {
        String tenant = "t-" + UUID.randomUUID();
        String cursor;
        try (Records records = new Records();
                WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            client.subscribe("inventory:m-1");
            records.send("inventory-events", tenant, "m-1", "{\"n\":1}");
            cursor = client.events("inventory:m-1", 1).get(0).getString("cursor");
            assertThat(client.subscribe("inventory:m-2", "not-a-cursor").getString("reason")).isEqualTo("invalid");
            assertThat(WsClient.upgradeStatus(uri, "garbage")).isEqualTo(401);

            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri.resolve("q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics)
                    .contains("streamgate_connections{tenant=\"" + tenant + "\"} 1.0")
                    .contains("streamgate_events_delivered_total{path=\"live\"}")
                    .contains("streamgate_bytes_out_total")
                    .contains("streamgate_delivery_latency_seconds_bucket")
                    .contains("streamgate_resumes_total{outcome=\"invalid\"}")
                    .contains("streamgate_auth_failures_total{reason=")
                    .contains("streamgate_subscriptions")
                    .contains("kafka_consumer_fetch_manager_records_lag_max");
        }
    }
}
