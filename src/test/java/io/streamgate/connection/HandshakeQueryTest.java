package io.streamgate.connection;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.KafkaAndPostgres;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15, item 9: a handshake query that cannot be honoured ({@code ?client_id=%zz}, a client id outside its
 * alphabet) is refused before the upgrade with HTTP 400, and no path leaves a tenant's connection budget taken.
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgres.class)
class HandshakeQueryTest {

    @TestHTTPResource("/")
    URI uri;

    @Inject
    ConnectionBudget budget;

    @ParameterizedTest(name = "client_id={0}")
    @ValueSource(strings = {"%zz", "%", "a%2", "a%20b", "%C3%A9t%C3%A9", "x12345678901234567890123456789012345678901234567890123456789012345"})
    void anUnusableClientIdIsRefusedWith400AndTakesNoBudget(String rawClientId) {
        String tenant = "t-" + UUID.randomUUID();
        String token = Tokens.token(tenant, "alice", List.of("inventory:*"));
        int status;
        try (WsClient c = WsClient.connectWithRawQuery(uri, "client_id=" + rawClientId, token)) {
            status = 101;
        } catch (WsClient.UpgradeFailed e) {
            status = e.status;
        }
        assertThat(status).isEqualTo(400);
        assertThat(budget.open(tenant)).isZero();
    }

    @Test
    void aWellFormedClientIdConnectsAndGivesItsBudgetBackOnClose() {
        String tenant = "t-" + UUID.randomUUID();
        String token = Tokens.token(tenant, "alice", List.of("inventory:*"));
        try (WsClient c = WsClient.connectWithRawQuery(uri, "client_id=phone-1&other=%zz", token)) {
            c.await(f -> "welcome".equals(f.getString("type")));
            assertThat(budget.open(tenant)).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> budget.open(tenant) == 0);
    }
}
