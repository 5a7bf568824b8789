package io.streamgate.bench.stack;

import java.nio.file.Path;
import java.util.List;

/**
 * What the run was built with: the packaged gateway, the harness's own classpath (for the JVMs it starts), the
 * Node servers with their installed packages, the JVM flags every JVM server runs with, and the signing key.
 */
public record Tools(Path gatewayJar, String classpath, Path nodeDirectory, List<String> serverJvmFlags, SigningKeys keys) {

    public String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
