package io.streamgate.api.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.connection.Sessions;
import io.streamgate.kafka.KafkaSettings;
import io.streamgate.protocol.CloseCodes;
import io.streamgate.revocation.Revocations;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.config.TopicConfig;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Disconnects and revocations on every replica: the replica that takes the API call acts at once and writes a
 * {@link ControlMessage} to the control topic, which every replica reads (each its own consumer group, like the
 * presence topic) and acts on within the consumer's fetch wait.
 * <p>
 * Why a Kafka topic and not PostgreSQL's LISTEN/NOTIFY: Kafka is the dependency every replica already needs to
 * work at all (readiness goes down without it), while PostgreSQL is optional (durable cursors degrade without
 * it); a disconnect must reach every replica also while the database is away. Revocations are stored in
 * PostgreSQL first, so the topic only has to carry news: each replica reads the topic from the beginning of
 * its retention (an hour) and skips what was written before it started, so a message written while its
 * consumer was still joining is not lost; what came before its start it has from the database.
 */
@ApplicationScoped
public class ControlTopic {

    private static final Logger LOG = Logger.getLogger(ControlTopic.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static final String IN = "control-in";
    public static final String OUT = "control-out";

    /** Messages written before this replica started concern connections it never had. */
    private final long startedAt = System.currentTimeMillis();

    @Inject
    @Channel(OUT)
    MutinyEmitter<Record<String, byte[]>> out;

    @Inject
    Sessions sessions;

    @Inject
    io.streamgate.sse.SseStreams sseStreams;

    @Inject
    Revocations revocations;

    @Inject
    KafkaSettings settings;

    @Inject
    StreamgateConfig config;

    void start(@Observes StartupEvent event) {
        settings.createTopicIfMissing(config.api().controlTopic(), Map.of(TopicConfig.RETENTION_MS_CONFIG, "3600000"),
                "control");
    }

    /** Acts on this replica now and tells the others; completes once Kafka has the message. */
    public CompletionStage<Integer> send(ControlMessage message) {
        int closedHere = apply(message);
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return out.send(Record.of(message.tenant(), json)).map(done -> closedHere).subscribeAsCompletionStage();
    }

    @Incoming(IN)
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.timestamp() < startedAt || r.value() == null) {
                continue;
            }
            try {
                apply(MAPPER.readValue(r.value(), ControlMessage.class));
            } catch (IOException | RuntimeException e) {
                LOG.warnf("Ignoring control record at offset %d: %s", r.offset(), e.getMessage());
            }
        }
        return Uni.createFrom().voidItem();
    }

    /** WebSockets and SSE streams alike. */
    private int closeWhere(java.util.function.Predicate<io.streamgate.auth.Grant> which,
            io.quarkus.websockets.next.CloseReason reason) {
        return sessions.closeWhere(which, reason) + sseStreams.closeWhere(which, reason);
    }

    /** Closes this replica's connections the message names; returns how many. */
    private int apply(ControlMessage m) {
        int closed = switch (m.type()) {
            case ControlMessage.DISCONNECT -> closeWhere(
                    g -> g.tenant().equals(m.tenant()) && g.subject().equals(m.subject()), CloseCodes.DISCONNECTED);
            case ControlMessage.REVOKE -> {
                revocations.add(m.revocation());
                yield closeWhere(m.revocation()::covers, CloseCodes.TOKEN_REVOKED);
            }
            default -> 0;
        };
        if (closed > 0) {
            LOG.infof("Closed %d connections of tenant %s (%s)", closed, m.tenant(), m.type());
        }
        return closed;
    }
}
