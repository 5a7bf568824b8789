package io.streamgate.local;

import io.quarkus.arc.profile.IfBuildProfile;
import io.streamgate.channel.Namespace;
import io.streamgate.channel.Namespaces;
import io.streamgate.kafka.KafkaSettings;
import io.streamgate.kafka.TopicEpochs;
import io.streamgate.stream.Epoch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.concurrent.TimeUnit;

/** Reads {@link TopicSnapshot}s of the demo namespaces. Blocking: call it off the event loop. */
@ApplicationScoped
@IfBuildProfile("dev")
public class DemoSnapshots {

    /** Enough for every subject of the demo to appear, few enough to read in milliseconds. */
    private static final int MAX_RECORDS = 2_000;

    @Inject
    KafkaSettings kafka;

    @Inject
    Namespaces namespaces;

    @Inject
    TopicEpochs epochs;

    TopicSnapshot.Result read(String namespaceName, String tenant) {
        Namespace namespace = namespaces.byName(namespaceName)
                .orElseThrow(() -> new IllegalStateException("namespace " + namespaceName + " is not configured"));
        Epoch epoch;
        try {
            epoch = epochs.epochOf(namespace.topic()).toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the epoch of " + namespace.topic() + ": " + e.getMessage(), e);
        }
        return TopicSnapshot.read(kafka.base(), namespace, epoch, tenant, MAX_RECORDS);
    }
}
