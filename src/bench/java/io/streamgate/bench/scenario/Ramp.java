package io.streamgate.bench.scenario;

import io.streamgate.bench.Settings;
import io.streamgate.bench.client.Delivery;
import io.streamgate.bench.client.LoadClient;
import io.streamgate.bench.client.Pacer;
import io.streamgate.bench.stack.ServerUnderTest;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Raises the producer's rate step by step until p99 latency passes the bar (or clients cannot be caught up),
 * after an unmeasured warm-up that is the same traffic for every system. At each rate it settles, measures
 * deliveries, latency and CPU over a window, pauses the producer and waits for every client to have every event,
 * so each step starts from quiet. A window holds at least a few events: at 1,000 deliveries/s to 10,000
 * subscribers an event comes every 10 s.
 */
final class Ramp {

    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);
    /** Events a window should hold at the least (the window grows up to four times its length for them). */
    private static final int MIN_EVENTS_PER_WINDOW = 3;

    private Ramp() {
    }

    /**
     * @param deliveriesPerEvent subscribers each event goes to
     * @param targets            deliveries/s to ask for, in increasing order
     */
    static List<Step> run(ServerUnderTest server, List<LoadClient> clients, Pacer pacer, Delivery delivery, int deliveriesPerEvent,
            List<Integer> targets, Settings settings) throws InterruptedException {
        pacer.rate((double) Settings.WARMUP_DELIVERIES_PER_SECOND / deliveriesPerEvent);
        Thread.sleep(settings.warmup().toMillis());
        pacer.rate(0);
        // A system (or a busy machine) that fell behind in the warm-up catches up before the first step.
        if (!Clients.awaitDelivered(clients, DRAIN_TIMEOUT.multipliedBy(3))) {
            System.out.printf("    %s: not caught up %d s after the warm-up%n", server.name(), DRAIN_TIMEOUT.multipliedBy(3).toSeconds());
        }
        List<Step> steps = new ArrayList<>();
        for (int target : targets) {
            double eventsPerSecond = (double) target / deliveriesPerEvent;
            long windowMillis = settings.window().toMillis();
            windowMillis = Math.max(windowMillis, Math.min(4 * windowMillis, (long) (MIN_EVENTS_PER_WINDOW * 1000 / eventsPerSecond)));
            pacer.rate(eventsPerSecond);
            Thread.sleep(settings.settle().toMillis());
            CpuMeter cpu = new CpuMeter(server);
            long delivered0 = delivery.delivered();
            delivery.resetLatency();
            long t0 = System.nanoTime();
            Thread.sleep(windowMillis);
            Histogram latency = delivery.latencySinceLastCall();
            long delivered1 = delivery.delivered();
            CpuMeter.Reading used = cpu.read();
            double seconds = (System.nanoTime() - t0) / 1e9;
            pacer.rate(0);
            boolean drained = Clients.awaitDelivered(clients, DRAIN_TIMEOUT);
            Step step = new Step(target, (delivered1 - delivered0) / seconds, latency.getValueAtPercentile(50),
                    latency.getValueAtPercentile(99), latency.getValueAtPercentile(99.9), latency.getMaxValue(),
                    used.server(), used.broker(), used.loadGenerator(), seconds, drained);
            steps.add(step);
            System.out.printf("    %s: asked %,d/s, delivered %,.0f/s, p50 %.1f ms, p99 %.1f ms, CPU s per M: server %.1f,"
                    + " broker %.1f, load generator %.1f (load average %s)%s%n",
                    server.name(), target, step.delivered(), step.p50Micros() / 1000.0, step.p99Micros() / 1000.0,
                    step.serverCpuPerMillion(), step.brokerCpuPerMillion(), step.loadGeneratorCpuPerMillion(),
                    io.streamgate.bench.report.Machine.loadAverage(), drained ? "" : " (not drained)");
            if (!drained || (!step.withinLatencyBar() && target >= Settings.COST_STEPS_UP_TO)) {
                break;
            }
        }
        return steps;
    }

    /** The step with the most deliveries/s among those within the latency bar, or null. */
    static Step best(List<Step> steps) {
        Step best = null;
        for (Step s : steps) {
            if (s.withinLatencyBar() && (best == null || s.delivered() > best.delivered())) {
                best = s;
            }
        }
        return best;
    }

    static void summarize(java.util.Map<String, Object> figures, List<Step> steps) {
        Step best = best(steps);
        figures.put("bestDeliveredPerSecond", best == null ? 0 : best.delivered());
        figures.put("bestP99Micros", best == null ? null : best.p99Micros());
        figures.put("serverCpuSecondsPerMillion", best == null ? null : best.serverCpuPerMillion());
        figures.put("brokerCpuSecondsPerMillion", best == null ? null : best.brokerCpuPerMillion());
        figures.put("loadGeneratorCpuSecondsPerMillion", best == null ? null : best.loadGeneratorCpuPerMillion());
        figures.put("rampEnded", steps.isEmpty() ? "no step" : steps.get(steps.size() - 1).withinLatencyBar()
                ? "highest step asked for reached within the bar" : "p99 over " + Settings.P99_LIMIT_MICROS / 1000 + " ms or not drained");
    }
}
