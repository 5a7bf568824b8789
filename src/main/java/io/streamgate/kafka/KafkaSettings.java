package io.streamgate.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.HashMap;
import java.util.Map;

/**
 * The Kafka client settings every client of Streamgate starts from: everything configured under
 * {@code kafka.} (bootstrap servers, and TLS or SASL settings where the cluster needs them), as Quarkus
 * collects it for its own Kafka channels. The replay readers and the admin client use it so that one set
 * of keys configures all of them.
 */
@ApplicationScoped
public class KafkaSettings {

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
}
