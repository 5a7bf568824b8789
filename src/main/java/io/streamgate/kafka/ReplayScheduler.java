package io.streamgate.kafka;

import io.streamgate.protocol.OutboundFrame;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Reads history for resuming subscriptions: shared reads, turns, parking.
 * <p>
 * <b>Shared reads.</b> The resumes of one tenant in one partition form a <i>job</i>. A turn of a job reads the
 * partition once, from the lowest position any of its resumes still needs, and serves every resume from its
 * own position: a record goes to a resume once the read has passed that resume's cursor. The record is
 * matched and encoded once per channel, not once per client. A resume that reaches the live consumer's
 * position is handed to live delivery at the seam, under the partition's lock ({@link LiveSeam#atSeam}). So
 * a reconnect storm of one tenant costs about one sequential read per partition, and one pair of offset
 * look-ups per turn instead of one per client. Resumes that arrive while a turn runs join the next turn.
 * <p>
 * <b>Turns.</b> Tenants take turns round-robin, and within a tenant its jobs do; a turn ends after
 * {@code recordsPerTurn} records read (or {@code TURN_TIME}), and the job goes to the back of its tenant's
 * line. A resume from the start of a large partition therefore delays another tenant's resume by at most a
 * turn per worker, not by the whole read. Each tenant may have at most {@code maxWaitingPerTenant} resumes
 * on this replica that have not gone live yet; {@link #submit} refuses more.
 * <p>
 * <b>Parking.</b> A resume whose client is backed up (its outbound queue more than half full) leaves the turn
 * and is parked; it holds no worker. It rejoins its job once the client has drained; a client still backed up
 * after {@code slowGrace} is closed as a slow consumer ({@link ReplayTarget#tooSlow}), as live delivery does.
 * <p>
 * Threads: {@code workers} worker threads, each with its own {@link HistorySource}; one thread that watches
 * parked resumes. The queues are guarded by one lock, held only to move resumes and jobs between lines,
 * never while reading Kafka or calling a target (except the cheap {@code isBackedUp}/{@code isCancelled}).
 */
public final class ReplayScheduler implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReplayScheduler.class);
    /** Longest turn when reads bring little (sparse or empty polls). */
    static final Duration TURN_TIME = Duration.ofMillis(200);
    private static final long PARK_CHECK_MILLIS = 1;

    /**
     * @param workers             threads reading Kafka at the same time (each one consumer)
     * @param maxWaitingPerTenant resumes of one tenant on this replica not yet live; more are refused
     * @param recordsPerTurn      records a job may read before the next job (of the next tenant) gets a worker
     * @param slowGrace           how long a parked resume's client may stay backed up before it is closed
     */
    public record Limits(int workers, int maxWaitingPerTenant, int recordsPerTurn, Duration slowGrace) {
    }

    /** The live side of the seam: where the live consumer stands, and its per-partition lock. */
    public interface LiveSeam {
        /** The offset of the next record live fan-out will deliver, -1 while the partition is not read. */
        long next(TopicPartition tp);

        /** Runs {@code action} with {@code next} while fan-out of the partition is excluded. */
        <T> T atSeam(TopicPartition tp, LongFunction<T> action);
    }

    /** One subscription's resume. Its fields are guarded by {@link #lock}, except as noted. */
    private static final class Resume {
        final ReplayTarget target;
        final Job job;
        /** Next offset to deliver; touched by the worker running the job (turns are handed over under the lock). */
        long next;
        /** Validated and confirmed; same rule as {@code next}. */
        boolean started;
        /** Its client backed up during the current batch: it gets no more of it; same rule as {@code next}. */
        boolean halted;
        /** When it was parked (nanoTime), 0 while not parked. */
        long parkedAt;
        boolean done;

        Resume(ReplayTarget target, Job job, long next) {
            this.target = target;
            this.job = job;
            this.next = next;
        }
    }

    /** The resumes of one tenant in one partition. Guarded by {@link #lock}. */
    private static final class Job {
        final TenantLine tenant;
        final TopicPartition tp;
        final List<Resume> resumes = new ArrayList<>();
        boolean running;
        boolean queued;

        Job(TenantLine tenant, TopicPartition tp) {
            this.tenant = tenant;
            this.tp = tp;
        }

        boolean hasRunnable() {
            for (Resume r : resumes) {
                if (r.parkedAt == 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A tenant's jobs and its line of runnable jobs. Guarded by {@link #lock}. */
    private static final class TenantLine {
        final String tenant;
        final Map<TopicPartition, Job> jobs = new HashMap<>();
        final ArrayDeque<Job> runnable = new ArrayDeque<>();
        int resumes;
        boolean inTurns;

        TenantLine(String tenant) {
            this.tenant = tenant;
        }
    }

    private final Object lock = new Object();
    private final Map<String, TenantLine> tenants = new HashMap<>();
    /** Tenants with a runnable job, in turn order. */
    private final ArrayDeque<TenantLine> turns = new ArrayDeque<>();
    private final List<Resume> parked = new ArrayList<>();
    private int waiting;

    private final Limits limits;
    private final Supplier<HistorySource> histories;
    private final LiveSeam seam;
    private final List<Worker> workers = new ArrayList<>();
    private final Thread parkWatch;
    private volatile boolean running = true;

    private final LongAdder reads = new LongAdder();
    private final LongAdder recordsRead = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder turnsTaken = new LongAdder();
    private final LongAdder tooSlow = new LongAdder();
    private volatile java.util.function.DoubleConsumer onDelivered = n -> {
    };

    public ReplayScheduler(Limits limits, Supplier<HistorySource> histories, LiveSeam seam) {
        this.limits = limits;
        this.histories = histories;
        this.seam = seam;
        for (int i = 0; i < limits.workers(); i++) {
            workers.add(new Worker(i));
        }
        parkWatch = new Thread(this::watchParked, "streamgate-replay-parked");
        parkWatch.setDaemon(true);
    }

    /** Told how many replayed events each batch handed to clients (for a meter). */
    public void onDelivered(java.util.function.DoubleConsumer counter) {
        this.onDelivered = counter;
    }

    public void start() {
        workers.forEach(Thread::start);
        parkWatch.start();
    }

    @Override
    public void close() {
        running = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        workers.forEach(Worker::shutdown);
    }

    /**
     * Queues the replay of everything in {@code tp} after offset {@code after} for one of the tenant's
     * subscriptions.
     *
     * @return false when the tenant already has {@code maxWaitingPerTenant} resumes waiting on this replica
     *         (nothing was queued; the caller answers the client)
     */
    public boolean submit(String tenant, TopicPartition tp, long after, ReplayTarget target) {
        synchronized (lock) {
            TenantLine line = tenants.computeIfAbsent(tenant, TenantLine::new);
            if (line.resumes >= limits.maxWaitingPerTenant()) {
                return false;
            }
            Job job = line.jobs.computeIfAbsent(tp, k -> new Job(line, k));
            job.resumes.add(new Resume(target, job, after + 1));
            line.resumes++;
            waiting++;
            makeRunnable(job);
        }
        return true;
    }

    /** Resumes on this replica not yet live (waiting, being read or parked). */
    public int waiting() {
        synchronized (lock) {
            return waiting;
        }
    }

    /** Resumes parked because their client is backed up. */
    public int parked() {
        synchronized (lock) {
            return parked.size();
        }
    }

    /** Reads (fetches) issued to Kafka for history. */
    public long reads() {
        return reads.sum();
    }

    /** Records read from Kafka for history, whoever they were for. */
    public long recordsRead() {
        return recordsRead.sum();
    }

    /** Replayed events handed to clients. */
    public long delivered() {
        return delivered.sum();
    }

    /** Turns given to jobs. */
    public long turns() {
        return turnsTaken.sum();
    }

    /** Clients closed because they stayed backed up while parked. */
    public long closedSlow() {
        return tooSlow.sum();
    }

    // --- lines (all under the lock) ------------------------------------------------------------------

    private void makeRunnable(Job job) {
        if (job.running || job.queued || !job.hasRunnable()) {
            return;
        }
        job.queued = true;
        job.tenant.runnable.add(job);
        if (!job.tenant.inTurns) {
            job.tenant.inTurns = true;
            turns.add(job.tenant);
        }
        lock.notifyAll();
    }

    private Job take() throws InterruptedException {
        synchronized (lock) {
            while (running && turns.isEmpty()) {
                lock.wait();
            }
            if (!running) {
                return null;
            }
            TenantLine line = turns.poll();
            line.inTurns = false;
            Job job = line.runnable.poll();
            job.queued = false;
            job.running = true;
            if (!line.runnable.isEmpty()) {
                line.inTurns = true;
                turns.add(line);
            }
            turnsTaken.increment();
            return job;
        }
    }

    /**
     * The turn is over: the job goes to the back of its tenant's line when it has work left. Answers true
     * when nobody else is waiting for a worker, so the caller may go on with the same job (and the same
     * consumer position) at once.
     */
    private boolean endTurn(Job job) {
        synchronized (lock) {
            job.running = false;
            if (job.hasRunnable()) {
                if (turns.isEmpty() && running) {
                    job.running = true;
                    turnsTaken.increment();
                    return true;
                }
                makeRunnable(job);
            } else if (job.resumes.isEmpty()) {
                forget(job);
            }
            return false;
        }
    }

    private List<Resume> turnSet(Job job) {
        synchronized (lock) {
            List<Resume> set = new ArrayList<>();
            for (Resume r : job.resumes) {
                if (r.parkedAt == 0) {
                    set.add(r);
                }
            }
            return set;
        }
    }

    private void finish(Resume r) {
        synchronized (lock) {
            finishLocked(r);
        }
    }

    private void park(Resume r) {
        synchronized (lock) {
            r.parkedAt = System.nanoTime();
            parked.add(r);
            lock.notifyAll();
        }
    }

    // --- parked resumes ----------------------------------------------------------------------------

    private void watchParked() {
        long graceNanos = limits.slowGrace().toNanos();
        while (running) {
            List<Resume> slow = new ArrayList<>();
            synchronized (lock) {
                while (running && parked.isEmpty()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                long now = System.nanoTime();
                for (int i = parked.size() - 1; i >= 0; i--) {
                    Resume r = parked.get(i);
                    if (r.done) {
                        parked.remove(i);
                    } else if (r.target.isCancelled()) {
                        parked.remove(i);
                        finishLocked(r);
                    } else if (!r.target.isBackedUp()) {
                        parked.remove(i);
                        r.parkedAt = 0;
                        makeRunnable(r.job);
                    } else if (now - r.parkedAt > graceNanos) {
                        parked.remove(i);
                        finishLocked(r);
                        slow.add(r);
                    }
                }
            }
            for (Resume r : slow) {
                tooSlow.increment();
                try {
                    r.target.tooSlow();
                } catch (RuntimeException e) {
                    LOG.errorf(e, "Closing a slow replay client of %s failed", r.job.tp);
                }
            }
            try {
                Thread.sleep(PARK_CHECK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void finishLocked(Resume r) {
        if (r.done) {
            return;
        }
        r.done = true;
        Job job = r.job;
        job.resumes.remove(r);
        job.tenant.resumes--;
        waiting--;
        if (job.resumes.isEmpty() && !job.running && !job.queued) {
            forget(job); // its last resume was parked: no turn will clean up after it
        }
    }

    /** Drops an empty job, and its tenant's line once that has no job left. */
    private void forget(Job job) {
        job.tenant.jobs.remove(job.tp);
        if (job.tenant.jobs.isEmpty() && !job.tenant.inTurns) {
            tenants.remove(job.tenant.tenant);
        }
    }

    // --- the workers -------------------------------------------------------------------------------

    private final class Worker extends Thread {
        private volatile HistorySource history;

        Worker(int number) {
            super("streamgate-replay-" + number);
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (running) {
                    Job job = take();
                    if (job == null) {
                        break;
                    }
                    boolean again = true;
                    while (again) {
                        List<Resume> set = turnSet(job);
                        try {
                            turn(job, set);
                        } catch (WakeupException | InterruptException e) {
                            failAll(set, e);
                            endTurn(job);
                            return;
                        } catch (RuntimeException e) {
                            LOG.errorf(e, "Replay of %s failed", job.tp);
                            failAll(set, e);
                            closeHistory(); // go on with a fresh consumer
                        }
                        again = running && endTurn(job);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeHistory();
            }
        }

        private void failAll(List<Resume> set, RuntimeException e) {
            for (Resume r : set) {
                if (!r.done) {
                    finish(r);
                    try {
                        r.target.failed(e);
                    } catch (RuntimeException again) {
                        LOG.debug("Failing a replay target failed", again);
                    }
                }
            }
        }

        private HistorySource history() {
            if (history == null) {
                history = histories.get();
            }
            return history;
        }

        private void closeHistory() {
            HistorySource h = history;
            history = null;
            if (h != null) {
                h.close();
            }
        }

        void shutdown() {
            HistorySource h = history;
            if (h != null) {
                h.wakeup();
            }
        }

        private void turn(Job job, List<Resume> set) {
            TopicPartition tp = job.tp;
            validate(tp, set);
            long deadline = System.nanoTime() + TURN_TIME.toNanos();
            long budget = limits.recordsPerTurn();
            while (running) {
                goLive(tp, set);
                for (int i = set.size() - 1; i >= 0; i--) {
                    Resume r = set.get(i);
                    if (r.target.isCancelled()) {
                        set.remove(i);
                        finish(r);
                    } else if (r.target.isBackedUp()) {
                        set.remove(i);
                        park(r);
                    }
                }
                if (set.isEmpty() || budget <= 0 || System.nanoTime() > deadline) {
                    return;
                }
                long from = Long.MAX_VALUE;
                for (Resume r : set) {
                    from = Math.min(from, r.next);
                }
                HistorySource.Batch batch;
                try {
                    batch = history().read(tp, from);
                } catch (HistorySource.PositionLost e) {
                    // Retention removed records after a cursor while they were being read. Only the resumes
                    // that still needed them lose their position; the others read on from theirs.
                    LOG.debugf("Replay of %s lost a position: %s", tp, e.getMessage());
                    long start = history().logStart(tp);
                    boolean anyLost = false;
                    for (int i = set.size() - 1; i >= 0; i--) {
                        Resume r = set.get(i);
                        if (r.next < start || r.next <= from) {
                            set.remove(i);
                            finish(r);
                            r.target.lost("expired");
                            anyLost = true;
                        }
                    }
                    if (!anyLost) {
                        throw e;
                    }
                    continue;
                }
                reads.increment();
                List<ConsumerRecord<String, byte[]>> records = batch.records();
                recordsRead.add(records.size());
                deliver(records, set);
                for (Resume r : set) {
                    if (!r.halted) {
                        r.next = Math.max(r.next, batch.next());
                    }
                }
                budget -= Math.max(1, records.size());
            }
        }

        /** Confirms the resumes new to this job, or rejects those whose cursor the log cannot honour. */
        private void validate(TopicPartition tp, List<Resume> set) {
            long start = -1;
            long end = -1;
            for (int i = set.size() - 1; i >= 0; i--) {
                Resume r = set.get(i);
                if (r.started) {
                    continue;
                }
                if (r.target.isCancelled()) {
                    set.remove(i);
                    finish(r);
                    continue;
                }
                if (start < 0) {
                    start = history().logStart(tp);
                }
                String rejected = null;
                if (r.next < start) {
                    rejected = "expired";
                } else if (r.next > seam.next(tp)) {
                    if (end < 0) {
                        end = history().logEnd(tp);
                    }
                    if (r.next > Math.max(end, seam.next(tp))) {
                        rejected = "invalid"; // a position this stream never reached
                    }
                }
                if (rejected != null) {
                    set.remove(i);
                    finish(r);
                    r.target.rejected(rejected);
                } else {
                    r.started = true;
                    r.target.started();
                }
            }
        }

        /** Hands every resume that has read up to the live position over to live delivery, under one lock. */
        private void goLive(TopicPartition tp, List<Resume> set) {
            long liveNext = seam.next(tp);
            if (liveNext < 0) {
                return;
            }
            boolean any = false;
            for (Resume r : set) {
                if (r.next >= liveNext) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return;
            }
            List<Resume> live = seam.atSeam(tp, next -> {
                List<Resume> switched = new ArrayList<>();
                for (Resume r : set) {
                    if (r.next >= next && r.target.tryGoLive(r.next)) {
                        switched.add(r);
                    }
                }
                return switched;
            });
            for (Resume r : live) {
                set.remove(r);
                finish(r);
            }
        }

        /**
         * Serves one fetch to every resume of the turn from its own position: each record's tenant and subject read
         * once, matched and encoded once per channel, queued into one write batch that is dispatched at the end (one
         * task per event loop, one flush per client). Records go out in offset order to every resume.
         */
        private void deliver(List<ConsumerRecord<String, byte[]>> records, List<Resume> set) {
            for (Resume r : set) {
                r.halted = false;
            }
            if (records.isEmpty() || set.isEmpty()) {
                return;
            }
            Map<String, List<Resume>> byChannel = new LinkedHashMap<>();
            for (Resume r : set) {
                byChannel.computeIfAbsent(r.target.channel(), k -> new ArrayList<>(1)).add(r);
            }
            List<List<Resume>> groups = new ArrayList<>(byChannel.values());
            ReplayTarget reader = set.get(0).target; // one tenant, one topic: any target reads a record for all
            long count = 0;
            ReplayTarget.Batch batch = null;
            try {
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (!reader.isTenants(record)) {
                        continue;
                    }
                    long offset = record.offset();
                    String subject = reader.subjectOf(record);
                    for (List<Resume> group : groups) {
                        ReplayTarget first = group.get(0).target;
                        if (!first.wants(subject)) {
                            continue;
                        }
                        OutboundFrame frame = null;
                        for (Resume r : group) {
                            if (r.halted || r.next > offset) {
                                continue; // backed up, or its cursor is at or after the record
                            }
                            if (frame == null) {
                                frame = first.encode(record, subject);
                                if (frame == null) {
                                    break; // not deliverable: the target reported it
                                }
                                if (batch == null) {
                                    batch = first.newBatch();
                                }
                                batch.track(frame);
                            }
                            r.target.replayed(offset, frame, batch);
                            count++;
                            if (r.target.isBackedUp()) {
                                // Stop here, not at the end of the fetch: the rest would only overflow its queue.
                                r.halted = true;
                                r.next = offset + 1;
                            }
                        }
                    }
                }
            } finally {
                if (batch != null) {
                    batch.dispatch(); // also after a failure: what was counted into the queues goes out
                }
            }
            delivered.add(count);
            if (count > 0) {
                onDelivered.accept(count);
            }
        }
    }
}
