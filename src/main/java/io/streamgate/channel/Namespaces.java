package io.streamgate.channel;

import com.fasterxml.jackson.core.JsonPointer;
import io.streamgate.config.StreamgateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The configured namespaces, by name and by topic. Fixed at startup. */
@ApplicationScoped
public class Namespaces {

    private final Map<String, Namespace> byName = new HashMap<>();
    private final Map<String, Namespace> byTopic = new HashMap<>();
    private final Optional<String> userNamespace;

    @Inject
    public Namespaces(StreamgateConfig config) {
        config.namespaces().forEach((name, ns) -> {
            if (!ChannelName.parse(name + ":x", Integer.MAX_VALUE).channel().isPresent()) {
                throw new IllegalStateException("streamgate.namespaces.\"" + name
                        + "\": a namespace name may contain only letters, digits, '-', '_' and '.'");
            }
            Optional<JsonPointer> pointer = ns.subjectPointer().map(p -> {
                try {
                    return JsonPointer.compile(p);
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("streamgate.namespaces.\"" + name + "\".subject-pointer: '" + p
                            + "' is not a JSON pointer (it must start with '/', like /sku)");
                }
            });
            Namespace namespace = new Namespace(name, ns.topic(), pointer, ns.isPublic(), ns.publish(), ns.presence());
            Namespace clash = byTopic.putIfAbsent(ns.topic(), namespace);
            if (clash != null) {
                throw new IllegalStateException("streamgate.namespaces: topic '" + ns.topic() + "' is mapped to both '"
                        + clash.name() + "' and '" + name + "'; a topic belongs to at most one namespace");
            }
            byName.put(name, namespace);
        });
        this.userNamespace = config.userNamespace();
    }

    public Optional<Namespace> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The namespace reading this topic, or null: called per Kafka record, so no Optional. */
    public Namespace byTopic(String topic) {
        return byTopic.get(topic);
    }

    public Set<String> topics() {
        return byTopic.keySet();
    }

    public Collection<Namespace> all() {
        return byName.values();
    }

    /** Is this the namespace in which a subject may always subscribe to its own channel? */
    public boolean isUserNamespace(String namespace) {
        return userNamespace.isPresent() && userNamespace.get().equals(namespace);
    }
}
