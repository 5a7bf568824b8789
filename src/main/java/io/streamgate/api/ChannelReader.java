package io.streamgate.api;

import io.quarkus.runtime.ShutdownEvent;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.kafka.KafkaSettings;
import io.streamgate.kafka.TopicEpochs;
import io.streamgate.stream.Cursor;
import io.streamgate.stream.Epoch;
import io.streamgate.stream.RecordEvents;
import io.streamgate.stream.StreamEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a channel's events and position from the tenant's partition for the API. A few Kafka consumers
 * ({@code streamgate.api.readers}), without group, read committed only (as delivery does), are shared by the
 * requests; a read looks at {@code streamgate.api.max-scan-records} records of the partition at most, so a cold
 * channel in a busy partition costs one bounded read, never a scan of the log. Blocking: called on worker threads.
 */
@ApplicationScoped
public class ChannelReader {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final long READ_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * @param events  the channel's events found, oldest first
     * @param cursor  the position the page covers the partition to: a later {@code since} (API or WebSocket) continues
     *                exactly after it
     * @param bounded without {@code since}: the scan window ended before {@code limit} events were found (older ones
     *                may exist)
     * @param more    with {@code since}: the partition holds records after {@code cursor} (page again)
     */
    public record Page(List<StreamEvent> events, Cursor cursor, boolean bounded, boolean more) {
    }

    private final LinkedBlockingQueue<KafkaConsumer<String, byte[]>> idle = new LinkedBlockingQueue<>();
    private final AtomicInteger created = new AtomicInteger();
    private final List<KafkaConsumer<String, byte[]>> all = java.util.Collections.synchronizedList(new ArrayList<>());

    @Inject
    KafkaSettings settings;

    @Inject
    TopicEpochs epochs;

    @Inject
    StreamgateConfig config;

    /** The channel's current position: a {@code since} from it misses nothing written after this call. */
    public Cursor current(Namespace namespace, String tenant) {
        Epoch epoch = epoch(namespace.topic());
        TopicPartition tp = new TopicPartition(namespace.topic(), RecordEvents.partitionOf(tenant, epoch));
        return withConsumer(c -> new Cursor(epoch, tp.partition(), c.endOffsets(List.of(tp)).get(tp) - 1));
    }

    /** Without {@code since}: the last {@code limit} events. With it: up to {@code limit} events after it. */
    public Page read(Namespace namespace, ChannelName channel, String tenant, Cursor since, int limit) {
        Epoch epoch = epoch(namespace.topic());
        TopicPartition tp = new TopicPartition(namespace.topic(), RecordEvents.partitionOf(tenant, epoch));
        int window = config.api().maxScanRecords();
        return withConsumer(c -> {
            c.assign(List.of(tp));
            long start = c.beginningOffsets(List.of(tp)).get(tp);
            long end = c.endOffsets(List.of(tp)).get(tp);
            if (since == null) {
                long from = Math.max(start, end - window);
                ArrayDeque<StreamEvent> last = new ArrayDeque<>(limit);
                scan(c, tp, from, end, namespace, channel, tenant, epoch, e -> {
                    if (last.size() == limit) {
                        last.removeFirst();
                    }
                    last.addLast(e);
                    return false;
                });
                return new Page(List.copyOf(last), new Cursor(epoch, tp.partition(), end - 1),
                        from > start && last.size() < limit, false);
            }
            check(since, epoch, tp, start, end);
            long from = since.offset() + 1;
            long stop = Math.min(end, from + window);
            List<StreamEvent> found = new ArrayList<>();
            long covered = scan(c, tp, from, stop, namespace, channel, tenant, epoch, e -> {
                found.add(e);
                return found.size() == limit;
            });
            return new Page(found, new Cursor(epoch, tp.partition(), covered), false, covered < end - 1);
        });
    }

    private static void check(Cursor since, Epoch epoch, TopicPartition tp, long start, long end) {
        if (!since.epoch().equals(epoch)) {
            throw new ApiException(409, "epoch", "the cursor is of another stream of this namespace (its topic was "
                    + "recreated or repartitioned, or it is another namespace's): read without 'since'");
        }
        if (since.partition() != tp.partition() || since.offset() >= end) {
            throw new ApiException(400, "bad_request", "'since' is not a cursor of this tenant's stream");
        }
        if (since.offset() + 1 < start) {
            throw new ApiException(409, "expired", "retention deleted events after the cursor: read without 'since'");
        }
    }

    private interface Found {
        /** Takes an event; true when enough were found. */
        boolean take(StreamEvent event);
    }

    /** Reads [from, stop) and hands over the channel's events; returns the last offset it covered. */
    private static long scan(KafkaConsumer<String, byte[]> c, TopicPartition tp, long from, long stop, Namespace namespace,
            ChannelName channel, String tenant, Epoch epoch, Found found) {
        long covered = from - 1;
        if (from >= stop) {
            return covered;
        }
        long deadline = System.nanoTime() + READ_TIMEOUT_NANOS;
        c.seek(tp, from);
        try {
            while (c.position(tp) < stop) {
                if (System.nanoTime() > deadline) {
                    throw new ApiException(503, "internal", "reading the channel took too long; retry");
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(POLL).records(tp)) {
                    if (r.offset() >= stop) {
                        return stop - 1;
                    }
                    covered = r.offset();
                    StreamEvent e = event(r, namespace, channel, tenant, epoch);
                    if (e != null && found.take(e)) {
                        return covered;
                    }
                }
            }
        } catch (OffsetOutOfRangeException e) {
            throw new ApiException(409, "expired", "retention deleted events while they were read: read without 'since'");
        }
        return stop - 1;
    }

    /** The record as an event of the channel, or null when it is another tenant's or another channel's. */
    private static StreamEvent event(ConsumerRecord<String, byte[]> r, Namespace namespace, ChannelName channel, String tenant,
            Epoch epoch) {
        if (!tenant.equals(r.key()) || r.value() == null) {
            return null;
        }
        String subject = RecordEvents.subject(namespace, r);
        if (subject == null) {
            return null;
        }
        if (!channel.isWildcard()) {
            return subject.equals(channel.subject()) ? RecordEvents.event(channel, epoch, r) : null;
        }
        return ChannelName.of(namespace.name(), subject).map(concrete -> RecordEvents.event(concrete, epoch, r)).orElse(null);
    }

    private Epoch epoch(String topic) {
        try {
            return epochs.epochOf(topic).toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "internal", "interrupted");
        } catch (Exception e) {
            throw new ApiException(503, "internal", "the event stream is unavailable; retry");
        }
    }

    private <T> T withConsumer(java.util.function.Function<KafkaConsumer<String, byte[]>, T> work) {
        KafkaConsumer<String, byte[]> c = idle.poll();
        int max = config.api().readers();
        if (c == null && created.getAndUpdate(n -> n < max ? n + 1 : n) < max) {
            c = newConsumer();
        }
        try {
            if (c == null) {
                c = idle.poll(READ_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
                if (c == null) {
                    throw new ApiException(503, "internal", "all readers are busy; retry");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "internal", "interrupted");
        }
        try {
            return work.apply(c);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new ApiException(503, "internal", "the event stream is unavailable; retry");
        } finally {
            idle.add(c);
        }
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Map<String, Object> props = new HashMap<>(settings.base());
        props.keySet().retainAll(ConsumerConfig.configNames());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamgate-api-" + all.size());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props);
        all.add(c);
        return c;
    }

    void close(@Observes ShutdownEvent event) {
        synchronized (all) {
            all.forEach(c -> c.close(Duration.ofSeconds(1)));
        }
    }
}
