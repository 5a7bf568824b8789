package io.streamgate.support;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Produces records the way an upstream service does: key = tenant, header subject, JSON value. */
public final class Records implements AutoCloseable {

    private final String bootstrapServers;
    private KafkaProducer<String, byte[]> producer;

    public Records() {
        this(TestStack.get().bootstrapServers());
    }

    /** Connects on the first record: a test that produces nothing starts no producer. */
    public Records(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 0),
                    new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    /** Produces and waits for the broker's acknowledgement. */
    public RecordMetadata send(String topic, String tenant, String subject, String json) {
        return send(record(topic, tenant, subject, json));
    }

    /** A record as upstream services write them: key = tenant, header subject (when given), JSON value. */
    public static ProducerRecord<String, byte[]> record(String topic, String tenant, String subject, String json) {
        RecordHeaders headers = new RecordHeaders();
        if (subject != null) {
            headers.add("subject", subject.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(topic, null, tenant, json == null ? null : json.getBytes(StandardCharsets.UTF_8), headers);
    }

    public RecordMetadata send(ProducerRecord<String, byte[]> record) {
        try {
            return sendAsync(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Hands the record to the producer without waiting: while the broker is away the producer buffers it and
     * retries (for up to its delivery timeout, 2 minutes), as an upstream service's producer does.
     */
    public java.util.concurrent.Future<RecordMetadata> sendAsync(ProducerRecord<String, byte[]> record) {
        return producer().send(record);
    }

    /** Produces many records without waiting for each; returns once the broker acknowledged all of them. */
    public void sendAll(String topic, String tenant, String subject, java.util.List<String> jsonValues) {
        java.util.List<java.util.concurrent.Future<RecordMetadata>> acks = new java.util.ArrayList<>();
        for (String json : jsonValues) {
            acks.add(producer().send(record(topic, tenant, subject, json)));
        }
        try {
            for (var ack : acks) {
                ack.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close();
        }
    }
}
