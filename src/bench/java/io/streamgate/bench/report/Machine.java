package io.streamgate.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The machine and software versions a run used, gathered from the system itself. */
public final class Machine {

    private Machine() {
    }

    public static Map<String, String> describe(Path gatewayJar, Path nodeDirectory, String command) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("date", ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
        m.put("command", command);
        m.put("cpus (nproc)", run("nproc"));
        m.put("cpu", cpuModel());
        m.put("memory", memTotal());
        m.put("kernel", run("uname", "-sr"));
        m.put("open files per process (hard limit)", run("sh", "-c", "ulimit -Hn"));
        m.put("java", firstLine(run(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-version")));
        m.put("java runtime", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("node", run("node", "--version"));
        m.put("quarkus", jarVersion(gatewayJar.getParent().resolve("lib").resolve("main"), "io.quarkus.quarkus-core-"));
        m.put("vert.x", io.vertx.core.impl.launcher.commands.VersionCommand.getVersion());
        m.put("kafka", org.apache.kafka.common.utils.AppInfoParser.getVersion());
        m.put("socket.io", packageVersion(nodeDirectory, "socket.io"));
        m.put("engine.io", packageVersion(nodeDirectory, "engine.io"));
        m.put("ws", packageVersion(nodeDirectory, "ws"));
        m.put("HdrHistogram", org.HdrHistogram.Histogram.class.getPackage().getImplementationVersion());
        return m;
    }

    /** The 1-minute load average, from /proc/loadavg. */
    public static String loadAverage() {
        try {
            return Files.readString(Paths.get("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Paths.get("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memTotal() {
        try {
            String line = Files.readAllLines(Paths.get("/proc/meminfo")).get(0);
            long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
            return String.format("%.1f GiB", kib / 1024.0 / 1024.0);
        } catch (IOException e) {
            return "?";
        }
    }

    private static String jarVersion(Path lib, String prefix) {
        try (var files = Files.list(lib)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).findFirst()
                    .map(n -> n.substring(prefix.length(), n.length() - ".jar".length())).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String packageVersion(Path nodeDirectory, String name) {
        try {
            String json = Files.readString(nodeDirectory.resolve("node_modules").resolve(name).resolve("package.json"));
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).path("version").asText();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("?");
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }
}
