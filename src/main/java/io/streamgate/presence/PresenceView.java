package io.streamgate.presence;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamgate.protocol.PresenceMember;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Every replica's view of every channel's members: connection entries grouped by tenant and channel.
 * A subject with several connections in a channel is one member; it joins with its first connection and
 * leaves with its last. Methods return the membership changes they caused. Synchronised: updates come
 * from the presence consumer, the sweeper and local subscriptions.
 * <p>
 * Costs (issue 15, item 11): a query walks only its channel's members; a join, leave or renewal is a few map
 * operations and one heap insertion; a sweep pops only what is due. Nothing walks the whole cluster.
 */
final class PresenceView {

    record Change(String tenant, String channel, PresenceMember member) {
    }

    private record Entry(String key, String tenant, String channel, String sub, JsonNode info, long expiresAt) {
    }

    /** When an entry is due; stale ones (the entry was renewed or removed since) are skipped when polled. */
    private record Expiry(long at, String key) {
    }

    private final Map<String, Entry> byKey = new HashMap<>();
    /** tenant + '|' + channel → sub → that subject's connection entries in the channel, by key, in join order. */
    private final Map<String, Map<String, Map<String, Entry>>> channels = new HashMap<>();
    private final PriorityQueue<Expiry> expiries = new PriorityQueue<>(Comparator.comparingLong(Expiry::at));

    synchronized List<Change> upsert(PresenceRecord r) {
        Entry entry = new Entry(r.key(), r.tenant(), r.channel(), r.sub(), r.info(), r.expiresAt());
        Entry previous = byKey.put(entry.key(), entry);
        expiries.add(new Expiry(entry.expiresAt(), entry.key()));
        List<Change> changes = List.of();
        if (previous != null) {
            if (previous.sub().equals(entry.sub())) { // a renewal: same connection, channel and subject
                entriesOf(entry).put(entry.key(), entry);
                return List.of();
            }
            changes = new ArrayList<>(decrement(previous)); // the key now names another subject (never expected)
        }
        Map<String, Entry> entries = entriesOf(entry);
        boolean first = entries.isEmpty();
        entries.put(entry.key(), entry);
        if (!first) {
            return changes;
        }
        Change join = new Change(r.tenant(), r.channel(), new PresenceMember(r.sub(), r.info()));
        if (changes.isEmpty()) {
            return List.of(join);
        }
        changes.add(join);
        return changes;
    }

    synchronized List<Change> remove(String key) {
        Entry e = byKey.remove(key);
        return e == null ? List.of() : decrement(e);
    }

    /** Removes the entries whose time has come; renewed entries moved their time and stay. */
    synchronized List<Change> expire(long now) {
        List<Change> changes = new ArrayList<>();
        while (!expiries.isEmpty() && expiries.peek().at() <= now) {
            Expiry due = expiries.poll();
            Entry e = byKey.get(due.key());
            if (e != null && e.expiresAt() == due.at()) {
                byKey.remove(due.key());
                changes.addAll(decrement(e));
            }
        }
        return changes;
    }

    synchronized List<PresenceMember> members(String tenant, String channel) {
        Map<String, Map<String, Entry>> subs = channels.get(tenant + '|' + channel);
        if (subs == null) {
            return List.of();
        }
        List<PresenceMember> members = new ArrayList<>(subs.size());
        subs.forEach((sub, entries) -> members.add(new PresenceMember(sub, entries.values().iterator().next().info())));
        return List.copyOf(members);
    }

    private Map<String, Entry> entriesOf(Entry e) {
        return channels.computeIfAbsent(e.tenant() + '|' + e.channel(), k -> new LinkedHashMap<>())
                .computeIfAbsent(e.sub(), k -> new LinkedHashMap<>());
    }

    private List<Change> decrement(Entry e) {
        String channelKey = e.tenant() + '|' + e.channel();
        Map<String, Map<String, Entry>> subs = channels.get(channelKey);
        Map<String, Entry> entries = subs == null ? null : subs.get(e.sub());
        if (entries == null || entries.remove(e.key()) == null) {
            return List.of();
        }
        if (!entries.isEmpty()) {
            return List.of();
        }
        subs.remove(e.sub());
        if (subs.isEmpty()) {
            channels.remove(channelKey);
        }
        return List.of(new Change(e.tenant(), e.channel(), new PresenceMember(e.sub(), e.info())));
    }
}
