package io.streamgate.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamgate.protocol.PresenceMember;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

import java.util.List;

/** The API's small request and response bodies (docs/api.md). */
public final class Views {

    private Views() {
    }

    /**
     * A page of a channel's events.
     *
     * @param cursor  hand it to a browser as {@code since}, or to the next read as {@code since}
     * @param bounded the read window ended before {@code limit} events were found (older ones may exist)
     * @param more    (with {@code since}) more of the stream follows {@code cursor}: read again from it
     */
    public record EventsPage(@NotBlank String channel, @NotNull @Valid List<EventView> events, @NotBlank String cursor,
            boolean bounded, boolean more) {
    }

    /** The channel's current position. */
    public record ChannelCursor(@NotBlank String channel, @NotBlank String cursor) {
    }

    /** Who is present on the channel across all replicas, one entry per subject. */
    public record Members(@NotBlank String channel, @NotNull List<PresenceMember> members) {
    }

    /** A publish: {@code data} is the event's JSON value, as a client's {@code publish} carries it. */
    public record Publish(@NotNull(message = "'data' is required") JsonNode data) {
    }

    /** Where the published event was stored: the same {@code cursor} a WebSocket {@code published} answers. */
    public record Published(@NotBlank String channel, @NotBlank String cursor) {
    }

    /** A disconnect was announced to every replica. */
    public record Disconnected(@NotBlank String subject, @JsonProperty("closed_here") @PositiveOrZero int closedHere) {
    }
}
