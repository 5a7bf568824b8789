package io.streamgate.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Turns a text frame into a {@link Command}, or explains in a {@link CommandException} what is wrong
 * with it. Parsing is bounded: nesting depth and number length are capped, so a hostile frame costs
 * no more than its size.
 */
public final class CommandParser {

    /** Longest string id a client may use; longer ids are refused rather than echoed back. */
    static final int MAX_ID_LENGTH = 128;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA.mappedFeature())
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32)
                .maxNumberLength(64)
                .build());
    }

    public Command parse(String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "frame is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "frame must be a JSON object");
        }
        JsonNode id = root.get("id");
        if (id != null && !id.isNull() && !isAcceptableId(id)) {
            // The id is not echoed: it is the part of the frame that is wrong.
            throw new CommandException(ErrorCode.BAD_REQUEST,
                    "'id' must be a string of at most " + MAX_ID_LENGTH + " characters or an integer");
        }
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual()) {
            throw new CommandException(ErrorCode.BAD_REQUEST, "'type' is required and must be a string")
                    .withId(id);
        }
        return new Command(id == null || id.isNull() ? null : id, type.textValue(), root);
    }

    private static boolean isAcceptableId(JsonNode id) {
        return (id.isTextual() && id.textValue().length() <= MAX_ID_LENGTH) || id.canConvertToLong() && id.isIntegralNumber();
    }
}
