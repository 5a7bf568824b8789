package io.streamgate.channel;

import com.fasterxml.jackson.core.JsonPointer;

import java.util.Optional;

/**
 * A configured namespace: the Kafka topic behind it and what clients may do in it.
 *
 * @param subjectPointer where the subject lives in the JSON value; empty: in the {@code subject} header
 */
public record Namespace(String name, String topic, Optional<JsonPointer> subjectPointer, boolean isPublic,
        boolean publish, boolean presence) {

    public boolean subjectFromHeader() {
        return subjectPointer.isEmpty();
    }
}
