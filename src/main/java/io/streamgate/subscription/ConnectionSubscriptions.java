package io.streamgate.subscription;

import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscriptions of one connection, by channel. A channel's slot is taken when the subscribe command
 * arrives, before its subscription exists (that takes a Kafka round trip), so a second subscribe to the
 * same channel is refused at once and an unsubscribe in between cancels it.
 */
public final class ConnectionSubscriptions {

    static final class Slot {
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

        void cancel() {
            cancelled = true;
            Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }

    /** Sized for the one channel most connections hold: a table of 2, not 16 (issue 13); it grows when needed. */
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>(1);

    /** Takes the channel's slot, or returns null when the connection already has it. */
    Slot reserve(String channel) {
        Slot slot = new Slot();
        return slots.putIfAbsent(channel, slot) == null ? slot : null;
    }

    Slot release(String channel) {
        return slots.remove(channel);
    }

    boolean release(String channel, Slot slot) {
        return slots.remove(channel, slot);
    }

    /** The channel's slot, its subscription set up or still on its way; null when none. */
    Slot slot(String channel) {
        return slots.get(channel);
    }

    public int size() {
        return slots.size();
    }

    /** Every subscription of the connection, for clean-up; empties the set. */
    List<Slot> releaseAll() {
        List<Slot> all = List.copyOf(slots.values());
        slots.clear();
        return all;
    }

    public Set<String> channels() {
        return Set.copyOf(slots.keySet());
    }

    /** The live subscription of a channel, or null. */
    public Subscription get(String channel) {
        Slot slot = slots.get(channel);
        return slot == null ? null : slot.subscription;
    }
}
