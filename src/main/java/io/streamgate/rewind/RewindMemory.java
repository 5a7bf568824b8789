package io.streamgate.rewind;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamgate.config.StreamgateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The replica's memory for recent events ({@code streamgate.rewind.memory-budget}) and the per-channel cap
 * ({@code streamgate.rewind.max}, also the largest {@code rewind} a client may ask for). Every ring charges its
 * frames here; a ring that would take the replica over the budget gives up its own oldest events.
 */
@ApplicationScoped
public class RewindMemory {

    private final AtomicLong used = new AtomicLong();
    private long budget;
    private int maxEvents;

    RewindMemory() {
        // for CDI
    }

    /** For unit tests. */
    public RewindMemory(long budget, int maxEvents) {
        this.budget = budget;
        this.maxEvents = maxEvents;
    }

    @Inject
    void configure(StreamgateConfig config, MeterRegistry registry) {
        budget = config.rewind().memoryBudget().asLongValue();
        maxEvents = config.rewind().max();
        // [streamgate_rewind_memory_bytes] heap held by the rings of recent events (estimate), at most the budget
        Gauge.builder("streamgate.rewind.memory", used, AtomicLong::get).baseUnit("bytes")
                .description("Heap held by recent events kept for rewind").register(registry);
    }

    /** Events one ring keeps: the largest rewind served from memory. */
    public int maxEvents() {
        return maxEvents;
    }

    public long used() {
        return used.get();
    }

    void charge(long bytes) {
        used.addAndGet(bytes);
    }

    boolean overBudget() {
        return used.get() > budget;
    }
}
