package io.streamgate.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamgate.auth.ChannelAccess;
import io.streamgate.auth.Grant;
import io.streamgate.backplane.LivePositions;
import io.streamgate.backplane.RecordEvents;
import io.streamgate.backplane.RejectedRecords;
import io.streamgate.backplane.TopicEpochs;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.channel.Namespaces;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.protocol.CommandException;
import io.streamgate.protocol.ErrorCode;
import io.streamgate.protocol.Frames;
import io.streamgate.replay.Cursor;
import io.streamgate.replay.Epoch;
import io.streamgate.replay.ReplayTarget;
import io.streamgate.replay.ReplayWorkers;
import io.streamgate.cursor.DurableCursor;
import io.streamgate.cursor.DurableCursorStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * Subscribe and unsubscribe. A subscription is confirmed ({@code subscribed}) only once it is in the live
 * index, so nothing written after the confirmation can be missed; with a cursor, history after the cursor
 * follows the confirmation and live events follow history, with neither gap nor duplicate.
 */
@ApplicationScoped
public class SubscriptionService {

    private static final Logger LOG = Logger.getLogger(SubscriptionService.class);

    @Inject
    StreamgateConfig config;

    @Inject
    Namespaces namespaces;

    @Inject
    ChannelAccess access;

    @Inject
    TopicEpochs epochs;

    @Inject
    LivePositions live;

    @Inject
    SubscriptionIndex index;

    @Inject
    ReplayWorkers replays;

    @Inject
    RejectedRecords rejected;

    @Inject
    DurableCursorStore durableCursors;

    @Inject
    io.streamgate.metrics.GatewayMetrics metrics;

    @Inject
    Event<SubscriptionLifecycle.Started> startedEvents;

    @Inject
    Event<SubscriptionLifecycle.Ended> endedEvents;

    /**
     * A subscribe request, validated for form.
     *
     * @param durableKey where the client's acknowledged position is stored; used when {@code resume} is set
     * @param reasonWithoutSince why there is no cursor to resume from, when there should have been one
     */
    public record Request(JsonNode id, ChannelName channel, String since, boolean resume, DurableCursor.Key durableKey,
            String reasonWithoutSince) {

        public Request(JsonNode id, ChannelName channel, String since, boolean resume, DurableCursor.Key durableKey) {
            this(id, channel, since, resume, durableKey, null);
        }

        Request resolvedTo(String cursor, String reason) {
            return new Request(id, channel, cursor, false, durableKey, reason);
        }
    }

    /** Checks the channel against namespaces and grant; throws {@link CommandException} when refused. */
    public Namespace authorize(Grant grant, ChannelName channel) {
        Namespace namespace = namespaces.byName(channel.namespace()).orElseThrow(() -> new CommandException(
                ErrorCode.UNKNOWN_NAMESPACE, "namespace '" + channel.namespace() + "' does not exist"));
        access.checkSubscribe(grant, channel, namespace);
        return namespace;
    }

    public void subscribe(EventSink sink, Grant grant, ConnectionSubscriptions subscriptions, Request request) {
        Namespace namespace = authorize(grant, request.channel());
        String channelText = request.channel().toString();
        if (subscriptions.size() >= config.connection().maxSubscriptions()) {
            throw new CommandException(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                    "a connection may hold at most " + config.connection().maxSubscriptions() + " subscriptions");
        }
        ConnectionSubscriptions.Slot slot = subscriptions.reserve(channelText);
        if (slot == null) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "already subscribed to " + channelText);
        }
        CompletionStage<Request> resolved = !request.resume() ? CompletableFuture.completedFuture(request)
                : durableCursors.lookup(request.durableKey())
                        .thenApply(stored -> request.resolvedTo(stored.map(Cursor::encode).orElse(null), null))
                        .exceptionally(e -> {
                            // PostgreSQL is down: say so, and go on live rather than fail the subscription.
                            LOG.warnf("Durable cursor lookup for %s failed: %s", channelText, e.getMessage());
                            return request.resolvedTo(null, "unavailable");
                        });
        resolved.thenCombine(epochs.epochOf(namespace.topic()), (resolvedRequest, epoch) -> {
            TopicPartition tp = new TopicPartition(namespace.topic(), partitionOf(grant.tenant(), epoch));
            return new Pending(sink, grant, resolvedRequest, namespace, epoch, tp, slot, subscriptions);
        }).whenComplete((pending, failure) -> {
            if (failure != null) {
                LOG.warnf("Subscribe to %s failed: %s", channelText, failure.getMessage());
                subscriptions.release(channelText, slot);
                sink.send(Frames.error(request.id(), ErrorCode.INTERNAL,
                        "the event stream of " + channelText + " is unavailable; retry later"));
                return;
            }
            live.acquire(pending.tp);
            if (!slot.holdInterest(pending.tp)) {
                live.release(pending.tp); // unsubscribed or disconnected meanwhile
            }
            live.atSeam(pending.tp, config.replay().liveReadyTimeout(), next -> next).whenComplete((next, error) -> {
                if (error != null) {
                    pending.fail(error);
                } else {
                    pending.begin();
                }
            });
        });
    }

    public void unsubscribe(ConnectionSubscriptions subscriptions, String channel) {
        ConnectionSubscriptions.Slot slot = subscriptions.release(channel);
        if (slot == null) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "not subscribed to " + channel);
        }
        end(slot);
    }

    /** Ends every subscription of a connection that is going away. */
    public void unsubscribeAll(ConnectionSubscriptions subscriptions) {
        subscriptions.releaseAll().forEach(this::end);
    }

    private void end(ConnectionSubscriptions.Slot slot) {
        slot.cancel();
        releaseInterest(slot);
        Subscription s = slot.subscription;
        if (s != null) {
            index.remove(s);
            endedEvents.fire(new SubscriptionLifecycle.Ended(s));
        }
    }

    private void releaseInterest(ConnectionSubscriptions.Slot slot) {
        TopicPartition tp = slot.dropInterest();
        if (tp != null) {
            live.release(tp);
        }
    }

    /**
     * Ends the subscriptions of a connection that its (refreshed) grant no longer covers, telling the client
     * with {@code unsubscribed} and reason {@code forbidden}.
     */
    public void revokeUncovered(EventSink sink, Grant grant, ConnectionSubscriptions subscriptions) {
        for (String channel : subscriptions.channels()) {
            Subscription s = subscriptions.get(channel);
            if (s != null && !access.maySubscribe(grant, s.channel(), s.namespace())) {
                ConnectionSubscriptions.Slot slot = subscriptions.release(channel);
                if (slot != null) {
                    end(slot);
                    sink.send(Frames.unsubscribed(null, channel, "forbidden"));
                }
            }
        }
    }

    /** Kafka's default partitioner: where a producer keyed by tenant id puts the tenant's records. */
    static int partitionOf(String tenant, Epoch epoch) {
        return BuiltInPartitioner.partitionForKey(tenant.getBytes(StandardCharsets.UTF_8), epoch.partitions());
    }

    /** One subscribe on its way from request to live subscription; doubles as the replay's target. */
    private final class Pending implements ReplayTarget {
        private final EventSink sink;
        private final Grant grant;
        private final String tenant;
        private final Request request;
        private final Namespace namespace;
        private final Epoch epoch;
        private final TopicPartition tp;
        private final ConnectionSubscriptions.Slot slot;
        private final ConnectionSubscriptions subscriptions;
        private volatile Subscription subscription;

        Pending(EventSink sink, Grant grant, Request request, Namespace namespace, Epoch epoch, TopicPartition tp,
                ConnectionSubscriptions.Slot slot, ConnectionSubscriptions subscriptions) {
            this.sink = sink;
            this.grant = grant;
            this.tenant = grant.tenant();
            this.request = request;
            this.namespace = namespace;
            this.epoch = epoch;
            this.tp = tp;
            this.slot = slot;
            this.subscriptions = subscriptions;
        }

        /** The live consumer reads the partition: resume from the cursor, or start live. */
        void begin() {
            if (request.since() == null) {
                if (request.durableKey() != null && request.reasonWithoutSince() != null) {
                    metrics.resume(request.reasonWithoutSince());
                }
                startLive(request.reasonWithoutSince());
                return;
            }
            Cursor cursor = Cursor.decode(request.since()).orElse(null);
            if (cursor == null) {
                metrics.resume("invalid");
                startLive("invalid");
            } else if (!cursor.epoch().equals(epoch)) {
                metrics.resume("epoch");
                startLive("epoch");
            } else if (cursor.partition() != tp.partition()) {
                metrics.resume("invalid");
                startLive("invalid"); // not a cursor of this tenant's stream
            } else {
                replays.replay(tp, cursor.offset(), this);
            }
        }

        /** Joins the index at the live position: only events written from now on. */
        private void startLive(String reason) {
            live.atSeamNow(tp, next -> {
                Subscription s = register(false, next - 1);
                if (s != null) {
                    // Started before `subscribed`: a presence query the client sends on `subscribed` lists it.
                    startedEvents.fire(new SubscriptionLifecycle.Started(s, grant.subject(), grant.presenceInfo()));
                    sink.send(Frames.subscribed(request.id(), request.channel().toString(), false, reason, s.cursor()));
                }
                return s;
            });
        }

        private Subscription register(boolean replaying, long lastOffset) {
            if (slot.cancelled) {
                return null;
            }
            Subscription s = new Subscription(sink, tenant, request.channel(), namespace, epoch, tp, replaying, lastOffset);
            slot.subscription = s;
            subscription = s;
            index.add(s);
            if (slot.cancelled) { // unsubscribed or disconnected meanwhile
                index.remove(s);
                return null;
            }
            return s;
        }

        void fail(Throwable error) {
            subscriptions.release(request.channel().toString(), slot);
            releaseInterest(slot);
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof TimeoutException) {
                sink.send(Frames.error(request.id(), ErrorCode.INTERNAL,
                        "this gateway is not yet reading " + request.channel() + "; retry shortly"));
            } else {
                LOG.errorf(cause, "Subscribe to %s failed", request.channel());
                sink.send(Frames.error(request.id(), ErrorCode.INTERNAL, "subscribe failed; retry later"));
            }
        }

        @Override
        public void rejected(String reason) {
            metrics.resume(reason);
            startLive(reason);
        }

        @Override
        public void started() {
            Subscription s = register(true, Cursor.decode(request.since()).orElseThrow().offset());
            metrics.resume("recovered");
            if (s != null) {
                startedEvents.fire(new SubscriptionLifecycle.Started(s, grant.subject(), grant.presenceInfo()));
                sink.send(Frames.subscribed(request.id(), request.channel().toString(), true, null, request.since()));
            }
        }

        @Override
        public boolean wants(ConsumerRecord<String, byte[]> record) {
            if (!tenant.equals(record.key())) {
                return false;
            }
            if (request.channel().isWildcard()) {
                return true;
            }
            return request.channel().subject().equals(RecordEvents.subject(namespace, record));
        }

        @Override
        public void replayed(ConsumerRecord<String, byte[]> record) {
            Subscription s = subscription;
            String subject = request.channel().isWildcard() ? RecordEvents.subject(namespace, record)
                    : request.channel().subject();
            ChannelName channel = subject == null ? null : ChannelName.of(namespace.name(), subject).orElse(null);
            String frame = channel == null ? null : RecordEvents.frame(channel.toString(), epoch, record);
            if (frame == null) {
                rejected.reject(record, "not deliverable (no subject or value is not JSON)");
                return;
            }
            s.deliverReplayed(record.offset(), frame);
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
            return live.atSeamNow(tp, next -> {
                if (position >= next) {
                    s.goLive(position);
                    return true;
                }
                return false;
            });
        }

        @Override
        public void failed(Throwable cause) {
            Subscription s = subscription;
            if (s == null) {
                fail(cause);
                return;
            }
            if (subscriptions.get(request.channel().toString()) == s) {
                subscriptions.release(request.channel().toString(), slot);
            }
            end(slot);
            sink.send(Frames.unsubscribed(null, request.channel().toString(), "internal"));
        }
    }
}
