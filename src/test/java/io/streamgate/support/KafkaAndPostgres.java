package io.streamgate.support;

import io.quarkus.test.common.DevServicesContext;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Gives a {@code @QuarkusTest} the shared real Kafka broker and PostgreSQL of {@link TestStack}; under
 * {@code @QuarkusIntegrationTest} also the test profile's keys, which the packaged application does not hold.
 */
public class KafkaAndPostgres implements QuarkusTestResourceLifecycleManager, DevServicesContext.ContextAware {

    private static final String TEST_PROFILE = "%test.";

    private boolean packaged;

    @Override
    public void setIntegrationTestContext(DevServicesContext context) {
        packaged = true;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        if (packaged) {
            // The jar runs with the test profile but without the test resources: the profile's keys of
            // src/test/resources' application.properties reach it as system properties, without their prefix
            // (a system property outranks the jar's own application.properties). @QuarkusTest reads the file.
            config.putAll(testProfile());
        }
        config.putAll(TestStack.get().config());
        // A file path rather than the classpath resource: a packaged application under
        // @QuarkusIntegrationTest has no test resources on its classpath.
        config.put("mp.jwt.verify.publickey.location", testResource("publicKey.pem").toString());
        return config;
    }

    @Override
    public void stop() {
        // The stack outlives each test class; TestStack stops it when the JVM exits.
    }

    /** The {@code %test.} keys of the test resources' application.properties, without the prefix. */
    private static Map<String, String> testProfile() {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(testResource("application.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> profile = new HashMap<>();
        properties.stringPropertyNames().stream().filter(key -> key.startsWith(TEST_PROFILE))
                .forEach(key -> profile.put(key.substring(TEST_PROFILE.length()), properties.getProperty(key)));
        return profile;
    }

    /** A file of src/test/resources as Maven copied it (target/test-classes). */
    private static Path testResource(String name) {
        return Paths.get("target", "test-classes", name).toAbsolutePath();
    }
}
