package io.streamgate.connection;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
class UpgradeAuthenticationTest extends GatewayTest {

    @Test
    void validTokenInAuthorizationHeaderOpensTheConnectionWithAWelcome() {
        try (WsClient client = WsClient.connect(uri, Tokens.token("acme", "alice", List.of("inventory:*")))) {
            JsonObject welcome = client.await(f -> "welcome".equals(f.getString("type")));
            assertThat(welcome.getString("tenant")).isEqualTo("acme");
            assertThat(welcome.getString("sub")).isEqualTo("alice");
            assertThat(welcome.getString("connection")).isNotBlank();
            assertThat(welcome.getLong("expires_at")).isGreaterThan(System.currentTimeMillis());
            assertThat(welcome.getLong("heartbeat_ms")).isPositive();
        }
    }

    @Test
    void browserFormWithTheTokenInTheSubprotocolIsAccepted() {
        try (WsClient client = WsClient.connectWithSubprotocolToken(uri, Tokens.token("acme", "alice", List.of()))) {
            assertThat(client.await(f -> "welcome".equals(f.getString("type"))).getString("sub")).isEqualTo("alice");
            assertThat(client.subprotocol()).isEqualTo("streamgate.v1");
        }
    }

    @Test
    void noTokenIsRefusedWith401() {
        assertThat(WsClient.upgradeStatus(uri, null)).isEqualTo(401);
    }

    @Test
    void garbageTokenIsRefusedWith401() {
        assertThat(WsClient.upgradeStatus(uri, "not-a-jwt")).isEqualTo(401);
    }

    @Test
    void tokenSignedByAnUntrustedKeyIsRefusedWith401() throws Exception {
        assertThat(WsClient.upgradeStatus(uri, Tokens.foreignSigned("acme", "alice"))).isEqualTo(401);
    }

    @Test
    void tamperedPayloadIsRefusedWith401() {
        String[] parts = Tokens.token("acme", "alice", List.of()).split("\\.");
        String otherPayload = Tokens.token("evil", "alice", List.of("*")).split("\\.")[1];
        assertThat(WsClient.upgradeStatus(uri, parts[0] + "." + otherPayload + "." + parts[2])).isEqualTo(401);
    }

    @Test
    void tokenFromAnotherIssuerIsRefusedWith401() {
        String token = Tokens.sign(Jwt.issuer("https://someone-else.test").subject("alice").claim("tenant", "acme")
                .expiresIn(3600));
        assertThat(WsClient.upgradeStatus(uri, token)).isEqualTo(401);
    }

    @Test
    void expiredTokenIsRefusedWith401() {
        String token = Tokens.sign(Tokens.claims("acme", "alice", List.of(), List.of())
                .issuedAt(Instant.now().minusSeconds(7200)).expiresAt(Instant.now().minusSeconds(3600)));
        assertThat(WsClient.upgradeStatus(uri, token)).isEqualTo(401);
    }

    @Test
    void unsignedAlgNoneTokenIsRefusedWith401() {
        assertThat(WsClient.upgradeStatus(uri, Tokens.unsigned("acme", "alice"))).isEqualTo(401);
    }

    @Test
    void validTokenWithoutTenantClaimIsRefusedWith403() {
        assertThat(WsClient.upgradeStatus(uri, Tokens.token(null, "alice", List.of("*")))).isEqualTo(403);
    }

    @Test
    void tenantClaimWithCharactersOutsideTheAlphabetIsRefusedWith403() {
        assertThat(WsClient.upgradeStatus(uri, Tokens.token("acme corp/../x", "alice", List.of("*")))).isEqualTo(403);
    }

    @Test
    void validTokenThatNamesItsUserWithoutSubIsRefusedWith403() {
        String upnOnly = Tokens.sign(Jwt.issuer(Tokens.ISSUER).issuedAt(Instant.now()).expiresIn(3600).upn("alice@acme")
                .claim("tenant", "acme").claim("subscribe", List.of("*")));
        assertThat(WsClient.upgradeStatus(uri, upnOnly)).isEqualTo(403);
    }

    @Test
    void tokenNamingNoUserAtAllIsRefusedWith401() {
        // SmallRye JWT itself refuses a token without sub, upn or preferred_username.
        String nobody = Tokens.sign(Jwt.issuer(Tokens.ISSUER).issuedAt(Instant.now()).expiresIn(3600)
                .claim("tenant", "acme").claim("subscribe", List.of("*")));
        assertThat(WsClient.upgradeStatus(uri, nobody)).isEqualTo(401);
    }

    @Test
    void tenantOfMoreThan128CharactersIsRefusedWith403AndOf128IsAccepted() {
        assertThat(WsClient.upgradeStatus(uri, Tokens.token("t".repeat(129), "alice", List.of("*")))).isEqualTo(403);
        assertThat(WsClient.upgradeStatus(uri, Tokens.token("t".repeat(128), "alice", List.of("*")))).isEqualTo(101);
    }

    @Test
    void tokensNeverReachTheLog() throws Exception {
        List<String> logged = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                String message = r instanceof org.jboss.logmanager.ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage();
                StringBuilder text = new StringBuilder(String.valueOf(message));
                for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
                    text.append(' ').append(t);
                }
                logged.add(text.toString());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(java.util.logging.Level.ALL);
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        String valid = Tokens.token("acme", "alice", List.of("inventory:*"));
        String expired = Tokens.sign(Tokens.claims("acme", "alice", List.of("*"), List.of()).issuedAt(Instant.now().minusSeconds(7200))
                .expiresAt(Instant.now().minusSeconds(3600)));
        String foreign = Tokens.foreignSigned("acme", "alice");
        String otherTenant = Tokens.token("other", "alice", List.of("*"));
        try {
            try (WsClient client = WsClient.connect(uri, valid); WsClient browser = WsClient.connectWithSubprotocolToken(uri, valid)) {
                client.subscribe("inventory:sku-log");
                for (String bad : List.of("garbage", expired, foreign, otherTenant)) {
                    String id = client.nextId();
                    client.send(new JsonObject().put("type", "refresh").put("id", id).put("token", bad));
                    assertThat(client.reply(id).getString("code")).isEqualTo("unauthorized");
                }
                browser.subscribe("inventory:sku-log");
            }
            assertThat(WsClient.upgradeStatus(uri, expired)).isEqualTo(401);
            assertThat(WsClient.upgradeStatus(uri, foreign)).isEqualTo(401);
            // The server logged something (the opened connections), so the capture works...
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> logged.stream().anyMatch(m -> m.contains("connection opened")));
        } finally {
            root.removeHandler(capture);
        }
        // ...and no part of any token: the signature is what makes a token a credential.
        for (String token : List.of(valid, expired, foreign, otherTenant)) {
            String signature = token.substring(token.lastIndexOf('.') + 1);
            String payload = token.split("\\.")[1];
            assertThat(List.copyOf(logged)).noneMatch(m -> m.contains(signature) || m.contains(payload));
        }
    }

    @Test
    void channelOutsideTheGrantIsForbiddenAndTheConnectionLives() {
        try (WsClient client = WsClient.connect(uri, Tokens.token("acme", "alice", List.of("inventory:sku-*")))) {
            JsonObject refused = client.subscribe("orders:o-1");
            assertThat(refused.getString("type")).isEqualTo("error");
            assertThat(refused.getString("code")).isEqualTo("forbidden");
            JsonObject wildcardRefused = client.subscribe("inventory:*");
            assertThat(wildcardRefused.getString("code")).isEqualTo("forbidden");
            assertThat(client.subscribe("inventory:sku-1").getString("type")).isEqualTo("subscribed");
        }
    }
}
