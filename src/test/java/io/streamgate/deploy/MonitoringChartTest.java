package io.streamgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamgate.support.MonitoringChart;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.streamgate.support.MonitoringChart.find;
import static io.streamgate.support.MonitoringChart.render;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renders the chart's monitoring resources with helm-java, off (the default) and on: the Grafana
 * dashboard ConfigMap the Grafana sidecar discovers, and the PrometheusRule with Streamgate's alerts.
 * The alerts' behaviour is {@link PrometheusRulesTest}'s; that every metric they read exists is
 * {@code DashboardAndAlertMetricsExistTest}'s.
 */
class MonitoringChartTest {

    private static final List<String> ALERTS = List.of("StreamgateReplicaNotReady", "StreamgateLiveConsumerLagGrowing",
            "StreamgateResumesCannotRecover", "StreamgateSlowConsumerDisconnectsSpiking", "StreamgateRecordsRejected",
            "StreamgateDurableCursorsDegraded", "StreamgateDurableCursorWritesFailing", "StreamgateAuthFailuresSpiking");

    @Test
    void neitherDashboardNorRulesByDefault() {
        List<JsonNode> documents = render(Map.of());

        assertThat(documents).noneMatch(d -> d.path("kind").asText().equals("PrometheusRule"));
        assertThat(find(documents, "ConfigMap", "sg-streamgate-dashboard")).isNull();
    }

    @Test
    void twoValuesInstallBoth() {
        List<JsonNode> documents = render(MonitoringChart.BOTH_ON);

        assertThat(find(documents, "PrometheusRule", "sg-streamgate")).isNotNull();
        assertThat(find(documents, "ConfigMap", "sg-streamgate-dashboard")).isNotNull();
        assertThat(find(documents, "ConfigMap", "sg-streamgate")).as("the application's own ConfigMap").isNotNull();
    }

    // --- dashboard -------------------------------------------------------------------------------

    @Test
    void dashboardConfigMapCarriesTheSidecarsDiscoveryLabelAndTheDashboard() throws IOException {
        JsonNode configMap = find(render(Map.of("metrics.grafanaDashboard.enabled", "true")), "ConfigMap",
                "sg-streamgate-dashboard");

        assertThat(configMap.at("/metadata/namespace").asText()).isEqualTo("realtime");
        assertThat(configMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(configMap.at("/metadata/labels/app.kubernetes.io~1instance").asText()).isEqualTo("sg");
        JsonNode dashboard = MonitoringChart.dashboard();
        assertThat(dashboard.get("uid").asText()).isEqualTo("streamgate");
        assertThat(new String(Files.readAllBytes(MonitoringChart.CHART.resolve("dashboards").resolve("streamgate.json"))).trim())
                .as("shipped unchanged").isEqualTo(configMap.at("/data/streamgate.json").asText().trim());
    }

    @Test
    void dashboardLabelsNamespaceAndFolderAnnotationAreValues() {
        JsonNode configMap = find(render(Map.of("metrics.grafanaDashboard.enabled", "true",
                "metrics.grafanaDashboard.namespace", "monitoring",
                "metrics.grafanaDashboard.labels.grafana_dashboard", "streamgate",
                "metrics.grafanaDashboard.annotations.grafana_folder", "Realtime")), "ConfigMap", "sg-streamgate-dashboard");

        assertThat(configMap.at("/metadata/namespace").asText()).isEqualTo("monitoring");
        assertThat(configMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("streamgate");
        assertThat(configMap.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("Realtime");
    }

    @Test
    void dashboardAnswersTheIssuesQuestionsAndTheReadmeSaysWhatEachPanelAnswers() throws IOException {
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : MonitoringChart.dashboard().get("panels")) {
            if (!panel.get("type").asText().equals("row")) {
                titles.add(panel.get("title").asText());
                assertThat(panel.path("description").asText()).as("description of %s", panel.get("title")).isNotBlank();
                assertThat(panel.at("/datasource/uid").asText()).isEqualTo("${datasource}");
            }
        }
        assertThat(titles).contains("Connections by tenant and replica", "Subscriptions by replica",
                "Deliveries/s by path", "Delivery latency p50 / p99", "Bytes out by replica",
                "Disconnects by close code", "Resumes by outcome", "Auth failures by reason",
                "Records rejected by reason", "Live-consumer lag", "Partitions read",
                "Durable cursors: pending writes and unavailable lookups", "JVM heap", "GC pauses");

        String readme = Files.readString(MonitoringChart.CHART.resolve("README.md"));
        for (String title : titles) {
            assertThat(readme).as("README.md explains the panel %s", title).contains("**" + title + "**");
        }
    }

    @Test
    void everyDashboardQueryIsScopedToTheChosenNamespaceAndRelease() {
        for (String expr : MonitoringChart.dashboardExpressions()) {
            if (!expr.startsWith("streamgate_live_partitions")) { // the variables' own queries
                assertThat(expr).as(expr).contains("namespace=\"$namespace\", job=\"$job\"");
            }
        }
    }

    @Test
    void metricNamesAreReadFromPromqlExactlyAndNothingElse() {
        assertThat(MonitoringChart.metricNames("histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{pod=~\"$pod\", "
                + "code=\"4008\"}[$__rate_interval]))) > 2 * (b_total offset 15m) and on (pod) c or 0 * sum without (x) (d)"))
                .containsExactly("a_seconds_bucket", "b_total", "c", "d");
    }

    // --- alerts ----------------------------------------------------------------------------------

    @Test
    void prometheusRuleHasEveryAlertWithSeverityAndRunbook() {
        JsonNode rule = find(render(Map.of("metrics.prometheusRule.enabled", "true",
                "metrics.prometheusRule.labels.release", "kube-prometheus-stack")), "PrometheusRule", "sg-streamgate");

        assertThat(rule.get("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rule.at("/metadata/namespace").asText()).isEqualTo("realtime");
        assertThat(rule.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
        List<String> names = new ArrayList<>();
        for (JsonNode alert : rule.at("/spec/groups/0/rules")) {
            String name = alert.get("alert").asText();
            names.add(name);
            assertThat(alert.at("/labels/severity").asText()).as(name).isIn("warning", "critical");
            assertThat(alert.at("/annotations/summary").asText()).as(name).isNotBlank();
            assertThat(alert.at("/annotations/runbook_url").asText()).as(name)
                    .isEqualTo("helm/streamgate/README.md#" + name.toLowerCase(Locale.ROOT));
        }
        assertThat(names).containsExactlyElementsOf(ALERTS);
    }

    @Test
    void alertsSelectTheReleasesSeriesByDefaultOrBySelector() {
        assertThat(MonitoringChart.ruleExpressions()).allSatisfy(expr ->
                assertThat(expr).contains("job=\"sg-streamgate\", namespace=\"realtime\""));

        JsonNode custom = find(render(Map.of("metrics.prometheusRule.enabled", "true",
                "metrics.prometheusRule.selector", "job=\"streamgate\"",
                "metrics.prometheusRule.namespace", "monitoring",
                "metrics.prometheusRule.alertLabels.team", "realtime",
                "metrics.prometheusRule.runbookUrl", "https://wiki.example.com/streamgate")), "PrometheusRule", "sg-streamgate");
        assertThat(custom.at("/metadata/namespace").asText()).isEqualTo("monitoring");
        for (JsonNode alert : custom.at("/spec/groups/0/rules")) {
            String expr = alert.get("expr").asText();
            assertThat(expr).doesNotContain("sg-streamgate\", namespace=");
            if (!expr.startsWith("max by (namespace, pod) (kube_pod_status_ready")) {
                assertThat(expr).contains("{job=\"streamgate\"");
            }
            assertThat(alert.at("/labels/team").asText()).isEqualTo("realtime");
            assertThat(alert.at("/annotations/runbook_url").asText()).startsWith("https://wiki.example.com/streamgate#");
        }
    }
}
