package io.streamgate.sse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.streamgate.auth.Grant;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * SSE tickets in PostgreSQL (migration V3), so that every replica honours them and a ticket opens one stream only,
 * whichever replica it reaches: the redemption is one conditional {@code UPDATE}. A ticket is stored by its SHA-256
 * (the table holds no usable ticket) with the grant of the token it was issued for (never the token). Called from
 * worker threads only.
 */
@ApplicationScoped
public class SseTickets {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String INSERT = """
            INSERT INTO streamgate_sse_ticket (ticket_hash, stream_id, grant_json, client_id, channels, redeem_by, expires_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """;
    private static final String REDEEM = """
            UPDATE streamgate_sse_ticket SET redeemed_at = now()
             WHERE ticket_hash = ?1 AND redeemed_at IS NULL AND redeem_by > now() AND expires_at > now()
            RETURNING stream_id, grant_json, client_id, channels
            """;
    private static final String REOPEN = """
            SELECT stream_id, grant_json, client_id, channels FROM streamgate_sse_ticket
             WHERE ticket_hash = ?1 AND stream_id = ?2 AND redeemed_at IS NOT NULL AND expires_at > now()
            """;
    private static final String REFRESH = """
            UPDATE streamgate_sse_ticket SET grant_json = ?2, expires_at = ?3 WHERE stream_id = ?1
            """;
    private static final String PURGE = "DELETE FROM streamgate_sse_ticket WHERE expires_at < now()";

    /** What a ticket opens: the stream's identity and grant, and the subscribe requests it starts with (JSON). */
    public record Ticket(String streamId, Grant grant, String clientId, String channels) {
    }

    /** A new ticket and its stream id, for {@code grant}; throws when the database cannot store it. */
    public record Issued(String ticket, String streamId) {
    }

    public Issued issue(Grant grant, String clientId, String channels, Duration ttl) {
        String ticket = random();
        String streamId = random();
        long now = System.currentTimeMillis();
        long redeemBy = Math.min(now + ttl.toMillis(), grant.expiresAtMillis());
        await(() -> Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(PURGE)
                .executeUpdate()
                .chain(() -> session.createNativeQuery(INSERT).setParameter(1, hash(ticket)).setParameter(2, streamId)
                        .setParameter(3, json(grant)).setParameter(4, clientId).setParameter(5, channels)
                        .setParameter(6, time(redeemBy)).setParameter(7, time(grant.expiresAtMillis())).executeUpdate()))));
        return new Issued(ticket, streamId);
    }

    /** Opens a ticket's stream for the first time; empty when it is unknown, used, or past its ttl or token. */
    public Optional<Ticket> redeem(String ticket) {
        return one(REDEEM, hash(ticket), null);
    }

    /** The ticket's stream again (a reconnect naming it in {@code Last-Event-ID}); empty when not, or expired. */
    public Optional<Ticket> reopen(String ticket, String streamId) {
        return one(REOPEN, hash(ticket), streamId);
    }

    /** Moves the stream's grant forward (a refresh), so that its reconnects carry the new token's lifetime. */
    public void refresh(String streamId, Grant grant) {
        await(() -> Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(REFRESH)
                .setParameter(1, streamId).setParameter(2, json(grant)).setParameter(3, time(grant.expiresAtMillis()))
                .executeUpdate())));
    }

    private Optional<Ticket> one(String sql, String hash, String streamId) {
        List<Object[]> rows = await(() -> Panache.withTransaction(() -> Panache.getSession().chain(session -> {
            var query = session.createNativeQuery(sql, Object[].class).setParameter(1, hash);
            return (streamId == null ? query : query.setParameter(2, streamId)).getResultList();
        })));
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = rows.get(0);
        return Optional.of(new Ticket((String) row[0], grant((String) row[1]), (String) row[2], (String) row[3]));
    }

    private static String random() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String ticket) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ticket.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(Grant grant) {
        try {
            return MAPPER.writeValueAsString(grant);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Grant grant(String json) {
        try {
            return MAPPER.readValue(json, Grant.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored SSE grant cannot be read", e);
        }
    }

    private static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> work.get().ifNoItem().after(TIMEOUT).fail());
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static OffsetDateTime time(long millis) {
        return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
    }
}
