package io.streamgate.rewind;

import io.streamgate.stream.Epoch;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rings of recent events of one tenant's namespace on this replica: one per channel with local subscribers,
 * one for the namespace wildcard while it has local subscribers. Lives exactly as long as the tenant has
 * subscribers in the namespace here (the subscription index holds it and {@link #close closes} it).
 * <p>
 * <b>Why a ring can be trusted.</b> Fan-out hands every event of the tenant's namespace it reads to
 * {@link #record}; a ring is fed when its channel has subscribers and dropped when an event of its channel goes by
 * without them. So a ring never misses an event of its channel between its first one and the live position.
 * What fan-out does not see at all (the live consumer stopped reading the partition, or restarted elsewhere) is
 * caught by {@link #last}'s {@code readingSince}: a ring older than the live consumer's current reading holds
 * nothing it can vouch for.
 * <p>
 * Threads: fan-out (the partition's seam lock held), a rewinding subscribe (the same lock held) and the index
 * (closing) call in; each method holds this object's lock, briefly, and never calls out under it.
 */
public final class RecentEvents {

    private Map<String, EventRing> bySubject;
    private EventRing wildcard;
    private RewindMemory memory;
    private boolean closed;

    /**
     * An event of {@code subject} as fan-out encoded it. Feeds the channel's ring when the channel has local
     * subscribers and the wildcard's when the wildcard has; drops each ring that is not fed.
     *
     * @param exactSubscribed    the channel {@code <namespace>:<subject>} has subscribers here
     * @param wildcardSubscribed {@code <namespace>:*} has subscribers here
     */
    public synchronized void record(RewindMemory memory, String subject, boolean exactSubscribed,
            boolean wildcardSubscribed, Epoch epoch, long offset, String frame) {
        if (closed) {
            return;
        }
        this.memory = memory;
        EventRing ring = bySubject == null ? null : bySubject.get(subject);
        if (exactSubscribed) {
            ring = feed(ring, epoch, offset, frame);
            if (bySubject == null) {
                bySubject = new HashMap<>();
            }
            bySubject.put(subject, ring);
        } else if (ring != null) {
            bySubject.remove(subject);
            release(ring);
        }
        if (wildcardSubscribed) {
            wildcard = feed(wildcard, epoch, offset, frame);
        } else if (wildcard != null) {
            release(wildcard);
            wildcard = null;
        }
    }

    /**
     * An event of {@code subject} went by without being encoded for this namespace's subscribers (fan-out found
     * none that want it): the channel's ring and the wildcard's now miss it.
     */
    public synchronized void passed(String subject) {
        if (bySubject != null) {
            EventRing ring = bySubject.remove(subject);
            if (ring != null) {
                release(ring);
            }
        }
        if (wildcard != null) {
            release(wildcard);
            wildcard = null;
        }
    }

    /** Drops every ring: fan-out passed events it could not attribute to a channel. */
    public synchronized void clear() {
        if (bySubject != null) {
            bySubject.values().forEach(this::release);
            bySubject = null;
        }
        if (wildcard != null) {
            release(wildcard);
            wildcard = null;
        }
    }

    /** The tenant has no subscribers left in the namespace: free the memory, feed nothing more. */
    public synchronized void close() {
        clear();
        closed = true;
    }

    /**
     * The channel's last {@code n} events, oldest first, when its ring provably holds them; else null (read Kafka).
     * Call under the partition's seam lock, so that no event is fanned out meanwhile.
     *
     * @param subject      the channel's subject, or null for the namespace wildcard
     * @param epoch        the epoch the subscription is in: a ring of another epoch holds other positions
     * @param readingSince the offset from which the live consumer has read the partition without a break
     */
    public synchronized List<Frame> last(String subject, int n, Epoch epoch, long readingSince) {
        EventRing ring = subject == null ? wildcard : bySubject == null ? null : bySubject.get(subject);
        if (closed || ring == null || ring.size() < n || !ring.epoch().equals(epoch)
                || readingSince < 0 || ring.coveredFrom() < readingSince) {
            return null;
        }
        return ring.last(n).stream().map(e -> new Frame(e.offset(), e.frame())).toList();
    }

    private EventRing feed(EventRing ring, Epoch epoch, long offset, String frame) {
        if (ring != null && !ring.epoch().equals(epoch)) {
            release(ring); // the stream changed: the old positions mean nothing in the new one
            ring = null;
        }
        if (ring == null) {
            ring = new EventRing(epoch, offset, memory.maxEvents());
        }
        memory.charge(ring.add(offset, frame));
        // Over the replica's budget: this ring gives up its oldest events (what remains is still complete).
        while (memory.overBudget() && ring.size() > 0) {
            memory.charge(-ring.dropOldest());
        }
        return ring;
    }

    private void release(EventRing ring) {
        if (memory != null) {
            memory.charge(-ring.bytes());
        }
    }

    /** One recent event: its offset in the tenant's partition and its {@code event} frame. */
    public record Frame(long offset, String text) {
    }
}
