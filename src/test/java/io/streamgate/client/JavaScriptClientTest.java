package io.streamgate.client;

import io.streamgate.support.Tools;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the JavaScript client's own tests (src/test/js, {@code node --test}) as part of the Maven build, so
 * that {@code ./mvnw verify} covers the client too. They need nothing but Node.js 20 or later; without it
 * the test fails in CI and is skipped with a warning elsewhere ({@link Tools}). The output goes to
 * target/js-client-tests.log, and a {@code node} that hangs is killed (with its workers) after a timeout.
 */
class JavaScriptClientTest {

    private static final Pattern MAJOR = Pattern.compile("^v(\\d+)\\.");
    private static final String INSTALL = "Node.js 20 or later from https://nodejs.org (Debian 12's nodejs is 18)";

    @Test
    void nodeTestsOfTheClientPass() throws Exception {
        Path node = Tools.require("node", INSTALL);
        Tools.Result version = Tools.run(List.of(node.toString(), "--version"), null, Duration.ofSeconds(30),
                Path.of("target", "node-version.log"));
        Matcher major = MAJOR.matcher(version.output().trim());
        Tools.requireThat(major.find() && Integer.parseInt(major.group(1)) >= 20,
                "node on PATH is " + version.output().trim() + ", the client's tests need 20 or later", INSTALL);

        Tools.Result tests = Tools.run(List.of(node.toString(), "--test", "src/test/js/"), null, Duration.ofMinutes(3),
                Path.of("target", "js-client-tests.log"));
        assertThat(tests.exitCode()).as("node --test src/test/js/ failed:\n%s", tests.output()).isZero();
        assertThat(tests.output()).contains("# fail 0");
    }
}
