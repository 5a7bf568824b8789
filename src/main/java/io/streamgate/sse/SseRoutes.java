package io.streamgate.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.smallrye.jwt.auth.principal.ParseException;
import io.streamgate.auth.Grant;
import io.streamgate.auth.TokenVerifier;
import io.streamgate.channel.ChannelName;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.connection.ConnectionBudget;
import io.streamgate.connection.Drain;
import io.streamgate.connection.TokenBucket;
import io.streamgate.durable.DurableCursor;
import io.streamgate.metrics.AuthFailureCounter;
import io.streamgate.metrics.GatewayMetrics;
import io.streamgate.protocol.Command;
import io.streamgate.protocol.CommandException;
import io.streamgate.protocol.Frames;
import io.streamgate.revocation.Revocations;
import io.streamgate.subscription.SubscriptionService;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The SSE transport's HTTP endpoints (docs/protocol.md, "SSE transport"):
 * <ul>
 *   <li>{@code POST /v1/sse/ticket} with {@code Authorization: Bearer <token>} and the channels to open: a
 *       short-lived, single-use ticket (the token never goes into a URL, which proxies log);</li>
 *   <li>{@code GET /v1/sse?ticket=...}: the stream; with {@code Last-Event-ID} (the browser's reconnect) the same
 *       stream again, each channel resumed after its position in that id, on any replica;</li>
 *   <li>{@code POST /v1/sse/streams/<stream>/commands} with the bearer token: a WebSocket command on the stream
 *       ({@link SseCommands}).</li>
 * </ul>
 * Token checks and the database run on the worker pool, never on the event loop.
 */
@ApplicationScoped
public class SseRoutes {

    private static final Logger LOG = Logger.getLogger(SseRoutes.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final int MAX_BODY = 64 * 1024;

    @Inject
    StreamgateConfig config;

    @Inject
    SseTickets tickets;

    @Inject
    SseStreams streams;

    @Inject
    SseCommands commands;

    @Inject
    SubscriptionService subscriptions;

    @Inject
    TokenVerifier tokens;

    @Inject
    Revocations revocations;

    @Inject
    ConnectionBudget budget;

    @Inject
    Drain drain;

    @Inject
    GatewayMetrics metrics;

    @Inject
    Vertx vertx;

    void routes(@Observes Router router) {
        if (!config.sse().enabled()) {
            return;
        }
        router.post("/v1/sse/ticket").handler(BodyHandler.create().setBodyLimit(MAX_BODY)).handler(this::ticket);
        router.get("/v1/sse").handler(this::open);
        router.post("/v1/sse/streams/:stream/commands").handler(BodyHandler.create().setBodyLimit(MAX_BODY))
                .handler(this::command);
    }

    /** A verified grant, or the HTTP status and metric reason of a refusal. */
    record Verified(Grant grant, int status, String reason) {
    }

    /**
     * Verifies the request's bearer token as the WebSocket upgrade does: a token this replica verified before is
     * admitted at once (every command of a stream carries the same bearer), any other on the worker pool; whether it
     * is revoked is asked every time.
     */
    io.vertx.core.Future<Verified> verify(RoutingContext ctx) {
        String token = io.streamgate.connection.UpgradeAdmission.bearer(ctx.request().getHeader("Authorization"));
        if (token == null) {
            return io.vertx.core.Future.succeededFuture(new Verified(null, 401, "missing"));
        }
        Grant known = tokens.known(token);
        if (known != null) {
            return io.vertx.core.Future.succeededFuture(revocationChecked(known));
        }
        return vertx.executeBlocking(() -> {
            try {
                return tokens.verify(token).map(this::revocationChecked).orElseGet(() -> new Verified(null, 403, "no_tenant"));
            } catch (ParseException | RuntimeException e) {
                return new Verified(null, 401, AuthFailureCounter.reason(e));
            }
        }, false);
    }

    private Verified revocationChecked(Grant grant) {
        return revocations.isRevoked(grant) ? new Verified(null, 401, "revoked") : new Verified(grant, 200, null);
    }

    // --- POST /v1/sse/ticket ----------------------------------------------------------------------------

    private void ticket(RoutingContext ctx) {
        JsonNode body;
        try {
            body = ctx.body().length() == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(ctx.body().asString());
        } catch (Exception e) {
            fail(ctx, 400, "bad_request", "the body is not JSON");
            return;
        }
        String problem = ticketProblem(body);
        if (problem != null) {
            fail(ctx, 400, "bad_request", problem);
            return;
        }
        String clientId = body.path("client_id").asText("");
        String channels = body.path("channels").isMissingNode() ? "[]" : body.path("channels").toString();
        verify(ctx).onComplete(result -> {
            Verified v = result.result();
            if (v.grant() == null) {
                refuse(ctx, v);
                return;
            }
            vertx.executeBlocking(() -> tickets.issue(v.grant(), clientId, channels, config.sse().ticketTtl()), false)
                    .onComplete(issued -> {
                        if (issued.failed()) {
                            LOG.warnf("An SSE ticket could not be stored: %s", issued.cause().getMessage());
                            fail(ctx, 503, "unavailable", "tickets cannot be issued right now; retry");
                            return;
                        }
                        ObjectNode answer = MAPPER.createObjectNode();
                        answer.put("ticket", issued.result().ticket());
                        answer.put("stream", issued.result().streamId());
                        answer.put("expires_at", v.grant().expiresAtMillis());
                        ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                                .putHeader("Cache-Control", "no-store").end(answer.toString());
                    });
        });
    }

    /** What is wrong with a ticket request's form, or null. Each channel is authorised when the stream opens. */
    private String ticketProblem(JsonNode body) {
        if (!body.isObject()) {
            return "the body must be a JSON object";
        }
        JsonNode clientId = body.path("client_id");
        if (!clientId.isMissingNode() && !(clientId.isTextual() && CLIENT_ID.matcher(clientId.asText()).matches())) {
            return "'client_id' must match [A-Za-z0-9._-]{1,64}";
        }
        JsonNode channels = body.path("channels");
        if (channels.isMissingNode()) {
            return null;
        }
        if (!channels.isArray() || channels.size() > config.sse().maxChannels()) {
            return "'channels' must be an array of at most " + config.sse().maxChannels() + " subscribe requests";
        }
        for (JsonNode c : channels) {
            if (!c.isObject() || !c.path("channel").isTextual()) {
                return "each of 'channels' must be an object with a 'channel'";
            }
            ChannelName.Result parsed = ChannelName.parse(c.path("channel").asText(), config.connection().maxChannelLength());
            if (parsed.channel().isEmpty()) {
                return parsed.problem();
            }
        }
        return null;
    }

    // --- GET /v1/sse ------------------------------------------------------------------------------------

    private void open(RoutingContext ctx) {
        String ticket = ctx.request().getParam("ticket");
        if (ticket == null || ticket.isEmpty() || ticket.length() > 128) {
            fail(ctx, 401, "unauthorized", "a ticket from POST /v1/sse/ticket is required");
            return;
        }
        if (drain.isDraining()) {
            metrics.upgradeRefused("draining");
            ctx.response().putHeader("Retry-After", "1");
            fail(ctx, 503, "draining", "this gateway is shutting down; reconnect");
            return;
        }
        Optional<LastEventId> last = LastEventId.decode(ctx.request().getHeader("Last-Event-ID"),
                config.connection().maxChannelLength());
        Context context = Vertx.currentContext();
        vertx.executeBlocking(() -> last.isPresent() ? tickets.reopen(ticket, last.get().streamId()) : tickets.redeem(ticket),
                false).onComplete(found -> {
                    if (found.failed()) {
                        LOG.warnf("SSE ticket lookup failed: %s", found.cause().getMessage());
                        fail(ctx, 503, "unavailable", "streams cannot be opened right now; retry");
                    } else if (found.result().isEmpty()) {
                        metrics.authFailure("sse_ticket");
                        fail(ctx, 401, "unauthorized", "the ticket is unknown, used or expired");
                    } else {
                        context.runOnContext(v -> start(ctx, found.result().get(), last.orElse(null)));
                    }
                });
    }

    private void start(RoutingContext ctx, SseTickets.Ticket ticket, LastEventId last) {
        Grant grant = ticket.grant();
        if (grant.expiresAtMillis() <= System.currentTimeMillis() || revocations.isRevoked(grant)) {
            fail(ctx, 401, "unauthorized", "the token of this stream expired or was revoked");
            return;
        }
        if (!budget.tryUpgrade(grant.tenant())) {
            metrics.upgradeRefused("rate_limited");
            ctx.response().putHeader("Retry-After", "1");
            fail(ctx, 429, "too_many_connections", "too many new connections; retry");
            return;
        }
        if (!budget.tryOpen(grant.tenant())) {
            fail(ctx, 429, "too_many_connections", "the tenant holds too many connections");
            return;
        }
        Map<String, JsonNode> requests = openRequests(ticket, last);
        Map<String, String> positions = new LinkedHashMap<>();
        requests.forEach((channel, request) -> positions.put(channel, request.path("since").textValue()));
        HttpServerResponse response = ctx.response();
        SseStream stream = new SseStream("sse-" + UUID.randomUUID(), ticket.streamId(), response, Vertx.currentContext(),
                grant, ticket.clientId(), positions, config.connection().outboundQueueBytes(),
                config.connection().slowConsumerGrace(),
                new TokenBucket(config.publish().ratePerSecond(), config.publish().burst()),
                new TokenBucket(config.connection().commandsPerSecond(), config.connection().commandsBurst()),
                metrics.bytesOut());
        // Whoever ends it (the client going away, the server's close): cleaned up once.
        response.closeHandler(v -> streams.closed(stream));
        response.endHandler(v -> streams.closed(stream));
        streams.add(stream);
        streams.schedule(stream);
        stream.open(config.sse().retryMillis(), config.sse().heartbeat().toMillis());
        requests.forEach((channel, request) -> subscribe(stream, channel, request));
    }

    /**
     * The subscribe requests a stream opens with: a reconnect's, from its {@code Last-Event-ID} (each channel after
     * its position, or live when it had none); a new stream's, from its ticket. Their ids are their channels.
     */
    private Map<String, JsonNode> openRequests(SseTickets.Ticket ticket, LastEventId last) {
        Map<String, JsonNode> requests = new LinkedHashMap<>();
        if (last != null) {
            last.positions().entrySet().stream().limit(config.sse().maxChannels()).forEach(e -> {
                String channel = e.getKey();
                String cursor = e.getValue();
                ObjectNode r = MAPPER.createObjectNode().put("channel", channel);
                if (cursor != null) {
                    r.put("since", cursor);
                }
                requests.put(channel, r);
            });
            return requests;
        }
        try {
            for (JsonNode r : MAPPER.readTree(ticket.channels())) {
                requests.putIfAbsent(r.path("channel").asText(), r);
            }
        } catch (Exception e) {
            LOG.warnf("Unreadable channels of SSE stream %s: %s", ticket.streamId(), e.getMessage());
        }
        return requests;
    }

    private void subscribe(SseStream stream, String channel, JsonNode request) {
        TextNode id = TextNode.valueOf(channel);
        try {
            Command command = new Command(id, "subscribe", request);
            ChannelName name = ChannelName.parse(channel, config.connection().maxChannelLength()).channel()
                    .orElseThrow(() -> new CommandException(io.streamgate.protocol.ErrorCode.BAD_REQUEST, "not a channel"));
            Grant grant = stream.grant();
            subscriptions.subscribe(stream, grant, stream.subscriptions(), SubscriptionService.Request.of(command, name,
                    config.rewind().max(), new DurableCursor.Key(grant.tenant(), grant.subject(), stream.clientId(), channel)));
        } catch (CommandException e) {
            stream.send(Frames.error(id, e.code(), e.getMessage()));
        }
    }

    // --- POST /v1/sse/streams/:stream/commands --------------------------------------------------------

    private void command(RoutingContext ctx) {
        SseStream stream = streams.get(ctx.pathParam("stream"));
        if (stream == null) {
            // Not open on this replica (or no more): the client reopens the stream with its positions.
            fail(ctx, 404, "unknown_stream", "no such stream on this gateway; reopen the stream");
            return;
        }
        String text = ctx.body().asString();
        verify(ctx).onComplete(result -> {
            Verified v = result.result();
            if (v.grant() == null) {
                refuse(ctx, v);
                return;
            }
            Grant current = stream.grant();
            if (!v.grant().tenant().equals(current.tenant()) || !v.grant().subject().equals(current.subject())) {
                metrics.authFailure("sse_other_subject");
                fail(ctx, 403, "forbidden", "the token is for another tenant or subject than the stream");
                return;
            }
            stream.context().runOnContext(x -> commands.handle(stream, v.grant(), text == null ? "" : text));
            ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json").end("{\"accepted\":true}");
        });
    }

    private void refuse(RoutingContext ctx, Verified v) {
        metrics.authFailure(v.reason());
        if (v.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        fail(ctx, v.status(), v.status() == 401 ? "unauthorized" : "forbidden",
                v.status() == 401 ? "a valid bearer token is required" : "the token has no usable tenant");
    }

    private static void fail(RoutingContext ctx, int status, String code, String message) {
        if (ctx.response().ended()) {
            return;
        }
        ObjectNode error = MAPPER.createObjectNode().put("code", code).put("message", message);
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(error.toString());
    }
}
