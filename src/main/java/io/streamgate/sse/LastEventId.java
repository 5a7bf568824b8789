package io.streamgate.sse;

import io.streamgate.channel.ChannelName;
import io.streamgate.stream.Cursor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code id} of every SSE message: the stream's id and the position of every channel of the stream as the
 * message leaves the server, so that the browser's {@code Last-Event-ID} lets any replica resume each channel
 * exactly after the last event the browser got, with nothing stored per event anywhere. Form (ASCII; channel
 * names and cursors never hold a space or a {@code ;}):
 * <pre>{@code v1;<stream id>;<channel> <cursor>;<channel> <cursor>...}</pre>
 * with {@code -} for the cursor of a channel whose stream has no position yet (subscribed before its first
 * record). Clients treat it as opaque. Its size grows with the stream's channels: {@code streamgate.sse.max-channels}.
 */
record LastEventId(String streamId, Map<String, String> positions) {

    private static final String VERSION = "v1";
    /** Longer than any id this server writes for max-channels of the longest names: refused unread. */
    static final int MAX_LENGTH = 64 * 1024;

    static String encode(String streamId, Map<String, String> positions) {
        StringBuilder id = new StringBuilder(32 + positions.size() * 64).append(VERSION).append(';').append(streamId);
        positions.forEach((channel, cursor) -> id.append(';').append(channel).append(' ').append(cursor == null ? "-" : cursor));
        return id.toString();
    }

    /**
     * The header's stream and positions, or empty when it is not an id this server wrote (then the stream is
     * not resumed from it). A channel whose cursor is not a cursor is kept with none: it is subscribed again live.
     */
    static Optional<LastEventId> decode(String header, int maxChannelLength) {
        if (header == null || header.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        String[] parts = header.split(";", -1);
        if (parts.length < 2 || !VERSION.equals(parts[0]) || parts[1].isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> positions = new LinkedHashMap<>();
        for (int i = 2; i < parts.length; i++) {
            int space = parts[i].indexOf(' ');
            if (space < 0) {
                return Optional.empty();
            }
            String channel = parts[i].substring(0, space);
            String cursor = parts[i].substring(space + 1);
            if (ChannelName.parse(channel, maxChannelLength).channel().isEmpty()) {
                return Optional.empty();
            }
            positions.put(channel, Cursor.decode(cursor).isPresent() ? cursor : null);
        }
        return Optional.of(new LastEventId(parts[1], positions));
    }
}
