package io.streamgate.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.kafka.KafkaSettings;
import io.streamgate.protocol.Frames;
import io.streamgate.protocol.PresenceMember;
import io.streamgate.subscription.Subscription;
import io.streamgate.subscription.SubscriptionIndex;
import io.streamgate.subscription.SubscriptionLifecycle;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Who is in a channel, across replicas, through Kafka alone. A connection subscribed to a channel of a
 * {@code presence} namespace is a member. Its replica writes a record to the compacted presence topic
 * when it joins, renews it every third of the TTL, and writes a tombstone when it leaves. Every replica
 * reads the whole topic into {@link PresenceView} and tells its local subscribers of the channel about
 * {@code join} and {@code leave}. Members of a replica that crashed are not renewed and disappear from
 * every view within the TTL.
 * <p>
 * A member exists only while its subscription does: a subscription's start and end may be observed in
 * either order (they come from different threads), and the one found ended when its start is observed
 * never becomes a member. Each replica applies its own changes when it makes them and skips them when it
 * reads them back from the topic.
 */
@ApplicationScoped
public class PresenceService {

    private static final Logger LOG = Logger.getLogger(PresenceService.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static final String IN = "presence-in";
    public static final String OUT = "presence-out";

    /** The Kafka header naming the replica that wrote a presence record. */
    static final String REPLICA_HEADER = "streamgate-replica";

    private final PresenceView view = new PresenceView();
    /** This replica's members, by record key: renewed by the heartbeat. Guarded by {@link #lock}. */
    private final Map<String, LocalMember> local = new HashMap<>();
    /**
     * Every change of the view, and the join/leave frames and Kafka writes it causes, happens under this
     * lock: so subscribers get join and leave in the order the view changed, and Kafka gets a member's
     * record and its tombstone in that order too.
     */
    private final Object lock = new Object();
    /** Written on this replica's records: it applied them when it wrote them, so it skips them when read back. */
    private final byte[] replicaId = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);

    private record LocalMember(PresenceRecord record, Subscription owner) {
    }

    @Inject
    StreamgateConfig config;

    @Inject
    SubscriptionIndex index;

    @Inject
    KafkaSettings settings;

    @Inject
    Vertx vertx;

    @Inject
    @Channel(OUT)
    MutinyEmitter<Record<String, byte[]>> out;

    private long heartbeatTimer = -1;
    private long sweepTimer = -1;

    void start(@Observes StartupEvent event) {
        createTopicIfMissing();
        long ttl = config.presence().ttl().toMillis();
        heartbeatTimer = vertx.setPeriodic(Math.max(1000, ttl / 3), id -> renewLocalMembers());
        sweepTimer = vertx.setPeriodic(Math.max(500, ttl / 10), id -> expire(System.currentTimeMillis()));
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(heartbeatTimer);
        vertx.cancelTimer(sweepTimer);
    }

    void started(@Observes SubscriptionLifecycle.Started started) {
        Subscription s = started.subscription();
        if (!s.namespace().presence() || s.channel().isWildcard()) {
            return;
        }
        JsonNode info = null;
        if (started.presenceInfo() != null) {
            try {
                info = MAPPER.readTree(started.presenceInfo());
            } catch (IOException e) {
                info = null;
            }
        }
        PresenceRecord record = new PresenceRecord(s.tenant(), s.channel().toString(), s.connectionId(), started.subject(),
                info, expiry());
        synchronized (lock) {
            // Started is fired on whichever thread completed the subscribe (a Kafka or replay thread), Ended on
            // the connection's event loop: the two can arrive in either order. A subscription is cancelled
            // before its Ended is fired, so one found cancelled here has ended (or is ending): never a member.
            if (s.isCancelled()) {
                return;
            }
            local.put(record.key(), new LocalMember(record, s));
            // Seen here at once (so the joiner's own presence query lists it), and by others through Kafka.
            notify(view.upsert(record), true);
            write(record.key(), record);
        }
    }

    void ended(@Observes SubscriptionLifecycle.Ended ended) {
        Subscription s = ended.subscription();
        String key = PresenceRecord.key(s.tenant(), s.connectionId(), s.channel().toString());
        synchronized (lock) {
            LocalMember m = local.get(key);
            if (m != null && m.owner() == s) { // not a later subscription of the same connection and channel
                local.remove(key);
                notify(view.remove(key), false);
                write(key, null);
            }
        }
    }

    /** The members of a channel of this tenant, one entry per subject. */
    public List<PresenceMember> members(String tenant, String channel) {
        return view.members(tenant, channel);
    }

    @Incoming(IN)
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                apply(r);
            } catch (RuntimeException | IOException e) {
                LOG.warnf("Ignoring presence record at offset %d: %s", r.offset(), e.getMessage());
            }
        }
        return Uni.createFrom().voidItem();
    }

    private void apply(ConsumerRecord<String, byte[]> r) throws IOException {
        Header writer = r.headers().lastHeader(REPLICA_HEADER);
        if (writer != null && Arrays.equals(writer.value(), replicaId)) {
            // This replica's own record, read back: applied when written. Applying it again could undo a
            // later change (a member's join read back after it left would bring it back).
            return;
        }
        if (r.value() == null) {
            synchronized (lock) {
                if (!local.containsKey(r.key())) {
                    notify(view.remove(r.key()), false);
                }
            }
            return;
        }
        PresenceRecord record = MAPPER.readValue(r.value(), PresenceRecord.class);
        if (record.expiresAt() > System.currentTimeMillis() && record.key().equals(r.key())) {
            synchronized (lock) {
                if (!local.containsKey(r.key())) {
                    notify(view.upsert(record), true);
                }
            }
        }
    }

    /** Drops members whose replica stopped renewing them. */
    void expire(long now) {
        synchronized (lock) {
            notify(view.expire(now), false);
        }
    }

    void renewLocalMembers() {
        long expiresAt = expiry();
        synchronized (lock) {
            for (Map.Entry<String, LocalMember> e : local.entrySet()) {
                PresenceRecord r = e.getValue().record();
                PresenceRecord renewed = new PresenceRecord(r.tenant(), r.channel(), r.connection(), r.sub(), r.info(), expiresAt);
                e.setValue(new LocalMember(renewed, e.getValue().owner()));
                view.upsert(renewed);
                write(e.getKey(), renewed);
            }
        }
    }

    /** Sends join (or leave) frames for subjects that appeared in (or vanished from) a channel. */
    private void notify(List<PresenceView.Change> changes, boolean join) {
        for (PresenceView.Change c : changes) {
            int colon = c.channel().indexOf(':');
            String text = Frames.presenceChange(join, c.channel(), c.member());
            for (Subscription s : index.subscribersOf(c.tenant(), c.channel().substring(0, colon), c.channel().substring(colon + 1))) {
                s.sendControl(text);
            }
        }
    }

    private long expiry() {
        return System.currentTimeMillis() + config.presence().ttl().toMillis();
    }

    private void write(String key, PresenceRecord record) {
        byte[] value;
        try {
            value = record == null ? null : MAPPER.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder()
                .withHeaders(new RecordHeaders().add(REPLICA_HEADER, replicaId)).build();
        out.sendMessage(Message.of(Record.of(key, value)).addMetadata(metadata)).subscribe().with(ok -> {
        }, failure -> LOG.warnf("Presence update not written (%s): %s", key, failure.getMessage()));
    }

    private void createTopicIfMissing() {
        settings.createTopicIfMissing(config.presence().topic(),
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT), "compacted presence");
    }
}
