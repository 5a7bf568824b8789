package io.streamgate.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A command a client sent, with its fields checked for type but not for meaning.
 *
 * @param id the client's correlation id (string or integer), echoed in the reply; may be null
 * @param type the command type, for example {@code subscribe}
 * @param fields the whole command object, for the fields specific to the type
 */
public record Command(JsonNode id, String type, JsonNode fields) {

    /** A required string field, or a {@code bad_request}. */
    public String requireString(String name) {
        JsonNode node = fields.get(name);
        if (node == null || node.isNull()) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "'" + name + "' is required");
        }
        if (!node.isTextual()) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "'" + name + "' must be a string");
        }
        return node.textValue();
    }

    /** An optional string field: null when absent, {@code bad_request} when of another type. */
    public String optionalString(String name) {
        JsonNode node = fields.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "'" + name + "' must be a string");
        }
        return node.textValue();
    }

    /** An optional boolean field: false when absent, {@code bad_request} when of another type. */
    public boolean optionalBoolean(String name) {
        JsonNode node = fields.get(name);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "'" + name + "' must be true or false");
        }
        return node.booleanValue();
    }

    /** An optional integer field: null when absent, {@code bad_request} ({@code message}) when not an int. */
    public Integer optionalInt(String name, String message) {
        JsonNode node = fields.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new CommandException(ErrorCode.BAD_REQUEST, message);
        }
        return node.intValue();
    }

    /** A required field of any JSON type, or a {@code bad_request}. */
    public JsonNode require(String name) {
        JsonNode node = fields.get(name);
        if (node == null) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "'" + name + "' is required");
        }
        return node;
    }
}
