package io.streamgate.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chart's monitoring resources as helm-java renders them (the PrometheusRule and the Grafana
 * dashboard ConfigMap), and the metric names their PromQL reads. Shared by the chart test, the promtool
 * test and the test that finds every such name in a running gateway's {@code /q/metrics}.
 */
public final class MonitoringChart {

    public static final Path CHART = Path.of("helm", "streamgate");
    /** Release "sg" in namespace "realtime": the rules select {@code job="sg-streamgate", namespace="realtime"}. */
    public static final String RELEASE = "sg";
    public static final String NAMESPACE = "realtime";

    /** Both monitoring resources switched on, everything else as in ci/values-minimal.yaml. */
    public static final Map<String, String> BOTH_ON = Map.of(
            "metrics.prometheusRule.enabled", "true",
            "metrics.grafanaDashboard.enabled", "true");

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** PromQL words that are not metric names. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2");

    private MonitoringChart() {
    }

    /** The chart rendered with ci/values-minimal.yaml plus {@code values}: every document that has a kind. */
    public static List<JsonNode> render(Map<String, String> values) {
        TemplateCommand command = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion("1.31.0").withValuesFile(CHART.resolve("ci").resolve("values-minimal.yaml"));
        values.forEach(command::set);
        String rendered = command.call();
        try {
            return YAML.readerFor(JsonNode.class).<JsonNode>readValues(rendered).readAll().stream()
                    .filter(d -> d != null && d.has("kind")).toList();
        } catch (IOException e) {
            throw new IllegalStateException("rendered manifests are not YAML:\n" + rendered, e);
        }
    }

    /** The one document of {@code kind} whose name is {@code name}, or null. */
    public static JsonNode find(List<JsonNode> documents, String kind, String name) {
        return documents.stream()
                .filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.at("/metadata/name").asText()))
                .findFirst().orElse(null);
    }

    public static JsonNode prometheusRule() {
        return find(render(BOTH_ON), "PrometheusRule", RELEASE + "-streamgate");
    }

    /** The dashboard JSON out of its ConfigMap. */
    public static JsonNode dashboard() {
        JsonNode configMap = find(render(BOTH_ON), "ConfigMap", RELEASE + "-streamgate-dashboard");
        try {
            return JSON.readTree(configMap.at("/data/streamgate.json").asText());
        } catch (IOException e) {
            throw new IllegalStateException("the dashboard is not JSON", e);
        }
    }

    /** The PrometheusRule's {@code spec} as a Prometheus rule file (what promtool reads), in YAML. */
    public static String ruleFile() {
        try {
            return YAMLMapper.builder().disable(YAMLGenerator.Feature.SPLIT_LINES)
                    .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE).build()
                    .writeValueAsString(prometheusRule().get("spec"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code expr} of every rule. */
    public static List<String> ruleExpressions() {
        List<String> expressions = new ArrayList<>();
        prometheusRule().at("/spec/groups").forEach(g -> g.get("rules").forEach(r -> expressions.add(r.get("expr").asText())));
        return expressions;
    }

    /** Every panel's target expressions and the first argument of each variable's label_values(). */
    public static List<String> dashboardExpressions() {
        JsonNode dashboard = dashboard();
        List<String> expressions = new ArrayList<>(dashboard.findValuesAsText("expr"));
        Pattern labelValues = Pattern.compile("label_values\\((.*),\\s*\\w+\\)");
        for (JsonNode variable : dashboard.at("/templating/list")) {
            Matcher m = labelValues.matcher(variable.path("definition").asText());
            if (m.matches()) {
                expressions.add(m.group(1));
            }
        }
        return expressions;
    }

    /**
     * The metric names an expression reads, exactly as written (a histogram's {@code _bucket}, a counter's
     * {@code _total}): strings, label matchers, range selectors and grouping clauses are removed, then every
     * remaining identifier that is not a function call, a keyword or a number's unit is a metric name.
     */
    public static Set<String> metricNames(String promql) {
        String s = promql.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*").matcher(s);
        while (m.find()) {
            String word = m.group();
            boolean call = s.substring(m.end()).matches("(?s)\\s*\\(.*");
            boolean unitOfNumber = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            if (!call && !unitOfNumber && !KEYWORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }
}
