package io.streamgate.bench.scenario;

/**
 * One rate of a ramp, measured over the step's window.
 *
 * @param offered           events/s asked of the producer, times subscribers per event: deliveries/s asked for
 * @param delivered         deliveries/s that reached clients during the window
 * @param p50Micros         latency percentiles, producer to client, of deliveries in the window
 * @param serverCpu         CPU seconds the server used in the window (broker and load generator apart)
 * @param drained           whether every client got every event after the producer paused
 */
public record Step(double offered, double delivered, long p50Micros, long p99Micros, long p999Micros, long maxMicros,
        double serverCpu, double brokerCpu, double loadGeneratorCpu, double windowSeconds, boolean drained) {

    /** CPU seconds the server spent per million deliveries. */
    public double serverCpuPerMillion() {
        return delivered <= 0 ? Double.NaN : serverCpu / (delivered * windowSeconds) * 1e6;
    }

    public double loadGeneratorCpuPerMillion() {
        return delivered <= 0 ? Double.NaN : loadGeneratorCpu / (delivered * windowSeconds) * 1e6;
    }

    public double brokerCpuPerMillion() {
        return delivered <= 0 ? Double.NaN : brokerCpu / (delivered * windowSeconds) * 1e6;
    }

    public boolean withinLatencyBar() {
        return drained && p99Micros <= io.streamgate.bench.Settings.P99_LIMIT_MICROS;
    }
}
