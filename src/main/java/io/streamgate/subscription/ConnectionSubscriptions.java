package io.streamgate.subscription;

import io.streamgate.channel.ChannelName;
import org.apache.kafka.common.TopicPartition;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The subscriptions of one connection, by channel. A channel's slot is taken when the subscribe command
 * arrives, before its subscription exists (that takes a Kafka round trip), so a second subscribe to the
 * same channel is refused at once and an unsubscribe in between cancels it.
 * <p>
 * The slots are a copy-on-write array, not a map (issue 13): most connections hold one channel, for which a
 * {@code ConcurrentHashMap} with its table, node and the channel's text as a key cost about 180 bytes, the array
 * 24. A connection holds at most {@code streamgate.connection.max-subscriptions} (200) channels, so the linear
 * search and the copy on subscribe and unsubscribe stay cheap; reads take no lock.
 */
public final class ConnectionSubscriptions {

    static final class Slot {
        /** The channel, shared with its subscription (one object and one subject string per channel). */
        final ChannelName channel;
        volatile Subscription subscription;
        volatile boolean cancelled;
        /**
         * The id of the subscribe command that took the slot, while its subscription is being set up (null for a
         * server-initiated move, and once the subscription is registered: then `subscribed` answered it).
         */
        volatile com.fasterxml.jackson.databind.JsonNode requestId;
        /** The partition whose live reading this slot holds (LivePositions.acquire); guarded by this. */
        private TopicPartition interest;
        private boolean interestDropped;

        /** Records the interest held; false when the slot was already let go (then release it at once). */
        synchronized boolean holdInterest(TopicPartition tp) {
            if (interestDropped) {
                return false;
            }
            interest = tp;
            return true;
        }

        /** The interest to release, at most once; null when none is held. */
        synchronized TopicPartition dropInterest() {
            interestDropped = true;
            TopicPartition tp = interest;
            interest = null;
            return tp;
        }

        Slot(ChannelName channel) {
            this.channel = channel;
        }

        void cancel() {
            cancelled = true;
            Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }

    private static final Slot[] NONE = new Slot[0];
    /** Replaced, never changed in place; writes are synchronized on this. */
    private volatile Slot[] slots = NONE;

    /** Takes the channel's slot, or returns null when the connection already has it. */
    synchronized Slot reserve(ChannelName channel) {
        Slot[] current = slots;
        for (Slot s : current) {
            if (s.channel.equals(channel)) {
                return null;
            }
        }
        Slot slot = new Slot(channel);
        Slot[] grown = Arrays.copyOf(current, current.length + 1);
        grown[current.length] = slot;
        slots = grown;
        return slot;
    }

    /** Lets go of the channel's slot; returns it, or null when the connection has none. */
    synchronized Slot release(String channel) {
        Slot slot = slot(channel);
        return slot != null && release(slot) ? slot : null;
    }

    /** Lets go of this slot if it still holds its channel (not released or replaced meanwhile). */
    synchronized boolean release(Slot slot) {
        Slot[] current = slots;
        Slot[] shrunk = CopyOnWriteArrays.without(current, slot, NONE);
        slots = shrunk;
        return shrunk != current;
    }

    /** The channel's slot, its subscription set up or still on its way; null when none. */
    Slot slot(String channel) {
        for (Slot s : slots) {
            if (s.channel.hasText(channel)) {
                return s;
            }
        }
        return null;
    }

    public int size() {
        return slots.length;
    }

    /** Every subscription of the connection, for clean-up; empties the set. */
    synchronized List<Slot> releaseAll() {
        List<Slot> all = List.of(slots);
        slots = NONE;
        return all;
    }

    public Set<String> channels() {
        return Arrays.stream(slots).map(s -> s.channel.toString()).collect(Collectors.toUnmodifiableSet());
    }

    /** The live subscription of a channel, or null. */
    public Subscription get(String channel) {
        Slot slot = slot(channel);
        return slot == null ? null : slot.subscription;
    }
}
