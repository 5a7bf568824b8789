package io.streamgate.connection;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, item 7: with {@code mp.jwt.verify.audiences} set (as the README recommends), a token the same identity
 * provider minted for another API is refused at the upgrade, however valid its signature, issuer and claims.
 */
@QuarkusTest
@TestProfile(AudienceTest.WithAudience.class)
class AudienceTest extends GatewayTest {

    public static class WithAudience implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.jwt.verify.audiences", "streamgate,streamgate-staging");
        }
    }

    @Test
    void aTokenForThisAudienceIsAccepted() {
        assertThat(WsClient.upgradeStatus(uri, Tokens.sign(Tokens.claims("acme", "alice", List.of(), List.of())
                .audience("streamgate")))).isEqualTo(101);
        assertThat(WsClient.upgradeStatus(uri, Tokens.sign(Tokens.claims("acme", "alice", List.of(), List.of())
                .audience(java.util.Set.of("billing-api", "streamgate-staging"))))).isEqualTo(101);
    }

    @Test
    void aTokenMintedForAnotherApiIsRefusedWith401() {
        assertThat(WsClient.upgradeStatus(uri, Tokens.sign(Tokens.claims("acme", "alice", List.of("*"), List.of())
                .audience("billing-api")))).isEqualTo(401);
    }

    @Test
    void aTokenWithoutAudienceIsRefusedWith401() {
        assertThat(WsClient.upgradeStatus(uri, Tokens.token("acme", "alice", List.of("*")))).isEqualTo(401);
    }

    @Test
    void aRefreshWithATokenForAnotherApiIsUnauthorized() {
        try (WsClient client = WsClient.connect(uri, Tokens.sign(Tokens.claims("acme", "alice", List.of(), List.of())
                .audience("streamgate")))) {
            client.await(f -> "welcome".equals(f.getString("type")));
            String id = client.nextId();
            client.send(new io.vertx.core.json.JsonObject().put("type", "refresh").put("id", id).put("token",
                    Tokens.sign(Tokens.claims("acme", "alice", List.of("*"), List.of()).audience("billing-api"))));
            assertThat(client.reply(id).getString("code")).isEqualTo("unauthorized");
        }
    }
}
