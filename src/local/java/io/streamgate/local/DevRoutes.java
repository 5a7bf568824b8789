package io.streamgate.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.dev.console.DevConsoleManager;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The local-mode-only HTTP endpoints the demo page uses:
 * <ul>
 * <li>{@code GET /dev/token?tenant=demo&sub=alice&ttl=600}: a signed demo token and its expiry;</li>
 * <li>{@code GET /dev/server-token?tenant=demo&sub=backend&ttl=600}: a server token for the server API
 * (docs/api.md), in the same form;</li>
 * <li>{@code GET /dev/snapshot?tenant=demo&sub=alice}: the catalogue (names, prices; the page gets the stock
 * levels from the gateway with {@code rewind: 1}) and the shopper's latest order with the cursor to subscribe
 * {@code since}.</li>
 * <li>{@code POST /dev/restart}: restarts the gateway application (Kafka and PostgreSQL stay up), as
 * pressing [s] in the dev-mode console does: the demo page's "Restart gateway" button.</li>
 * </ul>
 * The paths are under {@code /dev/}: the packaged application answers 404 there (PackagedGatewayIT).
 */
@ApplicationScoped
@IfBuildProfile("dev")
public class DevRoutes {

    private static final Logger LOG = Logger.getLogger(DevRoutes.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    DevTokens tokens;

    @Inject
    DemoSnapshots snapshots;

    void register(@Observes Router router) {
        // Blocking handlers: signing and reading Kafka do not belong on the event loop.
        router.get("/dev/token").blockingHandler(rc -> token(rc, "alice", tokens::mint));
        router.get("/dev/server-token").blockingHandler(rc -> token(rc, "backend", tokens::mintServer));
        router.get("/dev/snapshot").blockingHandler(this::snapshot);
        router.post("/dev/restart").handler(this::restart);
    }

    /**
     * Dev mode's own forced restart (the Dev UI action behind the console's [s]). It runs on a thread of its
     * own: a restart waits for the new application to start, which needs the event loops, so it must never
     * run on one (the Dev UI's JSON-RPC socket does, and can deadlock).
     */
    private void restart(RoutingContext rc) {
        rc.response().setStatusCode(202).end("restarting\n");
        Thread restart = new Thread(DevRoutes::forceRestart, "local-mode-restart");
        restart.setDaemon(true);
        restart.start();
    }

    private static void forceRestart() {
        try {
            Thread.sleep(100); // let the 202 leave before the router goes away
            DevConsoleManager.invoke("devui-logstream_forceRestart");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("Restart failed: %s", e.getMessage());
        }
    }

    private interface Minter {
        DevTokens.Token mint(String tenant, String sub, long ttlSeconds);
    }

    private void token(RoutingContext rc, String defaultSub, Minter minter) {
        String tenant = param(rc, "tenant", DemoCatalogue.TENANT);
        String sub = param(rc, "sub", defaultSub);
        long ttl;
        try {
            ttl = Long.parseLong(param(rc, "ttl", "600"));
        } catch (NumberFormatException e) {
            ttl = -1;
        }
        if (tenant == null || sub == null || ttl < 10 || ttl > 86_400) {
            badRequest(rc, "tenant and sub: 1-64 of A-Z a-z 0-9 . _ -; ttl: 10 to 86400 seconds");
            return;
        }
        DevTokens.Token token = minter.mint(tenant, sub, ttl);
        ObjectNode body = MAPPER.createObjectNode();
        body.put("token", token.token());
        body.put("expires_at", token.expiresAtMillis());
        body.put("tenant", tenant);
        body.put("sub", sub);
        json(rc, 200, body);
    }

    private void snapshot(RoutingContext rc) {
        String tenant = param(rc, "tenant", DemoCatalogue.TENANT);
        String sub = param(rc, "sub", "alice");
        if (tenant == null || sub == null) {
            badRequest(rc, "tenant and sub: 1-64 of A-Z a-z 0-9 . _ -");
            return;
        }
        try {
            TopicSnapshot.Result orders = snapshots.read("orders", tenant);
            ObjectNode body = MAPPER.createObjectNode();
            ArrayNode products = body.putArray("products");
            for (DemoCatalogue.Product p : DemoCatalogue.PRODUCTS) {
                ObjectNode product = products.addObject();
                product.put("sku", p.sku());
                product.put("name", p.name());
                product.put("price", p.price());
                product.put("initial_stock", p.initialStock());
            }
            JsonNode order = orders.latest().get(sub);
            body.set("order", order == null ? MAPPER.nullNode() : order);
            body.put("orders_cursor", orders.cursor());
            json(rc, 200, body);
        } catch (RuntimeException e) {
            LOG.warnf("Snapshot failed: %s", e.getMessage());
            ObjectNode body = MAPPER.createObjectNode();
            body.put("error", "the snapshot could not be read: " + e.getMessage());
            json(rc, 503, body);
        }
    }

    /** The parameter, its default when absent, or null when malformed. */
    private static String param(RoutingContext rc, String name, String fallback) {
        String value = rc.request().getParam(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        return DevTokens.NAME.matcher(value).matches() || "ttl".equals(name) ? value : null;
    }

    private static void badRequest(RoutingContext rc, String message) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("error", message);
        json(rc, 400, body);
    }

    private static void json(RoutingContext rc, int status, JsonNode body) {
        rc.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(body.toString());
    }
}
