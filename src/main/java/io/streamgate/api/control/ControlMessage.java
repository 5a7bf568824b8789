package io.streamgate.api.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.streamgate.revocation.Revocation;

/**
 * What one replica tells all others on the control topic: close every connection of a subject
 * ({@code disconnect}), or take a revocation into force and close the connections it covers ({@code revoke}).
 *
 * @param type       {@code disconnect} or {@code revoke}
 * @param tenant     whose connections
 * @param subject    for {@code disconnect}: whose connections
 * @param revocation for {@code revoke}
 */
@RegisterForReflection // read and written by Jackson (the control topic)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlMessage(String type, String tenant, String subject, Revocation revocation) {

    public static final String DISCONNECT = "disconnect";
    public static final String REVOKE = "revoke";

    public static ControlMessage disconnect(String tenant, String subject) {
        return new ControlMessage(DISCONNECT, tenant, subject, null);
    }

    public static ControlMessage revoke(Revocation revocation) {
        return new ControlMessage(REVOKE, revocation.tenant(), null, revocation);
    }
}
