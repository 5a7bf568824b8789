package io.streamgate.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.hibernate.validator.runtime.jaxrs.ResteasyReactiveViolationException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.streamgate.protocol.CommandException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Turns every failure of an API request into a JSON {@link ApiError} with a code: no stack trace, no HTML, no
 * framework-specific body reaches a caller. Authentication is lazy (proactive authentication is off for the
 * WebSocket's sake), so its failures surface here as exceptions of the resource call.
 */
public class ApiErrors {

    private static final Logger LOG = Logger.getLogger(ApiErrors.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return error(e.status(), e.code(), e.getMessage());
    }

    /** The WebSocket's checks, shared (channel names, payloads, publish subjects): the same codes. */
    @ServerExceptionMapper
    public Response command(CommandException e) {
        int status = switch (e.code()) {
            case FORBIDDEN -> 403;
            case UNKNOWN_NAMESPACE -> 404;
            case TOO_LARGE -> 413;
            case RATE_LIMITED -> 429;
            case UNAUTHORIZED -> 401;
            case INTERNAL -> 503;
            default -> 400;
        };
        return error(status, e.code().wireName(), e.getMessage());
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e) {
        return Response.fromResponse(error(401, "unauthorized", "a valid server token is required (Authorization: Bearer)"))
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return error(403, "forbidden", "this is a client token: the API takes server tokens only (see docs/api.md)");
    }

    /** A request that breaks its constraints: 400. A response that breaks its own is this server's fault: 500. */
    @ServerExceptionMapper({ConstraintViolationException.class, ResteasyReactiveViolationException.class})
    public Response invalid(ConstraintViolationException e) {
        if (e.getConstraintViolations().stream().anyMatch(v -> v.getExecutableReturnValue() != null
                || v.getPropertyPath().toString().contains("<return value>"))) {
            LOG.errorf("An API response broke its constraints: %s", e.getMessage());
            return error(500, "internal", "the request failed; retry");
        }
        String problems = e.getConstraintViolations().stream()
                .map(v -> lastNode(v.getPropertyPath().toString()) + ": " + v.getMessage())
                .sorted().collect(Collectors.joining("; "));
        return error(400, "bad_request", problems);
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e) {
        return error(400, "bad_request", "the body is not JSON of the expected shape");
    }

    /** Not found, method not allowed, unsupported media type, a body that cannot be read. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String code = status == 400 ? "bad_request"
                : Response.Status.fromStatusCode(status) == null ? "error"
                : Response.Status.fromStatusCode(status).name().toLowerCase(Locale.ROOT);
        return error(status, code, status == 400 ? "the request cannot be read" : Response.Status.fromStatusCode(status) == null
                ? "the request failed" : Response.Status.fromStatusCode(status).getReasonPhrase().toLowerCase(Locale.ROOT));
    }

    @ServerExceptionMapper
    public Response failed(RuntimeException e) {
        LOG.errorf(e, "API request failed");
        return error(500, "internal", "the request failed; retry");
    }

    static Response error(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(code, message)).build();
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
