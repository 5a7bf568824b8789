package io.streamgate.stream;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A position in a channel's stream: the last event a client has seen. Clients treat the encoded form
 * as opaque. Encoded as {@code <topic id>.<partition count>.<partition>.<offset>}; offset -1 means
 * "before the first record of the partition".
 */
public record Cursor(Epoch epoch, int partition, long offset) {

    private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{22}\\.\\d{1,6}\\.\\d{1,6}\\.-?\\d{1,19}");

    public Cursor {
        if (partition < 0 || partition >= epoch.partitions()) {
            throw new IllegalArgumentException("partition " + partition + " outside 0.." + (epoch.partitions() - 1));
        }
        if (offset < -1) {
            throw new IllegalArgumentException("offset " + offset + " below -1");
        }
    }

    public String encode() {
        return epoch.topicId() + '.' + epoch.partitions() + '.' + partition + '.' + offset;
    }

    /** The cursor the string names, or empty when it is not a cursor this server could have issued. */
    public static Optional<Cursor> decode(String text) {
        if (text == null || text.length() > 64 || !FORM.matcher(text).matches()) {
            return Optional.empty();
        }
        String[] parts = text.split("\\.");
        try {
            Epoch epoch = new Epoch(parts[0], Integer.parseInt(parts[1]));
            if (epoch.partitions() < 1) {
                return Optional.empty();
            }
            return Optional.of(new Cursor(epoch, Integer.parseInt(parts[2]), Long.parseLong(parts[3])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public boolean isAfter(Cursor other) {
        return epoch.equals(other.epoch) && partition == other.partition && offset > other.offset;
    }
}
