package io.streamgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamgate.bench.client.Fleet;
import io.streamgate.bench.report.Machine;
import io.streamgate.bench.report.Report;
import io.streamgate.bench.report.SvgPlot;
import io.streamgate.bench.scenario.IdleScenario;
import io.streamgate.bench.scenario.RampScenario;
import io.streamgate.bench.scenario.ReconnectStormScenario;
import io.streamgate.bench.scenario.ResumeScenario;
import io.streamgate.bench.scenario.RewindScenario;
import io.streamgate.bench.scenario.RunResult;
import io.streamgate.bench.scenario.Scenario;
import io.streamgate.bench.scenario.Step;
import io.streamgate.bench.stack.ProcessRegistry;
import io.streamgate.bench.stack.ServerOptions;
import io.streamgate.bench.stack.ServerUnderTest;
import io.streamgate.bench.stack.SigningKeys;
import io.streamgate.bench.stack.StreamgateServer;
import io.streamgate.bench.stack.Tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs every scenario against every compared system, each on a freshly started server, and writes the report
 * (docs/benchmarks.md), its plots and the raw results (docs/benchmarks/). Started by src/bench/run-benchmarks.sh,
 * which builds what it needs and cleans up after it.
 * <p>
 * Options: {@code --mode full|quick --gateway-jar <jar> --node-dir <dir> --run-dir <dir> --docs <dir>
 * --pids <file> --command <the command line, for the report> [--only <scenario id,...>] [--baseline-jar <jar>
 * --baseline-label <text>] [--systems <name prefix,...>] [--gateway-jvm-flags <flags, space-separated>]}; or
 * {@code --from-results <results.json> --docs <dir>} to write the report again from a run's raw results.
 */
public final class BenchMain {

    /** The heap settings of every JVM server (Streamgate and the bare Vert.x server alike). */
    static final List<String> SERVER_JVM_FLAGS = List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC");
    /** Loopback source addresses the load generator spreads its connections over. */
    private static final int SOURCE_ADDRESSES = 8;

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        if (options.containsKey("from-results")) {
            rewriteReport(Paths.get(options.get("from-results")), Paths.get(options.get("docs")).toAbsolutePath());
            return;
        }
        require(options, "mode", "gateway-jar", "node-dir", "run-dir", "docs", "pids", "command");
        Settings settings = "quick".equals(options.get("mode")) ? Settings.quick() : Settings.full();
        Path runDir = Paths.get(options.get("run-dir")).toAbsolutePath();
        Path docs = Paths.get(options.get("docs")).toAbsolutePath();
        ProcessRegistry.useFile(Paths.get(options.get("pids")).toAbsolutePath());
        SigningKeys keys = SigningKeys.generate(runDir.resolve("keys"), StreamgateServer.TENANT,
                List.of(StreamgateServer.NAMESPACE + ":*"));
        Tools tools = new Tools(Paths.get(options.get("gateway-jar")).toAbsolutePath(), System.getProperty("java.class.path"),
                Paths.get(options.get("node-dir")).toAbsolutePath(), SERVER_JVM_FLAGS, keys,
                options.containsKey("baseline-jar") ? Paths.get(options.get("baseline-jar")).toAbsolutePath() : null,
                options.getOrDefault("baseline-label", "baseline"),
                options.containsKey("gateway-jvm-flags") ? List.of(options.get("gateway-jvm-flags").trim().split("\\s+")) : List.of());

        List<Scenario> scenarios = new ArrayList<>();
        for (int size : settings.fanOutSubscribers()) {
            scenarios.add(RampScenario.fanOut(size, settings));
        }
        scenarios.add(RampScenario.manyChannels(settings));
        scenarios.add(new IdleScenario(settings));
        scenarios.add(new ResumeScenario(settings));
        scenarios.add(new ReconnectStormScenario(settings));
        scenarios.add(new RewindScenario());

        if (options.containsKey("only")) { // a comma-separated list of scenario ids, to re-run some of them
            List<String> only = List.of(options.get("only").split(","));
            scenarios.removeIf(s -> !only.contains(s.id()));
        }
        List<RunResult> results = new ArrayList<>();
        Map<String, String> loadAverages = new LinkedHashMap<>();
        long started = System.nanoTime();
        for (Scenario scenario : scenarios) {
            loadAverages.put(scenario.id(), Machine.loadAverage());
            System.out.printf("%n== %s (load average %s)%n", scenario.title(), loadAverages.get(scenario.id()));
            List<Supplier<ServerUnderTest>> systems = new ArrayList<>(scenario.systems());
            if (tools.baselineJar() != null) { // every scenario has the gateway under test first
                systems.add(1, StreamgateServer::baseline); // right after the gateway under test
            }
            if (options.containsKey("systems")) { // name prefixes: re-run some systems only
                List<String> wanted = List.of(options.get("systems").split(","));
                systems.removeIf(sys -> wanted.stream().noneMatch(w -> sys.get().name().startsWith(w)));
            }
            for (Supplier<ServerUnderTest> system : systems) {
                results.add(runOne(scenario, system.get(), settings, tools, runDir));
            }
        }
        System.out.printf("%nAll scenarios ran in %.1f minutes.%n", (System.nanoTime() - started) / 60e9);

        loadAverages.put("end", Machine.loadAverage());
        Map<String, String> machine = Machine.describe(tools.gatewayJar(), tools.nodeDirectory(), options.get("command"));
        // Other work on the machine shows here: on two cores, anything above about 2.5 disturbs the figures.
        machine.put("load average (1 min) at each scenario's start", loadAverages.toString());
        write(docs, results, settings, machine);
        System.exit(0); // stray non-daemon threads of client libraries must not keep the run alive
    }

    private static RunResult runOne(Scenario scenario, ServerUnderTest server, Settings settings, Tools tools, Path runDir) {
        // By name, not class: the gateway under test and the baseline are the same class and must not share a directory.
        Path dir = runDir.resolve(scenario.id()).resolve(server.name().replaceAll("[^A-Za-z0-9.-]+", "_"));
        try (Fleet fleet = new Fleet(SOURCE_ADDRESSES)) {
            server.start(new ServerOptions(dir, settings.pingMillis(), scenario.needsRecovery(), tools));
            System.out.printf("  %s started%n", server.name());
            return scenario.run(server, fleet);
        } catch (Throwable e) {
            System.out.printf("  %s failed: %s%n", server.name(), e);
            e.printStackTrace(System.out);
            return RunResult.failed(scenario.id(), server.name(), safeConfiguration(server), e);
        } finally {
            server.close();
        }
    }

    private static String safeConfiguration(ServerUnderTest server) {
        try {
            return server.configuration();
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static void write(Path docs, List<RunResult> results, Settings settings, Map<String, String> machine) throws Exception {
        Path raw = Files.createDirectories(docs.resolve("benchmarks"));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("settings", settings);
        json.put("serverJvmFlags", SERVER_JVM_FLAGS);
        json.put("results", results);
        new ObjectMapper().findAndRegisterModules().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(raw.resolve("results.json").toFile(), json);
        Files.writeString(raw.resolve("ramps.csv"), rampsCsv(results));
        for (String id : results.stream().filter(r -> !r.steps().isEmpty()).map(RunResult::scenario).distinct().toList()) {
            List<RunResult> runs = results.stream().filter(r -> r.scenario().equals(id) && r.error() == null).toList();
            Files.writeString(raw.resolve(id + ".svg"), SvgPlot.ramp(title(id), runs));
        }
        Path findings = Paths.get("src", "bench", "findings.md");
        String notes = Files.exists(findings) ? Files.readString(findings) : "";
        Files.writeString(docs.resolve("benchmarks.md"), Report.write(results, settings, machine, notes));
        System.out.println("Wrote " + docs.resolve("benchmarks.md") + " and " + raw);
    }

    private static String title(String id) {
        return id.startsWith("fanout-") ? String.format(Locale.ROOT, "Fan-out to %,d subscribers: p99 latency by delivered rate",
                Integer.parseInt(id.substring("fanout-".length()))) : "Many channels: p99 latency by delivered rate";
    }

    private static String rampsCsv(List<RunResult> results) {
        StringBuilder csv = new StringBuilder("scenario,system,asked_per_s,delivered_per_s,p50_us,p99_us,p999_us,max_us,"
                + "server_cpu_s,broker_cpu_s,loadgen_cpu_s,window_s,drained\n");
        for (RunResult r : results) {
            for (Step s : r.steps()) {
                csv.append(String.format(Locale.ROOT, "%s,%s,%.0f,%.0f,%d,%d,%d,%d,%.3f,%.3f,%.3f,%.3f,%s%n", r.scenario(),
                        r.system(), s.offered(), s.delivered(), s.p50Micros(), s.p99Micros(), s.p999Micros(), s.maxMicros(),
                        s.serverCpu(), s.brokerCpu(), s.loadGeneratorCpu(), s.windowSeconds(), s.drained()));
            }
        }
        return csv.toString();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return options;
    }

    private static void require(Map<String, String> options, String... names) {
        for (String required : names) {
            if (!options.containsKey(required)) {
                throw new IllegalArgumentException("missing --" + required);
            }
        }
    }

    /** Writes the report again from a run's results.json (after the report's layout or the findings changed). */
    private static void rewriteReport(Path resultsJson, Path docs) throws Exception {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules()
                .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        com.fasterxml.jackson.databind.JsonNode root = json.readTree(resultsJson.toFile());
        Settings settings = json.treeToValue(root.get("settings"), Settings.class);
        List<RunResult> results = json.readerForListOf(RunResult.class).readValue(root.get("results"));
        Map<String, String> machine = json.convertValue(root.get("machine"),
                new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, String>>() { });
        write(docs, results, settings, machine);
    }
}
