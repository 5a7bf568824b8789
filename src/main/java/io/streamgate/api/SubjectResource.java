package io.streamgate.api;

import io.streamgate.api.control.ControlMessage;
import io.streamgate.api.control.ControlTopic;
import io.streamgate.auth.Grant;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.concurrent.CompletionStage;

/** A subject (a token's {@code sub}) of the caller's tenant: disconnect all its connections on every replica. */
@Path(ApiPaths.ROOT + "/subjects/{subject}")
@RolesAllowed(ApiRole.EXPRESSION)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operate")
public class SubjectResource {

    @Inject
    JsonWebToken token;

    @Inject
    ApiAccess access;

    @Inject
    ControlTopic control;

    @POST
    @Path("disconnect")
    @Operation(summary = "Close every connection of the subject on every replica (close code 4410); it may connect again")
    public CompletionStage<Views.Disconnected> disconnect(
            @PathParam("subject") @Size(min = 1, max = 255, message = "must be 1 to 255 characters")
            @Pattern(regexp = "\\P{Cntrl}+", message = "must not hold control characters") String subject) {
        Grant caller = access.admit(token);
        return control.send(ControlMessage.disconnect(caller.tenant(), subject))
                .thenApply(closedHere -> new Views.Disconnected(subject, closedHere));
    }
}
