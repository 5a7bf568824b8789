package io.streamgate.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.streamgate.api.control.ControlMessage;
import io.streamgate.api.control.ControlTopic;
import io.streamgate.revocation.Revocation;
import io.streamgate.revocation.RevocationStore;
import io.streamgate.revocation.Revocations;
import io.streamgate.auth.Grant;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Revoking the caller's tenant's tokens: one by its {@code jti}, or every token of a subject issued before a time.
 * Stored in PostgreSQL first (shared by every replica, kept across restarts), then in force on every replica
 * through the control topic: refused at the upgrade and at {@code refresh}, and open connections that use a
 * revoked token closed with 4411.
 */
@Path(ApiPaths.ROOT + "/revocations")
@RolesAllowed(ApiRole.EXPRESSION)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operate")
public class RevocationResource {

    private static final Logger LOG = Logger.getLogger(RevocationResource.class);
    /** A revocation of one token whose expiry the caller did not give is kept this long. */
    static final Duration DEFAULT_TOKEN_RETENTION = Duration.ofDays(30);

    /**
     * Exactly one of {@code jti} and {@code subject}.
     *
     * @param issuedBefore with {@code subject}: ms since the epoch; tokens issued before it are revoked (default: now)
     * @param expiresAt    with {@code jti}: the token's expiry (ms); the revocation is forgotten after it (default 30 days)
     */
    public record Revoke(@Size(min = 1, max = 255) @Pattern(regexp = "\\P{Cntrl}+") String jti,
            @Size(min = 1, max = 255) @Pattern(regexp = "\\P{Cntrl}+") String subject,
            @JsonProperty("issued_before") @Positive Long issuedBefore,
            @JsonProperty("expires_at") @Positive Long expiresAt) {
    }

    public record Revoked(@NotNull @Valid Revocation revocation, @JsonProperty("closed_here") int closedHere) {
    }

    public record Listed(@NotNull List<Revocation> revocations) {
    }

    @Inject
    JsonWebToken token;

    @Inject
    ApiAccess access;

    @Inject
    RevocationStore store;

    @Inject
    Revocations revocations;

    @Inject
    ControlTopic control;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Revoke a token by jti, or every token of a subject issued before a time")
    public Response revoke(@NotNull(message = "a JSON body is required") @Valid Revoke body) {
        Grant caller = access.admit(token);
        Revocation revocation = revocation(caller.tenant(), body);
        try {
            store.save(revocation);
        } catch (RuntimeException e) {
            LOG.warnf("Cannot store a revocation: %s", e.getMessage());
            throw new ApiException(503, "internal", "the revocation could not be stored (database unavailable); retry");
        }
        int closedHere;
        try {
            closedHere = control.send(ControlMessage.revoke(revocation)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "internal", "interrupted");
        } catch (Exception e) {
            // Stored: every replica takes it from the database at its next reload (streamgate.api.revocation-reload).
            LOG.warnf("A stored revocation could not be announced on the control topic: %s", e.getMessage());
            throw new ApiException(503, "internal", "the revocation is stored but other replicas apply it only at their next "
                    + "reload; retry to close open connections at once");
        }
        return Response.status(201).entity(new Revoked(revocation, closedHere)).build();
    }

    @GET
    @Operation(summary = "The tenant's revocations in force")
    public @Valid Listed list() {
        Grant caller = access.admit(token);
        return new Listed(revocations.of(caller.tenant()));
    }

    private static Revocation revocation(String tenant, Revoke body) {
        if ((body.jti() == null) == (body.subject() == null)) {
            throw new ApiException(400, "bad_request", "give exactly one of 'jti' and 'subject'");
        }
        long now = System.currentTimeMillis();
        if (body.jti() != null) {
            if (body.issuedBefore() != null) {
                throw new ApiException(400, "bad_request", "'issued_before' goes with 'subject', not 'jti'");
            }
            return Revocation.ofToken(tenant, body.jti(),
                    body.expiresAt() != null ? body.expiresAt() : now + DEFAULT_TOKEN_RETENTION.toMillis());
        }
        if (body.expiresAt() != null) {
            throw new ApiException(400, "bad_request", "'expires_at' goes with 'jti', not 'subject'");
        }
        return Revocation.ofSubject(tenant, body.subject(), body.issuedBefore() != null ? body.issuedBefore() : now);
    }
}
