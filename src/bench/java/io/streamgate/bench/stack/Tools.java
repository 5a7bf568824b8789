package io.streamgate.bench.stack;

import java.nio.file.Path;
import java.util.List;

/**
 * What the run was built with: the packaged gateway, the harness's own classpath (for the JVMs it starts), the
 * Node servers with their installed packages, the JVM flags every JVM server runs with, and the signing key.
 * Optionally a second packaged gateway (an earlier commit) measured beside the first in the same run, so that a
 * change is judged side by side on a machine whose load varies: {@code baselineJar} and its label, else null.
 * {@code gatewayJvmFlags} are added to every gateway's JVM (both builds) and to no other server's: a profiler
 * (JFR) for the gateway, never part of a comparison between systems.
 */
public record Tools(Path gatewayJar, String classpath, Path nodeDirectory, List<String> serverJvmFlags, SigningKeys keys,
        Path baselineJar, String baselineLabel, List<String> gatewayJvmFlags) {

    public String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
