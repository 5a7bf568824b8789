package io.streamgate.rewind;

import io.streamgate.stream.Epoch;

import java.util.ArrayList;
import java.util.List;

/**
 * The most recent event frames of one channel (or one namespace wildcard) of a tenant, as live fan-out encoded
 * them, oldest first, at most {@code capacity}. Fed only while the channel has local subscribers, by fan-out
 * under the partition's seam lock; {@link RecentEvents} drops a ring as soon as fan-out passes an event of its
 * channel without feeding it, so a ring always holds <i>every</i> event of its channel from {@link #coveredFrom}
 * on, and its last {@code n} entries are the channel's last {@code n} events up to the live position.
 * <p>
 * Not thread-safe: its owner ({@link RecentEvents}) guards it.
 */
final class EventRing {

    /** A rough per-entry cost on the heap besides the text: the slot, the String header, the offset. */
    static final int ENTRY_OVERHEAD = 64;

    private final Epoch epoch;
    private final long coveredFrom;
    private final long[] offsets;
    private final String[] frames;
    private int head; // index of the oldest entry
    private int size;
    private long bytes;

    /**
     * @param coveredFrom the offset of the first event fed: nothing of the channel before it is known here
     */
    EventRing(Epoch epoch, long coveredFrom, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.epoch = epoch;
        this.coveredFrom = coveredFrom;
        this.offsets = new long[capacity];
        this.frames = new String[capacity];
    }

    Epoch epoch() {
        return epoch;
    }

    long coveredFrom() {
        return coveredFrom;
    }

    int size() {
        return size;
    }

    long bytes() {
        return bytes;
    }

    /** Appends an event (offsets ascend); evicts the oldest when full. Answers the change of {@link #bytes}. */
    long add(long offset, String frame) {
        if (size > 0 && offset <= offsets[(head + size - 1) % offsets.length]) {
            throw new IllegalArgumentException("offset " + offset + " is not after the last one");
        }
        long before = bytes;
        if (size == offsets.length) {
            dropOldest();
        }
        int at = (head + size) % offsets.length;
        offsets[at] = offset;
        frames[at] = frame;
        size++;
        bytes += cost(frame);
        return bytes - before;
    }

    /** Drops the oldest entry, answering the bytes freed; the rest is still every event after it. */
    long dropOldest() {
        if (size == 0) {
            return 0;
        }
        long freed = cost(frames[head]);
        frames[head] = null;
        head = (head + 1) % offsets.length;
        size--;
        bytes -= freed;
        return freed;
    }

    /** The last {@code n} events (n at most {@link #size}), oldest first. */
    List<Entry> last(int n) {
        if (n > size) {
            throw new IllegalArgumentException(n + " > " + size);
        }
        List<Entry> out = new ArrayList<>(n);
        for (int i = size - n; i < size; i++) {
            int at = (head + i) % offsets.length;
            out.add(new Entry(offsets[at], frames[at]));
        }
        return out;
    }

    /** Heap cost of an entry: Latin-1 strings take a byte a character, others two; two is the safe estimate. */
    static long cost(String frame) {
        return ENTRY_OVERHEAD + 2L * frame.length();
    }

    /** One event: its offset and its {@code event} frame. */
    record Entry(long offset, String frame) {
    }
}
