package io.streamgate.durable;

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
 * database. When PostgreSQL is unreachable, pending cursors stay in memory and are retried on the next
 * flush; live delivery does not depend on it, and readiness reports the store as degraded.
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

    private final ConcurrentHashMap<DurableCursor.Key, Cursor> pending = new ConcurrentHashMap<>();
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
        flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "streamgate-cursor-flush");
            t.setDaemon(true);
            return t;
        });
        long interval = config.cursors().flushInterval().toMillis();
        flusher.scheduleWithFixedDelay(this::flushQuietly, interval, interval, TimeUnit.MILLISECONDS);
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

    /** Remembers a client's acknowledged position; written at the next flush. Never blocks. */
    public void ack(DurableCursor.Key key, Cursor cursor) {
        pending.merge(key, cursor, (old, neu) -> neu.isAfter(old) || !neu.epoch().equals(old.epoch()) ? neu : old);
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
            // Keep entries acknowledged again during the write: remove only what was written.
            batch.forEach(pending::remove);
            writtenTotal.addAndGet(batch.size());
            if (lastError != null) {
                LOG.infof("Durable cursors are being written again (%d in this flush)", batch.size());
            }
            lastError = null;
        } catch (Throwable e) {
            if (lastError == null) {
                LOG.warnf("Cannot write %d durable cursors, keeping them for the next flush: %s", batch.size(),
                        e.getMessage());
            }
            lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
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
        return chain.ifNoItem().after(Duration.ofSeconds(10)).fail();
    }

    /** Rows written since startup; for tests and metrics. */
    public int writtenTotal() {
        return writtenTotal.get();
    }
}
