package io.streamgate.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Who is in a channel, across replicas, through Kafka alone. A connection subscribed to a channel of a
 * {@code presence} namespace is a member. Its replica writes a record to the compacted presence topic
 * when it joins, renews it every third of the TTL, and writes a tombstone when it leaves. Every replica
 * reads the whole topic into {@link PresenceView} and tells its local subscribers of the channel about
 * {@code join} and {@code leave}. Members of a replica that crashed are not renewed and disappear from
 * every view within the TTL.
 */
@ApplicationScoped
public class PresenceService {

    private static final Logger LOG = Logger.getLogger(PresenceService.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static final String IN = "presence-in";
    public static final String OUT = "presence-out";

    private final PresenceView view = new PresenceView();
    /** This replica's members, by record key: renewed by the heartbeat. */
    private final Map<String, PresenceRecord> local = new ConcurrentHashMap<>();

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
        sweepTimer = vertx.setPeriodic(Math.max(500, ttl / 10), id -> notify(view.expire(System.currentTimeMillis()), false));
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
        local.put(record.key(), record);
        // Seen here at once (so the joiner's own presence query lists it), and by others through Kafka.
        notify(view.upsert(record), true);
        write(record.key(), record);
    }

    void ended(@Observes SubscriptionLifecycle.Ended ended) {
        Subscription s = ended.subscription();
        String key = PresenceRecord.key(s.tenant(), s.connectionId(), s.channel().toString());
        if (local.remove(key) != null) {
            notify(view.remove(key), false);
            write(key, null);
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
        if (r.value() == null) {
            if (!local.containsKey(r.key())) {
                notify(view.remove(r.key()), false);
            }
            return;
        }
        PresenceRecord record = MAPPER.readValue(r.value(), PresenceRecord.class);
        if (record.expiresAt() > System.currentTimeMillis() && record.key().equals(r.key())) {
            notify(view.upsert(record), true);
        }
    }

    private void renewLocalMembers() {
        long expiresAt = expiry();
        for (Map.Entry<String, PresenceRecord> e : local.entrySet()) {
            PresenceRecord r = e.getValue();
            PresenceRecord renewed = new PresenceRecord(r.tenant(), r.channel(), r.connection(), r.sub(), r.info(), expiresAt);
            if (local.replace(e.getKey(), r, renewed)) {
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
        out.send(Record.of(key, value)).subscribe().with(ok -> {
        }, failure -> LOG.warnf("Presence update not written (%s): %s", key, failure.getMessage()));
    }

    private void createTopicIfMissing() {
        Map<String, Object> admin = settings.base();
        admin.keySet().retainAll(AdminClientConfig.configNames());
        try (Admin client = Admin.create(admin)) {
            Map<String, String> topicConfig = new LinkedHashMap<>();
            topicConfig.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            client.createTopics(List.of(new NewTopic(config.presence().topic(), Optional.empty(),
                    Optional.empty()).configs(topicConfig))).all().get();
            LOG.infof("Created the compacted presence topic %s", config.presence().topic());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warnf("Cannot create the presence topic %s (%s); create it compacted by hand",
                        config.presence().topic(), e.getCause().getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("Cannot create the presence topic %s: %s", config.presence().topic(), e.getMessage());
        }
    }
}
