package io.streamgate.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A command that cannot be carried out: answered with an {@code error} frame, the connection lives.
 * Carries no stack trace: it is control flow, and its message goes to the client.
 */
public final class CommandException extends RuntimeException {

    private final ErrorCode code;
    private final JsonNode commandId;
    private final String commandType;

    public CommandException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    private CommandException(ErrorCode code, String message, JsonNode commandId, String commandType) {
        super(message, null, false, false);
        this.code = code;
        this.commandId = commandId;
        this.commandType = commandType;
    }

    /** The type of the command that failed, when known (for per-command metrics). */
    public String commandType() {
        return commandType;
    }

    public CommandException forCommand(String type) {
        return new CommandException(code, getMessage(), commandId, type);
    }

    public ErrorCode code() {
        return code;
    }

    /** The id of the command that failed, when known, to echo in the error frame. */
    public JsonNode commandId() {
        return commandId;
    }

    public CommandException withId(JsonNode id) {
        return new CommandException(code, getMessage(), id, commandType);
    }
}
