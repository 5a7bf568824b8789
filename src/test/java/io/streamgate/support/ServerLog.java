package io.streamgate.support;

import org.awaitility.Awaitility;
import org.jboss.logmanager.ExtLogRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the gateway logged while a test acted on it: from the log handlers of this JVM for a {@code @QuarkusTest},
 * from {@code target/quarkus.log} (where {@code @QuarkusIntegrationTest} sends the packaged application's output)
 * for an IT. Either way the caller names a line that must appear, so an empty capture cannot pass as "nothing
 * bad was logged".
 */
public final class ServerLog {

    /** The packaged application's log under {@code @QuarkusIntegrationTest}. */
    private static final Path PACKAGED_LOG = Path.of("target", "quarkus.log");

    /** An action of the test's that may throw. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private ServerLog() {
    }

    /**
     * Runs {@code action} and returns every line logged meanwhile (messages with their causes), once a line
     * containing {@code mustAppear} has been logged (at most 20 s after the action).
     */
    public static List<String> during(boolean inProcess, Action action, String mustAppear) throws Exception {
        return inProcess ? captured(action, mustAppear) : fromPackagedLog(action, mustAppear);
    }

    private static List<String> captured(Action action, String mustAppear) throws Exception {
        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String message = r instanceof ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage();
                StringBuilder text = new StringBuilder(String.valueOf(message));
                for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
                    text.append(' ').append(t);
                }
                logged.add(text.toString());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            action.run();
            awaitLine(() -> List.copyOf(logged), mustAppear);
        } finally {
            root.removeHandler(capture);
        }
        return List.copyOf(logged);
    }

    private static List<String> fromPackagedLog(Action action, String mustAppear) throws Exception {
        long before = Files.exists(PACKAGED_LOG) ? Files.size(PACKAGED_LOG) : 0;
        action.run();
        awaitLine(() -> linesAfter(before), mustAppear);
        return linesAfter(before);
    }

    private static void awaitLine(Supplier<List<String>> lines, String mustAppear) {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> lines.get().stream().anyMatch(m -> m.contains(mustAppear)));
    }

    private static List<String> linesAfter(long offset) {
        try {
            byte[] all = Files.readAllBytes(PACKAGED_LOG);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
