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
 * @param warmup                 time at the first rate before a ramp starts, unmeasured: JIT compilers (the
 *                               JVM's and V8's) do their work here, not in the first step
 * @param settle                 time at a new rate before measuring
 * @param window                 measuring time of one ramp step
 * @param pingMillis             the heartbeat interval of every server
 */
public record Settings(String mode, List<Integer> fanOutSubscribers, List<Integer> fanOutTargets, int manyChannels,
        List<Integer> manyChannelsTargets, List<Integer> idleConnections, int resumeEvents, int stormClients,
        int stormChannels, int stormMissedPerChannel, Duration warmup, Duration settle, Duration window, long pingMillis) {

    /** p99 latency above which a ramp stops: the bar. */
    public static final long P99_LIMIT_MICROS = 100_000;

    public static Settings full() {
        return new Settings("full", List.of(1_000, 10_000),
                List.of(10_000, 25_000, 50_000, 75_000, 100_000, 125_000, 150_000, 200_000, 250_000, 300_000, 400_000, 500_000,
                        650_000, 800_000, 1_000_000),
                10_000, List.of(1_000, 2_500, 5_000, 10_000, 15_000, 20_000, 30_000, 40_000, 60_000, 80_000, 100_000),
                List.of(10_000, 19_000), 100_000, 5_000, 50, 20,
                Duration.ofSeconds(20), Duration.ofSeconds(1), Duration.ofSeconds(5), 5_000);
    }

    public static Settings quick() {
        return new Settings("quick", List.of(1_000), List.of(25_000, 50_000, 100_000, 200_000, 400_000),
                2_000, List.of(2_000, 5_000, 10_000, 20_000),
                List.of(2_000, 4_000), 10_000, 1_000, 10, 10,
                Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(2), 2_000);
    }
}
