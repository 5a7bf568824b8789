package io.streamgate.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Gives a {@code @QuarkusTest} the shared real Kafka broker and PostgreSQL of {@link TestStack}. */
public class KafkaAndPostgres implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new java.util.HashMap<>(TestStack.get().config());
        // A file path rather than the classpath resource: a packaged application under
        // @QuarkusIntegrationTest has no test resources on its classpath.
        config.put("mp.jwt.verify.publickey.location",
                java.nio.file.Paths.get("target", "test-classes", "publicKey.pem").toAbsolutePath().toString());
        return config;
    }

    @Override
    public void stop() {
        // The stack outlives each test class; TestStack stops it when the JVM exits.
    }
}
