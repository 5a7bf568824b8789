package io.streamgate.metrics;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.MonitoringChart;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric name that the chart's Grafana dashboard and alert rules read is in a running gateway's
 * {@code /q/metrics}, exactly as written (a histogram's {@code _bucket}, a counter's {@code _total}), so a
 * renamed metric breaks the build instead of a dashboard or an alert. The gateway is made to produce each
 * one first: a connection, a subscription, a delivered event, a refused upgrade, an invalid cursor, a
 * closed connection, a forbidden publish and a record that breaks the record contract.
 */
@QuarkusTest
class DashboardAndAlertMetricsExistTest extends GatewayTest {

    /**
     * Series that come from outside the gateway, by the name the rules and the dashboard use, with where
     * they come from. Nothing else may be missing from {@code /q/metrics}.
     */
    private static final Map<String, String> NOT_FROM_THE_GATEWAY = Map.of(
            "up", "Prometheus itself, for every scrape target",
            "kube_pod_status_ready", "kube-state-metrics (StreamgateReplicaNotReady)");

    @Test
    void everyMetricTheDashboardAndTheAlertsReadIsExposed() throws Exception {
        Map<String, Set<String>> used = new TreeMap<>();
        MonitoringChart.ruleExpressions().forEach(e -> MonitoringChart.metricNames(e)
                .forEach(n -> used.computeIfAbsent(n, k -> new TreeSet<>()).add("alert rules")));
        MonitoringChart.dashboardExpressions().forEach(e -> MonitoringChart.metricNames(e)
                .forEach(n -> used.computeIfAbsent(n, k -> new TreeSet<>()).add("dashboard")));
        assertThat(used.keySet()).as("metric names found in the dashboard and the rules")
                .contains("streamgate_delivery_latency_seconds_bucket", "streamgate_resumes_total",
                        "kafka_consumer_fetch_manager_records_lag_max", "jvm_memory_used_bytes")
                .containsAll(NOT_FROM_THE_GATEWAY.keySet());

        Set<String> exposed = exposedWhileTheGatewayWorks();

        Map<String, Set<String>> missing = new TreeMap<>(used);
        missing.keySet().removeAll(exposed);
        missing.keySet().removeAll(NOT_FROM_THE_GATEWAY.keySet());
        assertThat(missing).as("metrics read by the chart's dashboard or alerts but not in /q/metrics "
                + "(renamed? update helm/streamgate/dashboards/streamgate.json and "
                + "templates/metrics/prometheusrule.yaml)").isEmpty();
        assertThat(exposed).as("these come from outside the gateway").doesNotContainAnyElementsOf(NOT_FROM_THE_GATEWAY.keySet());
    }

    /** The sample names of {@code /q/metrics} after the gateway was made to produce every Streamgate meter. */
    private Set<String> exposedWhileTheGatewayWorks() throws Exception {
        String token = Tokens.token(tenant, "alice", List.of("inventory:*"));
        try (WsClient client = WsClient.connect(uri, token)) {
            client.subscribe("inventory:m-1");
            records.send("inventory-events", tenant, "m-1", "{\"n\":1}");
            client.events("inventory:m-1", 1);
            records.send("inventory-events", tenant, "m-1", "not json{");
            assertThat(client.subscribe("inventory:m-2", "not-a-cursor").getString("reason")).isEqualTo("invalid");
            String id = client.nextId();
            client.send(new JsonObject().put("type", "publish").put("id", id).put("channel", "inventory:m-1")
                    .put("data", new JsonObject().put("n", 2)));
            assertThat(client.reply(id).getString("code")).isEqualTo("forbidden");
            assertThat(WsClient.upgradeStatus(uri, "garbage")).isEqualTo(401);
            WsClient.connect(uri, token).close();

            // The record is rejected and the closed connection counted asynchronously: wait for both.
            long deadline = System.nanoTime() + 30_000_000_000L;
            Set<String> exposed;
            do {
                exposed = sampleNames(scrape());
            } while (!(exposed.contains("streamgate_records_rejected_total") && exposed.contains("streamgate_disconnects_total"))
                    && System.nanoTime() < deadline && sleep());
            return exposed;
        }
    }

    private String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri.resolve("q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The name of every sample line of a Prometheus text exposition (comments are not samples). */
    static Set<String> sampleNames(String exposition) {
        Set<String> names = new TreeSet<>();
        exposition.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
        return names;
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(200);
        return true;
    }
}
