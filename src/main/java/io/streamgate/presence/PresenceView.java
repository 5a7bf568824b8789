package io.streamgate.presence;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamgate.protocol.PresenceMember;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every replica's view of every channel's members: connection entries grouped by tenant and channel.
 * A subject with several connections in a channel is one member; it joins with its first connection and
 * leaves with its last. Methods return the membership changes they caused. Synchronised: updates come
 * from the presence consumer, the sweeper and local subscriptions.
 */
final class PresenceView {

    record Change(String tenant, String channel, PresenceMember member) {
    }

    private record Entry(String tenant, String channel, String sub, JsonNode info, long expiresAt) {
    }

    private final Map<String, Entry> byKey = new HashMap<>();
    /** tenant + '|' + channel → sub → number of connections. */
    private final Map<String, Map<String, Integer>> counts = new HashMap<>();

    synchronized List<Change> upsert(PresenceRecord r) {
        Entry previous = byKey.put(r.key(), new Entry(r.tenant(), r.channel(), r.sub(), r.info(), r.expiresAt()));
        if (previous != null) {
            return List.of();
        }
        Map<String, Integer> subs = counts.computeIfAbsent(r.tenant() + '|' + r.channel(), k -> new LinkedHashMap<>());
        int n = subs.merge(r.sub(), 1, Integer::sum);
        return n == 1 ? List.of(new Change(r.tenant(), r.channel(), new PresenceMember(r.sub(), r.info()))) : List.of();
    }

    synchronized List<Change> remove(String key) {
        Entry e = byKey.remove(key);
        return e == null ? List.of() : decrement(e);
    }

    synchronized List<Change> expire(long now) {
        List<Change> changes = new ArrayList<>();
        byKey.entrySet().removeIf(kv -> {
            if (kv.getValue().expiresAt() <= now) {
                changes.addAll(decrement(kv.getValue()));
                return true;
            }
            return false;
        });
        return changes;
    }

    synchronized List<PresenceMember> members(String tenant, String channel) {
        Map<String, Integer> subs = counts.get(tenant + '|' + channel);
        if (subs == null) {
            return List.of();
        }
        Map<String, PresenceMember> members = new LinkedHashMap<>();
        for (Entry e : byKey.values()) {
            if (e.tenant().equals(tenant) && e.channel().equals(channel)) {
                members.putIfAbsent(e.sub(), new PresenceMember(e.sub(), e.info()));
            }
        }
        return List.copyOf(members.values());
    }

    private List<Change> decrement(Entry e) {
        String channelKey = e.tenant() + '|' + e.channel();
        Map<String, Integer> subs = counts.get(channelKey);
        if (subs == null) {
            return List.of();
        }
        Integer n = subs.computeIfPresent(e.sub(), (k, v) -> v > 1 ? v - 1 : null);
        if (subs.isEmpty()) {
            counts.remove(channelKey);
        }
        return n == null ? List.of(new Change(e.tenant(), e.channel(), new PresenceMember(e.sub(), e.info()))) : List.of();
    }
}
