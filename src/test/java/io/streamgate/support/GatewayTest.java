package io.streamgate.support;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import org.junit.jupiter.api.AfterEach;

import java.net.URI;
import java.util.UUID;

/**
 * The base of the tests against a running gateway: the application started by Quarkus against the shared
 * Kafka broker and PostgreSQL ({@link KafkaAndPostgres}), a tenant of the test's own, and a producer
 * of upstream records. A {@code FooIT extends FooTest} with {@code @QuarkusIntegrationTest} runs the same
 * cases against the packaged application. A subclass may add a {@code @TestProfile}; the resource stays the
 * same, so test classes without a profile share one application start.
 *
 * <p>A base class rather than a meta-annotation: most of what the tests repeat is state (the URI, the
 * tenant, the producer and its closing), which an annotation cannot carry. {@code @QuarkusTest} itself stays
 * on each subclass: Quarkus makes every test class a CDI bean through that annotation, which is bean-defining
 * and not inherited (a subclass without it fails with "No bean found for required type").
 */
@WithTestResource(KafkaAndPostgres.class)
public abstract class GatewayTest {

    /** The gateway's root: {@code WsClient.connect(uri, token)} finds the WebSocket endpoint under it. */
    @TestHTTPResource("/")
    protected URI uri;

    /** A tenant no other test uses (a new one for each test method): tests never see each other's events. */
    protected final String tenant = newTenant();

    /** Produces records as an upstream service does; connects on first use, closed after each test. */
    protected final Records records = new Records();

    @AfterEach
    void closeRecords() {
        records.close();
    }

    /** Another tenant, as fresh as {@link #tenant}. */
    protected static String newTenant() {
        return "t-" + UUID.randomUUID();
    }
}
