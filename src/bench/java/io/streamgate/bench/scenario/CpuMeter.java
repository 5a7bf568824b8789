package io.streamgate.bench.scenario;

import io.streamgate.bench.stack.ManagedProcess;
import io.streamgate.bench.stack.ServerUnderTest;

/**
 * CPU seconds used over an interval by the server, its broker (if any) and the load generator itself, each
 * from /proc: on two shared cores the load generator's share is part of the picture.
 */
final class CpuMeter {

    private final ServerUnderTest server;
    private final double server0;
    private final double broker0;
    private final double self0;

    CpuMeter(ServerUnderTest server) {
        this.server = server;
        this.server0 = server.server().cpuSeconds();
        this.broker0 = server.broker().map(ManagedProcess::cpuSeconds).orElse(0.0);
        this.self0 = ManagedProcess.cpuSecondsOfSelf();
    }

    Reading read() {
        return new Reading(server.server().cpuSeconds() - server0,
                server.broker().map(ManagedProcess::cpuSeconds).orElse(0.0) - broker0,
                ManagedProcess.cpuSecondsOfSelf() - self0);
    }

    record Reading(double server, double broker, double loadGenerator) {
    }
}
