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

    private String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri.resolve("q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of one series ({@code name{labels}} exactly as exposed), 0 when absent. */
    private static double value(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElse(0);
    }

    /** The sum of every series of a metric, whatever its labels. */
    private static double sum(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void prometheusEndpointShowsWhatTheTestCaused() throws Exception {
        String tenant = "t-" + UUID.randomUUID();
        String before = scrape();
        String cursor;
        try (Records records = new Records();
                WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*"), List.of()))) {
            client.subscribe("inventory:m-1");
            records.send("inventory-events", tenant, "m-1", "{\"n\":1}");
            records.send("inventory-events", tenant, "m-1", "{\"n\":2}");
            List<io.vertx.core.json.JsonObject> events = client.events("inventory:m-1", 2);
            cursor = events.get(0).getString("cursor");
            assertThat(client.subscribe("inventory:m-2", "not-a-cursor").getString("reason")).isEqualTo("invalid");
            // A resume from the first event's cursor replays the second.
            assertThat(client.subscribe("inventory:m-1b", null).getString("type")).isEqualTo("subscribed");
            assertThat(client.unsubscribe("inventory:m-1").getString("type")).isEqualTo("unsubscribed");
            assertThat(client.subscribe("inventory:m-1", cursor).getBoolean("recovered")).isTrue();
            assertThat(client.events("inventory:m-1", 1).get(0).getJsonObject("data").getInteger("n")).isEqualTo(2);
            assertThat(WsClient.upgradeStatus(uri, "garbage")).isEqualTo(401);
            String id = client.nextId();
            client.send(new io.vertx.core.json.JsonObject().put("type", "publish").put("id", id).put("channel", "chat:room-m")
                    .put("data", 1));
            assertThat(client.reply(id).getString("code")).isEqualTo("forbidden");

            String during = scrape();
            assertThat(value(during, "streamgate_connections{tenant=\"" + tenant + "\"}")).isEqualTo(1.0);
            assertThat(value(during, "streamgate_subscriptions") - value(before, "streamgate_subscriptions")).isEqualTo(3.0);
            assertThat(value(during, "streamgate_events_delivered_total{path=\"live\"}")
                    - value(before, "streamgate_events_delivered_total{path=\"live\"}")).isGreaterThanOrEqualTo(2.0);
            assertThat(value(during, "streamgate_events_delivered_total{path=\"replay\"}")
                    - value(before, "streamgate_events_delivered_total{path=\"replay\"}")).isEqualTo(1.0);
            assertThat(value(during, "streamgate_delivery_latency_seconds_count")
                    - value(before, "streamgate_delivery_latency_seconds_count")).isGreaterThanOrEqualTo(2.0);
            assertThat(value(during, "streamgate_bytes_out_total") - value(before, "streamgate_bytes_out_total"))
                    .isGreaterThanOrEqualTo(events.get(0).encode().length() + events.get(1).encode().length());
            assertThat(value(during, "streamgate_resumes_total{outcome=\"invalid\"}")
                    - value(before, "streamgate_resumes_total{outcome=\"invalid\"}")).isEqualTo(1.0);
            assertThat(value(during, "streamgate_resumes_total{outcome=\"recovered\"}")
                    - value(before, "streamgate_resumes_total{outcome=\"recovered\"}")).isEqualTo(1.0);
            assertThat(sum(during, "streamgate_auth_failures_total") - sum(before, "streamgate_auth_failures_total")).isEqualTo(1.0);
            assertThat(value(during, "streamgate_publishes_total{outcome=\"forbidden\"}")
                    - value(before, "streamgate_publishes_total{outcome=\"forbidden\"}")).isEqualTo(1.0);
            // In the default assignment every partition of every namespace topic is read.
            assertThat(value(during, "streamgate_live_partitions"))
                    .isEqualTo(io.streamgate.support.TestStack.TOPICS.values().stream().mapToInt(Integer::intValue).sum());
            assertThat(during).contains("kafka_consumer_fetch_manager_records_lag_max");
        }
        // The client closed normally: 1000, and the tenant has no connection left.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
            String after = scrape();
            return value(after, "streamgate_connections{tenant=\"" + tenant + "\"}") == 0.0
                    && value(after, "streamgate_disconnects_total{code=\"1000\"}")
                            - value(before, "streamgate_disconnects_total{code=\"1000\"}") >= 1.0;
        });
    }
}
