package io.streamgate.kafka;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.OutgoingMessageMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.streamgate.stream.RecordEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Writes client publishes to Kafka, in the same record contract as upstream producers: key = tenant,
 * headers {@code subject}, {@code from} (the publisher's sub, from its token) and {@code id} (a fresh
 * UUID). The producer is idempotent with {@code acks=all}: a publish is confirmed only once Kafka has it,
 * and subscribers everywhere, the sender included, get it through the normal Kafka path.
 */
@ApplicationScoped
public class Publisher {

    public static final String CHANNEL = "client-publish";

    @Inject
    @Channel(CHANNEL)
    MutinyEmitter<byte[]> emitter;

    /** Completes with where Kafka stored the record. */
    public CompletionStage<RecordMetadata> publish(String topic, String tenant, String subject, String from, byte[] json) {
        OutgoingMessageMetadata<RecordMetadata> written = new OutgoingMessageMetadata<>();
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(topic)
                .withKey(tenant)
                .withHeaders(List.of(
                        header(RecordEvents.SUBJECT_HEADER, subject),
                        header(RecordEvents.FROM_HEADER, from),
                        header(RecordEvents.ID_HEADER, UUID.randomUUID().toString())))
                .build();
        return emitter.sendMessage(Message.of(json).addMetadata(kafka).addMetadata(written))
                .map(done -> written.getResult())
                .subscribeAsCompletionStage();
    }

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
