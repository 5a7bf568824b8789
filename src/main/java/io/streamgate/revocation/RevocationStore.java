package io.streamgate.revocation;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Revocations in PostgreSQL (migration V2), shared by every replica and kept across restarts. Called from worker
 * threads only: an API request or the periodic reload, never an event loop.
 */
@ApplicationScoped
public class RevocationStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final String SAVE_TOKEN = """
            INSERT INTO streamgate_revoked_token (tenant, jti, expires_at) VALUES (?1, ?2, ?3)
            ON CONFLICT (tenant, jti) DO UPDATE SET expires_at = GREATEST(streamgate_revoked_token.expires_at, EXCLUDED.expires_at)
            """;
    private static final String SAVE_SUBJECT = """
            INSERT INTO streamgate_revoked_subject (tenant, subject, issued_before) VALUES (?1, ?2, ?3)
            ON CONFLICT (tenant, subject) DO UPDATE
               SET issued_before = GREATEST(streamgate_revoked_subject.issued_before, EXCLUDED.issued_before)
            """;
    private static final String PURGE_TOKENS = "DELETE FROM streamgate_revoked_token WHERE expires_at < now()";
    private static final String TOKENS = """
            SELECT tenant, jti, (EXTRACT(EPOCH FROM expires_at) * 1000)::bigint FROM streamgate_revoked_token
            """;
    private static final String SUBJECTS = """
            SELECT tenant, subject, (EXTRACT(EPOCH FROM issued_before) * 1000)::bigint FROM streamgate_revoked_subject
            """;

    /** Stores a revocation; throws when the database cannot (the API then answers 503 and nothing is announced). */
    public void save(Revocation r) {
        await(() -> Panache.withTransaction(() -> Panache.getSession().chain(session -> r.tokenId() != null
                ? session.createNativeQuery(SAVE_TOKEN).setParameter(1, r.tenant()).setParameter(2, r.tokenId())
                        .setParameter(3, time(r.expiresAtMillis())).executeUpdate()
                : session.createNativeQuery(SAVE_SUBJECT).setParameter(1, r.tenant()).setParameter(2, r.subject())
                        .setParameter(3, time(r.issuedBeforeMillis())).executeUpdate())));
    }

    /** Every stored revocation in force; deletes those of tokens that have expired first. */
    public List<Revocation> all() {
        List<Revocation> result = new ArrayList<>();
        await(() -> Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(PURGE_TOKENS)
                .executeUpdate()
                .chain(() -> session.createNativeQuery(TOKENS, Object[].class).getResultList())
                .invoke(rows -> rows.forEach(row -> result.add(Revocation.ofToken((String) row[0], (String) row[1], millis(row[2])))))
                .chain(() -> session.createNativeQuery(SUBJECTS, Object[].class).getResultList())
                .invoke(rows -> rows.forEach(row -> result.add(Revocation.ofSubject((String) row[0], (String) row[1], millis(row[2]))))))));
        return result;
    }

    private static <T> void await(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> work) {
        try {
            VertxContextSupport.subscribeAndAwait(() -> work.get().ifNoItem().after(TIMEOUT).fail());
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static OffsetDateTime time(long millis) {
        return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
    }

    private static long millis(Object column) {
        return ((Number) column).longValue();
    }
}
