package io.streamgate.support;

import java.time.Duration;

/**
 * How long a test waits for a process it started to become ready: one figure for every test, so that none picks
 * its own guess. A ceiling on a condition (the process answers), not a delay: a healthy start returns as soon as
 * it is ready, and a process that exits fails at once. The figures are generous because they were measured
 * short: on a 2-core machine at load average 60 (a build and several benchmarks beside the test run) a gateway jar
 * took 60-90 s to listen, a broker over 60 s, and local mode (which compiles the project first) over 8 minutes.
 */
public final class StartupCeiling {

    /** A JVM process started from a built artifact: the packaged gateway, a Kafka broker. */
    public static final Duration PROCESS = Duration.ofMinutes(5);

    /** The README's start command, which builds the project with Maven before it starts anything. */
    public static final Duration LOCAL_MODE = Duration.ofMinutes(15);

    private StartupCeiling() {
    }
}
