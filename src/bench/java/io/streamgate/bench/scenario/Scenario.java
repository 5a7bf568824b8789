package io.streamgate.bench.scenario;

import io.streamgate.bench.client.Fleet;
import io.streamgate.bench.stack.ServerUnderTest;

import java.util.List;
import java.util.function.Supplier;

/** One of the scenarios, run against each compared system in turn, each on a freshly started server. */
public interface Scenario {

    /** A short id (file names, JSON). */
    String id();

    String title();

    /** The systems compared in this scenario, in report order, each made fresh. */
    List<Supplier<ServerUnderTest>> systems();

    /** Whether the servers must keep history for resuming clients. */
    default boolean needsRecovery() {
        return false;
    }

    /** Runs against a started server; the figures and steps go into the result. */
    RunResult run(ServerUnderTest server, Fleet fleet) throws Exception;
}
