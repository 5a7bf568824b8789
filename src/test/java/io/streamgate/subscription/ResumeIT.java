package io.streamgate.subscription;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same cases against the packaged application (the JVM jar here; the native executable with -Pnative). */
@QuarkusIntegrationTest
class ResumeIT extends ResumeTest {
}
