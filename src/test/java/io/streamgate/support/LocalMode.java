package io.streamgate.support;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The README's first command, {@code ./mvnw quarkus:dev -Dlocal}, run as a child process: the gateway in dev
 * mode with its embedded Kafka broker and PostgreSQL, the demo producer and the demo page. The stack's
 * addresses come from the {@code stack.properties} file local mode writes. Everything it builds goes to
 * target/local, so it can run while the surrounding build uses target/.
 */
public final class LocalMode implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;
    private final Path stackFile;
    private final List<ProcessHandle> tree = new ArrayList<>();

    private LocalMode(Process process, int port, Path log, Path stackFile) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.stackFile = stackFile;
    }

    public static LocalMode start(Path workDir, String... extraProperties) throws IOException {
        Files.createDirectories(workDir);
        int port = Ports.unused();
        Path log = workDir.resolve("local-mode.log");
        Path stackFile = workDir.resolve("stack.properties").toAbsolutePath();
        Files.deleteIfExists(stackFile);
        List<String> command = new ArrayList<>(List.of(Path.of("mvnw").toAbsolutePath().toString(), "-B", "quarkus:dev", "-Dlocal",
                "-Ddebug=false", "-Dquarkus.http.port=" + port, "-Dquarkus.analytics.disabled=true",
                "-Dlocal-mode.stack-file=" + stackFile));
        command.addAll(List.of(extraProperties));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        return new LocalMode(builder.start(), port, log, stackFile);
    }

    /** Waits until the gateway answers readiness and the stack file is written. */
    public LocalMode awaitReady(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("local mode exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base().resolve("q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && Files.exists(stackFile)) {
                    rememberProcessTree();
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("local mode not ready within " + timeout + ":\n" + tail());
    }

    public URI base() {
        return URI.create("http://localhost:" + port + "/");
    }

    public Properties stack() throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(stackFile)) {
            p.load(in);
        }
        return p;
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    /**
     * Restarts the gateway application inside the running dev mode ({@code POST /dev/restart}: what pressing
     * [s] in its console does) and returns without waiting for it. Kafka, PostgreSQL and their data stay up;
     * every client connection is closed, every consumer and producer of the application is stopped and made
     * anew.
     */
    public void restartGateway() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base().resolve("dev/restart"))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("restart refused: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** SIGTERM to Maven and the dev-mode JVM (what closing the terminal does); waits for both to exit. */
    public void stop(Duration timeout) throws Exception {
        rememberProcessTree();
        process.destroy();
        for (ProcessHandle p : tree) {
            p.destroy();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                throw new IllegalStateException("pid " + p.pid() + " did not exit within " + timeout + " of SIGTERM");
            }
        }
        process.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Processes whose command line mentions the text (for example the stack's data directory). */
    public static List<ProcessHandle> processesMentioning(String text) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(text)).orElse(false))
                .toList();
    }

    private void rememberProcessTree() {
        process.toHandle().descendants().filter(p -> !tree.contains(p)).forEach(tree::add);
    }

    private String tail() throws IOException {
        String all = output();
        return all.length() > 8000 ? all.substring(all.length() - 8000) : all;
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            try {
                stop(Duration.ofSeconds(60));
            } finally {
                process.destroyForcibly();
                tree.forEach(ProcessHandle::destroyForcibly);
            }
        }
    }
}
