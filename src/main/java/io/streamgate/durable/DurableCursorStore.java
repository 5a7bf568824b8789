package io.streamgate.durable;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.stream.Cursor;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Durable cursors, written behind. An {@link #ack} only updates memory (the highest cursor per key);
 * a flusher thread writes what changed since the last flush in one transaction every
 * {@code streamgate.cursors.flush-interval}, and once more on shutdown. Nothing per event touches the
 * database. When PostgreSQL is unreachable, pending cursors stay in memory (at most
 * {@code streamgate.cursors.max-pending}) and are retried on the next flush; live delivery does not depend on
 * it, and readiness reports the store as degraded. A subject keeps at most
 * {@code max-clients-per-subject} client ids' positions, and positions not written for {@code retention} are
 * deleted.
 */
@ApplicationScoped
public class DurableCursorStore {

    private static final Logger LOG = Logger.getLogger(DurableCursorStore.class);

    /**
     * Insert, or move forward within the same epoch, or replace a cursor of an older epoch (the stream was
     * recreated). A stale cursor of the current epoch never moves a stored position backwards.
     */
    private static final String UPSERT = """
            INSERT INTO streamgate_cursor (tenant, subject, client_id, channel, topic_id, partitions,
                                           kafka_partition, kafka_offset, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, now())
            ON CONFLICT (tenant, subject, client_id, channel) DO UPDATE
               SET topic_id = EXCLUDED.topic_id, partitions = EXCLUDED.partitions,
                   kafka_partition = EXCLUDED.kafka_partition, kafka_offset = EXCLUDED.kafka_offset,
                   updated_at = now()
             WHERE streamgate_cursor.topic_id <> EXCLUDED.topic_id
                OR streamgate_cursor.partitions <> EXCLUDED.partitions
                OR streamgate_cursor.kafka_offset < EXCLUDED.kafka_offset
            """;

    /**
     * Keeps a subject's most recently written client ids (issue 15, item 13): the rows of the others go. Runs in
     * the flush's transaction, once per subject written.
     */
    private static final String EVICT_CLIENT_IDS = """
            DELETE FROM streamgate_cursor
             WHERE tenant = ?1 AND subject = ?2
               AND client_id NOT IN (SELECT client_id FROM streamgate_cursor
                                      WHERE tenant = ?1 AND subject = ?2
                                      GROUP BY client_id
                                      ORDER BY max(updated_at) DESC, client_id DESC
                                      LIMIT ?3)
            """;

    private static final String PURGE = "DELETE FROM streamgate_cursor WHERE updated_at < ?1";

    /** Outcomes of {@link #writeFailures}: the database could not be reached (cursors kept), or it refused a row (dropped). */
    static final String UNAVAILABLE = "unavailable";
    static final String REFUSED = "refused";

    private final ConcurrentHashMap<DurableCursor.Key, Cursor> pending = new ConcurrentHashMap<>();
    private Counter writesUnavailable;
    private Counter writesRefused;
    private final java.util.concurrent.atomic.AtomicLong droppedAcks = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean loggedFull;
    private final AtomicInteger writtenTotal = new AtomicInteger();
    private volatile String lastError;
    private ScheduledExecutorService flusher;
    private final ExecutorService lookups = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "streamgate-cursor-lookup");
        t.setDaemon(true);
        return t;
    });

    @Inject
    StreamgateConfig config;

    @Inject
    MeterRegistry registry;

    void start(@Observes StartupEvent event) {
        registry.gaugeMapSize("streamgate.cursors.pending", List.of(), pending);
        // [streamgate_cursor_acks_dropped_total] acks not kept because max-pending positions were waiting already
        io.micrometer.core.instrument.FunctionCounter.builder("streamgate.cursor.acks.dropped", droppedAcks,
                java.util.concurrent.atomic.AtomicLong::get).register(registry);
        // Registered at start, so that both series exist (at 0) before the first failure: alerts see it rise.
        writesUnavailable = writeFailures(UNAVAILABLE);
        writesRefused = writeFailures(REFUSED);
        flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "streamgate-cursor-flush");
            t.setDaemon(true);
            return t;
        });
        long interval = config.cursors().flushInterval().toMillis();
        flusher.scheduleWithFixedDelay(this::flushQuietly, interval, interval, TimeUnit.MILLISECONDS);
        long purge = config.cursors().purgeInterval().toMillis();
        flusher.scheduleWithFixedDelay(this::purgeQuietly, purge, purge, TimeUnit.MILLISECONDS);
    }

    /** Shutdown: after {@code Drain} closed the connections (observers with lower priorities run first), write what is left. */
    void stop(@Observes @Priority(100) ShutdownEvent event) {
        if (flusher != null) {
            flusher.shutdown();
            try {
                flusher.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flushQuietly();
        if (!pending.isEmpty()) {
            LOG.warnf("%d durable cursors could not be written at shutdown: %s", pending.size(), lastError);
        }
    }

    /**
     * Remembers a client's acknowledged position; written at the next flush. Never blocks. False when it is not
     * kept: the key does not fit the table's columns ({@link DurableCursor.Key#problem()}), or
     * {@code streamgate.cursors.max-pending} other positions are waiting already (PostgreSQL is unreachable).
     */
    public boolean ack(DurableCursor.Key key, Cursor cursor) {
        if (key.problem() != null) {
            return false;
        }
        if (!pending.containsKey(key) && pending.size() >= config.cursors().maxPending()) {
            droppedAcks.incrementAndGet();
            if (!loggedFull) {
                loggedFull = true;
                LOG.warnf("%d durable cursors are waiting to be written (%s); acks of further channels are not kept "
                        + "until PostgreSQL takes them (streamgate_cursor_acks_dropped_total)", pending.size(), lastError);
            }
            return false;
        }
        pending.merge(key, cursor, (old, neu) -> neu.isAfter(old) || !neu.epoch().equals(old.epoch()) ? neu : old);
        return true;
    }

    /** Acks not kept because the pending map was full. */
    public long droppedAcks() {
        return droppedAcks.get();
    }

    /** Asks for a flush soon (a client left); returns at once. */
    public void flushSoon() {
        if (flusher != null && !flusher.isShutdown()) {
            flusher.execute(this::flushQuietly);
        }
    }

    /**
     * The last acknowledged cursor: the unwritten one if there is one, else the stored one. Completes on a
     * Vert.x thread; never blocks the caller.
     */
    public CompletionStage<Optional<Cursor>> lookup(DurableCursor.Key key) {
        Cursor unwritten = pending.get(key);
        if (unwritten != null) {
            return CompletableFuture.completedFuture(Optional.of(unwritten));
        }
        CompletableFuture<Optional<Cursor>> result = new CompletableFuture<>();
        // Hibernate Reactive wants a fresh safe Vert.x context, which VertxContextSupport creates only from a
        // thread that is not an event loop: hop to one (it does not block; the query runs on Vert.x).
        lookups.execute(() -> VertxContextSupport.subscribe(
                () -> Panache.withSession(() -> DurableCursor.<DurableCursor>findById(key))
                        .ifNoItem().after(Duration.ofSeconds(5)).fail().toMulti(),
                s -> s.with(found -> result.complete(Optional.ofNullable(found).map(DurableCursor::cursor)),
                        result::completeExceptionally, () -> result.complete(Optional.empty()))));
        return result;
    }

    /** Null while writes succeed; otherwise why the last flush failed. */
    public String lastError() {
        return lastError;
    }

    public int pendingCount() {
        return pending.size();
    }

    private synchronized void flushQuietly() {
        if (pending.isEmpty()) {
            return;
        }
        Map<DurableCursor.Key, Cursor> batch = new HashMap<>(pending);
        try {
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> write(batch)));
            written(batch);
        } catch (Throwable e) {
            if (isDataError(e)) {
                // One row the database refuses (a value over a column's limit...) must not fail everyone's flush
                // forever: write the rows one by one and drop only those refused.
                writeOneByOne(batch);
                return;
            }
            outage(batch.size(), e);
        }
    }

    /** Removes what was written (entries acknowledged again meanwhile stay) and notes that writes work. */
    private void written(Map<DurableCursor.Key, Cursor> batch) {
        batch.forEach(pending::remove);
        writtenTotal.addAndGet(batch.size());
        if (lastError != null) {
            LOG.infof("Durable cursors are being written again (%d in this flush)", batch.size());
        }
        lastError = null;
        loggedFull = false;
    }

    /**
     * [streamgate_cursor_write_failures_total{reason}] failed writes of durable cursors, one per transaction:
     * {@code unavailable}, a flush PostgreSQL did not take (unreachable, timed out, failed over; its cursors stay
     * pending for the next flush, so an outage adds one per flush interval); {@code refused}, a cursor whose row
     * PostgreSQL refused (a data error), dropped.
     */
    private Counter writeFailures(String reason) {
        return Counter.builder("streamgate.cursor.write.failures").tag("reason", reason)
                .description("Failed writes of durable cursors: unavailable (kept for the next flush) or refused (dropped)")
                .register(registry);
    }

    private void outage(int size, Throwable e) {
        writesUnavailable.increment();
        if (lastError == null) {
            LOG.warnf("Cannot write %d durable cursors, keeping them for the next flush: %s", size, e.getMessage());
        }
        lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private void writeOneByOne(Map<DurableCursor.Key, Cursor> batch) {
        for (Map.Entry<DurableCursor.Key, Cursor> e : batch.entrySet()) {
            Map<DurableCursor.Key, Cursor> one = Map.of(e.getKey(), e.getValue());
            try {
                VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> write(one)));
                written(one);
            } catch (Throwable failure) {
                if (!isDataError(failure)) {
                    outage(batch.size(), failure);
                    return; // the database went away: keep the rest for the next flush
                }
                pending.remove(e.getKey(), e.getValue());
                writesRefused.increment();
                LOG.warnf("Durable cursor %s refused by PostgreSQL and dropped: %s", e.getKey(), failure.getMessage());
            }
        }
    }

    /** SQL states of class 22 (data exception) and 23 (integrity constraint violation): the row, not the database. */
    private static boolean isDataError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String state = t instanceof io.vertx.pgclient.PgException pg ? pg.getSqlState()
                    : t instanceof java.sql.SQLException sql ? sql.getSQLState()
                    : t instanceof org.hibernate.JDBCException jdbc ? jdbc.getSQLState() : null;
            if (state != null) {
                return state.startsWith("22") || state.startsWith("23");
            }
        }
        return false;
    }

    /** Deletes positions not written for {@code streamgate.cursors.retention}; an unreachable database waits for the next run. */
    private void purgeQuietly() {
        try {
            Integer deleted = VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(
                    () -> Panache.getSession().chain(session -> session.createNativeQuery(PURGE)
                            .setParameter(1, java.time.OffsetDateTime.now().minus(config.cursors().retention())).executeUpdate())));
            if (deleted != null && deleted > 0) {
                LOG.infof("Deleted %d durable cursors not written for %s", deleted, config.cursors().retention());
            }
        } catch (Throwable e) {
            LOG.debugf("Purge of old durable cursors failed: %s", e.getMessage());
        }
    }

    private Uni<Void> write(Map<DurableCursor.Key, Cursor> batch) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Map.Entry<DurableCursor.Key, Cursor> e : batch.entrySet()) {
            DurableCursor.Key k = e.getKey();
            Cursor c = e.getValue();
            chain = chain.chain(() -> Panache.getSession().chain(session -> session.createNativeQuery(UPSERT)
                    .setParameter(1, k.tenant).setParameter(2, k.subject).setParameter(3, k.clientId)
                    .setParameter(4, k.channel).setParameter(5, c.epoch().topicId())
                    .setParameter(6, c.epoch().partitions()).setParameter(7, c.partition())
                    .setParameter(8, c.offset()).executeUpdate())).replaceWithVoid();
        }
        int maxClients = config.cursors().maxClientsPerSubject();
        for (java.util.List<String> subject : batch.keySet().stream().map(k -> java.util.List.of(k.tenant, k.subject))
                .distinct().toList()) {
            chain = chain.chain(() -> Panache.getSession().chain(session -> session.createNativeQuery(EVICT_CLIENT_IDS)
                    .setParameter(1, subject.get(0)).setParameter(2, subject.get(1)).setParameter(3, maxClients)
                    .executeUpdate())).replaceWithVoid();
        }
        return chain.ifNoItem().after(Duration.ofSeconds(10)).fail();
    }

    /** Rows written since startup; for tests and metrics. */
    public int writtenTotal() {
        return writtenTotal.get();
    }
}
