package io.streamgate.bench.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process the harness started (a server, the broker) and measures from the outside: CPU time and resident
 * memory come from /proc, so every system is measured the same way whatever it runs on.
 */
public final class ManagedProcess implements AutoCloseable {

    /** USER_HZ: the unit of utime and stime in /proc/[pid]/stat; 100 on every Linux this runs on. */
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    private final String name;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts a command with its output in {@code log}; registers it so the run's cleanup can end it. */
    public static ManagedProcess start(String name, List<String> command, Path workDir, Path log,
            java.util.Map<String, String> env) throws IOException {
        Files.createDirectories(workDir);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        ManagedProcess started = new ManagedProcess(name, builder.start(), log);
        ProcessRegistry.register(started.pid());
        return started;
    }

    public long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** User plus system CPU time used so far. */
    public double cpuSeconds() {
        return cpuSecondsOf(pid());
    }

    /** CPU seconds of this JVM (the load generator). */
    public static double cpuSecondsOfSelf() {
        return cpuSecondsOf(ProcessHandle.current().pid());
    }

    static double cpuSecondsOf(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(fields[11]);
            long stime = Long.parseLong(fields[12]);
            return (utime + stime) / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Resident set size in bytes (VmRSS). */
    public long rssBytes() {
        return rssBytesOf(pid());
    }

    static long rssBytesOf(long pid) {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** Where its log (and anything else written about it) lives. */
    public Path logDirectory() {
        return log.getParent();
    }

    /** The last lines of its output, for error messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** SIGTERM, then SIGKILL if it has not gone within ten seconds. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
