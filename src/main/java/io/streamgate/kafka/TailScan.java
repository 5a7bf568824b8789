package io.streamgate.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Finds the last {@code n} records of a partition that match (a tenant's channel), reading windows of offsets
 * backwards from the log end: the last {@code FIRST_WINDOW} (at least {@code 4n}) offsets, then the window before
 * them, twice as large, and so on, until {@code n} matches were found, the log start was reached, or
 * {@code maxScan} offsets were covered. So a hot channel costs one small window, and a cold channel in a busy
 * partition costs at most {@code maxScan} records read, never the whole log.
 */
final class TailScan {

    /** The first window: a hot channel's last events are usually in it. */
    static final long FIRST_WINDOW = 256;
    /** Polls in a row that bring nothing although the window is not read to its end: the broker is not answering. */
    private static final int EMPTY_POLLS = 20;

    private TailScan() {
    }

    /**
     * @param count   matches found, at most {@code n}
     * @param first   the offset of the oldest of them (-1 when none)
     * @param end     the log end when the scan began: the matches are the last ones below it
     * @param scanned offsets covered, from the log end backwards
     * @param complete false when the scan stopped at {@code maxScan} with fewer than {@code n} matches: older
     *                 matches may exist
     */
    record Found(int count, long first, long end, long scanned, boolean complete) {
    }

    static Found find(HistorySource history, TopicPartition tp, int n, long maxScan,
            Predicate<ConsumerRecord<String, byte[]>> matches) {
        long end = history.logEnd(tp);
        long start = history.logStart(tp);
        long floor = Math.max(start, end - maxScan);
        long hi = end;
        long window = Math.max(FIRST_WINDOW, 4L * n);
        ArrayDeque<Long> found = new ArrayDeque<>(n);
        while (hi > floor && found.size() < n) {
            long lo = Math.max(floor, hi - window);
            List<Long> inWindow;
            try {
                inWindow = readWindow(history, tp, lo, hi, matches);
            } catch (HistorySource.PositionLost e) {
                // Retention removed the window's start meanwhile: what is gone is not there to be found.
                start = history.logStart(tp);
                floor = Math.max(floor, start);
                continue;
            }
            for (int i = inWindow.size() - 1; i >= 0 && found.size() < n; i--) {
                found.addFirst(inWindow.get(i));
            }
            hi = lo;
            window *= 2;
        }
        boolean complete = found.size() >= n || hi <= start;
        return new Found(found.size(), found.isEmpty() ? -1 : found.peekFirst(), end, end - hi, complete);
    }

    /** The offsets of the matching records in [lo, hi), ascending. */
    private static List<Long> readWindow(HistorySource history, TopicPartition tp, long lo, long hi,
            Predicate<ConsumerRecord<String, byte[]>> matches) {
        List<Long> out = new ArrayList<>();
        long from = lo;
        int empty = 0;
        while (from < hi) {
            HistorySource.Batch batch = history.read(tp, from);
            for (ConsumerRecord<String, byte[]> r : batch.records()) {
                if (r.offset() >= hi) {
                    return out;
                }
                if (r.offset() >= from && matches.test(r)) {
                    out.add(r.offset());
                }
            }
            if (batch.next() <= from) {
                if (++empty >= EMPTY_POLLS) {
                    throw new IllegalStateException("no records of " + tp + " from offset " + from);
                }
                continue;
            }
            empty = 0;
            from = batch.next();
        }
        return out;
    }
}
