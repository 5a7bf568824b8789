package io.streamgate.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * {@code streamgate.api.enabled=false} (the default): every API path answers 404 before any token is looked at.
 * Pre-matching, so it runs ahead of the resources' security checks.
 */
public class ApiSwitch {

    /** A normal-scoped bean: its configuration is read at the first request, not when RESTEasy builds its filters. */
    @Inject
    ApiAccess access;

    @ServerRequestFilter(preMatching = true)
    public Response disabled(ContainerRequestContext request) {
        if (!access.enabled() && request.getUriInfo().getPath().startsWith(ApiPaths.ROOT)) {
            return ApiErrors.error(404, "not_found", "the server API is not enabled (streamgate.api.enabled)");
        }
        return null;
    }
}
