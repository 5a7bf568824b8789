package io.streamgate.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Gives a {@code @QuarkusTest} the shared real Kafka broker and PostgreSQL of {@link TestStack}. */
public class KafkaAndPostgres implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return TestStack.get().config();
    }

    @Override
    public void stop() {
        // The stack outlives each test class; TestStack stops it when the JVM exits.
    }
}
