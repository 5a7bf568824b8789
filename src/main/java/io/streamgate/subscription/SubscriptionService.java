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
    GatewayMetrics metrics;

    @Inject
    Event<SubscriptionLifecycle.Started> startedEvents;

    @Inject
    Event<SubscriptionLifecycle.Ended> endedEvents;

    private SubscribeFlow.Parts parts;

    @PostConstruct
    void init() {
        parts = new SubscribeFlow.Parts(durableCursors, epochs, live, replays, index, rejected, metrics,
                config.replay().liveReadyTimeout(), startedEvents::fire, endedEvents::fire);
    }

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
        new SubscribeFlow(parts, sink, grant, namespace, subscriptions, slot, request).start();
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
}
