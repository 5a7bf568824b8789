package io.streamgate.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Function;

/**
 * Finds the last {@code n} records of a partition that match (a tenant's channel), reading windows of offsets
 * backwards from the log end: the last {@code FIRST_WINDOW} (at least {@code 4n}) offsets, then the window before
 * them, twice as large, and so on, until {@code n} matches were found, the log start was reached, or
 * {@code maxScan} offsets were covered. So a hot channel costs one small window, and a cold channel in a busy
 * partition costs at most {@code maxScan} records read, never the whole log. The matches are kept encoded (at most
 * {@code n}): the scan has proved they are all of the channel's events below {@link Found#end}, so nothing before
 * that offset needs to be read again.
 */
final class TailScan {

    /** The first window: a hot channel's last events are usually in it. */
    static final long FIRST_WINDOW = 256;
    /** Polls in a row that bring nothing although the window is not read to its end: the broker is not answering. */
    private static final int EMPTY_POLLS = 20;

    private TailScan() {
    }

    /**
     * @param events  the matches, oldest first, at most {@code n}
     * @param end     the log end when the scan began: the matches are the last ones below it
     * @param scanned offsets covered, from the log end backwards
     * @param complete false when the scan stopped at {@code maxScan} with fewer than {@code n} matches: older
     *                 matches may exist
     */
    record Found(List<Match> events, long end, long scanned, boolean complete) {
    }

    /** A matching record: its offset and what {@code encode} made of it. */
    record Match(long offset, String frame) {
    }

    /**
     * @param encode the record's frame when it is an event of the channel, else null
     */
    static Found find(HistorySource history, TopicPartition tp, int n, long maxScan,
            Function<ConsumerRecord<String, byte[]>, String> encode) {
        long end = history.logEnd(tp);
        long start = history.logStart(tp);
        long floor = Math.max(start, end - maxScan);
        long hi = end;
        long window = Math.max(FIRST_WINDOW, 4L * n);
        ArrayDeque<Match> found = new ArrayDeque<>(n);
        while (hi > floor && found.size() < n) {
            long lo = Math.max(floor, hi - window);
            List<Match> inWindow;
            try {
                inWindow = readWindow(history, tp, lo, hi, encode, n);
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
        return new Found(List.copyOf(found), end, end - hi, complete);
    }

    /** The last {@code n} matching records in [lo, hi), ascending. */
    private static List<Match> readWindow(HistorySource history, TopicPartition tp, long lo, long hi,
            Function<ConsumerRecord<String, byte[]>, String> encode, int n) {
        ArrayDeque<Match> out = new ArrayDeque<>(n);
        long from = lo;
        int empty = 0;
        while (from < hi) {
            HistorySource.Batch batch = history.read(tp, from);
            for (ConsumerRecord<String, byte[]> r : batch.records()) {
                if (r.offset() >= hi) {
                    return List.copyOf(out);
                }
                String frame = r.offset() >= from ? encode.apply(r) : null;
                if (frame != null) {
                    if (out.size() == n) {
                        out.removeFirst(); // only the last n of a window can be among the last n overall
                    }
                    out.addLast(new Match(r.offset(), frame));
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
        return List.copyOf(out);
    }
}
