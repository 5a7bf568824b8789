package io.streamgate.kit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one single-node Kafka broker (KRaft, combined broker and controller) of the test suite, local mode
 * and the benchmarks: in-process from Kafka's own test kit ({@link #start}), or as the settings of a
 * {@code kafka.Kafka} process ({@link #serverProperties}) where a test must stop and restart the broker.
 *
 * <p>Compiled from src/kit/java into the test, {@code local} and {@code bench} builds only (see pom.xml);
 * never packaged into the application.
 */
public final class SingleNodeKafka {

    /**
     * What one broker needs beyond Kafka's defaults: internal topics must not ask for three replicas, or no
     * consumer group can form; and a new group starts at once instead of waiting three seconds for others.
     */
    public static final Map<String, String> BROKER_CONFIG = Map.of(
            "group.initial.rebalance.delay.ms", "0",
            "offsets.topic.replication.factor", "1",
            "offsets.topic.num.partitions", "1",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "share.coordinator.state.topic.replication.factor", "1",
            "share.coordinator.state.topic.min.isr", "1");

    /** The log categories of the broker and of the embedded PostgreSQL, which log thousands of INFO lines. */
    public static final List<String> BROKER_LOG_CATEGORIES = List.of("kafka", "org.apache.kafka", "state.change.logger", "io.zonky");

    /** Held: java.util.logging keeps loggers weakly, and a collected logger forgets its level. */
    private static final List<Logger> QUIETED = BROKER_LOG_CATEGORIES.stream().map(Logger::getLogger).toList();

    private SingleNodeKafka() {
    }

    /**
     * Starts a broker in this JVM with its data under {@code baseDirectory} (our own directory: left to
     * itself the test kit takes a temporary one and deletes it in a shutdown hook while the broker still
     * runs, and the broker then halts the JVM) and returns once it serves. {@code extraConfig} adds to or
     * overrides {@link #BROKER_CONFIG}.
     */
    public static KafkaClusterTestKit start(Path baseDirectory, Map<String, String> extraConfig) throws Exception {
        quietBrokerLogs();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setBaseDirectory(baseDirectory)
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build());
        Map<String, String> config = new LinkedHashMap<>(BROKER_CONFIG);
        config.putAll(extraConfig);
        config.forEach(builder::setConfigProp);
        KafkaClusterTestKit kafka = builder.build();
        try {
            kafka.format();
            kafka.startup();
            kafka.waitForReadyBrokers();
            return kafka;
        } catch (Exception | Error e) {
            try {
                kafka.close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * {@code server.properties} for a broker run as {@code kafka.Kafka} in a process of its own, listening
     * on {@code port} (clients) and {@code controllerPort}, its logs in {@code dataDirectory}.
     */
    public static String serverProperties(int port, int controllerPort, Path dataDirectory) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.bootstrap.servers", "localhost:" + controllerPort);
        config.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("log.dirs", dataDirectory.toString());
        config.put("num.partitions", "1");
        config.putAll(BROKER_CONFIG);
        StringBuilder properties = new StringBuilder();
        config.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
        return properties.toString();
    }

    /**
     * Sets the broker's log categories to WARNING through java.util.logging, which JBoss LogManager (the
     * test JVM's, Quarkus's) honours: the broker logs before Quarkus has applied its own log levels.
     */
    public static void quietBrokerLogs() {
        QUIETED.forEach(logger -> logger.setLevel(Level.WARNING));
    }

    /** Creates the topics (replication factor 1) and waits until the broker has. */
    public static void createTopics(String bootstrapServers, Collection<NewTopic> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(topics).all().get();
        }
    }

    /** {@code name -> partitions} as topics with one replica. */
    public static List<NewTopic> topics(Map<String, Integer> partitionsByName) {
        return partitionsByName.entrySet().stream().map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1)).toList();
    }
}
