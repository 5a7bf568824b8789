package io.streamgate.bench.client;

import java.util.concurrent.locks.LockSupport;

/**
 * Produces at a steady rate on its own thread: events go round-robin over the channels, each with the next
 * sequence number of its channel. Behind schedule (a GC pause, a busy core) it catches up rather than lowering
 * the rate, so the rate asked for is the rate offered.
 */
public final class Pacer implements AutoCloseable {

    private final Publisher publisher;
    private final Sequences sequences;
    private final Thread thread;
    private volatile double eventsPerSecond;
    private volatile boolean running = true;
    private int nextChannel;

    public Pacer(Publisher publisher, Sequences sequences) {
        this.publisher = publisher;
        this.sequences = sequences;
        this.thread = new Thread(this::run, "pacer");
        thread.setDaemon(true);
        thread.start();
    }

    /** From now on, this many events per second (0: pause). */
    public void rate(double eventsPerSecond) {
        this.eventsPerSecond = eventsPerSecond;
    }

    private void run() {
        double rate = 0;
        long since = System.nanoTime();
        long sentSince = 0;
        while (running) {
            if (rate != eventsPerSecond) {
                rate = eventsPerSecond;
                since = System.nanoTime();
                sentSince = 0;
            }
            long now = System.nanoTime();
            long due = rate <= 0 ? 0 : (long) ((now - since) * rate / 1e9) - sentSince;
            for (long i = 0; i < due; i++) {
                int channel = nextChannel;
                nextChannel = (nextChannel + 1) % sequences.channels();
                publisher.publish(channel, sequences.take(channel), System.nanoTime());
            }
            sentSince += Math.max(0, due);
            if (due <= 0) {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    /** Events a burst publishes before it waits for the server to have taken them ({@link Publisher#sync}). */
    static final int BURST_CHUNK = 1000;

    /**
     * Publishes {@code count} events as fast as the publisher takes them (history for a resume), waiting for the
     * server to have taken each {@link #BURST_CHUNK} before the next. Unpaced, a publisher over one WebSocket
     * (Socket.IO) queued all 100,000 events of the resume scenario at once, and its reply to the server's
     * heartbeat queued behind them: when the loaded server needed longer than its pingTimeout (20 s) to read
     * them, it dropped the publisher and the final sync never came back.
     */
    public static void burst(Publisher publisher, Sequences sequences, int channel, long count) throws Exception {
        for (long i = 0; i < count; i++) {
            publisher.publish(channel, sequences.take(channel), System.nanoTime());
            if ((i + 1) % BURST_CHUNK == 0 && i + 1 < count) {
                publisher.sync();
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
