package io.streamgate.bench.stack;

import java.nio.file.Path;
import java.util.List;

/**
 * What the run was built with: the packaged gateway, the harness's own classpath (for the JVMs it starts), the
 * Node servers with their installed packages, the JVM flags every JVM server runs with, and the signing key.
 * Optionally a second packaged gateway (an earlier commit) measured beside the first in the same run, so that a
 * change is judged side by side on a machine whose load varies: {@code baselineJar} and its label, else null.
 * {@code gatewayJvmFlags}: flags added to the gateways' JVMs only (both builds), e.g. to record a profile with JFR;
 * empty in a normal run.
 */
public record Tools(Path gatewayJar, String classpath, Path nodeDirectory, List<String> serverJvmFlags, SigningKeys keys,
        Path baselineJar, String baselineLabel, List<String> gatewayJvmFlags) {

    public String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
