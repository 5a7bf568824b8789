package io.streamgate.connection;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.jwt.auth.principal.ParseException;
import io.streamgate.revocation.Revocations;
import io.streamgate.auth.ChannelAccess;
import io.streamgate.auth.Grant;
import io.streamgate.auth.TokenVerifier;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.channel.Namespaces;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.durable.DurableCursor;
import io.streamgate.durable.DurableCursorStore;
import io.streamgate.kafka.Publisher;
import io.streamgate.metrics.GatewayMetrics;
import io.streamgate.presence.PresenceService;
import io.streamgate.protocol.CloseCodes;
import io.streamgate.protocol.Command;
import io.streamgate.protocol.CommandException;
import io.streamgate.protocol.CommandParser;
import io.streamgate.protocol.ErrorCode;
import io.streamgate.protocol.Frames;
import io.streamgate.stream.Cursor;
import io.streamgate.subscription.Subscription;
import io.streamgate.subscription.SubscriptionService;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Carries out one client command. A command that fails is answered with an {@code error} frame and the
 * connection lives on; a connection that sends too many bad commands is closed with 1008. Runs on the
 * connection's event loop and never blocks: slow work (Kafka round trips, replay, the database, token
 * verification) continues elsewhere and answers later.
 */
@ApplicationScoped
public class CommandRouter {

    private static final Logger LOG = Logger.getLogger(CommandRouter.class);

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
    DurableCursorStore durableCursors;

    @Inject
    Publisher publisher;

    @Inject
    Revocations revocations;

    @Inject
    PresenceService presence;

    @Inject
    TokenVerifier tokens;

    @Inject
    Vertx vertx;

    @Inject
    TokenExpiry expiry;

    @Inject
    GatewayMetrics metrics;

    void handle(ClientSession session, String text) {
        Command command = null;
        try {
            command = parser.parse(text);
            route(session, command);
        } catch (CommandException e) {
            refuse(session, e.commandId() != null ? e.commandId() : command == null ? null : command.id(),
                    command == null ? e : e.forCommand(command.type()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "Command failed on connection %s", session.connectionId());
            session.send(Frames.error(command == null ? null : command.id(), ErrorCode.INTERNAL, "the command failed"));
        }
    }

    void refuse(ClientSession session, JsonNode id, CommandException e) {
        session.send(Frames.error(id, e.code(), e.getMessage()));
        if ("publish".equals(e.commandType())) {
            metrics.publish(e.code().wireName());
        }
        if ((e.code() == ErrorCode.BAD_REQUEST || e.code() == ErrorCode.UNKNOWN_TYPE)
                && session.badCommand(config.connection().maxBadCommands())) {
            session.close(CloseCodes.POLICY);
        }
    }

    private void route(ClientSession session, Command command) {
        switch (command.type()) {
            case "subscribe", "unsubscribe", "presence" -> takeBudget(session.commandBudget(this::newCommandBudget),
                    "too many subscribe, unsubscribe and presence commands; slow down");
            case "refresh" -> takeBudget(session.refreshBudget(this::newRefreshBudget), "too many refresh commands; slow down");
            default -> {
            }
        }
        switch (command.type()) {
            case "subscribe" -> subscribe(session, command);
            case "unsubscribe" -> unsubscribe(session, command);
            case "ack" -> ack(session, command);
            case "publish" -> publish(session, command);
            case "presence" -> presence(session, command);
            case "refresh" -> refresh(session, command);
            default -> throw new CommandException(ErrorCode.UNKNOWN_TYPE,
                    "unknown command type '" + abbreviate(command.type()) + "'");
        }
    }

    /** Issue 15, item 10: churn and signature checks cost the server; each connection gets a bounded rate of them. */
    private static void takeBudget(TokenBucket budget, String message) {
        if (!budget.tryTake()) {
            throw new CommandException(ErrorCode.RATE_LIMITED, message);
        }
    }

    private TokenBucket newCommandBudget() {
        return new TokenBucket(config.connection().commandsPerSecond(), config.connection().commandsBurst());
    }

    private TokenBucket newRefreshBudget() {
        return new TokenBucket(config.connection().refreshPerMinute() / 60.0, config.connection().refreshBurst());
    }

    private TokenBucket newPublishBudget() {
        return new TokenBucket(config.publish().ratePerSecond(), config.publish().burst());
    }

    private void subscribe(ClientSession session, Command command) {
        ChannelName channel = channel(command);
        subscriptions.subscribe(session, session.grant(), session.subscriptions(), SubscriptionService.Request.of(command,
                channel, config.rewind().max(), durableKey(session, channel)));
    }

    private void unsubscribe(ClientSession session, Command command) {
        ChannelName channel = channel(command);
        subscriptions.unsubscribe(session.subscriptions(), channel.toString());
        session.send(Frames.unsubscribed(command.id(), channel.toString(), null));
    }

    /** Remembers a position for {@code resume: true}. Only what this connection was actually sent counts. */
    private void ack(ClientSession session, Command command) {
        ChannelName channel = channel(command);
        Cursor cursor = Cursor.decode(command.requireString("cursor"))
                .orElseThrow(() -> new CommandException(ErrorCode.BAD_REQUEST, "'cursor' is not a cursor"));
        Subscription s = session.subscriptions().get(channel.toString());
        if (s == null) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "not subscribed to " + channel);
        }
        if (!cursor.epoch().equals(s.epoch()) || cursor.partition() != s.partition().partition()) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "the cursor is not of " + channel);
        }
        if (cursor.offset() > s.lastOffset()) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "the cursor is ahead of what " + channel + " delivered");
        }
        DurableCursor.Key key = durableKey(session, channel);
        if (key.problem() != null) {
            throw new CommandException(ErrorCode.BAD_REQUEST, key.problem());
        }
        // Not kept when max-pending positions wait for an unreachable database: counted and logged by the store.
        durableCursors.ack(key, cursor);
    }

    private void publish(ClientSession session, Command command) {
        ChannelName channel = channel(command);
        Grant grant = session.grant();
        Namespace namespace = namespaces.byName(channel.namespace()).orElseThrow(() -> new CommandException(
                ErrorCode.UNKNOWN_NAMESPACE, "namespace '" + channel.namespace() + "' does not exist"));
        access.checkPublish(grant, channel, namespace);
        JsonNode data = command.require("data");
        byte[] json = Publisher.payload(namespace, channel, data, config.publish().maxPayloadBytes());
        if (!session.publishBudget(this::newPublishBudget).tryTake()) {
            throw new CommandException(ErrorCode.RATE_LIMITED, "too many publishes; slow down");
        }
        JsonNode id = command.id();
        // 'from' is the token's sub, never anything the client sent.
        String topic = namespace.topic();
        publisher.publishAt(topic, grant.tenant(), channel.subject(), grant.subject(), json)
                .thenApply(Cursor::encode)
                .whenComplete((cursor, failure) -> {
                    if (failure != null) {
                        LOG.warnf("Publish to %s failed: %s", channel, failure.getMessage());
                        metrics.publish("failed");
                        session.send(Frames.error(id, ErrorCode.INTERNAL, "the publish was not stored; retry"));
                    } else {
                        metrics.publish("ok");
                        session.send(Frames.published(id, cursor));
                    }
                });
    }

    private void presence(ClientSession session, Command command) {
        ChannelName channel = channel(command);
        Namespace namespace = subscriptions.authorize(session.grant(), channel);
        if (!namespace.presence()) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "namespace " + namespace.name() + " does not track presence");
        }
        if (channel.isWildcard()) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "presence is per channel; a wildcard has none");
        }
        session.send(Frames.presence(command.id(), channel.toString(),
                presence.members(session.grant().tenant(), channel.toString())));
    }

    /** Replaces the connection's grant with that of a new token of the same tenant and subject. */
    private void refresh(ClientSession session, Command command) {
        String token = command.requireString("token");
        JsonNode id = command.id();
        vertx.<Grant>executeBlocking(() -> {
            // Signature checks cost CPU, and a JWKS location may mean I/O: not on the event loop.
            try {
                return tokens.verify(token).filter(g -> !revocations.isRevoked(g)).orElse(null);
            } catch (ParseException e) {
                return null;
            }
        }, false).onComplete(result -> {
            Grant current = session.grant();
            Grant fresh = result.succeeded() ? result.result() : null;
            if (fresh == null || !fresh.tenant().equals(current.tenant()) || !fresh.subject().equals(current.subject())) {
                metrics.authFailure(fresh == null ? "refresh_invalid" : "refresh_other_subject");
                session.send(Frames.error(id, ErrorCode.UNAUTHORIZED,
                        fresh == null ? "the token is not valid" : "the token is for another tenant or subject"));
                if (session.badCommand(config.connection().maxBadCommands())) {
                    session.close(CloseCodes.POLICY); // a failed refresh counts like any other bad command
                }
                return;
            }
            session.grant(fresh);
            expiry.schedule(session);
            subscriptions.revokeUncovered(session, fresh, session.subscriptions());
            session.send(Frames.refreshed(id, fresh.expiresAtMillis()));
        });
    }

    private static DurableCursor.Key durableKey(ClientSession session, ChannelName channel) {
        Grant grant = session.grant();
        return new DurableCursor.Key(grant.tenant(), grant.subject(), session.clientId(), channel.toString());
    }

    private ChannelName channel(Command command) {
        ChannelName.Result parsed = ChannelName.parse(command.requireString("channel"), config.connection().maxChannelLength());
        return parsed.channel().orElseThrow(() -> new CommandException(ErrorCode.BAD_REQUEST, parsed.problem()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "…";
    }
}
