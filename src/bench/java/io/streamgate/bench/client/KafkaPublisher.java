package io.streamgate.bench.client;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An upstream service writing to Streamgate's topic in the record contract: key = tenant, header
 * {@code subject}, JSON value. Produces like a latency-minded service does: acks from all in-sync replicas,
 * no linger (the producer still batches what queues up while a request is in flight).
 */
public final class KafkaPublisher implements Publisher {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final String tenant;
    private final byte[][] subjects;

    public KafkaPublisher(String bootstrapServers, String topic, String tenant, String[] subjects) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.tenant = tenant;
        this.subjects = new byte[subjects.length][];
        for (int i = 0; i < subjects.length; i++) {
            this.subjects[i] = subjects[i].getBytes(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void publish(int channel, long seq, long sentNanos) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("subject", subjects[channel]);
        producer.send(new ProducerRecord<>(topic, null, tenant,
                Publisher.data(seq, sentNanos).getBytes(StandardCharsets.UTF_8), headers));
    }

    @Override
    public void sync() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
