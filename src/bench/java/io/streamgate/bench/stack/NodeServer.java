package io.streamgate.bench.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A Node server of src/bench/node, run with {@code --expose-gc} so that {@code /admin/memory} can force a full
 * GC before it reports {@code process.memoryUsage()}.
 */
final class NodeServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ManagedProcess process;
    private final int port;

    private NodeServer(ManagedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    static NodeServer start(String script, ServerOptions options, Map<String, String> extraEnv) throws Exception {
        int port = Http.freePort();
        Path dir = options.runDirectory();
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.put("PORT", Integer.toString(port));
        env.put("PING_MS", Long.toString(options.pingMillis()));
        ManagedProcess process = ManagedProcess.start(script, List.of("node", "--expose-gc",
                options.tools().nodeDirectory().resolve(script).toString()), dir, dir.resolve(script + ".log"), env);
        try {
            Http.awaitOk("http://127.0.0.1:" + port + "/admin/memory", process, Duration.ofSeconds(30));
        } catch (Exception e) {
            process.close();
            throw e;
        }
        return new NodeServer(process, port);
    }

    int port() {
        return port;
    }

    ManagedProcess process() {
        return process;
    }

    /** V8's heap in use after a full GC, and the process's resident set. */
    MemoryFigures memoryAfterGc() throws Exception {
        JsonNode usage = JSON.readTree(Http.get("http://127.0.0.1:" + port + "/admin/memory"));
        return new MemoryFigures(usage.path("heapUsed").asLong(), process.rssBytes());
    }

    static String version(Path nodeDirectory, String packageName) {
        try {
            return JSON.readTree(nodeDirectory.resolve("node_modules").resolve(packageName).resolve("package.json").toFile())
                    .path("version").asText();
        } catch (Exception e) {
            return "?";
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
