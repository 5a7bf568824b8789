package io.streamgate.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged application (target/quarkus-app/quarkus-run.jar, prod profile) as a separate OS process,
 * configured the way an operator configures it: environment variables for the standard keys and a
 * config/application.properties in its working directory for the namespaces (what the Helm chart mounts).
 */
public final class GatewayProcess implements AutoCloseable {

    private static final Path JAR = Paths.get("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();

    /** Quarkus's start-up line; with port 0 it names the port the server bound. */
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^\\s]*:(\\d+)");

    private final Process process;
    private final Path log;
    private volatile int port;

    private GatewayProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The environment that points a gateway at the shared test stack and the test signing key. */
    public static Map<String, String> environmentFor(TestStack stack) {
        Map<String, String> config = stack.config();
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", config.get("kafka.bootstrap.servers"));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", config.get("quarkus.datasource.reactive.url"));
        env.put("QUARKUS_DATASOURCE_USERNAME", config.get("quarkus.datasource.username"));
        env.put("QUARKUS_DATASOURCE_PASSWORD", config.get("quarkus.datasource.password"));
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", Paths.get("target", "test-classes", "publicKey.pem").toAbsolutePath().toString());
        env.put("MP_JWT_VERIFY_ISSUER", Tokens.ISSUER);
        return env;
    }

    public static GatewayProcess start(String name, Map<String, String> env, String applicationProperties) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the tests with ./mvnw verify (they need the package)");
        }
        Path workDir = Files.createDirectories(Paths.get("target", "processes", name).toAbsolutePath());
        Files.createDirectories(workDir.resolve("config"));
        Files.writeString(workDir.resolve("config").resolve("application.properties"), applicationProperties);
        Path log = workDir.resolve("gateway.log");
        ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-Xmx512m", "-jar", JAR.toString())
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        // Port 0: the gateway binds a free port itself and names it in its log. A port chosen here and
        // released before the child binds it can be taken in between on a busy machine.
        builder.environment().put("QUARKUS_HTTP_PORT", "0");
        Process process = builder.start();
        // A safety net: whatever a failing test leaves running dies with the test JVM.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "stop-" + name));
        return new GatewayProcess(process, log);
    }

    /** Waits until /q/health/ready answers 200, or fails with the process's log. */
    public GatewayProcess awaitReady(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway exited with " + process.exitValue() + ":\n" + output());
            }
            if (port == 0) {
                Matcher listening = LISTENING.matcher(output());
                if (listening.find()) {
                    port = Integer.parseInt(listening.group(1));
                }
                Thread.sleep(200);
                continue;
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("gateway not ready within " + timeout + ":\n" + output());
    }

    /** The gateway's root; known once {@link #awaitReady} returned. */
    public String base() {
        if (port == 0) {
            throw new IllegalStateException("the gateway's port is known once it is ready: call awaitReady first");
        }
        return "http://localhost:" + port + "/";
    }

    public URI uri() {
        return URI.create(base());
    }

    /** GET of one of the gateway's paths (say "q/health/ready"): the status code and the body. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> readiness() throws IOException, InterruptedException {
        return get("q/health/ready");
    }

    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** SIGTERM, then wait for the process to exit. */
    public int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("gateway did not exit within " + timeout + " of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String javaBinary() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }
}
