package io.streamgate.kafka;

import io.streamgate.protocol.OutboundFrame;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler's rules against an in-memory log and live position: shared reads, turns between tenants,
 * parking, lost positions, limits. Kafka itself is exercised by ResumeTest, ReplayAtScaleTest and
 * MultiReplicaIT.
 */
class ReplaySchedulerTest {

    private static final TopicPartition P0 = new TopicPartition("events", 0);
    private static final TopicPartition P1 = new TopicPartition("events", 1);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Log log = new Log();
    private final Seam seam = new Seam();
    private ReplayScheduler scheduler;

    @AfterEach
    void stop() {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private ReplayScheduler scheduler(int workers, int maxWaiting, int recordsPerTurn, Duration grace) {
        scheduler = new ReplayScheduler(new ReplayScheduler.Limits(workers, maxWaiting, recordsPerTurn, grace),
                () -> new History(log), seam);
        return scheduler;
    }

    @Test
    void stormOfResumesOnOnePartitionIsServedByOneSequentialReadAndOneEncodingPerRecord() {
        log.append(P0, "a", "s", 1000);
        log.append(P0, "other", "s", 1000); // another tenant's records in the same partition
        seam.at(P0, 2000);
        scheduler(4, 10_000, 100_000, Duration.ofSeconds(5));
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long after = i % 2 == 0 ? -1 : 499; // two cursors: half from the start, half from the middle
            Target t = new Target("a", "ch:s", "s");
            targets.add(t);
            assertThat(scheduler.submit("a", P0, after, t)).isTrue();
        }
        scheduler.start(); // everything was queued before the first turn: one turn serves all

        await(() -> targets.stream().allMatch(t -> t.wentLive.get() >= 0));
        for (int i = 0; i < targets.size(); i++) {
            long first = i % 2 == 0 ? 0 : 500;
            assertThat(targets.get(i).offsets).containsExactlyElementsOf(LongStream.range(first, 1000).boxed().toList());
            assertThat(targets.get(i).wentLive.get()).isEqualTo(2000);
        }
        assertThat(scheduler.recordsRead()).isEqualTo(2000); // the partition once, not 200 times
        assertThat(scheduler.reads()).isEqualTo(2000 / History.PER_READ);
        assertThat(Target.encodings.get()).isEqualTo(1000); // once per record of the channel, not per client
        assertThat(scheduler.waiting()).isZero();
    }

    @Test
    void aStormOnManyChannelsReadsEachRecordsSubjectOncePerFetchNotOncePerChannel() {
        for (int round = 0; round < 4; round++) {
            for (int c = 0; c < 50; c++) {
                log.append(P0, "a", "s" + c, 5); // 1,000 records of 50 channels, interleaved in runs of 5
            }
        }
        log.append(P0, "other", "s0", 100); // another tenant's: never read for a subject
        seam.at(P0, 1100);
        scheduler(1, 10_000, 100_000, Duration.ofSeconds(5));
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Target t = new Target("a", "ch:s" + (i % 50), "s" + (i % 50));
            targets.add(t);
            scheduler.submit("a", P0, -1, t);
        }
        scheduler.start();

        await(() -> targets.stream().allMatch(t -> t.wentLive.get() >= 0));
        for (Target t : targets) {
            assertThat(t.offsets).hasSize(20).isSorted();
        }
        assertThat(scheduler.recordsRead()).isEqualTo(1100);
        // Each of the tenant's records once, for the 50 channels and 500 clients alike (it was once per channel).
        assertThat(Target.subjectReads.get()).isEqualTo(1000);
        assertThat(Target.encodings.get()).isEqualTo(1000);
    }

    @Test
    void eachFetchGoesOutAsOneWriteBatchHoldingEveryClientsFramesInOffsetOrder() {
        log.append(P0, "a", "s", 1000);
        seam.at(P0, 1000);
        scheduler(1, 10_000, 100_000, Duration.ofSeconds(5));
        FetchBatch.written.clear();
        Target fromStart = new Target("a", "ch:s", "s");
        Target fromMiddle = new Target("a", "ch:s", "s");
        Target wildcard = new Target("a", "ch:*", "s"); // another channel: its own frames, in the same batches
        scheduler.submit("a", P0, -1, fromStart);
        scheduler.submit("a", P0, 549, fromMiddle);
        scheduler.submit("a", P0, -1, wildcard);
        scheduler.start();

        await(() -> fromStart.wentLive.get() == 1000 && fromMiddle.wentLive.get() == 1000 && wildcard.wentLive.get() == 1000);
        assertThat(fromStart.offsets).containsExactlyElementsOf(LongStream.range(0, 1000).boxed().toList());
        assertThat(wildcard.offsets).containsExactlyElementsOf(LongStream.range(0, 1000).boxed().toList());
        assertThat(fromMiddle.offsets).containsExactlyElementsOf(LongStream.range(550, 1000).boxed().toList());
        // One batch per fetch (every fetch here had events for someone), dispatched after the fetch was served.
        assertThat(FetchBatch.written).hasSize((int) scheduler.reads());
        assertThat(scheduler.reads()).isEqualTo(1000 / History.PER_READ);
        for (int i = 0; i < FetchBatch.written.size(); i++) {
            FetchBatch b = FetchBatch.written.get(i);
            long first = (long) i * History.PER_READ;
            long middle = Math.max(0, first + History.PER_READ - Math.max(first, 550)); // fromMiddle's share
            assertThat(b.handed).as("fetch %d", i).hasSize((int) (2 * History.PER_READ + middle))
                    .allMatch(o -> o >= first && o < first + History.PER_READ);
            assertThat(b.tracked).as("one frame per record and channel").hasSize(2 * History.PER_READ);
        }
    }

    @Test
    void aTenantReadingAWholePartitionTakesTurnsWithAnotherTenantsSmallResume() {
        log.append(P0, "big", "s", 50_000);
        log.append(P1, "small", "s", 100);
        seam.at(P0, 50_000);
        seam.at(P1, 100);
        scheduler(1, 10_000, 1_000, Duration.ofSeconds(5));
        Target big = new Target("big", "ch:s", "s");
        Target small = new Target("small", "ch:s", "s");
        AtomicLong bigReceivedWhenSmallWentLive = new AtomicLong(-1);
        small.onLive = () -> bigReceivedWhenSmallWentLive.set(big.offsets.size());
        scheduler.submit("big", P0, -1, big);
        scheduler.start();
        await(() -> big.offsets.size() > 0);
        scheduler.submit("small", P1, -1, small);

        await(() -> small.wentLive.get() == 100 && big.wentLive.get() == 50_000);
        assertThat(small.offsets).hasSize(100);
        // The small resume waited for at most the turn in progress and one more, not for the whole partition.
        assertThat(bigReceivedWhenSmallWentLive.get()).isLessThanOrEqualTo(3_000);
        assertThat(big.offsets).containsExactlyElementsOf(LongStream.range(0, 50_000).boxed().toList());
    }

    @Test
    void aBackedUpClientParksWithoutHoldingItsWorkerAndContinuesOnceDrained() {
        log.append(P0, "stalled", "s", 500);
        log.append(P1, "other", "s", 100);
        seam.at(P0, 500);
        seam.at(P1, 100);
        scheduler(1, 10_000, 100_000, Duration.ofSeconds(30));
        Target stalled = new Target("stalled", "ch:s", "s");
        stalled.backUpAfter = 50;
        Target other = new Target("other", "ch:s", "s");
        scheduler.submit("stalled", P0, -1, stalled);
        scheduler.start();
        await(() -> scheduler.parked() == 1);
        scheduler.submit("other", P1, -1, other);

        await(() -> other.wentLive.get() == 100); // the one worker was free for another tenant
        assertThat(stalled.wentLive.get()).isEqualTo(-1);
        stalled.backedUp.set(false);
        stalled.backUpAfter = Long.MAX_VALUE;
        await(() -> stalled.wentLive.get() == 500);
        assertThat(stalled.offsets).containsExactlyElementsOf(LongStream.range(0, 500).boxed().toList());
        assertThat(stalled.slow.get()).isFalse();
    }

    @Test
    void aClientBackedUpPastTheGraceIsClosedAsSlowAndLeavesNothingWaiting() {
        log.append(P0, "stalled", "s", 500);
        seam.at(P0, 500);
        scheduler(1, 10_000, 100_000, Duration.ofMillis(300));
        Target stalled = new Target("stalled", "ch:s", "s");
        stalled.backUpAfter = 50;
        scheduler.submit("stalled", P0, -1, stalled);
        scheduler.start();

        await(() -> stalled.slow.get());
        assertThat(scheduler.waiting()).isZero();
        assertThat(scheduler.parked()).isZero();
        assertThat(scheduler.closedSlow()).isEqualTo(1);
        assertThat(stalled.wentLive.get()).isEqualTo(-1);
    }

    @Test
    void aPositionLostAfterStartedEndsTheResumeOnceAndNeverStartsItAgain() {
        log.append(P0, "a", "s", 1000);
        seam.at(P0, 1000);
        scheduler(1, 10_000, 100_000, Duration.ofSeconds(5));
        Target t = new Target("a", "ch:s", "s");
        t.backUpAfter = 150;
        scheduler.submit("a", P0, -1, t);
        scheduler.start();
        await(() -> scheduler.parked() == 1);
        log.deleteBefore(P0, 800); // retention, while the client was parked
        t.backedUp.set(false);
        t.backUpAfter = Long.MAX_VALUE;

        await(() -> t.lost.get() != null);
        assertThat(t.lost.get()).isEqualTo("expired");
        assertThat(t.started.get()).isEqualTo(1);
        assertThat(t.rejected.get()).isNull();
        assertThat(t.wentLive.get()).isEqualTo(-1);
        assertThat(scheduler.waiting()).isZero();
    }

    @Test
    void aLostPositionEndsOnlyTheResumesThatNeededTheDeletedRecords() {
        log.append(P0, "a", "s", 1000);
        seam.at(P0, 1000);
        scheduler(1, 10_000, 100_000, Duration.ofSeconds(5));
        Target behind = new Target("a", "ch:s", "s");
        Target ahead = new Target("a", "ch:s", "s");
        scheduler.submit("a", P0, -1, behind);
        scheduler.submit("a", P0, 899, ahead);
        log.deleteAtNextRead.put(P0, 500L); // confirmed at offset 0, gone before the first read
        scheduler.start();

        await(() -> behind.lost.get() != null && ahead.wentLive.get() >= 0);
        assertThat(behind.lost.get()).isEqualTo("expired");
        assertThat(behind.offsets).isEmpty();
        assertThat(ahead.lost.get()).isNull();
        assertThat(ahead.offsets).containsExactlyElementsOf(LongStream.range(900, 1000).boxed().toList());
        assertThat(behind.started.get()).isEqualTo(1);
        assertThat(scheduler.waiting()).isZero();
    }

    @Test
    void cursorsTheLogCannotHonourAreRejectedBeforeAnythingIsConfirmed() {
        log.append(P0, "a", "s", 100);
        log.deleteBefore(P0, 10);
        seam.at(P0, 100);
        scheduler(1, 10_000, 100_000, Duration.ofSeconds(5));
        Target expired = new Target("a", "ch:s", "s");
        Target ahead = new Target("a", "ch:s", "s");
        Target atTheEnd = new Target("a", "ch:s", "s");
        scheduler.submit("a", P0, 5, expired);
        scheduler.submit("a", P0, 500, ahead);
        scheduler.submit("a", P0, 99, atTheEnd);
        scheduler.start();

        await(() -> expired.rejected.get() != null && ahead.rejected.get() != null && atTheEnd.wentLive.get() >= 0);
        assertThat(expired.rejected.get()).isEqualTo("expired");
        assertThat(ahead.rejected.get()).isEqualTo("invalid");
        assertThat(expired.started.get() + ahead.started.get()).isZero();
        assertThat(atTheEnd.offsets).isEmpty();
        assertThat(atTheEnd.wentLive.get()).isEqualTo(100);
    }

    @Test
    void aTenantWithTooManyResumesWaitingIsRefusedAndOthersAreNot() {
        log.append(P0, "a", "s", 10);
        seam.at(P0, 10);
        scheduler(1, 2, 100_000, Duration.ofSeconds(5)); // not started: nothing leaves the line
        assertThat(scheduler.submit("a", P0, -1, new Target("a", "ch:s", "s"))).isTrue();
        assertThat(scheduler.submit("a", P0, -1, new Target("a", "ch:s", "s"))).isTrue();
        assertThat(scheduler.submit("a", P0, -1, new Target("a", "ch:s", "s"))).isFalse();
        assertThat(scheduler.submit("b", P0, -1, new Target("b", "ch:s", "s"))).isTrue();
        assertThat(scheduler.waiting()).isEqualTo(3);
    }

    @Test
    void aReadPastTheLivePositionHandsOverAtTheReadPosition() {
        log.append(P0, "a", "s", 300);
        seam.at(P0, 100); // the live consumer is behind the log end; one read brings records 50..149
        scheduler(1, 10_000, 100_000, Duration.ofSeconds(5));
        Target t = new Target("a", "ch:s", "s");
        scheduler.submit("a", P0, 49, t);
        scheduler.start();
        await(() -> t.wentLive.get() >= 0);
        assertThat(t.wentLive.get()).isEqualTo(150); // live skips what replay delivered
        assertThat(t.offsets).containsExactlyElementsOf(LongStream.range(50, 150).boxed().toList());
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // --- fakes -----------------------------------------------------------------------------------------

    /** A log per partition: records with tenant key and subject header, and a log start offset. */
    static final class Log {
        final Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> records = new ConcurrentHashMap<>();
        final Map<TopicPartition, Long> start = new ConcurrentHashMap<>();

        synchronized void append(TopicPartition tp, String tenant, String subject, int n) {
            List<ConsumerRecord<String, byte[]>> list = records.computeIfAbsent(tp, k -> new ArrayList<>());
            for (int i = 0; i < n; i++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("subject", subject.getBytes(StandardCharsets.UTF_8));
                list.add(new ConsumerRecord<>(tp.topic(), tp.partition(), list.size(), 0L, TimestampType.CREATE_TIME, -1, -1,
                        tenant, "{}".getBytes(StandardCharsets.UTF_8), headers, Optional.empty()));
            }
        }

        /** Retention that strikes right before the next read of the partition. */
        final Map<TopicPartition, Long> deleteAtNextRead = new ConcurrentHashMap<>();

        void deleteBefore(TopicPartition tp, long offset) {
            start.put(tp, offset);
        }

        long start(TopicPartition tp) {
            return start.getOrDefault(tp, 0L);
        }

        synchronized long end(TopicPartition tp) {
            return records.getOrDefault(tp, List.of()).size();
        }
    }

    static final class History implements HistorySource {
        static final int PER_READ = 100;
        private final Log log;

        History(Log log) {
            this.log = log;
        }

        @Override
        public long logStart(TopicPartition tp) {
            return log.start(tp);
        }

        @Override
        public long logEnd(TopicPartition tp) {
            return log.end(tp);
        }

        @Override
        public Batch read(TopicPartition tp, long from) {
            Long delete = log.deleteAtNextRead.remove(tp);
            if (delete != null) {
                log.deleteBefore(tp, delete);
            }
            if (from < log.start(tp)) {
                throw new PositionLost("gone", null);
            }
            synchronized (log) {
                List<ConsumerRecord<String, byte[]>> all = log.records.getOrDefault(tp, List.of());
                int to = (int) Math.min(all.size(), from + PER_READ);
                return new Batch(from >= to ? List.of() : List.copyOf(all.subList((int) from, to)), Math.max(from, to));
            }
        }

        @Override
        public void close() {
        }
    }

    static final class Seam implements ReplayScheduler.LiveSeam {
        private final Map<TopicPartition, Long> next = new ConcurrentHashMap<>();

        void at(TopicPartition tp, long offset) {
            next.put(tp, offset);
        }

        @Override
        public long next(TopicPartition tp) {
            return next.getOrDefault(tp, -1L);
        }

        @Override
        public synchronized <T> T atSeam(TopicPartition tp, LongFunction<T> action) {
            return action.apply(next(tp));
        }
    }

    /** A fetch's writes as the scheduler builds them: tracked frames, and one dispatch at the end. */
    static final class FetchBatch implements ReplayTarget.Batch {
        static final List<FetchBatch> written = new CopyOnWriteArrayList<>();

        final List<OutboundFrame> tracked = new ArrayList<>();
        /** Offsets handed over into this batch, whichever client they were for. */
        final List<Long> handed = new ArrayList<>();
        volatile boolean dispatched;

        @Override
        public void track(OutboundFrame frame) {
            assertThat(dispatched).isFalse();
            tracked.add(frame);
        }

        @Override
        public void dispatch() {
            assertThat(dispatched).as("dispatched once").isFalse();
            dispatched = true;
            FetchBatch.written.add(this);
        }
    }

    static final class Target implements ReplayTarget {
        static final AtomicInteger encodings = new AtomicInteger();
        /** Subjects read from records, by any target. */
        static final AtomicInteger subjectReads = new AtomicInteger();

        final String tenant;
        final String channel;
        final String subject;
        final List<Long> offsets = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger started = new AtomicInteger();
        final AtomicLong wentLive = new AtomicLong(-1);
        final AtomicBoolean backedUp = new AtomicBoolean();
        final AtomicBoolean slow = new AtomicBoolean();
        final java.util.concurrent.atomic.AtomicReference<String> rejected = new java.util.concurrent.atomic.AtomicReference<>();
        final java.util.concurrent.atomic.AtomicReference<String> lost = new java.util.concurrent.atomic.AtomicReference<>();
        volatile long backUpAfter = Long.MAX_VALUE;
        volatile Runnable onLive = () -> {
        };

        Target(String tenant, String channel, String subject) {
            this.tenant = tenant;
            this.channel = channel;
            this.subject = subject;
            encodings.set(0);
            subjectReads.set(0);
        }

        @Override
        public String channel() {
            return channel;
        }

        @Override
        public void rejected(String reason) {
            rejected.set(reason);
        }

        @Override
        public void started() {
            started.incrementAndGet();
        }

        @Override
        public boolean isTenants(ConsumerRecord<String, byte[]> record) {
            return tenant.equals(record.key());
        }

        @Override
        public String subjectOf(ConsumerRecord<String, byte[]> record) {
            subjectReads.incrementAndGet();
            return new String(record.headers().lastHeader("subject").value(), StandardCharsets.UTF_8);
        }

        @Override
        public boolean wants(String subject) {
            return this.subject.equals(subject);
        }

        @Override
        public OutboundFrame encode(ConsumerRecord<String, byte[]> record, String subject) {
            encodings.incrementAndGet();
            return new OutboundFrame("event " + record.offset());
        }

        @Override
        public ReplayTarget.Batch newBatch() {
            return new FetchBatch();
        }

        @Override
        public void replayed(long offset, OutboundFrame frame, ReplayTarget.Batch batch) {
            assertThat(frame.text()).isEqualTo("event " + offset);
            FetchBatch b = (FetchBatch) batch;
            assertThat(b.tracked).as("tracked before it is handed over").contains(frame);
            assertThat(b.dispatched).as("handed over before the batch is written").isFalse();
            b.handed.add(offset);
            offsets.add(offset);
            if (offsets.size() >= backUpAfter) {
                backedUp.set(true);
            }
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isBackedUp() {
            return backedUp.get();
        }

        @Override
        public boolean tryGoLive(long position) {
            wentLive.set(position);
            onLive.run();
            return true;
        }

        @Override
        public void lost(String reason) {
            lost.set(reason);
        }

        @Override
        public void tooSlow() {
            slow.set(true);
        }

        @Override
        public void failed(Throwable cause) {
            throw new AssertionError("unexpected failure", cause);
        }
    }
}
