package io.streamgate.bench.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes the id of every process the run starts to a file (one a line), so the script's exit trap can end
 * them even when this JVM is killed before its own cleanup runs.
 */
public final class ProcessRegistry {

    private static volatile Path file;

    private ProcessRegistry() {
    }

    public static void useFile(Path pidFile) {
        file = pidFile;
    }

    public static synchronized void register(long pid) {
        if (file == null) {
            return;
        }
        try {
            Files.writeString(file, pid + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("cannot record pid " + pid + " in " + file + ": " + e.getMessage());
        }
    }
}
