package io.streamgate.bench.client;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What all clients of one run received: end-to-end latency (producer's send time to client receipt, both read
 * from this JVM's {@link System#nanoTime()}, so no clocks need to agree) in an HdrHistogram, and the counts
 * that prove delivery: events on the wire, events dropped as repeats by cursor (what a cursor-aware client
 * does after a resume), and, after that, sequence gaps (lost) and repeated sequence numbers (duplicated).
 */
public final class Delivery {

    /** Latencies are recorded in microseconds, up to ten minutes. */
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final Recorder latency = new Recorder(HIGHEST_MICROS, 3);
    final LongAdder wire = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder droppedByCursor = new LongAdder();
    final LongAdder duplicated = new LongAdder();
    final LongAdder gaps = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final LongAdder refusedAttempts = new LongAdder();
    final LongAdder unrecovered = new LongAdder();

    void record(long sentNanos, long receivedNanos) {
        delivered.increment();
        long micros = Math.max(0, (receivedNanos - sentNanos) / 1000);
        latency.recordValue(Math.min(micros, HIGHEST_MICROS));
    }

    /** Starts a new measuring interval: latencies recorded so far are discarded. */
    public void resetLatency() {
        latency.reset();
    }

    /** The latencies recorded since the last call (or reset), in microseconds. */
    public Histogram latencySinceLastCall() {
        return latency.getIntervalHistogram();
    }

    public long wire() {
        return wire.sum();
    }

    /** Events handed to the application: on the wire, less those dropped by cursor. */
    public long delivered() {
        return delivered.sum();
    }

    public long droppedByCursor() {
        return droppedByCursor.sum();
    }

    public long duplicated() {
        return duplicated.sum();
    }

    public long gaps() {
        return gaps.sum();
    }

    public long reconnects() {
        return reconnects.sum();
    }

    /**
     * Connection attempts that failed and were retried: upgrades the server refused (429 while it paces new
     * connections, 503) or that did not connect. A server that paces a storm shows here, not only in its time.
     */
    public long refusedAttempts() {
        return refusedAttempts.sum();
    }

    /** Resumes that the server could not honour ({@code recovered: false} after sending a cursor). */
    public long unrecovered() {
        return unrecovered.sum();
    }
}
