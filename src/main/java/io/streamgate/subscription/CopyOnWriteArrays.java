package io.streamgate.subscription;

import java.util.Arrays;

/** The small copy-on-write arrays of this package ({@link SubscriberSet}, {@link ConnectionSubscriptions}). */
final class CopyOnWriteArrays {

    private CopyOnWriteArrays() {
    }

    /** A copy of {@code array} without {@code element} (by identity), {@code empty} for none left; the array itself when absent. */
    static <T> T[] without(T[] array, Object element, T[] empty) {
        for (int i = 0; i < array.length; i++) {
            if (array[i] == element) {
                if (array.length == 1) {
                    return empty;
                }
                T[] shrunk = Arrays.copyOf(array, array.length - 1);
                System.arraycopy(array, i + 1, shrunk, i, array.length - i - 1);
                return shrunk;
            }
        }
        return array;
    }
}
