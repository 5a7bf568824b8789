package io.streamgate.local;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Starts the local stack (Kafka, PostgreSQL) before the gateway reads its configuration, and hands the
 * gateway the stack's addresses: {@code kafka.bootstrap.servers} and {@code quarkus.datasource.*}. Active
 * in the {@code dev} profile only, so a test run with the local sources on the classpath starts nothing.
 * (The signing key needs nothing from here: in dev mode, with no key configured, Quarkus's smallrye-jwt
 * makes an in-memory key pair and sets {@code smallrye.jwt.sign.key}, which {@link DevTokens} signs with.)
 *
 * <p>The stack is started once per JVM and survives live reloads. Dev mode builds the configuration
 * several times (at build time, at every start and restart) from class loaders that are thrown away on
 * each restart, so a static field cannot hold the stack: its configuration is kept in system properties
 * ({@code local-mode.stack.*}), which every class loader sees, and a restart finds it there. It is
 * stopped by a JVM shutdown hook: Ctrl-C leaves no broker and no PostgreSQL process behind.
 *
 * <p>Ordinal 275: above application.properties (250), below environment variables (300) and system
 * properties (400), so an explicit setting still wins.
 */
public class LocalStackConfigSourceFactory implements ConfigSourceFactory {

    private static final Logger LOG = Logger.getLogger(LocalStackConfigSourceFactory.class);

    static final String RUNNING_PREFIX = "local-mode.stack.";

    /** Where the running stack's addresses are written: {@code target/local/stack.properties} by default. */
    static final String STACK_FILE_PROPERTY = "local-mode.stack-file";

    /** "running" while the gateway application is up: set by {@link LocalModeLifecycle}. */
    static final String APPLICATION_STATE = "local-mode.application";

    /**
     * The monitor that serialises stack start-up across class loaders. A string literal is interned, so
     * this is the same object for every copy of this class that dev mode loads.
     */
    private static final String START_LOCK = "io.streamgate.local.LocalStack#start";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!context.getProfiles().contains("dev") || !isApplicationClassLoader()) {
            return List.of();
        }
        ConfigValue stackFile = context.getValue(STACK_FILE_PROPERTY);
        Path file = Path.of(stackFile != null && stackFile.getValue() != null ? stackFile.getValue() : "target/local/stack.properties");
        return List.of(new PropertiesConfigSource(ensureRunning(file), "streamgate-local-stack", 275));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(275);
    }

    /**
     * Dev mode also builds configuration while it augments the application, from a class loader it closes
     * afterwards; nothing there needs the stack. Starting it from the application's (runtime) class loader
     * means its shutdown hook and classes stay loadable for the life of the JVM.
     */
    private boolean isApplicationClassLoader() {
        String name = getClass().getClassLoader().getName();
        return name == null || !name.startsWith("Deployment");
    }

    private static Map<String, String> ensureRunning(Path stackFile) {
        synchronized (START_LOCK) {
            Map<String, String> running = runningStack();
            if (!running.isEmpty()) {
                return running;
            }
            LocalStack stack;
            try {
                stack = LocalStack.start();
            } catch (Exception e) {
                throw new IllegalStateException("Local mode could not start its Kafka broker and PostgreSQL: " + e.getMessage(), e);
            }
            Runtime.getRuntime().addShutdownHook(new StackShutdown(stack));
            Map<String, String> config = stack.config();
            config.forEach((k, v) -> System.setProperty(RUNNING_PREFIX + k, v));
            writeStackFile(stackFile, stack, config);
            return config;
        }
    }

    private static Map<String, String> runningStack() {
        Map<String, String> config = new TreeMap<>();
        System.getProperties().forEach((k, v) -> {
            if (k instanceof String key && key.startsWith(RUNNING_PREFIX) && v instanceof String value) {
                config.put(key.substring(RUNNING_PREFIX.length()), value);
            }
        });
        return config;
    }

    /**
     * target/local/stack.properties ({@code local-mode.stack-file}): the broker and database addresses, for
     * people (kcat, psql) and for the browser test, which produces its own events to the demo topics.
     */
    private static void writeStackFile(Path stackFile, LocalStack stack, Map<String, String> config) {
        Properties file = new Properties();
        file.put("kafka.bootstrap.servers", config.get("kafka.bootstrap.servers"));
        file.put("quarkus.datasource.reactive.url", config.get("quarkus.datasource.reactive.url"));
        file.put("pid", Long.toString(ProcessHandle.current().pid()));
        file.put("data.dir", stack.dataDirectory().toString());
        Path path = stackFile.toAbsolutePath();
        try {
            Files.createDirectories(path.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (var out = Files.newBufferedWriter(path)) {
            file.store(out, "Streamgate local mode: the running stack (deleted when it stops)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty(RUNNING_PREFIX + "file", path.toString());
    }

    /**
     * Waits for the gateway to let go of Kafka and PostgreSQL (it runs its own shutdown hook at the same
     * time), then stops them. Runs at JVM exit, possibly long after a live reload closed the class loader
     * that registered it, so it touches no class of this application that it did not load already.
     */
    private static final class StackShutdown extends Thread {
        private final LocalStack stack;

        StackShutdown(LocalStack stack) {
            super("local-stack-shutdown");
            this.stack = stack;
        }

        @Override
        public void run() {
            long deadline = System.currentTimeMillis() + 15_000;
            while ("running".equals(System.getProperty(APPLICATION_STATE)) && System.currentTimeMillis() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    break;
                }
            }
            LOG.info("Stopping the local Kafka broker and PostgreSQL");
            stack.stop();
            String file = System.getProperty(RUNNING_PREFIX + "file");
            if (file != null) {
                new java.io.File(file).delete();
            }
        }
    }
}
