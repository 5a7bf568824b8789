package io.streamgate.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgate.stream.StreamEvent;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import java.io.IOException;

/** One event as the WebSocket's {@code event} frame carries it (docs/protocol.md), without {@code type}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventView(@NotBlank String channel, @NotBlank String cursor, long ts, String id, String event, String from,
        @NotNull JsonNode data) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The event, or null when its value is not JSON (such a record is never delivered to clients either). */
    static EventView of(StreamEvent e) {
        try {
            JsonNode data = MAPPER.readTree(e.value());
            return data == null ? null
                    : new EventView(e.channel().toString(), e.cursor().encode(), e.timestamp(), e.id(), e.event(), e.from(), data);
        } catch (IOException failure) {
            return null;
        }
    }
}
