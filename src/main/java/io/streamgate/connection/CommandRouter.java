package io.streamgate.connection;

import io.streamgate.channel.ChannelName;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.protocol.CloseCodes;
import io.streamgate.protocol.Command;
import io.streamgate.protocol.CommandException;
import io.streamgate.protocol.CommandParser;
import io.streamgate.protocol.ErrorCode;
import io.streamgate.protocol.Frames;
import io.streamgate.subscription.SubscriptionService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Carries out one client command. A command that fails is answered with an {@code error} frame and the
 * connection lives on; a connection that sends too many bad commands is closed with 1008. Runs on the
 * connection's event loop and never blocks: slow work (Kafka round trips, replay) continues elsewhere
 * and answers later.
 */
@ApplicationScoped
public class CommandRouter {

    private static final Logger LOG = Logger.getLogger(CommandRouter.class);

    private final CommandParser parser = new CommandParser();

    @Inject
    StreamgateConfig config;

    @Inject
    SubscriptionService subscriptions;

    void handle(ClientSession session, String text) {
        Command command = null;
        try {
            command = parser.parse(text);
            route(session, command);
        } catch (CommandException e) {
            refuse(session, e.commandId() != null ? e.commandId() : command == null ? null : command.id(), e);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Command failed on connection %s", session.connectionId());
            session.send(Frames.error(command == null ? null : command.id(), ErrorCode.INTERNAL, "the command failed"));
        }
    }

    void refuse(ClientSession session, com.fasterxml.jackson.databind.JsonNode id, CommandException e) {
        session.send(Frames.error(id, e.code(), e.getMessage()));
        if ((e.code() == ErrorCode.BAD_REQUEST || e.code() == ErrorCode.UNKNOWN_TYPE)
                && session.badCommand(config.connection().maxBadCommands())) {
            session.close(CloseCodes.POLICY);
        }
    }

    private void route(ClientSession session, Command command) {
        switch (command.type()) {
            case "subscribe" -> subscribe(session, command);
            case "unsubscribe" -> unsubscribe(session, command);
            default -> throw new CommandException(ErrorCode.UNKNOWN_TYPE,
                    "unknown command type '" + abbreviate(command.type()) + "'");
        }
    }

    private void subscribe(ClientSession session, Command command) {
        ChannelName channel = channel(command);
        String since = command.optionalString("since");
        if (since != null && since.length() > 256) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "'since' is not a cursor");
        }
        subscriptions.subscribe(session, session.grant(), session.subscriptions(),
                new SubscriptionService.Request(command.id(), channel, since));
    }

    private void unsubscribe(ClientSession session, Command command) {
        ChannelName channel = channel(command);
        subscriptions.unsubscribe(session.subscriptions(), channel.toString());
        session.send(Frames.unsubscribed(command.id(), channel.toString(), null));
    }

    private ChannelName channel(Command command) {
        ChannelName.Result parsed = ChannelName.parse(command.requireString("channel"), config.connection().maxChannelLength());
        return parsed.channel().orElseThrow(() -> new CommandException(ErrorCode.BAD_REQUEST, parsed.problem()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "…";
    }
}
