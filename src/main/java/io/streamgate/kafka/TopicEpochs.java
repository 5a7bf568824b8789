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
 * The current {@link Epoch} of each topic, from Kafka's metadata. Looked up once per topic and kept;
 * {@link #forget(String)} drops an entry so the next lookup sees a recreated or repartitioned topic.
 * Lookups are asynchronous: they never block the caller's thread.
 */
@ApplicationScoped
public class TopicEpochs {

    private static final Logger LOG = Logger.getLogger(TopicEpochs.class);

    private final ConcurrentHashMap<String, CompletableFuture<Epoch>> epochs = new ConcurrentHashMap<>();
    private volatile Admin admin;

    @Inject
    KafkaSettings settings;

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

    void close(@Observes ShutdownEvent event) {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
