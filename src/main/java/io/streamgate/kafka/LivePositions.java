package io.streamgate.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamgate.config.StreamgateConfig;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Where the live consumer stands in each partition, which partitions it reads, and the seam between
 * history and live delivery.
 * <p>
 * For each partition this replica reads live, {@code next} is the offset of the next record the live
 * consumer will hand to fan-out. Fan-out of a batch and every change of the subscription index for that
 * partition happen under the partition's lock ({@link #atSeam}): so when a subscription joins the index
 * at {@code next = N}, every record below N was fanned out before it joined (history, for replay) and
 * every record from N on is fanned out after (live). That is what makes resume gap-free and
 * duplicate-free.
 * <p>
 * With {@code streamgate.live.assignment=interest} a partition is read only while a local subscription
 * holds {@link #acquire interest} in it (and for {@code release-delay} after the last one left). Starting
 * to read seeks to the end of the partition: a resuming subscriber's replay covers everything before that
 * point, a new one starts there, so the switch loses nothing. Every start or stop decision is taken under
 * the partition's lock and numbered ({@code generation}); the command that carries it out on the
 * consumer's polling thread is dropped when a later decision superseded it.
 */
@ApplicationScoped
public class LivePositions {

    private static final Logger LOG = Logger.getLogger(LivePositions.class);

    /** What {@link #assigned} returns for a partition the live consumer must not read (pause it). */
    static final long NOT_READ = -1;

    @Inject
    StreamgateConfig config;

    @Inject
    LiveConsumerControl consumer;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    private final ConcurrentHashMap<TopicPartition, Position> positions = new ConcurrentHashMap<>();
    /** From the configuration (set apart so unit tests can set them). */
    boolean interestOnly;
    Duration releaseDelay = Duration.ZERO;

    /** Guarded by itself. */
    private static final class Position {
        long next = -1;
        /** The live consumer fetches this partition and its records are fanned out. */
        boolean reading;
        /** A start command is on its way to the polling thread. */
        boolean starting;
        /** Local subscriptions in this partition (interest mode only). */
        int interest;
        long generation;
        /** Where the current reading began: fan-out saw every record from here to {@code next}; -1 while not read. */
        long since = -1;
        boolean repauseRequested;
        CompletableFuture<Void> ready = new CompletableFuture<>();

        void read(long from) {
            next = from;
            since = from;
            reading = true;
            starting = false;
            repauseRequested = false;
            ready.complete(null);
        }
    }

    @PostConstruct
    void init() {
        interestOnly = config.live().assignment() == StreamgateConfig.Live.Assignment.INTEREST;
        releaseDelay = config.live().releaseDelay();
        // [streamgate_live_partitions] partitions this replica's live consumer reads
        Gauge.builder("streamgate.live.partitions", this, LivePositions::readingCount)
                .description("Partitions this replica's live consumer reads").register(registry);
    }

    private Position of(TopicPartition tp) {
        return positions.computeIfAbsent(tp, k -> new Position());
    }

    /**
     * The live consumer was assigned the partition and would read from {@code position}.
     *
     * @return the offset to read from instead (a reassignment must not skip what arrived meanwhile), or
     *         {@link #NOT_READ} when no local subscriber wants the partition (interest mode): pause it
     */
    long assigned(TopicPartition tp, long position) {
        Position p = of(tp);
        long from;
        synchronized (p) {
            p.generation++; // supersedes any start or stop command still queued
            if (interestOnly && p.interest == 0) {
                stop(p);
                return NOT_READ;
            }
            from = p.next >= 0 && p.next < position ? p.next : position;
            p.read(from);
        }
        LOG.debugf("Live consumer reads %s from offset %d", tp, from);
        return from;
    }

    /** Fans out a batch of one partition's records, in offset order, advancing the partition's position. */
    void dispatch(TopicPartition tp, List<ConsumerRecord<String, byte[]>> records,
            Consumer<ConsumerRecord<String, byte[]>> fanOut) {
        Position p = of(tp);
        long repause = -1;
        synchronized (p) {
            if (!p.reading) {
                // Fetched before a stop, or resumed behind our back (the connector's own back-pressure
                // resumes every partition): nobody here wants it; stop fetching it again.
                if (interestOnly && !p.starting && !p.repauseRequested) {
                    p.repauseRequested = true;
                    repause = p.generation;
                }
            } else {
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (r.offset() < p.next) {
                        continue; // re-fetched after a reassignment: already fanned out
                    }
                    try {
                        fanOut.accept(r);
                    } catch (RuntimeException e) {
                        // One bad record or one failing subscriber must not stop the stream for everyone.
                        LOG.errorf(e, "Fan-out failed for %s offset %d", tp, r.offset());
                    }
                    p.next = r.offset() + 1;
                }
            }
        }
        if (repause >= 0) {
            consumer.stopReading(tp, repause);
        }
    }

    /**
     * A local subscription wants the partition read; call before {@link #atSeam} and pair with exactly one
     * {@link #release}. Starts reading it when it is not read yet (interest mode; a no-op otherwise).
     */
    public void acquire(TopicPartition tp) {
        if (!interestOnly) {
            return;
        }
        Position p = of(tp);
        long generation = -1;
        synchronized (p) {
            p.interest++;
            if (!p.reading && !p.starting) {
                p.starting = true;
                p.repauseRequested = false;
                generation = ++p.generation;
            }
        }
        if (generation >= 0) {
            LOG.debugf("Live consumer starts reading %s", tp);
            consumer.startReading(tp, generation);
        }
    }

    /** The subscription that {@link #acquire acquired} the partition ended. */
    public void release(TopicPartition tp) {
        if (!interestOnly) {
            return;
        }
        Position p = of(tp);
        synchronized (p) {
            if (--p.interest > 0) {
                return;
            }
        }
        long delay = releaseDelay.toMillis();
        if (delay <= 0) {
            stopIfUnwanted(tp);
        } else {
            vertx.setTimer(delay, id -> stopIfUnwanted(tp));
        }
    }

    private void stopIfUnwanted(TopicPartition tp) {
        Position p = of(tp);
        long generation;
        synchronized (p) {
            if (p.interest > 0 || !(p.reading || p.starting)) {
                return;
            }
            generation = ++p.generation;
            stop(p);
        }
        LOG.debugf("Live consumer stops reading %s", tp);
        consumer.stopReading(tp, generation);
    }

    private static void stop(Position p) {
        p.reading = false;
        p.starting = false;
        p.next = -1;
        p.since = -1;
        if (p.ready.isDone()) {
            p.ready = new CompletableFuture<>();
        }
    }

    /** Whether a command issued for {@code generation} still stands; called on the polling thread. */
    boolean isCurrent(TopicPartition tp, long generation) {
        Position p = of(tp);
        synchronized (p) {
            return p.generation == generation;
        }
    }

    /** The start command sought to the end of the partition: read from {@code position} on. */
    void startedReading(TopicPartition tp, long generation, long position) {
        Position p = of(tp);
        synchronized (p) {
            if (p.generation == generation) {
                p.read(position);
            }
        }
    }

    /** The stop command paused the partition: should it be resumed behind our back again, pause it again. */
    void paused(TopicPartition tp, long generation) {
        Position p = of(tp);
        synchronized (p) {
            if (p.generation == generation) {
                p.repauseRequested = false;
            }
        }
    }

    /** The start command failed (the broker did not answer): the next subscriber tries again. */
    void startFailed(TopicPartition tp, long generation) {
        Position p = of(tp);
        synchronized (p) {
            if (p.generation == generation) {
                p.starting = false;
            }
        }
    }

    /**
     * Runs {@code action} with the partition's live position, excluding fan-out of that partition while it
     * runs. Waits (without blocking a thread) until the live consumer reads the partition.
     *
     * @param action receives {@code next}; must be quick and must not block
     */
    public <T> CompletionStage<T> atSeam(TopicPartition tp, Duration timeout, LongFunction<T> action) {
        Position p = of(tp);
        CompletableFuture<Void> ready;
        synchronized (p) {
            ready = p.ready;
        }
        return ready.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).thenApply(v -> {
            synchronized (p) {
                return action.apply(p.next);
            }
        });
    }

    /** Like {@link #atSeam} for a caller that already waited for readiness; runs on the caller's thread. */
    public <T> T atSeamNow(TopicPartition tp, LongFunction<T> action) {
        Position p = of(tp);
        synchronized (p) {
            return action.apply(p.next);
        }
    }

    /**
     * The offset from which the live consumer has read the partition without a break (every record from it up to
     * {@code next} was fanned out), or -1 while it does not read it. Recent events kept by fan-out before it are
     * not to be trusted (the reading stopped and started again meanwhile): call inside {@link #atSeamNow}.
     */
    public long readingSince(TopicPartition tp) {
        Position p = of(tp);
        synchronized (p) {
            return p.since;
        }
    }

    /** The live position without the lock: a hint for how far a replay must read. -1 while unknown. */
    public long next(TopicPartition tp) {
        Position p = positions.get(tp);
        if (p == null) {
            return -1;
        }
        synchronized (p) {
            return p.next;
        }
    }

    /**
     * The topic was deleted and recreated: its offsets start again. A position above the new stream's end
     * is the old stream's; left as it is, records of the new stream below it would be skipped as "already
     * fanned out", and a subscription starting at it would wait for offsets the new stream has not reached.
     */
    void streamRestarted(TopicPartition tp, long end) {
        Position p = positions.get(tp);
        if (p == null) {
            return;
        }
        synchronized (p) {
            if (p.next > end) {
                p.next = end;
            }
        }
    }

    /** Whether the live consumer reads the partition now. */
    public boolean isReading(TopicPartition tp) {
        Position p = positions.get(tp);
        if (p == null) {
            return false;
        }
        synchronized (p) {
            return p.reading;
        }
    }

    int readingCount() {
        int n = 0;
        for (Position p : positions.values()) {
            synchronized (p) {
                n += p.reading ? 1 : 0;
            }
        }
        return n;
    }
}
