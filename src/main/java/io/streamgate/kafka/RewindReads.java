package io.streamgate.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.streamgate.config.StreamgateConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Finds a channel's last N events in Kafka by a bounded backward scan of the tenant's partition ({@link TailScan},
 * at most {@code streamgate.rewind.max-scan-records} records), already encoded. The scan proves they are all of the
 * channel's events below the log end it started from; the ordinary resume path replays from that end on and hands
 * over to live.
 * A few threads ({@code streamgate.rewind.workers}), each with its own Kafka consumer; at most
 * {@link #MAX_QUEUED} scans wait, more are refused (the subscribe is answered {@code too_many_resumes}).
 */
@ApplicationScoped
public class RewindReads {

    static final int MAX_QUEUED = 1000;

    @Inject
    StreamgateConfig config;

    @Inject
    KafkaSettings settings;

    @Inject
    MeterRegistry registry;

    private ThreadPoolExecutor executor;
    private final List<HistorySource> histories = new CopyOnWriteArrayList<>();
    private final ThreadLocal<HistorySource> history = new ThreadLocal<>();
    private final AtomicInteger consumers = new AtomicInteger();
    private Counter scanned;

    /**
     * What the scan found, oldest first; see {@link TailScan.Found}.
     *
     * @param end the log end the scan started from: every event of the channel below it is in {@code events} (or
     *            older than the first of them)
     */
    public record Found(List<Event> events, long end, long scanned, boolean complete) {

        public int count() {
            return events.size();
        }
    }

    /** One event found: its offset and its {@code event} frame. */
    public record Event(long offset, String frame) {
    }

    @PostConstruct
    void init() {
        int workers = config.rewind().workers();
        AtomicInteger threads = new AtomicInteger();
        executor = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
                    Thread t = new Thread(r, "streamgate-rewind-" + threads.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                });
        // [streamgate_rewind_records_scanned_total] records read backwards to find where rewinds from Kafka start
        scanned = registry.counter("streamgate.rewind.records.scanned");
    }

    void stop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
        histories.forEach(HistorySource::wakeup);
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        histories.forEach(HistorySource::close); // no worker uses them any more
    }

    /**
     * The last {@code n} records of {@code tp} that {@code encode} makes a frame of (null: not an event of the
     * channel), found off the caller's thread.
     * Fails with {@link java.util.concurrent.RejectedExecutionException} when {@link #MAX_QUEUED} scans wait.
     */
    public CompletionStage<Found> lastMatching(TopicPartition tp, int n, Function<ConsumerRecord<String, byte[]>, String> encode) {
        long maxScan = config.rewind().maxScanRecords();
        return CompletableFuture.supplyAsync(() -> {
            HistorySource source = source();
            try {
                TailScan.Found f = TailScan.find(source, tp, n, maxScan, encode);
                scanned.increment(f.scanned());
                return new Found(f.events().stream().map(m -> new Event(m.offset(), m.frame())).toList(), f.end(),
                        f.scanned(), f.complete());
            } catch (RuntimeException e) {
                history.remove(); // go on with a fresh consumer next time
                histories.remove(source);
                source.close();
                throw e;
            }
        }, executor);
    }

    private HistorySource source() {
        HistorySource h = history.get();
        if (h == null) {
            h = new KafkaHistory(settings.base(), "streamgate-rewind-" + consumers.getAndIncrement(),
                    config.replay().pollTimeout(), 1_048_576, 500);
            history.set(h);
            histories.add(h);
        }
        return h;
    }
}
