package io.streamgate.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.streamgate.config.StreamgateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.common.TopicPartition;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;

/**
 * Reads history from Kafka for resuming subscriptions, on this replica's {@link ReplayScheduler}: a fixed number
 * of workers, each with one Kafka consumer reused for replay after replay, shared reads per tenant and
 * partition, round-robin turns between tenants, parking of clients that do not read. Nothing here runs on an
 * event loop. The rules and limits are in docs/reliability.md ("Resume at scale").
 */
@ApplicationScoped
public class ReplayWorkers {

    @Inject
    StreamgateConfig config;

    @Inject
    KafkaSettings settings;

    @Inject
    LivePositions live;

    @Inject
    MeterRegistry registry;

    private ReplayScheduler scheduler;

    void start(@Observes StartupEvent event) {
        StreamgateConfig.Replay replay = config.replay();
        AtomicInteger consumers = new AtomicInteger();
        scheduler = new ReplayScheduler(
                new ReplayScheduler.Limits(replay.workers(), replay.maxWaitingPerTenant(), replay.turnRecords(),
                        config.connection().slowConsumerGrace()),
                () -> new KafkaHistory(settings.base(), "streamgate-replay-" + consumers.getAndIncrement(),
                        replay.pollTimeout(), replay.fetchBytes(), 2000),
                new ReplayScheduler.LiveSeam() {
                    @Override
                    public long next(TopicPartition tp) {
                        return live.next(tp);
                    }

                    @Override
                    public <T> T atSeam(TopicPartition tp, LongFunction<T> action) {
                        return live.atSeamNow(tp, action);
                    }
                });
        Counter delivered = registry.counter("streamgate.events.delivered", "path", "replay");
        scheduler.onDelivered(delivered::increment);
        // [streamgate_replay_reads_total] fetches of history from Kafka (a storm of one partition shares them)
        FunctionCounter.builder("streamgate.replay.reads", scheduler, ReplayScheduler::reads)
                .description("Fetches of history from Kafka").register(registry);
        // [streamgate_replay_records_read_total] records read from Kafka for replays, whoever they were for
        FunctionCounter.builder("streamgate.replay.records.read", scheduler, ReplayScheduler::recordsRead)
                .description("Records read from Kafka for replays").register(registry);
        // [streamgate_replay_waiting] resumes not yet live: queued, being read, or parked
        Gauge.builder("streamgate.replay.waiting", scheduler, ReplayScheduler::waiting)
                .description("Resumes on this replica not yet live").register(registry);
        // [streamgate_replay_parked] resumes parked because their client is backed up
        Gauge.builder("streamgate.replay.parked", scheduler, ReplayScheduler::parked)
                .description("Resumes parked while their client is backed up").register(registry);
        // [streamgate_replay_closed_slow_total] clients closed with 4008 because they stayed backed up while parked
        FunctionCounter.builder("streamgate.replay.closed.slow", scheduler, ReplayScheduler::closedSlow)
                .description("Resuming clients closed as slow consumers").register(registry);
        scheduler.start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    /**
     * Queues the replay of everything in {@code tp} after offset {@code after} for a subscription of the tenant.
     *
     * @return false when the tenant has too many resumes waiting on this replica
     *         ({@code streamgate.replay.max-waiting-per-tenant}): answer {@code too_many_resumes}
     */
    public boolean replay(String tenant, TopicPartition tp, long after, ReplayTarget target) {
        return scheduler.submit(tenant, tp, after, target);
    }

    /** Resumes waiting on this replica. */
    public int waiting() {
        return scheduler.waiting();
    }
}
