package io.streamgate.channel;

import java.util.Optional;

/**
 * A channel as clients name it: {@code <namespace>:<subject>}, or {@code <namespace>:*} for every
 * subject of the namespace. Names are restricted to a safe alphabet so they can appear in logs,
 * metrics and database keys without escaping.
 */
public record ChannelName(String namespace, String subject) {

    public static final String WILDCARD = "*";

    public boolean isWildcard() {
        return WILDCARD.equals(subject);
    }

    /** Does an event of the concrete channel {@code other} belong to this (possibly wildcard) channel? */
    public boolean covers(ChannelName other) {
        return namespace.equals(other.namespace) && (isWildcard() || subject.equals(other.subject));
    }

    @Override
    public String toString() {
        return namespace + ':' + subject;
    }

    /** Is {@code text} this channel's name ({@link #toString})? Without building the name. */
    public boolean hasText(String text) {
        return text != null && text.length() == namespace.length() + 1 + subject.length() && text.startsWith(namespace)
                && text.charAt(namespace.length()) == ':' && text.endsWith(subject);
    }

    /**
     * Parses a client-supplied channel name.
     *
     * @return the channel, or empty with {@code problem} explaining what is wrong
     */
    public static Result parse(String text, int maxLength) {
        if (text == null || text.isEmpty()) {
            return Result.error("channel is missing");
        }
        if (text.length() > maxLength) {
            return Result.error("channel is longer than " + maxLength + " characters");
        }
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            return Result.error("channel must be <namespace>:<subject>");
        }
        String namespace = text.substring(0, colon);
        String subject = text.substring(colon + 1);
        if (!isName(namespace)) {
            return Result.error("namespace may contain only letters, digits, '-', '_' and '.'");
        }
        if (!WILDCARD.equals(subject) && !isSubject(subject)) {
            return Result.error("subject may contain only letters, digits and - _ . @ = : / | (or be * alone)");
        }
        return new Result(Optional.of(new ChannelName(namespace, subject)), null);
    }

    /** A concrete channel built from trusted parts (a Kafka record), or empty when the subject is unusable. */
    public static Optional<ChannelName> of(String namespace, String subject) {
        return subject != null && !subject.isEmpty() && isSubject(subject)
                ? Optional.of(new ChannelName(namespace, subject))
                : Optional.empty();
    }

    private static boolean isName(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isAlnum(c) || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSubject(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isAlnum(c) || "-_.@=:/|".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    public record Result(Optional<ChannelName> channel, String problem) {
        static Result error(String problem) {
            return new Result(Optional.empty(), problem);
        }
    }
}
