package io.streamgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * The figures the failure tests measured, one line per scenario, in target/reliability-report.txt (and on
 * the console): docs/reliability.md quotes them.
 */
public final class ReliabilityReport {

    private static final Path FILE = Paths.get("target", "reliability-report.txt");

    private ReliabilityReport() {
    }

    public static synchronized void add(String line) {
        System.out.println("[reliability] " + line);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
