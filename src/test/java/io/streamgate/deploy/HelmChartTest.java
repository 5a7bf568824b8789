package io.streamgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Lints and renders the Helm chart in helm/streamgate in-process (helm-java, no helm binary, no
 * cluster) and checks what the chart promises: probes, the Restricted security context, a grace
 * period that covers the drain, every configuration key wired to its environment variable, the
 * namespaces file, and that contradictory values stop the rendering. Not a {@code @QuarkusTest}:
 * no application starts.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("helm", "streamgate");
    private static final Path DEPLOY_EXAMPLE = Path.of("deploy", "kubernetes");

    /**
     * helm-java renders client-only against Kubernetes 1.20 by default, below the chart's
     * kubeVersion (>= 1.25). 1.31 also has the preStop sleep action (on by default since 1.30).
     */
    private static final String KUBE_VERSION = "1.31.0";

    private static final ObjectMapper YAML = new YAMLMapper();

    /** The values the chart has no default for. */
    private static final Map<String, String> REQUIRED = Map.of(
            "kafka.bootstrapServers", "kafka-0.kafka:9092,kafka-1.kafka:9092",
            "database.url", "postgresql://postgres.db.svc:5432/streamgate",
            "database.password", "s3cret",
            "jwt.issuer", "https://auth.example.com",
            "jwt.publicKey.existingSecret", "streamgate-jwt",
            "namespaces.inventory.topic", "inventory-events");

    /** An override that removes one of the {@link #REQUIRED} values instead of setting it. */
    private static final String UNSET = "<unset>";

    /** The STREAMGATE_* variables rendered by default, with the application's defaults. */
    private static final Map<String, String> STREAMGATE_DEFAULTS = Map.ofEntries(
            Map.entry("STREAMGATE_CONNECTION_OUTBOUND_QUEUE_BYTES", "1048576"),
            Map.entry("STREAMGATE_CONNECTION_MAX_SUBSCRIPTIONS", "200"),
            Map.entry("STREAMGATE_CONNECTION_MAX_BAD_COMMANDS", "50"),
            Map.entry("STREAMGATE_LIVE_ASSIGNMENT", "all"),
            Map.entry("STREAMGATE_LIVE_RELEASE_DELAY", "PT30S"),
            Map.entry("STREAMGATE_REPLAY_WORKERS", "4"),
            Map.entry("STREAMGATE_REPLAY_MAX_WAITING_PER_TENANT", "10000"),
            Map.entry("STREAMGATE_REPLAY_TURN_RECORDS", "20000"),
            Map.entry("STREAMGATE_REPLAY_FETCH_BYTES", "4194304"),
            Map.entry("STREAMGATE_REPLAY_POLL_TIMEOUT", "PT0.5S"),
            Map.entry("STREAMGATE_REPLAY_LIVE_READY_TIMEOUT", "PT30S"),
            Map.entry("STREAMGATE_REWIND_MAX", "100"),
            Map.entry("STREAMGATE_REWIND_MEMORY_BUDGET", "32M"),
            Map.entry("STREAMGATE_REWIND_MAX_SCAN_RECORDS", "100000"),
            Map.entry("STREAMGATE_REWIND_WORKERS", "2"),
            Map.entry("STREAMGATE_PUBLISH_MAX_PAYLOAD_BYTES", "65536"),
            Map.entry("STREAMGATE_PUBLISH_RATE_PER_SECOND", "20"),
            Map.entry("STREAMGATE_PUBLISH_BURST", "40"),
            Map.entry("STREAMGATE_CURSORS_FLUSH_INTERVAL", "PT1S"),
            Map.entry("STREAMGATE_DRAIN_WINDOW", "PT10S"));

    // --- lint and render -----------------------------------------------------------------------

    @Test
    void chartLintsWithoutErrorsOrWarningsInStrictMode() {
        LintResult lint = new Helm(CHART).lint().strict().call();

        assertThat(lint.isFailed()).as("lint failed: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void defaultsAloneAreRefusedWithEveryMissingValueNamed() {
        assertThatThrownBy(() -> template().call())
                .hasMessageContaining("VALUES VALIDATION")
                .hasMessageContaining("kafka.bootstrapServers")
                .hasMessageContaining("database.url")
                .hasMessageContaining("jwt: no key to verify tokens with")
                .hasMessageContaining("jwt.issuer")
                .hasMessageContaining("namespaces: configure at least one namespace");
    }

    @Test
    void defaultsPlusRequiredValuesRenderTheChartsDefaultResources() {
        Manifests m = render(Map.of());

        assertThat(m.kinds()).containsExactlyInAnyOrder("Deployment", "Service", "ConfigMap", "Secret",
                "ServiceAccount", "HorizontalPodAutoscaler", "PodDisruptionBudget");
        assertThat(m.get("Deployment").at("/metadata/name").asText()).isEqualTo("sg-streamgate");
        assertThat(m.container().at("/image").asText()).isEqualTo("ghcr.io/streamgate/streamgate:0.1.0");
    }

    // --- the pod -------------------------------------------------------------------------------

    @Test
    void probesUseTheQuarkusHealthEndpointsOnPort8080NamedHttp() {
        JsonNode container = render(Map.of()).container();

        assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
        assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
    }

    @Test
    void podMeetsTheRestrictedPodSecurityStandard() {
        Manifests m = render(Map.of());
        JsonNode pod = m.podSpec().at("/securityContext");
        JsonNode container = m.container().at("/securityContext");

        assertThat(pod.at("/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/runAsUser").asInt()).isEqualTo(185);
        assertThat(pod.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        assertThat(container.at("/runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.at("/runAsUser").asInt()).isEqualTo(185);
        assertThat(container.at("/allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(container.at("/privileged").asBoolean(true)).isFalse();
        assertThat(texts(container.at("/capabilities/drop"))).containsExactly("ALL");
        assertThat(container.at("/capabilities/add").isMissingNode()).isTrue();
        assertThat(container.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        assertThat(container.at("/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(m.mountPath("tmp")).isEqualTo("/tmp");
        assertThat(m.volume("tmp").has("emptyDir")).isTrue();
        assertThat(m.podSpec().at("/automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(m.get("ServiceAccount").at("/automountServiceAccountToken").asBoolean(true)).isFalse();
    }

    @Test
    void gracePeriodCoversPreStopSleepDrainWindowAndMargin() {
        Manifests defaults = render(Map.of());
        assertThat(defaults.preStopSleepSeconds()).isEqualTo(5);
        assertThat(defaults.gracePeriodSeconds())
                .isGreaterThan(defaults.preStopSleepSeconds() + 10)
                .isEqualTo(5 + 10 + 15);

        Manifests longDrain = render(Map.of("config.drain.window", "PT1M30S", "lifecycle.preStopSleepSeconds", "8"));
        assertThat(longDrain.preStopSleepSeconds()).isEqualTo(8);
        assertThat(longDrain.gracePeriodSeconds()).isEqualTo(8 + 90 + 15);

        Manifests unitSuffix = render(Map.of("config.drain.window", "20s"));
        assertThat(unitSuffix.gracePeriodSeconds()).isEqualTo(5 + 20 + 15);
    }

    @Test
    void preStopUsesTheSleepActionFromKubernetes130AndTheImagesSleepBefore() {
        JsonNode sleepAction = render(Map.of()).container().at("/lifecycle/preStop");
        assertThat(sleepAction.at("/sleep/seconds").asInt()).isEqualTo(5);

        TemplateCommand older = template().withKubeVersion("1.29.0");
        REQUIRED.forEach(older::set);
        JsonNode exec = Manifests.parse(older.call()).container().at("/lifecycle/preStop");
        assertThat(texts(exec.at("/exec/command"))).containsExactly("sleep", "5");
    }

    @Test
    void podsSpreadAcrossNodesAndZones() {
        JsonNode constraints = render(Map.of()).podSpec().at("/topologySpreadConstraints");

        assertThat(constraints.findValuesAsText("topologyKey"))
                .containsExactly("kubernetes.io/hostname", "topology.kubernetes.io/zone");
        for (JsonNode constraint : constraints) {
            assertThat(constraint.at("/labelSelector/matchLabels/app.kubernetes.io~1instance").asText()).isEqualTo("sg");
        }
    }

    @Test
    void changingTheNamespacesChangesThePodTemplateSoPodsRoll() {
        String checksum = render(Map.of()).podAnnotation("checksum/config");
        String sameAgain = render(Map.of()).podAnnotation("checksum/config");
        String withOrders = render(Map.of("namespaces.orders.topic", "order-events")).podAnnotation("checksum/config");

        assertThat(checksum).matches("[0-9a-f]{64}").isEqualTo(sameAgain).isNotEqualTo(withOrders);
    }

    // --- configuration wiring ------------------------------------------------------------------

    @Test
    void kafkaDatabaseAndJwtSettingsAreEnvironmentVariables() {
        Manifests m = render(Map.of());

        assertThat(m.env("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka-0.kafka:9092,kafka-1.kafka:9092");
        assertThat(m.env("QUARKUS_DATASOURCE_REACTIVE_URL")).isEqualTo("postgresql://postgres.db.svc:5432/streamgate");
        assertThat(m.env("MP_JWT_VERIFY_ISSUER")).isEqualTo("https://auth.example.com");

        // Credentials come from the Secret the chart created from the values.
        JsonNode user = m.envNode("QUARKUS_DATASOURCE_USERNAME").at("/valueFrom/secretKeyRef");
        JsonNode password = m.envNode("QUARKUS_DATASOURCE_PASSWORD").at("/valueFrom/secretKeyRef");
        assertThat(user.at("/name").asText()).isEqualTo("sg-streamgate");
        assertThat(m.secretValue(user.at("/key").asText())).isEqualTo("streamgate");
        assertThat(password.at("/name").asText()).isEqualTo("sg-streamgate");
        assertThat(m.secretValue(password.at("/key").asText())).isEqualTo("s3cret");

        // The public key is a file mounted from the existing Secret.
        assertThat(m.env("MP_JWT_VERIFY_PUBLICKEY_LOCATION")).isEqualTo("file:/etc/streamgate/jwt/publicKey.pem");
        assertThat(m.mountPath("jwt-key")).isEqualTo("/etc/streamgate/jwt");
        assertThat(m.volume("jwt-key").at("/secret/secretName").asText()).isEqualTo("streamgate-jwt");
        assertThat(m.volume("jwt-key").at("/secret/items/0/path").asText()).isEqualTo("publicKey.pem");
    }

    /** Issue 15, item 7: the audience check SmallRye JWT performs once mp.jwt.verify.audiences is set. */
    @Test
    void jwtAudiencesBecomeMpJwtVerifyAudiencesAndAreLeftOutWhenEmpty() {
        assertThat(render(Map.of()).envNames()).doesNotContain("MP_JWT_VERIFY_AUDIENCES");
        Manifests m = render(Map.of("jwt.audiences[0]", "streamgate", "jwt.audiences[1]", "streamgate-staging"));
        assertThat(m.env("MP_JWT_VERIFY_AUDIENCES")).isEqualTo("streamgate,streamgate-staging");
    }

    @Test
    void existingDatabaseSecretIsReferencedWithItsKeysAndNoSecretIsCreated() {
        Manifests m = render(Map.of("database.password", "", "database.existingSecret", "db-creds",
                "database.existingSecretUsernameKey", "user", "database.existingSecretPasswordKey", "pass"));

        assertThat(m.has("Secret")).isFalse();
        assertThat(m.envNode("QUARKUS_DATASOURCE_USERNAME").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("db-creds");
        assertThat(m.envNode("QUARKUS_DATASOURCE_USERNAME").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("user");
        assertThat(m.envNode("QUARKUS_DATASOURCE_PASSWORD").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("pass");
    }

    @Test
    void jwtKeyCanComeFromAConfigMapOrAJwksUrl() {
        Manifests configMap = render(Map.of("jwt.publicKey.existingSecret", "",
                "jwt.publicKey.existingConfigMap", "issuer-keys", "jwt.publicKey.key", "jwks.json"));
        assertThat(configMap.env("MP_JWT_VERIFY_PUBLICKEY_LOCATION")).isEqualTo("file:/etc/streamgate/jwt/jwks.json");
        assertThat(configMap.volume("jwt-key").at("/configMap/name").asText()).isEqualTo("issuer-keys");
        assertThat(configMap.volume("jwt-key").at("/configMap/items/0/key").asText()).isEqualTo("jwks.json");

        Manifests url = render(Map.of("jwt.publicKey.existingSecret", "",
                "jwt.jwksUrl", "https://auth.example.com/.well-known/jwks.json"));
        assertThat(url.env("MP_JWT_VERIFY_PUBLICKEY_LOCATION")).isEqualTo("https://auth.example.com/.well-known/jwks.json");
        assertThat(url.volumeNames()).doesNotContain("jwt-key");
    }

    @Test
    void everyStreamgateSettingIsRenderedWithTheApplicationsDefault() {
        Manifests m = render(Map.of());

        STREAMGATE_DEFAULTS.forEach((name, value) -> assertThat(m.env(name)).as(name).isEqualTo(value));
        assertThat(m.envNames()).doesNotContain("STREAMGATE_USER_NAMESPACE");
    }

    @Test
    void everyStreamgateSettingCanBeOverriddenAndAnEmptyOneIsLeftOut() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("namespaces.user.topic", "user-events");
        values.put("config.userNamespace", "user");
        values.put("config.connection.outboundQueueBytes", "2097152");
        values.put("config.connection.maxSubscriptions", "500");
        values.put("config.connection.maxBadCommands", "10");
        values.put("config.replay.workers", "8");
        values.put("config.replay.maxWaitingPerTenant", "500");
        values.put("config.replay.turnRecords", "5000");
        values.put("config.replay.fetchBytes", "1048576");
        values.put("config.replay.pollTimeout", "PT0.2S");
        values.put("config.replay.liveReadyTimeout", "PT1M");
        values.put("config.rewind.memoryBudget", "8M");
        values.put("config.live.assignment", "interest");
        values.put("config.live.releaseDelay", "PT5M");
        values.put("config.publish.maxPayloadBytes", "1024");
        values.put("config.publish.ratePerSecond", "2.5");
        values.put("config.publish.burst", "5");
        values.put("config.cursors.flushInterval", "PT5S");
        values.put("config.drain.window", "");
        Manifests m = render(values);

        assertThat(m.env("STREAMGATE_USER_NAMESPACE")).isEqualTo("user");
        assertThat(m.env("STREAMGATE_CONNECTION_OUTBOUND_QUEUE_BYTES")).isEqualTo("2097152");
        assertThat(m.env("STREAMGATE_CONNECTION_MAX_SUBSCRIPTIONS")).isEqualTo("500");
        assertThat(m.env("STREAMGATE_CONNECTION_MAX_BAD_COMMANDS")).isEqualTo("10");
        assertThat(m.env("STREAMGATE_REPLAY_WORKERS")).isEqualTo("8");
        assertThat(m.env("STREAMGATE_REPLAY_MAX_WAITING_PER_TENANT")).isEqualTo("500");
        assertThat(m.env("STREAMGATE_REPLAY_TURN_RECORDS")).isEqualTo("5000");
        assertThat(m.env("STREAMGATE_REPLAY_FETCH_BYTES")).isEqualTo("1048576");
        assertThat(m.env("STREAMGATE_REPLAY_POLL_TIMEOUT")).isEqualTo("PT0.2S");
        assertThat(m.env("STREAMGATE_REPLAY_LIVE_READY_TIMEOUT")).isEqualTo("PT1M");
        assertThat(m.env("STREAMGATE_REWIND_MEMORY_BUDGET")).isEqualTo("8M");
        assertThat(m.env("STREAMGATE_LIVE_ASSIGNMENT")).isEqualTo("interest");
        assertThat(m.env("STREAMGATE_LIVE_RELEASE_DELAY")).isEqualTo("PT5M");
        assertThat(m.env("STREAMGATE_PUBLISH_MAX_PAYLOAD_BYTES")).isEqualTo("1024");
        assertThat(m.env("STREAMGATE_PUBLISH_RATE_PER_SECOND")).isEqualTo("2.5");
        assertThat(m.env("STREAMGATE_PUBLISH_BURST")).isEqualTo("5");
        assertThat(m.env("STREAMGATE_CURSORS_FLUSH_INTERVAL")).isEqualTo("PT5S");
        // Left out: the application's default (PT10S) applies, and the grace period is computed from it.
        assertThat(m.envNames()).doesNotContain("STREAMGATE_DRAIN_WINDOW");
        assertThat(m.gracePeriodSeconds()).isEqualTo(5 + 10 + 15);
    }

    @Test
    void namespacesAreRenderedIntoApplicationPropertiesMountedInTheConfigDirectory() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("namespaces.inventory.public", "true");
        values.put("namespaces.orders.topic", "order-events");
        values.put("namespaces.orders.subjectPointer", "/orderId");
        values.put("namespaces.chat.topic", "chat-events");
        values.put("namespaces.chat.publish", "true");
        values.put("namespaces.chat.presence", "true");
        values.put("namespaces.chat.public", "false");
        Manifests m = render(values);

        assertThat(m.applicationProperties().lines().filter(l -> !l.startsWith("#")).toList()).containsExactly(
                "streamgate.namespaces.\"chat\".topic=chat-events",
                "streamgate.namespaces.\"chat\".public=false",
                "streamgate.namespaces.\"chat\".publish=true",
                "streamgate.namespaces.\"chat\".presence=true",
                "streamgate.namespaces.\"inventory\".topic=inventory-events",
                "streamgate.namespaces.\"inventory\".public=true",
                "streamgate.namespaces.\"orders\".topic=order-events",
                "streamgate.namespaces.\"orders\".subject-pointer=/orderId");
        // $PWD/config/application.properties for the JVM image (working directory /deployments),
        // and named explicitly for images with another working directory.
        assertThat(m.mountPath("config")).isEqualTo("/deployments/config");
        assertThat(m.volume("config").at("/configMap/name").asText()).isEqualTo("sg-streamgate");
        assertThat(m.env("QUARKUS_CONFIG_LOCATIONS")).isEqualTo("/deployments/config/application.properties");
    }

    // --- service, scaling, availability ----------------------------------------------------------

    @Test
    void serviceAutoscalerAndDisruptionBudgetDefaults() {
        Manifests m = render(Map.of());

        assertThat(m.get("Service").at("/spec/ports/0/port").asInt()).isEqualTo(80);
        assertThat(m.get("Service").at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
        JsonNode hpa = m.get("HorizontalPodAutoscaler").at("/spec");
        assertThat(hpa.at("/minReplicas").asInt()).isEqualTo(2);
        assertThat(hpa.at("/maxReplicas").asInt()).isEqualTo(10);
        assertThat(hpa.at("/metrics/0/resource/name").asText()).isEqualTo("cpu");
        assertThat(m.get("Deployment").at("/spec/replicas").isMissingNode())
                .as("the HPA owns the replica count").isTrue();
        assertThat(m.get("PodDisruptionBudget").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
        assertThat(m.get("Deployment").at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
    }

    @Test
    void ingressIsOffByDefaultAndKeepsIdleWebSocketsOpenWhenOn() {
        assertThat(render(Map.of()).has("Ingress")).isFalse();

        JsonNode ingress = render(Map.of("ingress.enabled", "true")).get("Ingress");
        JsonNode annotations = ingress.at("/metadata/annotations");
        assertThat(annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout").asText()).isEqualTo("3600");
        assertThat(annotations.get("nginx.ingress.kubernetes.io/proxy-send-timeout").asText()).isEqualTo("3600");
        assertThat(ingress.at("/spec/rules/0/http/paths/0/path").asText()).isEqualTo("/v1/ws");
        assertThat(ingress.at("/spec/rules/0/http/paths/0/backend/service/port/name").asText()).isEqualTo("http");
    }

    // --- ci scenarios --------------------------------------------------------------------------

    /** helm/streamgate/ci/values-*.yaml, and the example deployment's values. */
    static Stream<Path> ciScenarios() throws IOException {
        try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
            List<Path> scenarios = files.filter(f -> f.getFileName().toString().matches("values-.*\\.yaml"))
                    .sorted().toList();
            assertThat(scenarios).hasSizeGreaterThanOrEqualTo(4);
            return Stream.concat(scenarios.stream(), Stream.of(DEPLOY_EXAMPLE.resolve("values-example.yaml")));
        }
    }

    @ParameterizedTest
    @MethodSource("ciScenarios")
    void ciScenarioRendersASafePod(Path scenario) {
        Manifests m = Manifests.parse(template().withValuesFile(scenario).call());

        assertThat(m.container().at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(m.container().at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(m.podSpec().at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(m.container().at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(m.container().at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(m.gracePeriodSeconds()).isGreaterThanOrEqualTo(m.preStopSleepSeconds() + m.drainWindowSeconds());
        assertThat(m.envNames()).contains("KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_DATASOURCE_REACTIVE_URL",
                "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD", "MP_JWT_VERIFY_ISSUER",
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION");
        assertThat(m.applicationProperties()).contains("streamgate.namespaces.");
    }

    @Test
    void productionScenarioNarrowsTrafficAndScrapesMetrics() {
        Manifests m = scenario("values-production.yaml");

        assertThat(m.container().at("/image").asText()).contains("@sha256:");
        assertThat(m.get("Ingress").at("/spec/tls/0/hosts/0").asText()).isEqualTo("realtime.example.com");
        JsonNode egress = m.get("NetworkPolicy").at("/spec/egress");
        assertThat(egress.findValuesAsText("port")).contains("9093", "5432", "53").doesNotContain("443");
        assertThat(m.get("NetworkPolicy").at("/spec/ingress/0/ports/0/port").asInt()).isEqualTo(8080);
        assertThat(m.get("ServiceMonitor").at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
        assertThat(m.get("ServiceMonitor").at("/spec/endpoints/0/port").asText()).isEqualTo("http");
        assertThat(m.has("Secret")).isFalse();
        assertThat(m.env("STREAMGATE_USER_NAMESPACE")).isEqualTo("user");
        assertThat(m.env("KAFKA_SECURITY_PROTOCOL")).isEqualTo("SSL");
    }

    @Test
    void jwksUrlScenarioLetsThePodsReachTheIssuer() {
        Manifests m = scenario("values-jwks-url.yaml");

        assertThat(m.env("MP_JWT_VERIFY_PUBLICKEY_LOCATION")).startsWith("https://");
        assertThat(m.get("NetworkPolicy").at("/spec/egress").findValuesAsText("port")).contains("443");
    }

    @Test
    void fixedReplicasScenarioHasNoAutoscalerAndAnInlineKey() {
        Manifests m = scenario("values-fixed-replicas.yaml");

        assertThat(m.has("HorizontalPodAutoscaler")).isFalse();
        assertThat(m.get("Deployment").at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(m.get("PodDisruptionBudget").at("/spec/minAvailable").asInt()).isEqualTo(2);
        assertThat(m.gracePeriodSeconds()).isEqualTo(90);
        assertThat(m.secretValue("jwt-public-key")).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(m.volume("jwt-key").at("/secret/items/0/key").asText()).isEqualTo("jwt-public-key");
    }

    @Test
    void deployExampleValuesPointAtTheExamplesKafkaTopicsAndPostgres() throws IOException {
        Manifests chart = Manifests.parse(template().withValuesFile(DEPLOY_EXAMPLE.resolve("values-example.yaml")).call());
        Manifests kafka = Manifests.parse(Files.readString(DEPLOY_EXAMPLE.resolve("10-kafka.yaml")));
        Manifests topics = Manifests.parse(Files.readString(DEPLOY_EXAMPLE.resolve("20-topics.yaml")));
        Manifests postgres = Manifests.parse(Files.readString(DEPLOY_EXAMPLE.resolve("30-postgresql.yaml")));

        // Strimzi names the bootstrap Service <cluster>-kafka-bootstrap; KRaft with a node pool.
        String cluster = kafka.get("Kafka").at("/metadata/name").asText();
        assertThat(chart.env("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(cluster + "-kafka-bootstrap.kafka.svc:9092");
        assertThat(texts(kafka.get("KafkaNodePool").at("/spec/roles"))).containsExactlyInAnyOrder("controller", "broker");

        List<String> topicNames = new ArrayList<>();
        for (JsonNode topic : topics.documents()) {
            assertThat(topic.at("/kind").asText()).isEqualTo("KafkaTopic");
            assertThat(topic.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo(cluster);
            assertThat(topic.at("/spec/partitions").asInt()).isEqualTo(12);
            assertThat(Duration.ofMillis(topic.at("/spec/config/retention.ms").asLong())).isEqualTo(Duration.ofDays(7));
            topicNames.add(topic.at("/metadata/name").asText());
        }
        assertThat(topicNames).containsExactlyInAnyOrder("inventory-events", "order-events", "chat-events");
        assertThat(chart.applicationProperties()).contains(
                "streamgate.namespaces.\"inventory\".topic=inventory-events",
                "streamgate.namespaces.\"orders\".topic=order-events",
                "streamgate.namespaces.\"chat\".topic=chat-events");

        String service = postgres.get("Service").at("/metadata/name").asText();
        assertThat(chart.env("QUARKUS_DATASOURCE_REACTIVE_URL")).startsWith("postgresql://" + service + ".streamgate.svc:5432/");
        String secret = postgres.get("Secret").at("/metadata/name").asText();
        assertThat(chart.envNode("QUARKUS_DATASOURCE_PASSWORD").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo(secret);
    }

    // --- validateValues --------------------------------------------------------------------------

    static Stream<Arguments> contradictions() {
        return Stream.of(
                Arguments.of("no Kafka bootstrap servers", Map.of("kafka.bootstrapServers", ""),
                        "kafka.bootstrapServers: set the Kafka bootstrap servers"),
                Arguments.of("no JWT key", Map.of("jwt.publicKey.existingSecret", ""),
                        "jwt: no key to verify tokens with"),
                Arguments.of("two JWT keys", Map.of("jwt.jwksUrl", "https://auth.example.com/jwks"),
                        "jwt: set only one of"),
                Arguments.of("no issuer", Map.of("jwt.issuer", ""), "jwt.issuer: set the expected issuer"),
                Arguments.of("no datasource URL", Map.of("database.url", ""), "database.url: set the PostgreSQL URL"),
                Arguments.of("a JDBC datasource URL", Map.of("database.url", "jdbc:postgresql://db:5432/sg"),
                        "must start with postgresql://"),
                Arguments.of("no database credentials", Map.of("database.password", ""), "database.password: set it"),
                Arguments.of("no namespaces", Map.of("namespaces.inventory.topic", UNSET), "namespaces: configure at least one"),
                Arguments.of("two namespaces on one topic", Map.of("namespaces.stock.topic", "inventory-events"),
                        "read the same topic \"inventory-events\""),
                Arguments.of("an unknown user namespace", Map.of("config.userNamespace", "user"),
                        "config.userNamespace: \"user\" is not one of the configured namespaces"),
                Arguments.of("HPA minReplicas > maxReplicas",
                        Map.of("autoscaling.minReplicas", "5", "autoscaling.maxReplicas", "3"),
                        "minReplicas (5) is greater than maxReplicas (3)"),
                Arguments.of("a grace period shorter than the shutdown", Map.of("terminationGracePeriodSeconds", "20"),
                        "terminationGracePeriodSeconds: 20 s is shorter than preStop sleep (5 s) + drain window (10 s)"),
                Arguments.of("a drain window longer than the grace period allows",
                        Map.of("config.drain.window", "PT2M", "terminationGracePeriodSeconds", "60"),
                        "terminationGracePeriodSeconds: 60 s is shorter than preStop sleep (5 s) + drain window (120 s)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contradictions")
    void validateValuesRefuses(String problem, Map<String, String> values, String message) {
        assertThatThrownBy(() -> render(values))
                .hasMessageContaining("VALUES VALIDATION")
                .hasMessageContaining(message);
    }

    @Test
    void validateValuesListsEveryProblemAtOnce() {
        assertThatThrownBy(() -> render(Map.of("kafka.bootstrapServers", "", "jwt.publicKey.existingSecret", "")))
                .hasMessageContaining("kafka.bootstrapServers: set the Kafka bootstrap servers")
                .hasMessageContaining("jwt: no key to verify tokens with");
    }

    @Test
    void schemaRejectsMisspelledKeys() {
        assertThatThrownBy(() -> render(Map.of("kafka.bootstrapServer", "kafka:9092")))
                .hasMessageContaining("bootstrapServer");
        assertThatThrownBy(() -> render(Map.of("namespaces.orders.topik", "order-events")))
                .hasMessageContaining("topik");
    }

    // --- documentation ---------------------------------------------------------------------------

    @Test
    void everyDocumentedValueIsInTheSchemaAndTheReadme() throws IOException {
        String values = Files.readString(CHART.resolve("values.yaml"));
        JsonNode schema = new ObjectMapper().readTree(CHART.resolve("values.schema.json").toFile());
        String readme = Files.readString(CHART.resolve("README.md"));

        List<String> keys = new ArrayList<>();
        Matcher param = Pattern.compile("(?m)^\\s*## @param (\\S+)").matcher(values);
        while (param.find()) {
            keys.add(param.group(1));
        }
        assertThat(keys).hasSizeGreaterThan(50).contains("kafka.bootstrapServers", "config.drain.window");
        for (String key : keys) {
            String pointer = "/properties/" + key.replace(".", "/properties/");
            assertThat(schema.at(pointer).isMissingNode()).as("%s in values.schema.json", key).isFalse();
            assertThat(readme).as("%s in README.md", key).contains("| `" + key + "`");
        }
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static TemplateCommand template() {
        return new Helm(CHART).template().withName("sg").withNamespace("realtime").withKubeVersion(KUBE_VERSION);
    }

    /** Renders the chart's defaults plus {@link #REQUIRED}, with {@code overrides} on top. */
    private static Manifests render(Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>(REQUIRED);
        values.putAll(overrides);
        values.values().removeIf(UNSET::equals);
        TemplateCommand command = template();
        values.forEach(command::set);
        return Manifests.parse(command.call());
    }

    private static Manifests scenario(String file) {
        return Manifests.parse(template().withValuesFile(CHART.resolve("ci").resolve(file)).call());
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    /** The documents of one rendering, with accessors for what the assertions look at. */
    record Manifests(List<JsonNode> documents) {

        static Manifests parse(String rendered) {
            try {
                List<JsonNode> documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(rendered).readAll()
                        .stream().filter(d -> d != null && d.has("kind")).toList();
                return new Manifests(documents);
            } catch (IOException e) {
                throw new IllegalStateException("rendered manifests are not YAML:\n" + rendered, e);
            }
        }

        List<String> kinds() {
            return documents.stream().map(d -> d.get("kind").asText()).toList();
        }

        boolean has(String kind) {
            return kinds().contains(kind);
        }

        JsonNode get(String kind) {
            List<JsonNode> found = documents.stream().filter(d -> kind.equals(d.get("kind").asText())).toList();
            assertThat(found).as("exactly one %s", kind).hasSize(1);
            return found.get(0);
        }

        JsonNode podSpec() {
            return get("Deployment").at("/spec/template/spec");
        }

        JsonNode container() {
            return podSpec().at("/containers/0");
        }

        String podAnnotation(String name) {
            return get("Deployment").at("/spec/template/metadata/annotations").get(name).asText();
        }

        List<String> envNames() {
            return names(container().at("/env"));
        }

        JsonNode envNode(String name) {
            for (JsonNode env : container().at("/env")) {
                if (name.equals(env.get("name").asText())) {
                    return env;
                }
            }
            throw new AssertionError("no environment variable " + name + " in " + envNames());
        }

        String env(String name) {
            return envNode(name).get("value").asText();
        }

        List<String> volumeNames() {
            return names(podSpec().at("/volumes"));
        }

        /** The {@code name} of each element (not of nested objects, such as a secretKeyRef). */
        private static List<String> names(JsonNode array) {
            List<String> names = new ArrayList<>();
            array.forEach(n -> names.add(n.get("name").asText()));
            return names;
        }

        JsonNode volume(String name) {
            for (JsonNode volume : podSpec().at("/volumes")) {
                if (name.equals(volume.get("name").asText())) {
                    return volume;
                }
            }
            throw new AssertionError("no volume " + name + " in " + volumeNames());
        }

        String mountPath(String volume) {
            for (JsonNode mount : container().at("/volumeMounts")) {
                if (volume.equals(mount.get("name").asText())) {
                    return mount.get("mountPath").asText();
                }
            }
            throw new AssertionError("volume " + volume + " is not mounted");
        }

        String secretValue(String key) {
            JsonNode value = get("Secret").at("/data").get(key);
            assertThat(value).as("key %s in the Secret", key).isNotNull();
            return new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8);
        }

        String applicationProperties() {
            return get("ConfigMap").at("/data/application.properties").asText();
        }

        int gracePeriodSeconds() {
            return podSpec().at("/terminationGracePeriodSeconds").asInt();
        }

        /** From the sleep action or the exec'd sleep, whichever the Kubernetes version got. */
        int preStopSleepSeconds() {
            JsonNode preStop = container().at("/lifecycle/preStop");
            return preStop.has("sleep") ? preStop.at("/sleep/seconds").asInt()
                    : Integer.parseInt(preStop.at("/exec/command/1").asText());
        }

        /** The rendered STREAMGATE_DRAIN_WINDOW, or the application's default when it is left out. */
        int drainWindowSeconds() {
            String window = envNames().contains("STREAMGATE_DRAIN_WINDOW") ? env("STREAMGATE_DRAIN_WINDOW") : "PT10S";
            return Math.toIntExact(quarkusDuration(window).toSeconds());
        }

        /** The duration forms Quarkus accepts: ISO-8601, bare seconds, or a number with a unit. */
        private static Duration quarkusDuration(String value) {
            if (value.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(value));
            }
            if (value.matches("\\d+ms")) {
                return Duration.ofMillis(Long.parseLong(value.replace("ms", "")));
            }
            String upper = value.toUpperCase();
            return Duration.parse(upper.startsWith("P") ? upper : "PT" + upper);
        }
    }
}
