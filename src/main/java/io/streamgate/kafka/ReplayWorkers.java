package io.streamgate.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.streamgate.config.StreamgateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads history from Kafka for resuming subscriptions. A fixed number of worker threads, each owning one
 * Kafka consumer that it reuses for replay after replay (assign, seek, read): a reconnect storm queues up
 * instead of opening thousands of consumers. Nothing here runs on an event loop.
 */
@ApplicationScoped
public class ReplayWorkers {

    private static final Logger LOG = Logger.getLogger(ReplayWorkers.class);
    private static final long BACKED_UP_PAUSE_MILLIS = 5;

    private record Job(TopicPartition partition, long after, ReplayTarget target) {
    }

    private final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final List<Worker> workers = new ArrayList<>();

    @Inject
    StreamgateConfig config;

    @Inject
    KafkaSettings settings;

    @Inject
    LivePositions live;

    @Inject
    MeterRegistry registry;

    private Counter replayedEvents;

    void start(@Observes StartupEvent event) {
        replayedEvents = registry.counter("streamgate.events.delivered", "path", "replay");
        for (int i = 0; i < config.replay().workers(); i++) {
            Worker w = new Worker(i);
            workers.add(w);
            w.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        workers.forEach(Worker::shutdown);
    }

    /** Queues a replay of everything in {@code partition} after offset {@code after}. */
    public void replay(TopicPartition partition, long after, ReplayTarget target) {
        jobs.add(new Job(partition, after, target));
    }

    /** Replays waiting for a free worker. */
    public int queued() {
        return jobs.size();
    }

    private final class Worker extends Thread {
        private volatile boolean running = true;
        private KafkaConsumer<String, byte[]> consumer;

        Worker(int number) {
            super("streamgate-replay-" + number);
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                Job job;
                try {
                    job = jobs.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (job == null || job.target().isCancelled()) {
                    continue;
                }
                try {
                    run(job);
                } catch (WakeupException | InterruptException e) {
                    job.target().failed(e);
                    return;
                } catch (RuntimeException e) {
                    LOG.errorf(e, "Replay of %s failed", job.partition());
                    job.target().failed(e);
                    closeConsumer(); // start the next job with a fresh consumer
                }
            }
            closeConsumer();
        }

        private void run(Job job) {
            KafkaConsumer<String, byte[]> c = consumer();
            TopicPartition tp = job.partition();
            c.assign(List.of(tp));
            long start = c.beginningOffsets(List.of(tp)).get(tp);
            long end = c.endOffsets(List.of(tp)).get(tp);
            long from = job.after() + 1;
            if (from < start) {
                job.target().rejected("expired");
                return;
            }
            if (from > end) {
                job.target().rejected("invalid"); // a position this stream never reached
                return;
            }
            job.target().started();
            c.seek(tp, from);
            long position = from;
            while (running && !job.target().isCancelled()) {
                long liveNext = live.next(tp);
                if (position >= liveNext && job.target().tryGoLive(position)) {
                    return;
                }
                if (job.target().isBackedUp()) {
                    sleepQuietly();
                    continue;
                }
                ConsumerRecords<String, byte[]> records;
                try {
                    records = c.poll(config.replay().pollTimeout());
                } catch (OffsetOutOfRangeException e) {
                    // Retention removed records while we read them: what is gone cannot be replayed.
                    job.target().rejected("expired");
                    return;
                }
                for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
                    if (job.target().wants(r)) {
                        job.target().replayed(r);
                        replayedEvents.increment();
                    }
                }
                position = c.position(tp);
            }
        }

        private KafkaConsumer<String, byte[]> consumer() {
            if (consumer == null) {
                Map<String, Object> props = settings.base();
                props.keySet().retainAll(ConsumerConfig.configNames());
                props.put(ConsumerConfig.CLIENT_ID_CONFIG, getName());
                props.remove(ConsumerConfig.GROUP_ID_CONFIG);
                props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
                props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
                props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
                // History is there to be read, never waited for. A long-poll fetch left open at the end of
                // one job's partition would hold up the next job's first fetch for the whole wait.
                props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
                props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
                props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
                consumer = new KafkaConsumer<>(props);
            }
            return consumer;
        }

        private void closeConsumer() {
            if (consumer != null) {
                try {
                    consumer.close(Duration.ofSeconds(1));
                } catch (RuntimeException e) {
                    LOG.debug("Closing replay consumer failed", e);
                }
                consumer = null;
            }
        }

        private void sleepQuietly() {
            try {
                Thread.sleep(BACKED_UP_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }

        void shutdown() {
            running = false;
            KafkaConsumer<String, byte[]> c = consumer;
            if (c != null) {
                c.wakeup();
            }
        }
    }
}
