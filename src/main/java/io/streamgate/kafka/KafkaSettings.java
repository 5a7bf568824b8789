package io.streamgate.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * The Kafka client settings every client of Streamgate starts from: everything configured under
 * {@code kafka.} (bootstrap servers, and TLS or SASL settings where the cluster needs them), as Quarkus
 * collects it for its own Kafka channels. The replay readers and the admin client use it so that one set
 * of keys configures all of them.
 */
@ApplicationScoped
public class KafkaSettings {

    private static final Logger LOG = Logger.getLogger(KafkaSettings.class);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> defaults;

    public Map<String, Object> base() {
        Map<String, Object> copy = new HashMap<>();
        defaults.forEach((k, v) -> {
            // Quarkus also lists non-client keys here (health, devservices); Kafka would warn about each.
            if (!k.startsWith("health") && !k.startsWith("devservices") && !k.startsWith("snappy")) {
                copy.put(k, v);
            }
        });
        return copy;
    }

    /**
     * Creates a topic of Streamgate's own (presence, control) with the broker's default partitions and replication
     * and these settings, unless it exists. A failure is logged, not thrown: an operator can create it by hand.
     */
    public void createTopicIfMissing(String topic, Map<String, String> topicConfig, String what) {
        Map<String, Object> admin = base();
        admin.keySet().retainAll(AdminClientConfig.configNames());
        try (Admin client = Admin.create(admin)) {
            client.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()).configs(topicConfig)))
                    .all().get();
            LOG.infof("Created the %s topic %s", what, topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warnf("Cannot create the %s topic %s (%s); create it by hand with %s", what, topic,
                        e.getCause().getMessage(), topicConfig);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("Cannot create the %s topic %s: %s", what, topic, e.getMessage());
        }
    }
}
