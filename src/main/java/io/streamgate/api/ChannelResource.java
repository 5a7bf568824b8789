package io.streamgate.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgate.auth.Grant;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.channel.Namespaces;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.kafka.Publisher;
import io.streamgate.presence.PresenceService;
import io.streamgate.protocol.CommandException;
import io.streamgate.protocol.ErrorCode;
import io.streamgate.stream.Cursor;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A channel of the caller's tenant: its recent events, its current cursor, who is present, and publishing to it.
 * Channels are named as in the protocol ({@code inventory:sku-42}, {@code inventory:*} for reads). A server token
 * is not limited by {@code subscribe}/{@code publish} claims: it may read and publish every channel of its tenant.
 */
@Path(ApiPaths.CHANNEL)
@RolesAllowed(ApiRole.EXPRESSION)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "channels")
public class ChannelResource {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    JsonWebToken token;

    @Inject
    ApiAccess access;

    @Inject
    ChannelReader reader;

    @Inject
    Namespaces namespaces;

    @Inject
    Publisher publisher;

    @Inject
    PresenceService presence;

    @Inject
    StreamgateConfig config;

    @GET
    @Path("events")
    @Operation(summary = "The channel's recent events, oldest first; with 'since', the events after that cursor")
    public @Valid Views.EventsPage events(@PathParam("channel") String channel,
            @QueryParam("limit") @DefaultValue("100") @Min(value = 1, message = "must be at least 1") int limit,
            @QueryParam("since") @Size(max = 64, message = "is not a cursor") String since) {
        Grant caller = access.admit(token);
        if (limit > config.api().maxEvents()) {
            throw new ApiException(400, "bad_request", "limit: at most " + config.api().maxEvents());
        }
        ChannelName name = channel(channel);
        Namespace namespace = namespace(name);
        Cursor from = since == null ? null : Cursor.decode(since)
                .orElseThrow(() -> new ApiException(400, "bad_request", "since: is not a cursor"));
        ChannelReader.Page page = reader.read(namespace, name, caller.tenant(), from, limit);
        return new Views.EventsPage(name.toString(),
                page.events().stream().map(EventView::of).filter(Objects::nonNull).toList(),
                page.cursor().encode(), page.bounded(), page.more());
    }

    @GET
    @Path("cursor")
    @Operation(summary = "The channel's current cursor: subscribing with it as 'since' misses nothing written after this call")
    public @Valid Views.ChannelCursor cursor(@PathParam("channel") String channel) {
        Grant caller = access.admit(token);
        ChannelName name = channel(channel);
        return new Views.ChannelCursor(name.toString(), reader.current(namespace(name), caller.tenant()).encode());
    }

    @GET
    @Path("presence")
    @Operation(summary = "Who is present on the channel, on every replica (namespaces with presence only)")
    public @Valid Views.Members presence(@PathParam("channel") String channel) {
        Grant caller = access.admit(token);
        ChannelName name = channel(channel);
        Namespace namespace = namespace(name);
        if (!namespace.presence() || name.isWildcard()) {
            throw new ApiException(400, "bad_request", name.isWildcard() ? "presence is per channel; a wildcard has none"
                    : "namespace " + namespace.name() + " does not track presence");
        }
        return new Views.Members(name.toString(), presence.members(caller.tenant(), name.toString()));
    }

    @POST
    @Path("events")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Publish an event to the channel through Kafka; answers with its cursor once Kafka stored it")
    public CompletionStage<Views.Published> publish(@PathParam("channel") String channel,
            @NotNull(message = "a JSON body {\"data\": ...} is required") @Valid Views.Publish body) {
        Grant caller = access.admit(token);
        ChannelName name = channel(channel);
        if (name.isWildcard()) {
            throw new ApiException(400, "bad_request", "publish to a channel, not a wildcard");
        }
        Namespace namespace = namespace(name);
        Publisher.checkSubject(namespace, name, body.data());
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(body.data());
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "bad_request", "'data' cannot be serialised");
        }
        if (json.length > config.publish().maxPayloadBytes()) {
            throw new CommandException(ErrorCode.TOO_LARGE,
                    "'data' is " + json.length + " bytes; at most " + config.publish().maxPayloadBytes() + " are allowed");
        }
        // 'from' is the server token's sub, as a client's is its own.
        return publisher.publishAt(namespace.topic(), caller.tenant(), name.subject(), caller.subject(), json)
                .thenApply(cursor -> new Views.Published(name.toString(), cursor.encode()));
    }

    private ChannelName channel(String text) {
        ChannelName.Result parsed = ChannelName.parse(text, config.connection().maxChannelLength());
        return parsed.channel().orElseThrow(() -> new ApiException(400, "bad_request", parsed.problem()));
    }

    private Namespace namespace(ChannelName channel) {
        return namespaces.byName(channel.namespace()).orElseThrow(() -> new ApiException(404, "unknown_namespace",
                "namespace '" + channel.namespace() + "' does not exist"));
    }
}
