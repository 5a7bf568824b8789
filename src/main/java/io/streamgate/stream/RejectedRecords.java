package io.streamgate.stream;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Records that break the record contract (no key, no subject, a value that is not JSON) cannot become
 * events. They are counted ({@code streamgate_records_rejected_total{reason}}) and logged, at most once
 * a minute per reason, with their position, so the producing team can find them. Only records that a
 * local subscriber wanted are examined, so the count is per replica and per interest.
 */
@ApplicationScoped
public class RejectedRecords {

    private static final Logger LOG = Logger.getLogger(RejectedRecords.class);
    private static final long LOG_INTERVAL_MILLIS = 60_000;

    private final ConcurrentHashMap<String, Long> lastLogged = new ConcurrentHashMap<>();

    private final MeterRegistry registry;

    @Inject
    public RejectedRecords(MeterRegistry registry) {
        this.registry = registry;
    }

    public void reject(ConsumerRecord<?, ?> record, String reason) {
        registry.counter("streamgate.records.rejected", "reason", reason).increment();
        long now = System.currentTimeMillis();
        Long last = lastLogged.get(reason);
        if (last == null || now - last > LOG_INTERVAL_MILLIS) {
            lastLogged.put(reason, now);
            LOG.warnf("Kafka record %s-%d@%d not delivered: %s (further such records are counted in "
                    + "streamgate_records_rejected_total, logged at most once a minute)",
                    record.topic(), record.partition(), record.offset(), reason);
        }
    }
}
