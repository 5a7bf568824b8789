package io.streamgate.presence;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One member of one channel, as replicas tell each other on the compacted presence topic. The record key
 * is {@link #key}; a tombstone (null value) under that key means the member left.
 *
 * @param expiresAt when the member is dropped unless its replica renews it (ms since the epoch)
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PresenceRecord(String tenant, String channel, String connection, String sub, JsonNode info,
        @JsonProperty("expires_at") long expiresAt) {

    /** {@code tenant|connection|channel}: tenant and connection id contain no '|', the channel comes last. */
    public String key() {
        return key(tenant, connection, channel);
    }

    static String key(String tenant, String connection, String channel) {
        return tenant + '|' + connection + '|' + channel;
    }

    /** The parts of a key: tenant, connection, channel; or null when it is not a presence key. */
    static String[] parseKey(String key) {
        String[] parts = key == null ? null : key.split("\\|", 3);
        return parts != null && parts.length == 3 ? parts : null;
    }
}
