package io.streamgate.backplane;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Where the live consumer stands in each partition, and the seam between history and live delivery.
 * <p>
 * For each partition this replica reads live, {@code next} is the offset of the next record the live
 * consumer will hand to fan-out. Fan-out of a batch and every change of the subscription index for that
 * partition happen under the partition's lock ({@link #atSeam}): so when a subscription joins the index
 * at {@code next = N}, every record below N was fanned out before it joined (history, for replay) and
 * every record from N on is fanned out after (live). That is what makes resume gap-free and
 * duplicate-free.
 */
@ApplicationScoped
public class LivePositions {

    private static final Logger LOG = Logger.getLogger(LivePositions.class);

    private final ConcurrentHashMap<TopicPartition, Position> positions = new ConcurrentHashMap<>();

    /** Guarded by itself. */
    private static final class Position {
        long next = -1;
        final CompletableFuture<Void> ready = new CompletableFuture<>();
    }

    private Position of(TopicPartition tp) {
        return positions.computeIfAbsent(tp, k -> new Position());
    }

    /**
     * The live consumer was assigned the partition and will read from {@code position}.
     *
     * @return where the consumer should seek instead, when this replica already read the partition before
     *         (a reassignment must not skip what arrived meanwhile), or -1 to keep {@code position}
     */
    long assigned(TopicPartition tp, long position) {
        Position p = of(tp);
        long seekTo = -1;
        synchronized (p) {
            if (p.next >= 0 && p.next < position) {
                seekTo = p.next;
            } else {
                p.next = position;
            }
        }
        p.ready.complete(null);
        LOG.debugf("Live consumer reads %s from offset %d", tp, seekTo >= 0 ? seekTo : position);
        return seekTo;
    }

    /** Fans out a batch of one partition's records, in offset order, advancing the partition's position. */
    void dispatch(TopicPartition tp, List<ConsumerRecord<String, byte[]>> records,
            Consumer<ConsumerRecord<String, byte[]>> fanOut) {
        Position p = of(tp);
        synchronized (p) {
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
        p.ready.complete(null);
    }

    /**
     * Runs {@code action} with the partition's live position, excluding fan-out of that partition while it
     * runs. Waits (without blocking a thread) until the live consumer has been assigned the partition.
     *
     * @param action receives {@code next}; must be quick and must not block
     */
    public <T> CompletionStage<T> atSeam(TopicPartition tp, Duration timeout, LongFunction<T> action) {
        Position p = of(tp);
        return p.ready.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).thenApply(v -> {
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
}
