package io.streamgate.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamgate.auth.ChannelAccess;
import io.streamgate.auth.Grant;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.channel.Namespaces;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.durable.DurableCursor;
import io.streamgate.durable.DurableCursorStore;
import io.streamgate.kafka.LivePositions;
import io.streamgate.kafka.ReplayWorkers;
import io.streamgate.kafka.RewindReads;
import io.streamgate.kafka.TopicEpochs;
import io.streamgate.metrics.GatewayMetrics;
import io.streamgate.protocol.CommandException;
import io.streamgate.protocol.ErrorCode;
import io.streamgate.protocol.Frames;
import io.streamgate.stream.RejectedRecords;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

/**
 * Subscribe and unsubscribe. A subscription is confirmed ({@code subscribed}) only once it is in the live
 * index, so nothing written after the confirmation can be missed; with a cursor, history after the cursor
 * follows the confirmation and live events follow history, with neither gap nor duplicate.
 */
@ApplicationScoped
public class SubscriptionService {

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
    RewindReads rewinds;

    @Inject
    GatewayMetrics metrics;

    @Inject
    Event<SubscriptionLifecycle.Started> startedEvents;

    @Inject
    Event<SubscriptionLifecycle.Ended> endedEvents;

    private SubscribeFlow.Parts parts;

    @PostConstruct
    void init() {
        parts = new SubscribeFlow.Parts(durableCursors, epochs, live, replays, index, rejected, metrics,
                config.replay().liveReadyTimeout(), startedEvents::fire, endedEvents::fire, rewinds);
    }

    /**
     * A subscribe request, validated for form.
     *
     * @param durableKey where the client's acknowledged position is stored; used when {@code resume} is set
     * @param reasonWithoutSince why there is no cursor to resume from, when there should have been one
     * @param rewind             the last events to deliver before live ({@code rewind: N}), 0 for none; never
     *                           together with {@code since} or {@code resume}
     */
    public record Request(JsonNode id, ChannelName channel, String since, boolean resume, DurableCursor.Key durableKey,
            String reasonWithoutSince, int rewind) {

        public Request(JsonNode id, ChannelName channel, String since, boolean resume, DurableCursor.Key durableKey) {
            this(id, channel, since, resume, durableKey, null, 0);
        }

        /**
         * The request of a {@code subscribe} command for {@code channel}: {@code since}, {@code resume} or
         * {@code rewind} (at most one of them, rewind from 1 to {@code maxRewind}); throws {@link CommandException}
         * with {@code bad_request} otherwise.
         */
        public static Request of(io.streamgate.protocol.Command command, ChannelName channel, int maxRewind,
                DurableCursor.Key durableKey) {
            String since = command.optionalString("since");
            boolean resume = command.optionalBoolean("resume");
            if (since != null && resume) {
                throw new CommandException(ErrorCode.BAD_REQUEST, "give either 'since' or 'resume', not both");
            }
            if (since != null && since.length() > 256) {
                throw new CommandException(ErrorCode.BAD_REQUEST, "'since' is not a cursor");
            }
            String rewindRange = "'rewind' must be an integer from 1 to " + maxRewind;
            Integer rewind = command.optionalInt("rewind", rewindRange);
            if (rewind != null) {
                if (rewind < 1 || rewind > maxRewind) {
                    throw new CommandException(ErrorCode.BAD_REQUEST, rewindRange);
                }
                if (since != null || resume) {
                    throw new CommandException(ErrorCode.BAD_REQUEST, "give either 'rewind' or '"
                            + (since != null ? "since" : "resume") + "', not both: a cursor already says where to start");
                }
                return rewind(command.id(), channel, rewind);
            }
            return new Request(command.id(), channel, since, resume, durableKey);
        }

        /** A subscribe with {@code rewind: n}. */
        public static Request rewind(JsonNode id, ChannelName channel, int n) {
            return new Request(id, channel, null, false, null, null, n);
        }

        Request resolvedTo(String cursor, String reason) {
            return new Request(id, channel, cursor, false, durableKey, reason, rewind);
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
        // Named with the namespace's own string, not the one parsed from the command: one per namespace (issue 13).
        ConnectionSubscriptions.Slot slot = subscriptions.reserve(new ChannelName(namespace.name(), request.channel().subject()));
        if (slot == null) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "already subscribed to " + channelText);
        }
        slot.requestId = request.id();
        new SubscribeFlow(parts, sink, grant, namespace, subscriptions, slot, request).start();
    }

    /**
     * Moves the connection's subscriptions of {@code topic} that belong to another epoch to the tenant's partition
     * in {@code epoch}: each ends, and starts again live with {@code subscribed} (no id, {@code recovered: false},
     * reason {@code epoch}), so the client knows events may be missing (issue 15, item 1). One still being set up
     * is moved by a later check (its topic keeps being checked once it changed).
     */
    public void moveToEpoch(EventSink sink, Grant grant, ConnectionSubscriptions subscriptions, String topic,
            io.streamgate.stream.Epoch epoch) {
        for (String channel : subscriptions.channels()) {
            Subscription s = subscriptions.get(channel);
            if (s == null || !s.namespace().topic().equals(topic) || s.epoch().equals(epoch)) {
                continue;
            }
            ConnectionSubscriptions.Slot slot = subscriptions.slot(channel);
            if (slot == null || slot.subscription != s || !subscriptions.release(slot)) {
                continue; // unsubscribed or replaced meanwhile
            }
            end(slot);
            if (!access.maySubscribe(grant, s.channel(), s.namespace())) {
                sink.send(Frames.unsubscribed(null, channel, "forbidden"));
                continue;
            }
            ConnectionSubscriptions.Slot moved = subscriptions.reserve(s.channel());
            if (moved == null) {
                continue; // the client subscribed to it again meanwhile
            }
            new SubscribeFlow(parts, sink, grant, s.namespace(), subscriptions, moved,
                    new Request(null, s.channel(), null, false, null, "epoch", 0)).start();
        }
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
        parts.end(slot);
    }

    /**
     * Ends the subscriptions of a connection that its (refreshed) grant no longer covers, telling the client
     * with {@code unsubscribed} and reason {@code forbidden}.
     */
    public void revokeUncovered(EventSink sink, Grant grant, ConnectionSubscriptions subscriptions) {
        for (String channel : subscriptions.channels()) {
            ConnectionSubscriptions.Slot slot = subscriptions.slot(channel);
            ChannelName name = ChannelName.parse(channel, Integer.MAX_VALUE).channel().orElse(null);
            Namespace namespace = name == null ? null : namespaces.byName(name.namespace()).orElse(null);
            if (slot == null || namespace == null || access.maySubscribe(grant, name, namespace)
                    || !subscriptions.release(slot)) {
                continue;
            }
            // Also a subscription still being set up (durable cursor lookup, epoch, live seam, replay queue): it
            // must not complete under the old grant (issue 15, item 8). Cancelled first, so its flow registers
            // nothing; then whether it had registered decides what the client is told.
            end(slot);
            if (slot.subscription != null) {
                sink.send(Frames.unsubscribed(null, channel, "forbidden"));
            } else {
                sink.send(Frames.error(slot.requestId, ErrorCode.FORBIDDEN,
                        "your refreshed token does not allow subscribing to " + channel));
            }
        }
    }
}
