package io.streamgate.subscription;

import io.netty.buffer.ByteBufAllocator;
import io.streamgate.auth.Grant;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.durable.DurableCursorStore;
import io.streamgate.kafka.LivePositions;
import io.streamgate.kafka.ReplayTarget;
import io.streamgate.kafka.ReplayWorkers;
import io.streamgate.kafka.TopicEpochs;
import io.streamgate.metrics.GatewayMetrics;
import io.streamgate.protocol.ErrorCode;
import io.streamgate.protocol.EventFrameEncoder;
import io.streamgate.protocol.Frames;
import io.streamgate.protocol.OutboundFrame;
import io.streamgate.stream.Cursor;
import io.streamgate.stream.Epoch;
import io.streamgate.stream.RecordEvents;
import io.streamgate.stream.RejectedRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One subscribe on its way from request to live subscription: durable cursor lookup, the topic's epoch,
 * interest in the tenant's partition, then either live from now or a replay that switches to live at the
 * seam. It doubles as the replay's target. Every outcome answers the client exactly once: {@code subscribed}
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
            Consumer<SubscriptionLifecycle.Started> started, Consumer<SubscriptionLifecycle.Ended> ended) {

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
                subscriptions.release(channelText, slot);
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
        } else if (!parts.replays().replay(grant.tenant(), tp, cursor.offset(), this)) {
            parts.metrics().resume("too_many_resumes");
            subscriptions.release(channelText, slot);
            parts.releaseInterest(slot);
            sink.send(Frames.error(r.id(), ErrorCode.TOO_MANY_RESUMES, "too many resumes of tenant " + grant.tenant()
                    + " are waiting on this gateway; subscribe again in a few seconds"));
        }
    }

    /** Joins the index at the live position: only events written from now on. */
    private void startLive(String reason) {
        parts.live().atSeamNow(tp, next -> {
            Subscription s = register(false, next - 1);
            if (s != null) {
                // Started before `subscribed`: a presence query the client sends on `subscribed` lists it.
                parts.started().accept(new SubscriptionLifecycle.Started(s, grant.subject(), grant.presenceInfo()));
                sink.send(Frames.subscribed(request.id(), channelText, false, reason, s.cursor()));
            }
            return s;
        });
    }

    private Subscription register(boolean replaying, long lastOffset) {
        if (slot.cancelled) {
            return null;
        }
        Subscription s = new Subscription(sink, grant.tenant(), request.channel(), namespace, epoch, tp, replaying,
                lastOffset);
        slot.subscription = s;
        subscription = s;
        parts.index().add(s);
        if (slot.cancelled) { // unsubscribed or disconnected meanwhile
            parts.index().remove(s);
            return null;
        }
        return s;
    }

    private void fail(Throwable error) {
        subscriptions.release(channelText, slot);
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
        parts.metrics().resume(reason);
        startLive(reason);
    }

    @Override
    public void started() {
        Subscription s = register(true, Cursor.decode(request.since()).orElseThrow().offset());
        parts.metrics().resume("recovered");
        if (s != null) {
            parts.started().accept(new SubscriptionLifecycle.Started(s, grant.subject(), grant.presenceInfo()));
            sink.send(Frames.subscribed(request.id(), channelText, true, null, request.since()));
        }
    }

    @Override
    public String channel() {
        return channelText;
    }

    @Override
    public boolean wants(ConsumerRecord<String, byte[]> record) {
        if (!grant.tenant().equals(record.key())) {
            return false;
        }
        if (request.channel().isWildcard()) {
            return true;
        }
        return request.channel().subject().equals(RecordEvents.subject(namespace, record));
    }

    @Override
    public OutboundFrame encode(ConsumerRecord<String, byte[]> record) {
        ChannelName channel = request.channel();
        if (channel.isWildcard()) {
            String subject = RecordEvents.subject(namespace, record);
            channel = subject == null ? null : ChannelName.of(namespace.name(), subject).orElse(null);
        }
        // Straight to the bytes of the WebSocket frame: replay writes them as they are to every direct connection.
        OutboundFrame frame = channel == null ? null
                : EventFrameEncoder.encodeFrame(RecordEvents.event(channel, epoch, record), ByteBufAllocator.DEFAULT);
        if (frame == null) {
            parts.rejected().reject(record, "not deliverable (no subject or value is not JSON)");
        }
        return frame;
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
            subscriptions.release(channelText, slot);
        }
        parts.end(slot);
        sink.send(Frames.unsubscribed(null, channelText, reason));
    }
}
