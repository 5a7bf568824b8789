package io.streamgate.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition that the server reaches on its own (a gauge, a counter), polling every 20 ms. */
public final class Await {

    private Await() {
    }

    /** Returns once {@code condition} holds; fails naming {@code what} when it does not within {@code wait}. */
    public static void until(String what, Duration wait, BooleanSupplier condition) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + wait);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
