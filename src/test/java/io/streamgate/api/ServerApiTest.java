package io.streamgate.api;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.ApiClient;
import io.streamgate.support.ApiClient.Answer;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server API against the running gateway, real Kafka and PostgreSQL: each endpoint, who may call it (401
 * without a token, 403 with a client token, nothing of another tenant's), validation and the per-tenant rate.
 */
@QuarkusTest
class ServerApiTest extends GatewayTest {

    private ApiClient api() {
        return new ApiClient(uri, Tokens.server(tenant, "backend"));
    }

    private static String events(String channel) {
        return "/v1/api/channels/" + channel + "/events";
    }

    private static List<String> stocks(Answer page) {
        return page.body().getJsonArray("events").stream()
                .map(e -> ((JsonObject) e).getJsonObject("data").getString("stock")).toList();
    }

    @Test
    void withoutATokenEveryEndpointAnswers401AndWithAClientToken403() {
        ApiClient anonymous = new ApiClient(uri, null);
        ApiClient client = new ApiClient(uri, Tokens.token(tenant, "alice", List.of("*"), List.of("*")));
        for (ApiClient caller : List.of(anonymous, client)) {
            int status = caller == anonymous ? 401 : 403;
            String code = caller == anonymous ? "unauthorized" : "forbidden";
            List<Answer> answers = List.of(
                    caller.get(events("inventory:sku-1")),
                    caller.get("/v1/api/channels/inventory:sku-1/cursor"),
                    caller.get("/v1/api/channels/chat:room/presence"),
                    caller.post(events("chat:room"), "{\"data\":{\"text\":\"hi\"}}"),
                    caller.post("/v1/api/subjects/alice/disconnect", null),
                    caller.post("/v1/api/revocations", "{\"subject\":\"alice\"}"),
                    caller.get("/v1/api/revocations"));
            for (Answer a : answers) {
                assertThat(a.status()).as(a.raw().uri().toString()).isEqualTo(status);
                assertThat(a.code()).isEqualTo(code);
            }
        }
        assertThat(new ApiClient(uri, "not-a-jwt").get(events("inventory:sku-1")).status()).isEqualTo(401);
    }

    @Test
    void aForeignSignedServerTokenIs401() throws Exception {
        Answer a = new ApiClient(uri, Tokens.foreignSigned(tenant, "backend")).get("/v1/api/revocations");
        assertThat(a.status()).isEqualTo(401);
    }

    @Test
    void readsTheChannelsRecentEventsAndPagesForwardFromACursor() {
        for (int i = 1; i <= 5; i++) {
            records.send("inventory-events", tenant, "sku-1", "{\"stock\":\"" + i + "\"}");
            records.send("inventory-events", tenant, "sku-2", "{\"stock\":\"other-" + i + "\"}");
            records.send("inventory-events", newTenant(), "sku-1", "{\"stock\":\"foreign-" + i + "\"}");
        }
        Answer last3 = api().get(events("inventory:sku-1") + "?limit=3");
        assertThat(last3.status()).isEqualTo(200);
        assertThat(stocks(last3)).containsExactly("3", "4", "5");
        JsonObject first = last3.body().getJsonArray("events").getJsonObject(0);
        assertThat(first.getString("channel")).isEqualTo("inventory:sku-1");
        assertThat(first.getLong("ts")).isPositive();

        Answer all = api().get(events("inventory:sku-1"));
        assertThat(stocks(all)).containsExactly("1", "2", "3", "4", "5");
        String afterFirst = all.body().getJsonArray("events").getJsonObject(0).getString("cursor");
        Answer page = api().get(events("inventory:sku-1") + "?limit=2&since=" + afterFirst);
        assertThat(stocks(page)).containsExactly("2", "3");
        assertThat(page.body().getBoolean("more")).isTrue();
        Answer next = api().get(events("inventory:sku-1") + "?limit=2&since=" + page.body().getString("cursor"));
        assertThat(stocks(next)).containsExactly("4", "5");
        Answer rest = api().get(events("inventory:sku-1") + "?since=" + all.body().getString("cursor"));
        assertThat(stocks(rest)).isEmpty();

        Answer wildcard = api().get(events("inventory:*"));
        assertThat(wildcard.body().getJsonArray("events")).hasSize(10);
        assertThat(wildcard.body().getJsonArray("events").getJsonObject(1).getString("channel")).isEqualTo("inventory:sku-2");
    }

    @Test
    void aColdChannelIsReadFromABoundedWindow() {
        records.send("inventory-events", tenant, "cold", "{\"stock\":\"old\"}");
        // The test profile's window is 50 records of the partition.
        IntStream.range(0, 60).forEach(i -> records.send("inventory-events", tenant, "hot", "{\"stock\":\"" + i + "\"}"));
        Answer page = api().get(events("inventory:cold"));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body().getJsonArray("events")).isEmpty();
        assertThat(page.body().getBoolean("bounded")).isTrue();
    }

    @Test
    void theCurrentCursorHandedToABrowserMissesNothingWrittenAfterIt() {
        records.send("inventory-events", tenant, "sku-9", "{\"stock\":\"before\"}");
        Answer cursor = api().get("/v1/api/channels/inventory:sku-9/cursor");
        assertThat(cursor.status()).isEqualTo(200);
        Answer slashed = api().get("/v1/api/channels/inventory:shelf%2F3/cursor");
        assertThat(slashed.status()).as(slashed.body().encode()).isEqualTo(200);
        assertThat(slashed.body().getString("channel")).isEqualTo("inventory:shelf/3");
        records.send("inventory-events", tenant, "sku-9", "{\"stock\":\"after\"}");
        try (WsClient browser = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            JsonObject subscribed = browser.subscribe("inventory:sku-9", cursor.body().getString("cursor"));
            assertThat(subscribed.getBoolean("recovered")).isTrue();
            assertThat(browser.events("inventory:sku-9", 1).get(0).getJsonObject("data").getString("stock")).isEqualTo("after");
            assertThat(browser.settle(java.time.Duration.ofMillis(300))).noneMatch(f -> "event".equals(f.getString("type")));
        }
    }

    @Test
    void publishesThroughKafkaAndAnswersWithTheEventsCursor() {
        try (WsClient subscriber = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("chat:*")))) {
            subscriber.subscribe("chat:room");
            Answer published = api().post(events("chat:room"), "{\"data\":{\"text\":\"hello\"}}");
            assertThat(published.status()).as(published.body().encode()).isEqualTo(200);
            JsonObject event = subscriber.events("chat:room", 1).get(0);
            assertThat(event.getString("cursor")).isEqualTo(published.body().getString("cursor"));
            assertThat(event.getString("from")).isEqualTo("backend");
            assertThat(event.getJsonObject("data").getString("text")).isEqualTo("hello");
        }
        // A pointer namespace takes the subject from the value: it must be the channel's.
        Answer wrong = api().post(events("orders:o-1"), "{\"data\":{\"orderId\":\"o-2\"}}");
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.code()).isEqualTo("bad_request");
    }

    @Test
    void listsTheMembersPresentOnAChannel() {
        try (WsClient alice = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("chat:*")))) {
            alice.subscribe("chat:lobby");
            Answer members = api().get("/v1/api/channels/chat:lobby/presence");
            assertThat(members.status()).isEqualTo(200);
            assertThat(members.body().getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("sub")))
                    .containsExactly("alice");
            Answer foreign = new ApiClient(uri, Tokens.server(newTenant(), "backend")).get("/v1/api/channels/chat:lobby/presence");
            assertThat(foreign.body().getJsonArray("members")).isEmpty();
            assertThat(api().get("/v1/api/channels/inventory:sku-1/presence").status()).isEqualTo(400);
        }
    }

    @Test
    void anotherTenantsServerTokenSeesAndTouchesNothingOfThisTenant() {
        records.send("inventory-events", tenant, "sku-1", "{\"stock\":\"1\"}");
        ApiClient other = new ApiClient(uri, Tokens.server(newTenant(), "backend"));
        assertThat(other.get(events("inventory:sku-1")).body().getJsonArray("events")).isEmpty();
        try (WsClient alice = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("chat:*")))) {
            assertThat(other.post("/v1/api/subjects/alice/disconnect", null).status()).isEqualTo(200);
            assertThat(other.post("/v1/api/revocations", "{\"subject\":\"alice\"}").status()).isEqualTo(201);
            assertThat(alice.subscribe("chat:room").getString("type")).isEqualTo("subscribed");
            assertThat(alice.isClosed()).isFalse();
        }
        assertThat(api().get("/v1/api/revocations").body().getJsonArray("revocations")).isEmpty();
    }

    @Test
    void refusesInvalidRequestsWithACode() {
        assertBad(api().get(events("inventory:sku-1") + "?limit=0"), 400, "bad_request");
        assertBad(api().get(events("inventory:sku-1") + "?limit=100000"), 400, "bad_request");
        assertBad(api().get(events("inventory:sku-1") + "?since=garbage"), 400, "bad_request");
        assertBad(api().get(events("nope:sku-1")), 404, "unknown_namespace");
        assertBad(api().get(events("inventory:" + ApiClient.encode("a b"))), 400, "bad_request");
        assertBad(api().post(events("chat:room"), null), 400, "bad_request");
        assertBad(api().post(events("chat:room"), "{\"text\":1}"), 400, "bad_request");
        assertBad(api().post(events("chat:room"), "{not json"), 400, "bad_request");
        assertBad(api().post(events("chat:*"), "{\"data\":1}"), 400, "bad_request");
        assertBad(api().post(events("chat:room"), "{\"data\":\"" + "x".repeat(17_000) + "\"}"), 413, "too_large");
        assertBad(api().post("/v1/api/revocations", "{\"jti\":\"a\",\"subject\":\"b\"}"), 400, "bad_request");
        assertBad(api().post("/v1/api/revocations", "{}"), 400, "bad_request");
        assertBad(api().post("/v1/api/revocations", "{\"jti\":\"\"}"), 400, "bad_request");
        assertBad(api().get("/v1/api/nothing-here"), 404, "not_found");
    }

    private static void assertBad(Answer a, int status, String code) {
        assertThat(a.status()).as(a.raw().uri() + " " + a.body().encode()).isEqualTo(status);
        assertThat(a.code()).isEqualTo(code);
        assertThat(a.body().getString("message")).isNotBlank();
    }

    @Test
    void aTenantOverItsRateIsAnswered429AndOtherTenantsAreNot() {
        ApiClient backend = api();
        // The test profile allows a burst of 30 and 5 a second: within t seconds at most 30 + 5t pass.
        long start = System.nanoTime();
        int passed = 0;
        Answer limited = null;
        for (int i = 0; i < 300 && limited == null; i++) {
            Answer a = backend.get("/v1/api/revocations");
            if (a.status() == 429) {
                limited = a;
            } else {
                assertThat(a.status()).isEqualTo(200);
                passed++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(limited).as("no 429 after " + passed + " requests in " + seconds + " s").isNotNull();
        assertThat(limited.code()).isEqualTo("rate_limited");
        assertThat(passed).isBetween(30, 30 + (int) Math.ceil(5 * seconds) + 1);
        assertThat(new ApiClient(uri, Tokens.server(newTenant(), "backend")).get("/v1/api/revocations").status()).isEqualTo(200);
    }

    @Test
    void disconnectClosesEveryConnectionOfTheSubjectWith4410() {
        try (WsClient phone = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("chat:*")));
             WsClient laptop = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("chat:*")));
             WsClient bob = WsClient.connect(uri, Tokens.token(tenant, "bob", List.of("chat:*")))) {
            Answer a = api().post("/v1/api/subjects/alice/disconnect", null);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body().getInteger("closed_here")).isEqualTo(2);
            assertThat(phone.awaitClose()).isEqualTo(4410);
            assertThat(laptop.awaitClose()).isEqualTo(4410);
            assertThat(bob.subscribe("chat:room").getString("type")).isEqualTo("subscribed");
        }
    }

    @Test
    void aRevokedTokenIsClosedAndRefusedAtTheUpgradeAndAtRefresh() {
        String leaked = Tokens.sign(Tokens.claims(tenant, "alice", List.of("chat:*"), List.of()).claim("jti", "leaked-1"));
        String other = Tokens.sign(Tokens.claims(tenant, "alice", List.of("chat:*"), List.of()).claim("jti", "fine-1"));
        try (WsClient victim = WsClient.connect(uri, leaked); WsClient fine = WsClient.connect(uri, other)) {
            Answer a = api().post("/v1/api/revocations", "{\"jti\":\"leaked-1\"}");
            assertThat(a.status()).isEqualTo(201);
            assertThat(a.body().getJsonObject("revocation").getString("jti")).isEqualTo("leaked-1");
            assertThat(victim.awaitClose()).isEqualTo(4411);
            assertThat(WsClient.upgradeStatus(uri, leaked)).isEqualTo(401);
            String id = fine.nextId();
            fine.send(new JsonObject().put("type", "refresh").put("id", id).put("token", leaked));
            JsonObject refused = fine.reply(id);
            assertThat(refused.getString("code")).isEqualTo("unauthorized");
            assertThat(fine.isClosed()).isFalse();
        }
        JsonArray listed = api().get("/v1/api/revocations").body().getJsonArray("revocations");
        assertThat(listed.stream().map(r -> ((JsonObject) r).getString("jti"))).containsExactly("leaked-1");
    }

    @Test
    void revokingASubjectRefusesItsTokensIssuedBeforeTheTimeOnly() {
        long now = System.currentTimeMillis();
        String old = Tokens.sign(Tokens.claims(tenant, "alice", List.of("chat:*"), List.of())
                .issuedAt(java.time.Instant.ofEpochMilli(now - 60_000)));
        try (WsClient oldConnection = WsClient.connect(uri, old)) {
            Answer a = api().post("/v1/api/revocations", "{\"subject\":\"alice\",\"issued_before\":" + (now - 5_000) + "}");
            assertThat(a.status()).isEqualTo(201);
            assertThat(oldConnection.awaitClose()).isEqualTo(4411);
        }
        assertThat(WsClient.upgradeStatus(uri, old)).isEqualTo(401);
        try (WsClient fresh = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("chat:*")))) {
            assertThat(fresh.subscribe("chat:room").getString("type")).isEqualTo("subscribed");
        }
    }

    @Test
    void aRevokedServerTokenIsRefused() {
        String token = Tokens.sign(Tokens.claims(tenant, "backend", List.of(), List.of()).groups("streamgate-server")
                .claim("jti", "server-1"));
        ApiClient backend = new ApiClient(uri, token);
        assertThat(backend.post("/v1/api/revocations", "{\"jti\":\"server-1\"}").status()).isEqualTo(201);
        Answer refused = backend.get("/v1/api/revocations");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.code()).isEqualTo("unauthorized");
    }

    @Test
    void theOpenApiDocumentDescribesTheApi() {
        Answer doc = new ApiClient(uri, null).get("/q/openapi?format=json");
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.body().getJsonObject("paths").fieldNames()).contains("/v1/api/revocations",
                "/v1/api/subjects/{subject}/disconnect");
    }
}
