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
import io.streamgate.protocol.OutboundFrame;
import io.streamgate.rewind.RewindMemory;
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
 * subscribers of the channel and its wildcard, into the poll's {@link DeliveryBatch}: the live consumer
 * dispatches it once the whole poll has been fanned out (one task per event loop, one flush per connection).
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

    @Inject
    RewindMemory rewindMemory;

    private final Counter delivered;

    @Inject
    public FanOut(MeterRegistry registry) {
        this.delivered = registry.counter("streamgate.events.delivered", "path", "live");
    }

    /** The frames of the poll being fanned out; the live consumer's thread only. */
    private DeliveryBatch poll;

    @Override
    public void onRecord(ConsumerRecord<String, byte[]> record) {
        if (poll == null) {
            poll = new DeliveryBatch();
        }
        deliver(record, poll);
    }

    /** The poll is over: its frames go to the event loops now. */
    @Override
    public void onPollEnd() {
        DeliveryBatch batch = poll;
        poll = null;
        if (batch != null) {
            batch.dispatch();
        }
    }

    /** Delivers one record on its own (a batch of one). */
    public void deliver(ConsumerRecord<String, byte[]> record) {
        DeliveryBatch batch = new DeliveryBatch();
        try {
            deliver(record, batch);
        } finally {
            batch.dispatch();
        }
    }

    void deliver(ConsumerRecord<String, byte[]> record, DeliveryBatch batch) {
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
                subscribers.recent.passed(subject);
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
            subscribers.recent.clear();
            return; // no subscription can exist before its topic's epoch is known
        }
        if (record.partition() != RecordEvents.partitionOf(record.key(), epoch)) {
            // Either the stream changed (partitions added: TopicEpochs finds out and moves the subscriptions) or
            // the producer put the record where its key does not belong. Either way its offset means nothing to
            // subscriptions of the tenant's partition: never compare it with theirs (issue 15, items 1 and 2).
            epochs.refreshSoon(record.topic());
            if (record.partition() < epoch.partitions()) {
                rejected.reject(record, RejectedRecords.WRONG_PARTITION);
            }
            return;
        }
        String text = EventFrameEncoder.encode(RecordEvents.event(channel, epoch, record));
        if (text == null) {
            rejected.reject(record, "value is not a single JSON value");
            return;
        }
        keepRecent(subscribers, subject, exact, epoch, record.offset(), text);
        OutboundFrame frame = new OutboundFrame(text);
        batch.track(frame); // its bytes are released after the batch, also when no connection took it
        int count = 0;
        if (exact != null) {
            for (Subscription s : exact) {
                if (s.epoch() == epoch || s.epoch().equals(epoch)) { // else it is about to move to this epoch
                    s.deliverLive(record.offset(), frame, batch);
                    count++;
                }
            }
        }
        for (Subscription s : subscribers.wildcard) {
            if (s.epoch() == epoch || s.epoch().equals(epoch)) {
                s.deliverLive(record.offset(), frame, batch);
                count++;
            }
        }
        delivered.increment(count);
        if (count > 0) {
            metrics.delivered(record.timestamp());
        }
    }

    /** Keeps the event for rewinds of its channel and of the wildcard, while they have subscribers here. */
    private void keepRecent(SubscriptionIndex.NamespaceSubscribers subscribers, String subject,
            Set<Subscription> exact, Epoch epoch, long offset, String text) {
        subscribers.recent.record(rewindMemory, subject, exact != null && !exact.isEmpty(),
                !subscribers.wildcard.isEmpty(), epoch, offset, text);
    }
}
