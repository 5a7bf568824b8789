package io.streamgate.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The backward scan that finds where a rewind from Kafka starts: what it finds, and what it reads to find it. */
class TailScanTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);
    /** Records one read brings, as a fetch does. */
    private static final long PER_READ = 100;

    /** A partition of records keyed "mine" or "other"; counts the offsets read. */
    static final class Log implements HistorySource {
        final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        long start;
        long read;
        long lowestRead = Long.MAX_VALUE;

        Log add(String key, int count) {
            for (int i = 0; i < count; i++) {
                records.add(new ConsumerRecord<>("t", 0, records.size(), key, new byte[0]));
            }
            return this;
        }

        @Override
        public long logStart(TopicPartition tp) {
            return start;
        }

        @Override
        public long logEnd(TopicPartition tp) {
            return records.size();
        }

        @Override
        public Batch read(TopicPartition tp, long from) {
            if (from < start) {
                throw new PositionLost("gone", null);
            }
            int to = (int) Math.min(records.size(), from + PER_READ);
            read += to - from;
            lowestRead = Math.min(lowestRead, from);
            return new Batch(List.copyOf(records.subList((int) from, to)), to);
        }

        @Override
        public void close() {
        }
    }

    private static TailScan.Found find(Log log, int n, long maxScan) {
        return TailScan.find(log, TP, n, maxScan, r -> "mine".equals(r.key()) ? "frame " + r.offset() : null);
    }

    private static long first(TailScan.Found found) {
        return found.events().isEmpty() ? -1 : found.events().get(0).offset();
    }

    @Test
    void aHotChannelCostsOneSmallWindow() {
        Log log = new Log().add("other", 100_000).add("mine", 50);
        TailScan.Found found = find(log, 10, 1_000_000);
        assertThat(found.events().size()).isEqualTo(10);
        assertThat(first(found)).isEqualTo(100_040);
        assertThat(found.events()).extracting(TailScan.Match::frame).endsWith("frame 100049");
        assertThat(found.end()).isEqualTo(100_050);
        assertThat(found.complete()).isTrue();
        assertThat(log.read).isEqualTo(TailScan.FIRST_WINDOW);
    }

    @Test
    void aColdChannelIsFoundInWindowsThatDoubleBackwards() {
        Log log = new Log().add("mine", 3).add("other", 5_000).add("mine", 2).add("other", 3_000);
        TailScan.Found found = find(log, 4, 1_000_000);
        assertThat(found.events().size()).isEqualTo(4);
        assertThat(found.events()).extracting(TailScan.Match::offset).containsExactly(1L, 2L, 5_003L, 5_004L);
        assertThat(found.complete()).isTrue();
        // 256, 512, 1024, 2048, 4096 (to offset 1,088), 8192 (to 0): the whole log once, plus what the last read of
        // each window brings from beyond its end (at most one read's worth: Kafka fetches do not stop at an offset)
        assertThat(log.read).isBetween(8_005L, 8_005L + 6 * PER_READ);
    }

    @Test
    void theBoundStopsTheScanAndSaysItIsIncomplete() {
        Log log = new Log().add("mine", 3).add("other", 100_000).add("mine", 2);
        TailScan.Found found = find(log, 5, 10_000);
        assertThat(found.events().size()).isEqualTo(2);
        assertThat(first(found)).isEqualTo(100_003);
        assertThat(found.complete()).isFalse();
        assertThat(found.scanned()).isEqualTo(10_000);
        assertThat(log.read).as("six windows, each read to its end").isBetween(10_000L, 10_000L + 6 * PER_READ);
        assertThat(log.lowestRead).isEqualTo(100_005 - 10_000);
    }

    @Test
    void fewerThanAskedInTheWholeLogIsComplete() {
        Log log = new Log().add("mine", 2).add("other", 700);
        TailScan.Found found = find(log, 10, 1_000_000);
        assertThat(found.events().size()).isEqualTo(2);
        assertThat(first(found)).isZero();
        assertThat(found.complete()).isTrue();
    }

    @Test
    void nothingToFindInAnEmptyLog() {
        TailScan.Found found = find(new Log(), 10, 1_000);
        assertThat(found.events().size()).isZero();
        assertThat(first(found)).isEqualTo(-1);
        assertThat(found.complete()).isTrue();
    }

    @Test
    void retentionDuringTheScanEndsItAtTheNewLogStart() {
        Log log = new Log().add("mine", 5).add("other", 1_000);
        log.start = 3; // records below 3 are gone: a window reaching below it is read from the new start
        TailScan.Found found = find(log, 10, 1_000_000);
        assertThat(found.events().size()).isEqualTo(2);
        assertThat(first(found)).isEqualTo(3);
        assertThat(found.complete()).isTrue();
    }
}
