package io.streamgate.bench;

import java.time.Duration;
import java.util.List;

/**
 * The sizes and durations of a run. {@link #full()} is what docs/benchmarks.md reports (about 25 minutes here);
 * {@link #quick()} is a smoke run of a few minutes that exercises every scenario at small sizes.
 *
 * @param fanOutSubscribers      scenario 1: subscribers of the one channel, one ramp per size
 * @param fanOutTargets          scenario 1: delivered events/s asked for, step by step
 * @param manyChannels           scenario 2: connections, each on its own channel
 * @param manyChannelsTargets    scenario 2: events/s asked for (each to one channel)
 * @param idleConnections        scenario 3: connection counts at which memory is measured
 * @param resumeEvents           scenario 4: events missed by the resuming client
 * @param stormClients           scenario 5: clients that reconnect at once
 * @param stormChannels          scenario 5: channels they are spread over
 * @param stormMissedPerChannel  scenario 5: events produced to each channel while they are away
 * @param warmup                 time at {@link #WARMUP_DELIVERIES_PER_SECOND} before a ramp starts, unmeasured and
 *                               the same traffic for every system: JIT compilers (the JVM's and V8's) do their
 *                               work here, not in the first step
 * @param settle                 time at a new rate before measuring
 * @param window                 measuring time of one ramp step
 * @param pingMillis             the heartbeat interval of every server
 */
public record Settings(String mode, List<Integer> fanOutSubscribers, List<Integer> fanOutTargets, int manyChannels,
        List<Integer> manyChannelsTargets, List<Integer> idleConnections, int resumeEvents, int stormClients,
        int stormChannels, int stormMissedPerChannel, Duration warmup, Duration settle, Duration window, long pingMillis) {

    /** p99 latency above which a ramp stops: the bar. */
    public static final long P99_LIMIT_MICROS = 100_000;
    /**
     * Deliveries/s up to which a ramp goes on past a step over the latency bar (as long as clients catch up), so
     * that every system has CPU figures at the same steps to compare, also on a busy machine where p99 passes
     * 100 ms early.
     */
    public static final int COST_STEPS_UP_TO = 11_000;
    /** The rate of every ramp's warm-up, in deliveries/s: the same for every system, below every system's ceiling. */
    public static final int WARMUP_DELIVERIES_PER_SECOND = 5_000;
    /**
     * The steps of every ramp, in deliveries/s: from 1,000, each at most 1.5 times the one before, so that a
     * system's ceiling is known to within a factor of 1.5 and no system ends "below the first step".
     */
    static final List<Integer> LADDER = List.of(1_000, 1_500, 2_250, 3_375, 5_000, 7_500, 11_000, 16_000, 24_000, 36_000,
            54_000, 80_000, 120_000, 180_000, 270_000, 400_000, 600_000, 900_000);

    public static Settings full() {
        return new Settings("full", List.of(1_000, 10_000), LADDER, 10_000, LADDER,
                List.of(10_000, 19_000), 100_000, 5_000, 50, 20,
                Duration.ofSeconds(20), Duration.ofSeconds(1), Duration.ofSeconds(5), 5_000);
    }

    public static Settings quick() {
        return new Settings("quick", List.of(1_000), LADDER, 2_000, LADDER,
                List.of(2_000, 4_000), 10_000, 1_000, 10, 10,
                Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(2), 2_000);
    }
}
