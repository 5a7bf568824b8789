package io.streamgate.kafka;

import io.quarkus.runtime.ShutdownEvent;
import io.streamgate.stream.Epoch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The current {@link Epoch} of each topic, from Kafka's metadata. Looked up once per topic, then checked again
 * every {@code streamgate.live.epoch-check-interval}, and at once (at most once a second per topic) when a record
 * or a publish lands in a partition the known epoch cannot place: partitions added, or the topic deleted and
 * recreated (issue 15, item 1). A change fires {@link Changed}, and keeps firing it at every check for a topic
 * that ever changed, so that subscriptions set up meanwhile under the old epoch are moved too. Lookups are
 * asynchronous: they never block the caller's thread.
 */
@ApplicationScoped
public class TopicEpochs {

    private static final Logger LOG = Logger.getLogger(TopicEpochs.class);
    private static final long REFRESH_SPACING_NANOS = 1_000_000_000L;

    /**
     * The epoch of a topic is now {@code epoch}: subscriptions of the topic in another epoch must move to it.
     * Fired on the checker's thread.
     */
    public record Changed(String topic, Epoch epoch) {
    }

    private final ConcurrentHashMap<String, CompletableFuture<Epoch>> epochs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> lastRefresh = new ConcurrentHashMap<>();
    private final java.util.Set<String> changed = ConcurrentHashMap.newKeySet();
    private volatile Admin admin;
    private java.util.concurrent.ScheduledExecutorService checker;

    @Inject
    KafkaSettings settings;

    @Inject
    io.streamgate.config.StreamgateConfig config;

    @Inject
    jakarta.enterprise.event.Event<Changed> changes;

    @Inject
    LivePositions positions;

    void start(@Observes io.quarkus.runtime.StartupEvent event) {
        checker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "streamgate-epochs");
            t.setDaemon(true);
            return t;
        });
        long interval = config.live().epochCheckInterval().toMillis();
        checker.scheduleWithFixedDelay(this::checkAll, interval, interval, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Checks the topic's epoch soon (at most once a second per topic); never blocks. */
    public void refreshSoon(String topic) {
        long now = System.nanoTime();
        Long last = lastRefresh.get(topic);
        if (last != null && now - last < REFRESH_SPACING_NANOS || checker == null) {
            return;
        }
        lastRefresh.put(topic, now);
        try {
            checker.execute(() -> check(topic));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    /** The topic's epoch as Kafka has it now (the cache follows); for a publish stored outside the known epoch. */
    public CompletionStage<Epoch> current(String topic) {
        if (checker == null) {
            forget(topic);
            return epochOf(topic);
        }
        CompletableFuture<Epoch> result = new CompletableFuture<>();
        checker.execute(() -> {
            check(topic);
            Epoch e = known(topic);
            if (e != null) {
                result.complete(e);
            } else {
                result.completeExceptionally(new IllegalStateException("the epoch of " + topic + " is unknown"));
            }
        });
        return result;
    }

    private void checkAll() {
        for (String topic : List.copyOf(epochs.keySet())) {
            check(topic);
        }
    }

    /** On the checker's thread: one describe; a change replaces the cached epoch and is announced. */
    private void check(String topic) {
        Epoch old = known(topic);
        Epoch fresh;
        try {
            fresh = describe(topic).get(15, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            return; // deleted (and not yet back) or the broker is away: keep what is known, check again later
        }
        if (old != null && !old.equals(fresh)) {
            LOG.warnf("Kafka topic %s changed from %s to %s (%s): its subscriptions move to the new stream and "
                    + "their clients are told (reason epoch)", topic, old, fresh,
                    old.topicId().equals(fresh.topicId()) ? "partitions added" : "deleted and recreated");
            changed.add(topic);
            if (!old.topicId().equals(fresh.topicId())) {
                restartPositions(topic, fresh);
            }
        }
        if (old == null || !old.equals(fresh)) {
            epochs.put(topic, CompletableFuture.completedFuture(fresh));
        }
        if (changed.contains(topic)) {
            changes.fire(new Changed(topic, fresh));
        }
    }

    public CompletionStage<Epoch> epochOf(String topic) {
        CompletableFuture<Epoch> cached = epochs.computeIfAbsent(topic, this::describe);
        if (cached.isCompletedExceptionally()) {
            // Do not cache failures: the topic may be created or the broker come back.
            epochs.remove(topic, cached);
        }
        return cached;
    }

    /** The epoch if already known, else null. For the per-record path, which must not wait. */
    public Epoch known(String topic) {
        CompletableFuture<Epoch> f = epochs.get(topic);
        return f != null && f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
    }

    public void forget(String topic) {
        epochs.remove(topic);
    }

    private CompletableFuture<Epoch> describe(String topic) {
        CompletableFuture<Epoch> result = new CompletableFuture<>();
        Admin admin;
        try {
            admin = admin();
        } catch (RuntimeException e) {
            LOG.errorf("Cannot create the Kafka admin client: %s", e.getMessage());
            result.completeExceptionally(e);
            return result;
        }
        admin.describeTopics(List.of(topic)).topicNameValues().get(topic).whenComplete((TopicDescription d, Throwable e) -> {
            if (e != null) {
                LOG.warnf("Cannot describe Kafka topic %s: %s", topic, e.getMessage());
                result.completeExceptionally(e);
            } else {
                result.complete(new Epoch(d.topicId().toString(), d.partitions().size()));
            }
        });
        return result;
    }

    private Admin admin() {
        Admin a = admin;
        if (a == null) {
            synchronized (this) {
                if (admin == null) {
                    Map<String, Object> config = settings.base();
                    config.keySet().retainAll(AdminClientConfig.configNames());
                    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamgate-epochs");
                    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
                    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
                    admin = Admin.create(config);
                }
                a = admin;
            }
        }
        return a;
    }

    /** A recreated topic's offsets begin again: the live positions above the new ends are the old stream's. */
    private void restartPositions(String topic, Epoch fresh) {
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
        for (int p = 0; p < fresh.partitions(); p++) {
            latest.put(new org.apache.kafka.common.TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        try {
            admin().listOffsets(latest).all().get(15, java.util.concurrent.TimeUnit.SECONDS)
                    .forEach((tp, info) -> positions.streamRestarted(tp, info.offset()));
        } catch (Exception e) {
            LOG.warnf("Cannot read the ends of recreated topic %s: %s", topic, e.getMessage());
        }
    }

    void close(@Observes ShutdownEvent event) {
        if (checker != null) {
            checker.shutdownNow();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
