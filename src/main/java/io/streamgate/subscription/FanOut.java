package io.streamgate.subscription;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.channel.Namespaces;
import io.streamgate.kafka.LiveListener;
import io.streamgate.kafka.TopicEpochs;
import io.streamgate.metrics.GatewayMetrics;
import io.streamgate.protocol.EventFrameEncoder;
import io.streamgate.stream.Epoch;
import io.streamgate.stream.RecordEvents;
import io.streamgate.stream.RejectedRecords;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.Set;

/**
 * Delivers a live record to this replica's subscribers. Decides from key and headers alone whether
 * anyone here wants the record; only then is the value read, and the frame is encoded once for all
 * subscribers of the channel and its wildcard.
 */
@ApplicationScoped
public class FanOut implements LiveListener {

    @Inject
    Namespaces namespaces;

    @Inject
    SubscriptionIndex index;

    @Inject
    TopicEpochs epochs;

    @Inject
    RejectedRecords rejected;

    @Inject
    GatewayMetrics metrics;

    private final Counter delivered;

    @Inject
    public FanOut(MeterRegistry registry) {
        this.delivered = registry.counter("streamgate.events.delivered", "path", "live");
    }

    @Override
    public void onRecord(ConsumerRecord<String, byte[]> record) {
        Namespace namespace = namespaces.byTopic(record.topic());
        if (namespace == null || record.key() == null) {
            return;
        }
        SubscriptionIndex.NamespaceSubscribers subscribers = index.find(record.key(), namespace.name());
        if (subscribers == null) {
            return;
        }
        Set<Subscription> exact = null;
        String subject = null;
        if (namespace.subjectFromHeader()) {
            subject = RecordEvents.header(record, RecordEvents.SUBJECT_HEADER);
            if (subject != null) {
                exact = subscribers.bySubject.get(subject);
            }
            if (exact == null && subscribers.wildcard.isEmpty()) {
                return;
            }
        }
        if (subject == null) {
            subject = RecordEvents.subject(namespace, record);
        }
        ChannelName channel = subject == null ? null : ChannelName.of(namespace.name(), subject).orElse(null);
        if (channel == null) {
            rejected.reject(record, subject == null ? "no subject" : "subject with characters outside the channel alphabet");
            return;
        }
        if (exact == null) {
            exact = subscribers.bySubject.get(subject);
        }
        Epoch epoch = epochs.known(record.topic());
        if (epoch == null) {
            return; // no subscription can exist before its topic's epoch is known
        }
        String frame = EventFrameEncoder.encode(RecordEvents.event(channel, epoch, record));
        if (frame == null) {
            rejected.reject(record, "value is not a single JSON value");
            return;
        }
        int count = 0;
        if (exact != null) {
            for (Subscription s : exact) {
                s.deliverLive(record.offset(), frame);
                count++;
            }
        }
        for (Subscription s : subscribers.wildcard) {
            s.deliverLive(record.offset(), frame);
            count++;
        }
        delivered.increment(count);
        if (count > 0) {
            metrics.delivered(record.timestamp());
        }
    }
}
