package io.streamgate.support;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The programs outside the JVM that some tests need (kcat, node, chromium), and the one rule for a missing
 * one: where {@code CI=true} (.ci/run exports it) the test FAILS, since the README promises it runs there;
 * elsewhere it is skipped, with a warning on the build's output that names what to install. A test never
 * skips itself any other way.
 */
public final class Tools {

    private Tools() {
    }

    /** True where {@code CI=true}: a missing tool fails the test there. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** {@code command} as found on PATH, if it is. */
    public static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Paths.get(dir.isEmpty() ? "." : dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** {@code command} on PATH; or a failure in CI, a loud skip elsewhere, naming {@code install}. */
    public static Path require(String command, String install) {
        return onPath(command).orElseGet(() -> missing(command + " is not on PATH", install));
    }

    /** Unless {@code present}: a failure in CI, a loud skip elsewhere, saying {@code what} is missing. */
    public static void requireThat(boolean present, String what, String install) {
        if (!present) {
            missing(what, install);
        }
    }

    private static <T> T missing(String what, String install) {
        String message = what + ": install it with `" + install + "`";
        if (inCi()) {
            return fail(message + " (CI=true: a test the README promises must run, not skip)");
        }
        System.err.println("\n[WARNING] ********************************************************************");
        System.err.println("[WARNING] TEST SKIPPED, " + message);
        System.err.println("[WARNING] ********************************************************************\n");
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }

    /** What a finished {@link #run} left: the exit status and everything the program printed. */
    public record Result(int exitCode, String output) {
    }

    /**
     * Runs {@code command} with its output (stdout and stderr) going to {@code log} and {@code stdin} (or
     * nothing) as its input, and waits at most {@code timeout}: a program that hangs, or leaves a child
     * holding its output open, cannot hang the build. On timeout the whole process tree is destroyed and
     * the test fails with the output so far.
     */
    public static Result run(List<String> command, String stdin, Duration timeout, Path log) throws IOException, InterruptedException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Path input = Files.createTempFile("streamgate-stdin-", ".txt");
        try {
            Files.writeString(input, stdin == null ? "" : stdin, StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(input.toFile()).redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                destroyTree(process);
                return fail(String.join(" ", command) + " did not finish within " + timeout + "; its output:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(input);
        }
    }

    /** SIGKILL to the process and every descendant (a test runner's workers), then wait for it. */
    public static void destroyTree(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
