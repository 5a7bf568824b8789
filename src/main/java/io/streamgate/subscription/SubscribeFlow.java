package io.streamgate.subscription;

import io.netty.buffer.ByteBufAllocator;
import io.streamgate.auth.Grant;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.durable.DurableCursorStore;
import io.streamgate.kafka.LivePositions;
import io.streamgate.kafka.ReplayTarget;
import io.streamgate.kafka.ReplayWorkers;
import io.streamgate.kafka.RewindReads;
import io.streamgate.kafka.TopicEpochs;
import io.streamgate.metrics.GatewayMetrics;
import io.streamgate.protocol.ErrorCode;
import io.streamgate.protocol.EventFrameEncoder;
import io.streamgate.protocol.Frames;
import io.streamgate.protocol.OutboundFrame;
import io.streamgate.rewind.RecentEvents;
import io.streamgate.stream.Cursor;
import io.streamgate.stream.Epoch;
import io.streamgate.stream.RecordEvents;
import io.streamgate.stream.RejectedRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One subscribe on its way from request to live subscription: durable cursor lookup, the topic's epoch,
 * interest in the tenant's partition, then either live from now or a replay that switches to live at the
 * seam. A {@code rewind} is served from the recent events fan-out kept, or becomes a replay from the position
 * before the channel's N-th last event. It doubles as the replay's target. Every outcome answers the client exactly once: {@code subscribed}
 * (with {@code recovered} and, when false, its reason), an error ({@code too_many_resumes} when the tenant's
 * resumes fill the replica's line), or {@code unsubscribed} when a confirmed replay cannot be finished
 * (its history expired while being read, or reading failed): never a second {@code subscribed}.
 * <p>
 * Threads: {@link #start} runs on the caller's thread, the steps after it on whichever thread completes the
 * lookup or the wait for the live consumer, the {@link ReplayTarget} calls on a replay worker. The slot's
 * {@code cancelled} flag is what an unsubscribe or a disconnect sets meanwhile; each step checks it.
 */
final class SubscribeFlow implements ReplayTarget {

    private static final Logger LOG = Logger.getLogger(SubscribeFlow.class);

    /** What every subscribe flow of this replica works with; one instance, held by {@link SubscriptionService}. */
    record Parts(DurableCursorStore durableCursors, TopicEpochs epochs, LivePositions live, ReplayWorkers replays,
            SubscriptionIndex index, RejectedRecords rejected, GatewayMetrics metrics, Duration liveReadyTimeout,
            Consumer<SubscriptionLifecycle.Started> started, Consumer<SubscriptionLifecycle.Ended> ended,
            RewindReads rewinds) {

        /** Ends the slot's subscription (or its flow, still on its way): out of the index, interest released. */
        void end(ConnectionSubscriptions.Slot slot) {
            slot.cancel();
            releaseInterest(slot);
            Subscription s = slot.subscription;
            if (s != null) {
                index.remove(s);
                ended.accept(new SubscriptionLifecycle.Ended(s));
            }
        }

        void releaseInterest(ConnectionSubscriptions.Slot slot) {
            TopicPartition tp = slot.dropInterest();
            if (tp != null) {
                live.release(tp);
            }
        }
    }

    private final Parts parts;
    private final EventSink sink;
    private final Grant grant;
    private final Namespace namespace;
    private final ConnectionSubscriptions subscriptions;
    private final ConnectionSubscriptions.Slot slot;
    private final String channelText;
    /** Set once by {@link #start}'s steps before {@link #begin}; read by the replay worker after. */
    private volatile SubscriptionService.Request request;
    private volatile Epoch epoch;
    private volatile TopicPartition tp;
    private volatile Subscription subscription;
    /** A resume replays history after this offset (the cursor's, or the one before the end a rewind's scan began at). */
    private volatile long replayAfter;
    /** What the backward scan of a rewind from Kafka found; null for other subscribes. */
    private volatile RewindReads.Found rewound;

    SubscribeFlow(Parts parts, EventSink sink, Grant grant, Namespace namespace, ConnectionSubscriptions subscriptions,
            ConnectionSubscriptions.Slot slot, SubscriptionService.Request request) {
        this.parts = parts;
        this.sink = sink;
        this.grant = grant;
        this.namespace = namespace;
        this.subscriptions = subscriptions;
        this.slot = slot;
        this.request = request;
        this.channelText = request.channel().toString();
    }

    /** Looks up the durable cursor and the epoch, then waits (without blocking) for the live consumer. */
    void start() {
        SubscriptionService.Request asked = request;
        CompletionStage<SubscriptionService.Request> resolved = !asked.resume() ? CompletableFuture.completedFuture(asked)
                : parts.durableCursors().lookup(asked.durableKey())
                        .thenApply(stored -> asked.resolvedTo(stored.map(Cursor::encode).orElse(null), null))
                        .exceptionally(e -> {
                            // PostgreSQL is down: say so, and go on live rather than fail the subscription.
                            LOG.warnf("Durable cursor lookup for %s failed: %s", channelText, e.getMessage());
                            return asked.resolvedTo(null, "unavailable");
                        });
        resolved.thenCombine(parts.epochs().epochOf(namespace.topic()), (resolvedRequest, topicEpoch) -> {
            request = resolvedRequest;
            epoch = topicEpoch;
            tp = new TopicPartition(namespace.topic(), RecordEvents.partitionOf(grant.tenant(), topicEpoch));
            return tp;
        }).whenComplete((partition, failure) -> {
            if (failure != null) {
                LOG.warnf("Subscribe to %s failed: %s", channelText, failure.getMessage());
                subscriptions.release(slot);
                answerFailure(ErrorCode.INTERNAL, "the event stream of " + channelText + " is unavailable; retry later");
                return;
            }
            parts.live().acquire(partition);
            if (!slot.holdInterest(partition)) {
                parts.live().release(partition); // unsubscribed or disconnected meanwhile
            }
            parts.live().atSeam(partition, parts.liveReadyTimeout(), next -> next).whenComplete((next, error) -> {
                if (error != null) {
                    fail(error);
                } else {
                    begin();
                }
            });
        });
    }

    /** The live consumer reads the partition: resume from the cursor, or start live. */
    private void begin() {
        SubscriptionService.Request r = request;
        if (r.rewind() > 0) {
            rewind(r.rewind());
            return;
        }
        if (r.since() == null) {
            if (r.durableKey() != null && r.reasonWithoutSince() != null) {
                parts.metrics().resume(r.reasonWithoutSince());
            }
            startLive(r.reasonWithoutSince());
            return;
        }
        Cursor cursor = Cursor.decode(r.since()).orElse(null);
        if (cursor == null) {
            parts.metrics().resume("invalid");
            startLive("invalid");
        } else if (!cursor.epoch().equals(epoch)) {
            parts.metrics().resume("epoch");
            startLive("epoch");
        } else if (cursor.partition() != tp.partition()) {
            parts.metrics().resume("invalid");
            startLive("invalid"); // not a cursor of this tenant's stream
        } else {
            replayAfter = cursor.offset();
            if (!parts.replays().replay(grant.tenant(), tp, cursor.offset(), this)) {
                parts.metrics().resume("too_many_resumes");
                refuseTooMany();
            }
        }
    }

    private void refuseTooMany() {
        subscriptions.release(slot);
        parts.releaseInterest(slot);
        sink.send(Frames.error(request.id(), ErrorCode.TOO_MANY_RESUMES, "too many resumes of tenant " + grant.tenant()
                + " are waiting on this gateway; subscribe again in a few seconds"));
    }

    /**
     * {@code rewind: n}: the channel's last n events, then live. From memory when this replica's fan-out kept them
     * (checked and served under the seam lock, so live follows the last of them with nothing in between); else a
     * bounded backward scan of the tenant's partition finds and encodes them, proving they are all of the channel's
     * events below the log end it began at: they are delivered on {@link #started}, and the ordinary resume path
     * replays from that end on and goes live at the seam (docs/reliability.md, "Rewind").
     */
    private void rewind(int n) {
        if (parts.live().atSeamNow(tp, next -> rewindFromMemory(n, next))) {
            return;
        }
        parts.rewinds().lastMatching(tp, n, record -> wants(record) ? frameOf(record) : null)
                .whenComplete((found, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        if (cause instanceof RejectedExecutionException) {
                            refuseTooMany();
                        } else {
                            fail(cause);
                        }
                        return;
                    }
                    rewound = found;
                    if (found.count() == 0) {
                        parts.metrics().rewind("none");
                        startLive(null);
                        return;
                    }
                    parts.metrics().rewind("kafka");
                    replayAfter = found.end() - 1;
                    if (!parts.replays().replay(grant.tenant(), tp, replayAfter, this)) {
                        refuseTooMany();
                    }
                });
    }

    /** Under the seam lock: serves the rewind from the recent events fan-out kept, when they provably cover it. */
    private boolean rewindFromMemory(int n, long next) {
        SubscriptionIndex.NamespaceSubscribers here = parts.index().find(grant.tenant(), namespace.name());
        List<RecentEvents.Frame> frames = here == null ? null : here.recent.last(
                request.channel().isWildcard() ? null : request.channel().subject(), n, epoch,
                parts.live().readingSince(tp));
        if (frames == null) {
            return false;
        }
        parts.metrics().rewind("memory");
        Subscription s = register(false, next - 1);
        if (s != null) {
            parts.started().accept(new SubscriptionLifecycle.Started(s, grant.subject(), grant.presenceInfo()));
            String before = new Cursor(epoch, tp.partition(), frames.get(0).offset() - 1).encode();
            sink.send(Frames.subscribedRewind(request.id(), channelText, null, before, frames.size(), true));
            for (RecentEvents.Frame f : frames) {
                sink.sendEvent(s, f.offset(), f.text()); // before any live event: fan-out of the partition waits for this lock
            }
        }
        return true;
    }

    /** Joins the index at the live position: only events written from now on. */
    private void startLive(String reason) {
        parts.live().atSeamNow(tp, next -> {
            Subscription s = register(false, next - 1);
            if (s != null) {
                // Started before `subscribed`: a presence query the client sends on `subscribed` lists it.
                parts.started().accept(new SubscriptionLifecycle.Started(s, grant.subject(), grant.presenceInfo()));
                RewindReads.Found found = rewound;
                sink.send(request.rewind() == 0 ? Frames.subscribed(request.id(), channelText, false, reason, s.cursor())
                        // a rewind that found nothing, or whose events expired before they could be read
                        : Frames.subscribedRewind(request.id(), channelText, reason, s.cursor(), 0,
                                reason == null && found != null && found.complete()));
            }
            return s;
        });
    }

    private Subscription register(boolean replaying, long lastOffset) {
        if (slot.cancelled) {
            return null;
        }
        // The slot's channel: one object for both, named with the namespace's own string (issue 13).
        Subscription s = new Subscription(sink, grant.tenant(), slot.channel, namespace, epoch, tp, replaying, lastOffset);
        slot.subscription = s;
        slot.requestId = null; // answered by `subscribed` from here on: the id need not stay for the connection's life
        subscription = s;
        parts.index().add(s);
        if (slot.cancelled) { // unsubscribed or disconnected meanwhile
            parts.index().remove(s);
            return null;
        }
        return s;
    }

    private void fail(Throwable error) {
        subscriptions.release(slot);
        parts.releaseInterest(slot);
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TimeoutException) {
            answerFailure(ErrorCode.INTERNAL, "this gateway is not yet reading " + request.channel() + "; retry shortly");
        } else {
            LOG.errorf(cause, "Subscribe to %s failed", request.channel());
            answerFailure(ErrorCode.INTERNAL, "subscribe failed; retry later");
        }
    }

    /**
     * A subscribe that cannot be set up is answered with an error (to its id, if it had one); a server-initiated
     * one (a move to a new epoch) ends the client's subscription explicitly instead: nothing is left silently
     * unserved.
     */
    private void answerFailure(ErrorCode code, String message) {
        // Only a move starts out with reason "epoch" (SubscriptionService.moveToEpoch); a client's subscribe has none.
        if ("epoch".equals(request.reasonWithoutSince())) {
            sink.send(Frames.unsubscribed(null, channelText, "internal"));
        } else {
            sink.send(Frames.error(request.id(), code, message));
        }
    }

    @Override
    public void rejected(String reason) {
        if (rewound == null) {
            parts.metrics().resume(reason);
        }
        startLive(reason);
    }

    @Override
    public void started() {
        RewindReads.Found found = rewound;
        long before = found == null ? replayAfter : found.events().get(0).offset() - 1;
        Subscription s = register(true, before);
        if (found == null) {
            parts.metrics().resume("recovered");
        }
        if (s != null) {
            parts.started().accept(new SubscriptionLifecycle.Started(s, grant.subject(), grant.presenceInfo()));
            sink.send(found == null ? Frames.subscribed(request.id(), channelText, true, null, request.since())
                    : Frames.subscribedRewind(request.id(), channelText, null,
                            new Cursor(epoch, tp.partition(), before).encode(), found.count(), found.complete()));
            if (found != null) {
                // The scan's events, then the replay from its end on: one run, since the scan saw every record below it.
                found.events().forEach(e -> s.deliverRewound(e.offset(), e.frame()));
            }
        }
    }

    @Override
    public String channel() {
        return channelText;
    }

    @Override
    public boolean isTenants(ConsumerRecord<String, byte[]> record) {
        return grant.tenant().equals(record.key());
    }

    @Override
    public String subjectOf(ConsumerRecord<String, byte[]> record) {
        return RecordEvents.subject(namespace, record);
    }

    @Override
    public boolean wants(String subject) {
        return request.channel().isWildcard() || request.channel().subject().equals(subject);
    }

    @Override
    public OutboundFrame encode(ConsumerRecord<String, byte[]> record, String subject) {
        ChannelName channel = channelOf(subject);
        // Straight to the bytes of the WebSocket frame: replay writes them as they are to every direct connection.
        OutboundFrame frame = channel == null ? null
                : EventFrameEncoder.encodeFrame(RecordEvents.event(channel, epoch, record), ByteBufAllocator.DEFAULT);
        if (frame == null) {
            parts.rejected().reject(record, "not deliverable (no subject or value is not JSON)");
        }
        return frame;
    }

    /** The record's event frame on this channel as text (a rewind's scan), or null when it is not deliverable. */
    private String frameOf(ConsumerRecord<String, byte[]> record) {
        ChannelName channel = channelOf(subjectOf(record));
        return channel == null ? null : EventFrameEncoder.encode(RecordEvents.event(channel, epoch, record));
    }

    /** The channel an event with this subject is of for this subscription (its subject's, for a wildcard), or null. */
    private ChannelName channelOf(String subject) {
        ChannelName channel = request.channel();
        if (channel.isWildcard()) {
            channel = subject == null ? null : ChannelName.of(namespace.name(), subject).orElse(null);
        }
        return channel;
    }

    @Override
    public ReplayTarget.Batch newBatch() {
        return new ReplayBatch(new DeliveryBatch());
    }

    @Override
    public void replayed(long offset, OutboundFrame frame, ReplayTarget.Batch batch) {
        subscription.deliverReplayed(offset, frame, ((ReplayBatch) batch).writes());
    }

    /**
     * A fetch's replayed events: the same per-event-loop batch as a live poll's (one task per event loop, frames
     * written in order, one flush per connection). Every target of a fetch is a {@code SubscribeFlow}.
     */
    private record ReplayBatch(DeliveryBatch writes) implements ReplayTarget.Batch {
        @Override
        public void track(OutboundFrame frame) {
            writes.track(frame);
        }

        @Override
        public void dispatch() {
            writes.dispatch();
        }
    }

    @Override
    public boolean isCancelled() {
        return slot.cancelled || !sink.isOpen();
    }

    @Override
    public boolean isBackedUp() {
        return sink.isBackedUp();
    }

    @Override
    public boolean tryGoLive(long position) {
        Subscription s = subscription;
        return parts.live().atSeamNow(tp, next -> {
            if (position >= next) {
                s.goLive(position);
                return true;
            }
            return false;
        });
    }

    @Override
    public void lost(String reason) {
        parts.metrics().resume("lost_" + reason);
        endConfirmed(reason);
    }

    @Override
    public void tooSlow() {
        sink.closeSlow();
    }

    @Override
    public void failed(Throwable cause) {
        if (subscription == null) {
            fail(cause);
            return;
        }
        endConfirmed("internal");
    }

    /**
     * Ends a subscription that was confirmed ({@code subscribed} sent) but whose replay cannot go on, and tells
     * the client with {@code unsubscribed} and the reason. Nothing registers it again: the client subscribes anew.
     */
    private void endConfirmed(String reason) {
        Subscription s = subscription;
        if (subscriptions.get(channelText) == s) {
            subscriptions.release(slot);
        }
        parts.end(slot);
        sink.send(Frames.unsubscribed(null, channelText, reason));
    }
}
