package io.streamgate.bench.report;

import io.streamgate.bench.Settings;
import io.streamgate.bench.scenario.RunResult;
import io.streamgate.bench.scenario.Step;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes docs/benchmarks.md from a run's results: the goals first (met or not, by how much), then each scenario
 * side by side with ratios, then the machine, versions and exact command. Hand-written findings (the causes of
 * what falls short) come from src/bench/findings.md and are included as they are.
 */
public final class Report {

    private static final String STREAMGATE = "Streamgate";
    private final StringBuilder md = new StringBuilder();
    private final List<RunResult> results;
    private final Settings settings;

    private Report(List<RunResult> results, Settings settings) {
        this.results = results;
        this.settings = settings;
    }

    public static String write(List<RunResult> results, Settings settings, Map<String, String> machine, String findings) {
        Report r = new Report(results, settings);
        r.header(machine);
        r.goals();
        r.method();
        int n = 1;
        for (int size : settings.fanOutSubscribers()) {
            r.ramp(n + ". " + String.format("Fan-out: one channel, %,d subscribers", size), "fanout-" + size, "deliveries/s");
        }
        r.ramp((++n) + ". " + String.format("Many channels: %,d connections, each on its own channel", settings.manyChannels()),
                "many-channels", "events/s");
        r.idle(++n);
        r.resume(++n);
        r.storm(++n);
        r.line("## What falls short, and why");
        r.line("");
        r.line(findings == null || findings.isBlank() ? "(src/bench/findings.md is empty.)" : findings.trim());
        r.line("");
        r.machine(machine);
        return r.md.toString();
    }

    private void header(Map<String, String> machine) {
        line("# Benchmarks");
        line("");
        line("How fast, how many, at what cost: Streamgate side by side with what a team would pick instead, on one machine"
                + " in one run. Written by `src/bench/run-benchmarks.sh` (" + settings.mode() + " run, " + machine.get("date")
                + "); every figure below comes from that run. Raw results: [benchmarks/results.json](benchmarks/results.json)"
                + " and [benchmarks/ramps.csv](benchmarks/ramps.csv).");
        line("");
        line("Everything ran on the same " + machine.get("cpus (nproc)") + " cores: the server, its broker (for Streamgate) and"
                + " the load generator share them, so read the figures as ratios between systems measured the same way,"
                + " not as what a dedicated server would do. Other work on the machine during the run disturbs them.");
        line("");
    }

    private void goals() {
        line("## Against the goals");
        line("");
        line("| goal | measured | met? |");
        line("|---|---|---|");
        for (int size : settings.fanOutSubscribers()) {
            String id = "fanout-" + size;
            if (of(id).isEmpty()) { // a subset run (BENCH_ONLY): say so rather than print n/a as if it had failed
                line(String.format(Locale.ROOT, "| fan-out to %,d: every goal | not measured: the scenario was not part of this run | — |", size));
                continue;
            }
            double sg = best(id, STREAMGATE);
            double io = best(id, "Socket.IO");
            line(String.format(Locale.ROOT, "| fan-out to %,d: deliveries/s held at p99 < 100 ms ≥ 2× Socket.IO's | %s vs %s: **%s** | %s |",
                    size, bestRate(sg), bestRate(io), ratio(sg, io), met(sg / io >= 2)));
            double common = commonStep(id);
            double sgCpu = cpuAt(id, STREAMGATE, common);
            double ioCpu = cpuAt(id, "Socket.IO", common);
            double vxCpu = cpuAt(id, "bare Vert.x", common);
            line(String.format(Locale.ROOT, "| fan-out to %,d: server CPU s per M deliveries ≤ 0.5× Socket.IO's (at %s/s, the highest"
                    + " step every system was measured at) | %s vs %s: **%s** | %s |", size, rate(common), num(sgCpu), num(ioCpu), ratio(sgCpu, ioCpu),
                    met(sgCpu / ioCpu <= 0.5)));
            line(String.format(Locale.ROOT, "| fan-out to %,d: server CPU s per M deliveries ≤ 1.0× bare Vert.x's (same step) | %s vs %s:"
                    + " **%s** | %s |", size, num(sgCpu), num(vxCpu), ratio(sgCpu, vxCpu), met(sgCpu / vxCpu <= 1.0)));
        }
        if (of("idle").isEmpty()) {
            line("| memory per idle connection: every goal | not measured: the scenario was not part of this run | — |");
        }
        for (int size : of("idle").isEmpty() ? List.<Integer>of() : settings.idleConnections()) {
            double sgHeap = figure("idle", STREAMGATE, "heapBytesPerConnection@" + size);
            double ioHeap = figure("idle", "Socket.IO", "heapBytesPerConnection@" + size);
            line(String.format(Locale.ROOT, "| heap per idle connection (at %,d) ≤ 0.5× Socket.IO's | %s vs %s: **%s** | %s |",
                    size, kib(sgHeap), kib(ioHeap), ratio(sgHeap, ioHeap), met(sgHeap / ioHeap <= 0.5)));
            double sgRss = figure("idle", STREAMGATE, "rssBytesPerConnection@" + size);
            double ioRss = figure("idle", "Socket.IO", "rssBytesPerConnection@" + size);
            line(String.format(Locale.ROOT, "| RSS per idle connection (at %,d) ≤ Socket.IO's | %s vs %s: **%s** | %s |",
                    size, kib(sgRss), kib(ioRss), ratio(sgRss, ioRss), met(sgRss / ioRss <= 1.0)));
        }
        resumeGoals();
        long lost = 0;
        long duplicated = 0;
        int runs = 0;
        for (RunResult r : results) {
            if (r.system().startsWith(STREAMGATE) && r.figures().containsKey("lost")) {
                lost += (long) r.number("lost");
                duplicated += (long) r.number("duplicated");
                runs++;
            }
        }
        line(String.format(Locale.ROOT, "| zero lost and zero duplicated events in every scenario (Streamgate) | %,d lost, %,d duplicated over %d scenario runs | %s |",
                lost, duplicated, runs, met(lost == 0 && duplicated == 0 && runs > 0)));
        line("");
    }

    /** Issue 14's goals: one client's catch-up, and a reconnect storm, both against Socket.IO in the same run. */
    private void resumeGoals() {
        if (of("resume").isEmpty()) {
            line("| resume of 100,000 missed events: every goal | not measured: the scenario was not part of this run | — |");
        } else {
            double sg = figure("resume", STREAMGATE, "catchUpSeconds");
            double sgFirst = figure("resume", STREAMGATE, "firstCatchUpSeconds");
            double sgRate = figure("resume", STREAMGATE, "eventsPerSecond");
            double ioRate = figure("resume", "Socket.IO", "eventsPerSecond");
            line(String.format(Locale.ROOT, "| one client missing %,d events: caught up in < 1 s | %.2f s (the first catch-up of the"
                    + " fresh server: %.2f s) | %s |", settings.resumeEvents(), sg, sgFirst, met(sg < 1.0)));
            line(String.format(Locale.ROOT, "| one client's catch-up: ≥ 2.5× Socket.IO's rate | %s vs %s events/s: **%s** | %s |",
                    rate(sgRate), rate(ioRate), ratio(sgRate, ioRate), met(sgRate / ioRate >= 2.5)));
        }
        if (of("storm").isEmpty()) {
            line("| reconnect storm: every goal | not measured: the scenario was not part of this run | — |");
        } else {
            double sg = figure("storm", STREAMGATE, "allCaughtUpSeconds");
            double io = figure("storm", "Socket.IO", "allCaughtUpSeconds");
            line(String.format(Locale.ROOT, "| reconnect storm of %,d: all caught up in ≤ 0.5× Socket.IO's time | %.2f s vs %.2f s: **%s** | %s |",
                    settings.stormClients(), sg, io, ratio(sg, io), met(sg / io <= 0.5)));
        }
    }

    private void method() {
        line("## How it was measured");
        line("");
        line("- **Load generator** (`src/bench/java/io/streamgate/bench`): one JVM holding every client connection, each a"
                + " WebSocket on a plain Vert.x TCP socket whose frames are read in place from the socket's reads (a scan finds"
                + " `seq`, `sent` and the cursor; no JSON parse, no object per event), spread over loopback source addresses"
                + " (127.0.0.2-9) so that tens of thousands of connections never run out of ports. Its CPU is reported beside"
                + " the servers'. Each client subscribes to one channel, records each event's latency"
                + " (the producer's send time to receipt, both `System.nanoTime()` of this JVM) in an HdrHistogram, and checks"
                + " the event's sequence number on its channel: after the repeats a cursor-aware client drops by cursor, a"
                + " gap counts as lost and a repeat as duplicated; events on the wire are counted too.");
        line("- **Same events for all**: ~150 bytes of JSON data (`seq`, `sent`, a product-like body), at the same rates."
                + " Streamgate gets them from Kafka (an upstream producer: key = tenant, header `subject`, acks=all, no linger);"
                + " Socket.IO and the bare servers get them over one publisher WebSocket from the load generator and broadcast"
                + " them (their best case: no broker hop).");
        line("- **Ramps** (scenarios 1-2): after the same unmeasured warm-up for every system (" + settings.warmup().toSeconds()
                + " s at " + rate(Settings.WARMUP_DELIVERIES_PER_SECOND) + " deliveries/s, then a pause until every client has"
                + " every event) the producer's rate rises from " + rate(settings.fanOutTargets().get(0)) + " deliveries/s in steps of"
                + " at most 1.5× (" + settings.settle().toMillis() + " ms to settle, "
                + settings.window().toMillis() + " ms measured or long enough for 3 events, up to 4× that, then a pause until every"
                + " client has every event); the ramp"
                + " stops at the first step whose clients cannot catch up within 20 s, or whose p99 passes 100 ms once at "
                + rate(Settings.COST_STEPS_UP_TO) + " deliveries/s or above (below that it goes on, so that every system has CPU"
                + " figures at the same steps). Reported: the most deliveries/s of a step within the bar, the server's CPU"
                + " seconds per million deliveries there, and, for the goals, CPU per million at the highest step every system"
                + " was measured at.");
        line("- **CPU** from `/proc/<pid>/stat` (user + system) of each server process; Streamgate's broker is reported apart."
                + " **Memory**: heap in use after a forced full GC (`jcmd GC.run` + `GC.heap_info` for JVMs; `global.gc()` and"
                + " `process.memoryUsage().heapUsed` for Node) and RSS from `/proc`, each less the freshly started server's,"
                + " per connection, measured after a heartbeat round (every server pings every " + settings.pingMillis() / 1000
                + " s in this run).");
        line("- **Each scenario runs on freshly started servers**, the systems one after another in the same run.");
        line("");
        line("Configurations:");
        line("");
        results.stream().map(r -> r.system() + "|" + r.configuration()).distinct().forEach(s -> {
            String[] parts = s.split("\\|", 2);
            line("- **" + parts[0] + "**: " + parts[1]);
        });
        line("");
    }

    private void ramp(String title, String id, String unit) {
        List<RunResult> runs = of(id);
        if (runs.isEmpty()) {
            return;
        }
        line("## " + title);
        line("");
        RunResult io = find(id, "Socket.IO").orElse(null);
        RunResult vx = find(id, "bare Vert.x").orElse(null);
        line("| system | " + unit + " at p99 < 100 ms | vs Socket.IO | vs bare Vert.x | p99 there | server CPU s per M deliveries"
                + " | broker CPU s per M | load generator CPU s per M | lost | duplicated | on the wire | reconnects |");
        line("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (RunResult r : runs) {
            if (r.error() != null) {
                line("| " + r.system() + " | failed: " + r.error() + " ||||||||||");
                continue;
            }
            double best = r.number("bestDeliveredPerSecond");
            String bestText = best > 0 || r.steps().isEmpty() ? rate(best) : String.format(Locale.ROOT,
                    "below the first step (%s asked: p99 %s)", rate(r.steps().get(0).offered()), ms(r.steps().get(0).p99Micros()));
            line(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %,d | %,d | %,d | %,d |", r.system(), bestText,
                    io == null ? "" : ratio(best, io.number("bestDeliveredPerSecond")),
                    vx == null ? "" : ratio(best, vx.number("bestDeliveredPerSecond")),
                    ms(r.number("bestP99Micros")), num(r.number("serverCpuSecondsPerMillion")), num(r.number("brokerCpuSecondsPerMillion")),
                    num(r.number("loadGeneratorCpuSecondsPerMillion")),
                    (long) r.number("lost"), (long) r.number("duplicated"), (long) r.number("wireEvents"), (long) r.number("reconnects")));
        }
        line("");
        line("![" + title + "](benchmarks/" + id + ".svg)");
        line("");
        line("<details><summary>Every step of the ramps</summary>");
        line("");
        line("| system | asked/s | delivered/s | p50 | p99 | p99.9 | max | server CPU s | broker CPU s | load generator CPU s | drained |");
        line("|---|---|---|---|---|---|---|---|---|---|---|");
        for (RunResult r : runs) {
            for (Step s : r.steps()) {
                line(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %s | %s | %s | %s | %.2f | %.2f | %.2f | %s |", r.system(), s.offered(),
                        s.delivered(), ms(s.p50Micros()), ms(s.p99Micros()), ms(s.p999Micros()), ms(s.maxMicros()), s.serverCpu(),
                        s.brokerCpu(), s.loadGeneratorCpu(), s.drained() ? "yes" : "no"));
            }
        }
        line("");
        line("</details>");
        line("");
    }

    private void idle(int n) {
        List<RunResult> runs = of("idle");
        if (runs.isEmpty()) {
            return;
        }
        line("## " + n + ". Idle connections: memory per connection");
        line("");
        line("Each connection authenticated (Streamgate: a JWT) and subscribed to a channel of its own. The last size is the"
                + " most one process may hold here: the open-file hard limit is 20,000 per process and cannot be raised.");
        line("");
        line("| system | connections held | heap per connection | vs Socket.IO | RSS per connection | vs Socket.IO | heap, RSS with no connection |");
        line("|---|---|---|---|---|---|---|");
        RunResult io = find("idle", "Socket.IO").orElse(null);
        for (int size : settings.idleConnections()) {
            for (RunResult r : runs) {
                if (r.error() != null) {
                    line("| " + r.system() + " | failed: " + r.error() + " ||||||");
                    continue;
                }
                double heap = r.number("heapBytesPerConnection@" + size);
                double rss = r.number("rssBytesPerConnection@" + size);
                line(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s, %s |", r.system(), (long) r.number("connections@" + size),
                        kib(heap), io == null ? "" : percent(heap, io.number("heapBytesPerConnection@" + size)), kib(rss),
                        io == null ? "" : percent(rss, io.number("rssBytesPerConnection@" + size)),
                        mib(r.number("heapBytesEmpty")), mib(r.number("rssBytesEmpty"))));
            }
        }
        line("");
    }

    private void resume(int n) {
        List<RunResult> runs = of("resume");
        if (runs.isEmpty()) {
            return;
        }
        line("## " + n + String.format(Locale.ROOT, ". Resume: a client that missed %,d events", settings.resumeEvents()));
        line("");
        line("The client subscribes, receives a few events, drops off; the events are produced while it is away; it comes back"
                + " with its position (Streamgate: `since` = its last cursor; Socket.IO: connection state recovery, `pid` and"
                + " `offset`). Timed from the reconnect to the last missed event received. This happens twice: the first"
                + " catch-up is the first resume the freshly started server ever serves (for a JVM: code not yet compiled);"
                + " the second, measured the same way, is the result (its events/s, ratio and CPU). The bare Vert.x server"
                + " keeps no history.");
        line("");
        line("| system | catch-up time | events/s | vs Socket.IO | first catch-up (fresh server) | server CPU s | broker CPU s | load generator CPU s | lost | duplicated | on the wire | dropped by cursor | not recovered |");
        line("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        RunResult io = find("resume", "Socket.IO").orElse(null);
        for (RunResult r : runs) {
            if (r.error() != null) {
                line("| " + r.system() + " | failed: " + r.error() + " ||||||||||||");
                continue;
            }
            line(String.format(Locale.ROOT, "| %s | %.2f s | %s | %s | %s | %.2f | %.2f | %.2f | %,d | %,d | %,d | %,d | %,d |", r.system(),
                    r.number("catchUpSeconds"), rate(r.number("eventsPerSecond")),
                    io == null ? "" : ratio(r.number("eventsPerSecond"), io.number("eventsPerSecond")),
                    Double.isNaN(r.number("firstCatchUpSeconds")) ? "" : String.format(Locale.ROOT, "%.2f s", r.number("firstCatchUpSeconds")),
                    r.number("serverCpuSeconds"),
                    r.number("brokerCpuSeconds"), r.number("loadGeneratorCpuSeconds"), (long) r.number("lost"), (long) r.number("duplicated"), (long) r.number("wireEvents"),
                    (long) r.number("droppedByCursor"), (long) r.number("unrecovered")));
        }
        line("");
    }

    private void storm(int n) {
        List<RunResult> runs = of("storm");
        if (runs.isEmpty()) {
            return;
        }
        line("## " + n + String.format(Locale.ROOT, ". Reconnect storm: %,d clients reconnect at once", settings.stormClients()));
        line("");
        line(String.format(Locale.ROOT, "%,d clients on %d channels hold a position; every connection drops; %d events per channel are"
                + " produced while they are away; all reconnect at the same moment with their positions. The bare Vert.x server"
                + " cannot resume: it gets no events during the outage and is timed on reconnecting only.",
                settings.stormClients(), settings.stormChannels(), settings.stormMissedPerChannel()));
        line("");
        line("| system | all subscribed again | all caught up | reconnects/s | refused attempts | server CPU s | broker CPU s | load generator CPU s | lost | duplicated | on the wire | dropped by cursor | not recovered |");
        line("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (RunResult r : runs) {
            if (r.error() != null) {
                line("| " + r.system() + " | failed: " + r.error() + " ||||||||||||");
                continue;
            }
            boolean allIn = Boolean.TRUE.equals(r.figures().get("allSubscribed"));
            boolean caughtUp = Boolean.TRUE.equals(r.figures().get("caughtUp"));
            String subscribed = allIn ? String.format(Locale.ROOT, "%.2f s", r.number("allSubscribedSeconds"))
                    : String.format(Locale.ROOT, "not within %.0f s: %,d of %,d", r.number("allSubscribedSeconds"),
                            (long) r.number("subscribedWithinLimit"), (long) r.number("clients"));
            String caught = caughtUp ? String.format(Locale.ROOT, "%.2f s", r.number("allCaughtUpSeconds")) : "not within the limit";
            line(String.format(Locale.ROOT, "| %s | %s | %s | %s | %,d | %.2f | %.2f | %.2f | %,d | %,d | %,d | %,d | %,d |", r.system(),
                    subscribed, caught, allIn ? rate(r.number("reconnectsPerSecond")) : "n/a", (long) r.number("refusedAttempts"),
                    r.number("serverCpuSeconds"), r.number("brokerCpuSeconds"), r.number("loadGeneratorCpuSeconds"),
                    (long) r.number("lost"), (long) r.number("duplicated"),
                    (long) r.number("wireEvents"), (long) r.number("droppedByCursor"), (long) r.number("unrecovered")));
        }
        line("");
    }

    private void machine(Map<String, String> machine) {
        line("## Machine, versions, command");
        line("");
        line("| | |");
        line("|---|---|");
        machine.forEach((k, v) -> line("| " + k + " | " + (k.equals("command") ? "`" + v + "`" : v) + " |"));
        line("");
    }

    private List<RunResult> of(String id) {
        return results.stream().filter(r -> r.scenario().equals(id)).toList();
    }

    private Optional<RunResult> find(String id, String systemPrefix) {
        return results.stream().filter(r -> r.scenario().equals(id) && r.system().startsWith(systemPrefix) && r.error() == null).findFirst();
    }

    private double best(String id, String systemPrefix) {
        return find(id, systemPrefix).map(r -> r.number("bestDeliveredPerSecond")).orElse(Double.NaN);
    }

    /**
     * The highest rate asked for that every system of the ramp was measured at with every client caught up (within
     * the latency bar or not: the CPU a delivery costs does not depend on it), so CPU figures compare at one step.
     * NaN when there is none.
     */
    private double commonStep(String id) {
        List<RunResult> runs = of(id).stream().filter(r -> r.error() == null).toList();
        if (runs.isEmpty()) {
            return Double.NaN;
        }
        double common = Double.NaN;
        for (Step candidate : runs.get(0).steps()) {
            double offered = candidate.offered();
            if (runs.stream().allMatch(r -> r.steps().stream().anyMatch(s -> s.offered() == offered && s.drained()))) {
                common = offered;
            }
        }
        return common;
    }

    private double cpuAt(String id, String systemPrefix, double offered) {
        return find(id, systemPrefix).flatMap(r -> r.steps().stream().filter(s -> s.offered() == offered).findFirst())
                .map(Step::serverCpuPerMillion).orElse(Double.NaN);
    }

    private double figure(String id, String systemPrefix, String figure) {
        return find(id, systemPrefix).map(r -> r.number(figure)).orElse(Double.NaN);
    }

    private void line(String text) {
        md.append(text).append('\n');
    }

    /** A ramp's best rate; 0 means no step was within the bar, not that nothing was delivered. */
    private String bestRate(double perSecond) {
        return perSecond == 0 ? "below " + rate(settings.fanOutTargets().get(0)) : rate(perSecond);
    }

    private static String met(boolean yes) {
        return yes ? "yes" : "**no**";
    }

    static String rate(double perSecond) {
        return Double.isNaN(perSecond) ? "n/a" : String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 || a == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f×", a / b);
    }

    static String percent(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 || a == 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * a / b);
    }

    static String kib(double bytes) {
        return Double.isNaN(bytes) ? "n/a" : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024);
    }

    static String mib(double bytes) {
        return Double.isNaN(bytes) ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", bytes / 1024 / 1024);
    }

    static String ms(double micros) {
        return Double.isNaN(micros) ? "n/a" : String.format(Locale.ROOT, "%.1f ms", micros / 1000);
    }

    static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }
}
