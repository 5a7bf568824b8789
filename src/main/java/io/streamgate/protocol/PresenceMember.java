package io.streamgate.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One subject present in a channel, as {@code presence}, {@code join} and {@code leave} frames show it.
 *
 * @param info the subject's token {@code presence} claim (a display name, say), or null
 */
public record PresenceMember(String sub, JsonNode info) {
}
