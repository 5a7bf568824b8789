package io.streamgate.client;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the JavaScript client's own tests (src/test/js, {@code node --test}) as part of the Maven build, so
 * that {@code ./mvnw verify} covers the client too. Skipped where no Node.js 20 or later is installed; the
 * tests need nothing but Node itself.
 */
class JavaScriptClientTest {

    @Test
    void nodeTestsOfTheClientPass() throws Exception {
        assumeTrue(nodeMajorVersion() >= 20, "Node.js 20 or later is not installed: the JavaScript client's tests are skipped");
        Process node = new ProcessBuilder("node", "--test", "src/test/js/")
                .redirectErrorStream(true)
                .start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(120, TimeUnit.SECONDS)).as("node --test finished").isTrue();
        assertThat(node.exitValue()).as("node --test src/test/js/ failed:\n%s", output).isZero();
        assertThat(output).contains("# fail 0");
    }

    private static int nodeMajorVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || !version.startsWith("v")) {
                return 0;
            }
            return Integer.parseInt(version.substring(1, version.indexOf('.')));
        } catch (IOException | InterruptedException | RuntimeException e) {
            return 0;
        }
    }
}
