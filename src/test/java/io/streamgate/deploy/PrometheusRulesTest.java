package io.streamgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.streamgate.support.MonitoringChart;
import io.streamgate.support.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Checks the chart's alert rules with Prometheus's own {@code promtool}, as the chart renders them:
 * {@code promtool check rules}, and {@code promtool test rules} with the input series of
 * src/test/resources/prometheus/alerts-test.yaml, where every alert is seen firing and not firing.
 * Without promtool on the PATH (Debian package {@code prometheus}) the promtool tests are skipped
 * with a message, except on CI ({@code CI=true}), where they fail: .ci/run installs it.
 */
class PrometheusRulesTest {

    private static final Path WORK = Path.of("target", "promtool");
    private static final Path RULES = WORK.resolve("streamgate-rules.yaml");
    private static final Path UNIT_TESTS_SOURCE = Path.of("src", "test", "resources", "prometheus", "alerts-test.yaml");
    /** Beside the rendered rules: promtool resolves rule_files relative to the test file. */
    private static final Path UNIT_TESTS = WORK.resolve("alerts-test.yaml");
    private static final Path README = MonitoringChart.CHART.resolve("README.md");

    @BeforeAll
    static void renderRules() throws IOException {
        Files.createDirectories(WORK);
        Files.writeString(RULES, MonitoringChart.ruleFile());
        Files.copy(UNIT_TESTS_SOURCE, UNIT_TESTS, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void rulesPassPromtoolCheck() throws Exception {
        String output = promtool("check", "rules", RULES.toString());

        assertThat(output).contains("SUCCESS: " + alertNames().size() + " rules found");
    }

    @Test
    void everyAlertFiresAndStaysQuietAsItsUnitTestsExpect() throws Exception {
        String output = promtool("test", "rules", UNIT_TESTS.toString());

        assertThat(output).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAFiringAndAQuietUnitTest() throws IOException {
        JsonNode tests = new YAMLMapper().readTree(UNIT_TESTS_SOURCE.toFile());
        Set<String> firing = new LinkedHashSet<>();
        Set<String> quiet = new LinkedHashSet<>();
        for (JsonNode test : tests.get("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                boolean fires = check.path("exp_alerts").size() > 0;
                (fires ? firing : quiet).add(check.get("alertname").asText());
            }
        }

        assertThat(firing).as("alerts seen firing").containsExactlyInAnyOrderElementsOf(alertNames());
        assertThat(quiet).as("alerts seen not firing").containsExactlyInAnyOrderElementsOf(alertNames());
    }

    @Test
    void everyAlertHasARunbookParagraphInTheChartReadme() throws IOException {
        String readme = Files.readString(README);
        for (String alert : alertNames()) {
            assertThat(readme).as("runbook of %s in %s", alert, README).contains("\n#### " + alert + "\n");
        }
    }

    private static List<String> alertNames() {
        List<String> names = new ArrayList<>();
        MonitoringChart.prometheusRule().at("/spec/groups")
                .forEach(g -> g.get("rules").forEach(r -> names.add(r.get("alert").asText())));
        assertThat(names).isNotEmpty();
        return names;
    }

    /** Runs promtool (on PATH; a loud skip without it, a failure on CI); fails with its output when it exits non-zero. */
    private static String promtool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Tools.require("promtool", "apt-get install prometheus").toString());
        command.addAll(List.of(arguments));
        Tools.Result result = Tools.run(command, null, Duration.ofMinutes(2), Path.of("target", "promtool.log"));
        assertThat(result.exitCode()).as("%s said:%n%s", String.join(" ", command), result.output()).isZero();
        return result.output();
    }
}
