package io.streamgate.bench.client;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The next sequence number of each channel: the producer takes them, clients compare what they received
 * against them. Sequence numbers start at 0 on every channel of a run.
 */
public final class Sequences {

    private final AtomicLongArray next;

    public Sequences(int channels) {
        next = new AtomicLongArray(channels);
    }

    public long take(int channel) {
        return next.getAndIncrement(channel);
    }

    /** How many events were produced to the channel so far. */
    public long produced(int channel) {
        return next.get(channel);
    }

    public int channels() {
        return next.length();
    }

    public long total() {
        long sum = 0;
        for (int i = 0; i < next.length(); i++) {
            sum += next.get(i);
        }
        return sum;
    }
}
