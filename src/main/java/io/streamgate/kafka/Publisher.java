package io.streamgate.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.OutgoingMessageMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.protocol.CommandException;
import io.streamgate.protocol.ErrorCode;
import io.streamgate.stream.Cursor;
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
import java.util.concurrent.CompletableFuture;
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

    @Inject
    TopicEpochs epochs;

    /**
     * Publishes, and completes with the stored record's cursor: the answer of the WebSocket {@code publish} and of
     * the server API's.
     */
    public CompletionStage<Cursor> publishAt(String topic, String tenant, String subject, String from, byte[] json) {
        return publish(topic, tenant, subject, from, json)
                .thenCompose(written -> epochs.epochOf(topic)
                        // Stored in a partition the known epoch does not have: partitions were added. Read the epoch
                        // again rather than answer an error for a stored record (the client would publish it twice).
                        .thenCompose(epoch -> written.partition() < epoch.partitions()
                                ? CompletableFuture.completedFuture(epoch) : epochs.current(topic))
                        .thenApply(epoch -> new Cursor(epoch, written.partition(), written.offset())));
    }

    /**
     * In a namespace whose subject comes from the value, delivery follows the value, not the channel the publish was
     * checked against: the value must name the channel's own subject (issue 15, item 5).
     */
    public static void checkSubject(Namespace namespace, ChannelName channel, JsonNode data) {
        if (namespace.subjectPointer().isEmpty()) {
            return;
        }
        JsonNode node = data.at(namespace.subjectPointer().get());
        String subject = node.isTextual() || node.isNumber() ? node.asText() : null;
        if (!channel.subject().equals(subject)) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "namespace " + namespace.name() + " takes the subject from 'data' at "
                    + namespace.subjectPointer().get() + ": it must be \"" + channel.subject() + "\", the channel's subject");
        }
    }

    /**
     * The JSON of a client's {@code publish} (WebSocket or SSE) to store: its subject checked ({@link #checkSubject}),
     * serialised, at most {@code maxPayloadBytes}; throws {@link CommandException} otherwise.
     */
    public static byte[] payload(Namespace namespace, ChannelName channel, JsonNode data, int maxPayloadBytes) {
        checkSubject(namespace, channel, data);
        byte[] json;
        try {
            json = PAYLOAD_MAPPER.writeValueAsBytes(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "'data' cannot be serialised");
        }
        if (json.length > maxPayloadBytes) {
            throw new CommandException(ErrorCode.TOO_LARGE,
                    "'data' is " + json.length + " bytes; at most " + maxPayloadBytes + " are allowed");
        }
        return json;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper PAYLOAD_MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

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
