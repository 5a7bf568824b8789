package io.streamgate.subscription;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscribers of one channel (or of a namespace's wildcard). Reads never lock: fan-out iterates it once per
 * record. Changes are serialised by the caller ({@link SubscriptionIndex}). Small sets (most channels have one
 * subscriber or a few) are a copy-on-write array, the least memory per channel; past {@link #ARRAY_MAX} the set
 * becomes a concurrent hash set, so adding or removing one of N subscribers costs O(1): with copy-on-write alone
 * subscribing N clients to one channel copied O(N²) references. Iteration over the hash set is weakly
 * consistent, which fan-out allows (a subscription's own position decides what it gets).
 */
final class SubscriberSet extends AbstractSet<Subscription> {

    static final int ARRAY_MAX = 16;
    private static final Subscription[] NONE = new Subscription[0];

    /** Subscription[] while small, else a Set<Subscription> from ConcurrentHashMap.newKeySet(). */
    private volatile Object members = NONE;

    @Override
    public boolean add(Subscription s) {
        Object m = members;
        if (m instanceof Subscription[] array) {
            for (Subscription x : array) {
                if (x == s) {
                    return false;
                }
            }
            if (array.length < ARRAY_MAX) {
                Subscription[] grown = Arrays.copyOf(array, array.length + 1);
                grown[array.length] = s;
                members = grown;
                return true;
            }
            Set<Subscription> set = ConcurrentHashMap.newKeySet(array.length * 2);
            set.addAll(Arrays.asList(array));
            set.add(s);
            members = set;
            return true;
        }
        return set(m).add(s);
    }

    @Override
    public boolean remove(Object o) {
        Object m = members;
        if (m instanceof Subscription[] array) {
            Subscription[] shrunk = CopyOnWriteArrays.without(array, o, NONE);
            members = shrunk;
            return shrunk != array;
        }
        return set(m).remove(o);
    }

    @Override
    public Iterator<Subscription> iterator() {
        Object m = members;
        if (m instanceof Subscription[] array) {
            return new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < array.length;
                }

                @Override
                public Subscription next() {
                    if (next >= array.length) {
                        throw new NoSuchElementException();
                    }
                    return array[next++];
                }
            };
        }
        return java.util.Collections.unmodifiableSet(set(m)).iterator();
    }

    @Override
    public int size() {
        Object m = members;
        return m instanceof Subscription[] array ? array.length : set(m).size();
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @SuppressWarnings("unchecked")
    private static Set<Subscription> set(Object members) {
        return (Set<Subscription>) members;
    }
}
