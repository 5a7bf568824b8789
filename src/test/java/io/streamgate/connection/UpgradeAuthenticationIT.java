package io.streamgate.connection;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same cases against the packaged application (the JVM jar here; the native executable with -Pnative). */
@QuarkusIntegrationTest
class UpgradeAuthenticationIT extends UpgradeAuthenticationTest {

    @Override
    boolean inProcess() {
        return false; // the application runs in its own process and logs to target/quarkus.log
    }
}
