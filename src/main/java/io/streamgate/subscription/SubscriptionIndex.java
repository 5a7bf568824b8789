package io.streamgate.subscription;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamgate.rewind.RecentEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This replica's subscriptions: tenant → namespace → subject → subscriptions. Reads (one per Kafka
 * record) take no lock; changes (subscribe, unsubscribe, disconnect) are serialised. Each channel's
 * subscribers are a {@link SubscriberSet}: small and copy-on-write for the few subscribers most channels
 * have, a concurrent hash set past that, so subscribing N clients to one channel is O(N), not O(N²).
 */
@ApplicationScoped
public class SubscriptionIndex {

    /** A tenant's subscribers in one namespace. */
    public static final class NamespaceSubscribers {
        final Map<String, Set<Subscription>> bySubject = new ConcurrentHashMap<>();
        final Set<Subscription> wildcard = new SubscriberSet();
        /** The recent events of the namespace's channels that have subscribers here, for rewind. */
        final RecentEvents recent = new RecentEvents();

        boolean isEmpty() {
            return bySubject.isEmpty() && wildcard.isEmpty();
        }
    }

    private final Map<String, Map<String, NamespaceSubscribers>> tenants = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();

    /** [streamgate_subscriptions] subscriptions in this replica's index. */
    @Inject
    void registerGauge(MeterRegistry registry) {
        registry.gauge("streamgate.subscriptions", size);
    }

    synchronized void add(Subscription s) {
        NamespaceSubscribers ns = tenants.computeIfAbsent(s.tenant(), t -> new ConcurrentHashMap<>())
                .computeIfAbsent(s.namespace().name(), n -> new NamespaceSubscribers());
        boolean added = s.channel().isWildcard() ? ns.wildcard.add(s)
                : ns.bySubject.computeIfAbsent(s.channel().subject(), k -> new SubscriberSet()).add(s);
        if (added) {
            size.incrementAndGet();
        }
    }

    synchronized void remove(Subscription s) {
        Map<String, NamespaceSubscribers> byNamespace = tenants.get(s.tenant());
        if (byNamespace == null) {
            return;
        }
        NamespaceSubscribers ns = byNamespace.get(s.namespace().name());
        if (ns == null) {
            return;
        }
        boolean removed;
        if (s.channel().isWildcard()) {
            removed = ns.wildcard.remove(s);
        } else {
            Set<Subscription> subs = ns.bySubject.get(s.channel().subject());
            removed = subs != null && subs.remove(s);
            if (removed && subs.isEmpty()) {
                ns.bySubject.remove(s.channel().subject());
            }
        }
        if (removed) {
            size.decrementAndGet();
        }
        if (ns.isEmpty()) {
            byNamespace.remove(s.namespace().name());
            ns.recent.close(); // a later subscriber starts with new rings: fan-out skipped the events meanwhile
            if (byNamespace.isEmpty()) {
                tenants.remove(s.tenant());
            }
        }
    }

    /** This replica's subscriptions to exactly this channel (not its wildcard); empty when none. */
    public Set<Subscription> subscribersOf(String tenant, String namespace, String subject) {
        NamespaceSubscribers ns = find(tenant, namespace);
        Set<Subscription> subs = ns == null ? null : ns.bySubject.get(subject);
        return subs == null ? Set.of() : subs;
    }

    /** The tenant's subscribers in the namespace, or null when there are none: most records stop here. */
    NamespaceSubscribers find(String tenant, String namespace) {
        Map<String, NamespaceSubscribers> byNamespace = tenants.get(tenant);
        return byNamespace == null ? null : byNamespace.get(namespace);
    }
}
