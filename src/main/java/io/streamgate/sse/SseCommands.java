package io.streamgate.sse;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamgate.auth.ChannelAccess;
import io.streamgate.auth.Grant;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.channel.Namespaces;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.durable.DurableCursor;
import io.streamgate.kafka.Publisher;
import io.streamgate.metrics.GatewayMetrics;
import io.streamgate.presence.PresenceService;
import io.streamgate.protocol.Command;
import io.streamgate.protocol.CommandException;
import io.streamgate.protocol.CommandParser;
import io.streamgate.protocol.ErrorCode;
import io.streamgate.protocol.Frames;
import io.streamgate.stream.Cursor;
import io.streamgate.subscription.SubscriptionService;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The WebSocket's commands on an SSE stream, posted over HTTP ({@code POST /v1/sse/streams/<stream>/commands}, the
 * same JSON): {@code subscribe}, {@code unsubscribe}, {@code publish}, {@code presence} and {@code refresh}. Their
 * answers ({@code subscribed}, {@code published}, {@code error}... with the command's id) come on the stream, as on
 * the WebSocket, so that a subscription's confirmation stays in order with its events. {@code refresh} takes the
 * request's own bearer token (a {@code token} field is not needed). Runs on the stream's event loop.
 */
@ApplicationScoped
public class SseCommands {

    private static final Logger LOG = Logger.getLogger(SseCommands.class);

    private final CommandParser parser = new CommandParser();

    @Inject
    StreamgateConfig config;

    @Inject
    SubscriptionService subscriptions;

    @Inject
    Namespaces namespaces;

    @Inject
    ChannelAccess access;

    @Inject
    Publisher publisher;

    @Inject
    PresenceService presence;

    @Inject
    SseTickets tickets;

    @Inject
    SseStreams streams;

    @Inject
    GatewayMetrics metrics;

    @Inject
    Vertx vertx;

    /** @param bearer the grant of the request's token, already checked to be of the stream's tenant and subject */
    void handle(SseStream stream, Grant bearer, String text) {
        Command command = null;
        try {
            command = parser.parse(text);
            if (!"publish".equals(command.type()) && !stream.commandBudget().tryTake()) {
                throw new CommandException(ErrorCode.RATE_LIMITED, "too many commands; slow down");
            }
            switch (command.type()) {
                case "subscribe" -> subscribe(stream, command);
                case "unsubscribe" -> unsubscribe(stream, command);
                case "publish" -> publish(stream, command);
                case "presence" -> presence(stream, command);
                case "refresh" -> refresh(stream, bearer, command);
                default -> throw new CommandException(ErrorCode.UNKNOWN_TYPE, "unknown command type on an SSE stream");
            }
        } catch (CommandException e) {
            stream.send(Frames.error(e.commandId() != null ? e.commandId() : command == null ? null : command.id(),
                    e.code(), e.getMessage()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "Command failed on SSE stream %s", stream.connectionId());
            stream.send(Frames.error(command == null ? null : command.id(), ErrorCode.INTERNAL, "the command failed"));
        }
    }

    private void subscribe(SseStream stream, Command command) {
        ChannelName channel = channel(command);
        if (stream.subscriptions().size() >= config.sse().maxChannels()) {
            throw new CommandException(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                    "an SSE stream may hold at most " + config.sse().maxChannels() + " channels");
        }
        Grant grant = stream.grant();
        subscriptions.subscribe(stream, grant, stream.subscriptions(), SubscriptionService.Request.of(command, channel,
                config.rewind().max(), new DurableCursor.Key(grant.tenant(), grant.subject(), stream.clientId(),
                        channel.toString())));
    }

    private void unsubscribe(SseStream stream, Command command) {
        ChannelName channel = channel(command);
        subscriptions.unsubscribe(stream.subscriptions(), channel.toString());
        stream.send(Frames.unsubscribed(command.id(), channel.toString(), null));
    }

    private void publish(SseStream stream, Command command) {
        ChannelName channel = channel(command);
        Grant grant = stream.grant();
        Namespace namespace = namespaces.byName(channel.namespace()).orElseThrow(() -> new CommandException(
                ErrorCode.UNKNOWN_NAMESPACE, "namespace '" + channel.namespace() + "' does not exist"));
        access.checkPublish(grant, channel, namespace);
        JsonNode data = command.require("data");
        byte[] json = Publisher.payload(namespace, channel, data, config.publish().maxPayloadBytes());
        if (!stream.publishBudget().tryTake()) {
            throw new CommandException(ErrorCode.RATE_LIMITED, "too many publishes; slow down");
        }
        JsonNode id = command.id();
        publisher.publishAt(namespace.topic(), grant.tenant(), channel.subject(), grant.subject(), json)
                .thenApply(Cursor::encode)
                .whenComplete((cursor, failure) -> {
                    metrics.publish(failure != null ? "failed" : "ok");
                    stream.send(failure != null ? Frames.error(id, ErrorCode.INTERNAL, "the publish was not stored; retry")
                            : Frames.published(id, cursor));
                });
    }

    private void presence(SseStream stream, Command command) {
        ChannelName channel = channel(command);
        Namespace namespace = subscriptions.authorize(stream.grant(), channel);
        if (!namespace.presence() || channel.isWildcard()) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "presence is per channel of a namespace that tracks it");
        }
        stream.send(Frames.presence(command.id(), channel.toString(),
                presence.members(stream.grant().tenant(), channel.toString())));
    }

    /** The request's token becomes the stream's grant here and, for its reconnects on any replica, in the ticket. */
    private void refresh(SseStream stream, Grant fresh, Command command) {
        JsonNode id = command.id();
        vertx.executeBlocking(() -> {
            tickets.refresh(stream.streamId(), fresh);
            return null;
        }, false).onComplete(stored -> stream.context().runOnContext(v -> {
            if (stored.failed()) {
                LOG.warnf("Refresh of SSE stream %s not stored: %s", stream.streamId(), stored.cause().getMessage());
                stream.send(Frames.error(id, ErrorCode.INTERNAL, "the refresh was not stored; retry"));
                return;
            }
            stream.grant(fresh);
            streams.schedule(stream);
            subscriptions.revokeUncovered(stream, fresh, stream.subscriptions());
            stream.send(Frames.refreshed(id, fresh.expiresAtMillis()));
        }));
    }

    private ChannelName channel(Command command) {
        ChannelName.Result parsed = ChannelName.parse(command.requireString("channel"), config.connection().maxChannelLength());
        return parsed.channel().orElseThrow(() -> new CommandException(ErrorCode.BAD_REQUEST, parsed.problem()));
    }
}
