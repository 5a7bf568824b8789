package io.streamgate.support;

import io.streamgate.kit.SingleNodeKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A single-node KRaft Kafka broker (combined broker and controller) in its own OS process, so a test can
 * stop it and start it again under running gateways: Kafka's own {@code kafka.Kafka} main, from the
 * kafka_2.13 jar the test classpath already holds for the in-process test kit. The data directory and
 * the ports survive a restart, as they would for a real broker.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    private final Path dir;
    private final Path properties;
    private final int port;
    private Process process;
    private int starts;

    private KafkaBrokerProcess(Path dir, Path properties, int port) {
        this.dir = dir;
        this.properties = properties;
        this.port = port;
    }

    /** Formats a fresh data directory under target/ and starts the broker; returns once it answers. */
    public static KafkaBrokerProcess start(String name) throws Exception {
        Path dir = Files.createDirectories(Paths.get("target", "processes", name + "-" + System.nanoTime()).toAbsolutePath());
        int port = Ports.unused();
        int controllerPort = Ports.unused();
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, SingleNodeKafka.serverProperties(port, controllerPort, dir.resolve("data")));
        Files.writeString(dir.resolve("logging.properties"), String.join("\n",
                "logger.level=INFO",
                "logger.handlers=CONSOLE",
                "handler.CONSOLE=org.jboss.logmanager.handlers.ConsoleHandler",
                "handler.CONSOLE.formatter=PATTERN",
                "formatter.PATTERN=org.jboss.logmanager.formatters.PatternFormatter",
                "formatter.PATTERN.properties=pattern",
                "formatter.PATTERN.pattern=%d{HH:mm:ss,SSS} %-5p [%c{1}] %s%e%n",
                ""));
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dir, properties, port);
        broker.run("format", List.of("kafka.tools.StorageTool", "format", "--standalone",
                "-t", Uuid.randomUuid().toString(), "-c", properties.toString())).waitFor();
        return broker.startAgain();
    }

    /** Starts the broker on its existing data directory and waits until it serves metadata. */
    public KafkaBrokerProcess startAgain() throws Exception {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the broker is running");
        }
        process = run("broker-" + (++starts), List.of("kafka.Kafka", properties.toString()));
        long deadline = System.nanoTime() + StartupCeiling.PROCESS.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("broker exited with " + process.exitValue() + "; see " + dir);
                }
                try {
                    admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                    return this;
                } catch (Exception notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("broker not up within " + StartupCeiling.PROCESS + "; see " + dir, notYet);
                    }
                }
            }
        }
    }

    /** SIGTERM (a controlled shutdown, as an operator's restart does) and wait for the exit. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    private Process run(String logName, List<String> mainAndArgs) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                // The test classpath binds the broker's logging to JBoss LogManager: INFO to the log file.
                "-Xmx512m", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-Dlogging.configuration=" + dir.resolve("logging.properties").toUri(),
                "-cp", System.getProperty("java.class.path")));
        command.addAll(mainAndArgs);
        Process started = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(logName + ".log").toFile()).start();
        // A safety net: whatever a failing test leaves running dies with the test JVM.
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "stop-" + logName));
        return started;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }
}
