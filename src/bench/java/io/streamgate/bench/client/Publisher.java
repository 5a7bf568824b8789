package io.streamgate.bench.client;

/** How events reach a server under test: Kafka for Streamgate, a publisher connection for the others. */
public interface Publisher extends AutoCloseable {

    /** Sends one event without waiting. Called from one thread only. */
    void publish(int channel, long seq, long sentNanos);

    /** Returns once the server has taken every event published so far. */
    void sync() throws Exception;

    @Override
    void close();

    /**
     * The event's data, the same bytes for every system: its sequence number on its channel, the producer's
     * send time ({@link System#nanoTime()} of this JVM) and a body that makes it the size of a typical domain
     * event (about 150 bytes of JSON).
     */
    static String data(long seq, long sentNanos) {
        return "{\"seq\":" + seq + ",\"sent\":" + sentNanos
                + ",\"body\":{\"sku\":\"sku-4711\",\"name\":\"Aurora running shoes\",\"stock\":17,\"warehouse\":\"berlin-2\",\"price\":89.95}}";
    }
}
