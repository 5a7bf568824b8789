package io.streamgate.stream;

import io.streamgate.channel.ChannelName;

/**
 * One Kafka record read through the record contract: the concrete channel it belongs to, where it stands
 * in the stream, and its optional headers, each read once. Live fan-out and replay both encode their
 * {@code event} frame from this value, so both send byte-identical frames.
 *
 * @param value the record value as written: UTF-8 JSON by contract, not yet checked
 */
public record StreamEvent(ChannelName channel, Cursor cursor, long timestamp, String id, String event, String from,
        byte[] value) {
}
