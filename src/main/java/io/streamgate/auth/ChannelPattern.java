package io.streamgate.auth;

/**
 * One entry of a token's {@code subscribe} or {@code publish} claim: an exact channel
 * ({@code chat:room-1}) or a prefix ending in {@code *} ({@code inventory:*}, {@code chat:room-*}).
 * Matching is on the channel's text, so {@code inventory:*} also covers the wildcard subscription
 * {@code inventory:*} itself, while {@code chat:room-*} does not cover {@code chat:*}.
 */
public record ChannelPattern(String text) {

    public boolean matches(String channel) {
        if (text.endsWith("*")) {
            return channel.startsWith(text.substring(0, text.length() - 1));
        }
        return text.equals(channel);
    }
}
