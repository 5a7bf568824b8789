package io.streamgate.connection;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15, item 9: a client id that cannot be honoured (outside its alphabet, empty, too long) is refused before the
 * upgrade with HTTP 400 (it used to be silently replaced by "", merging the positions of a subject's clients), and no
 * path leaves a tenant's connection budget taken.
 */
@QuarkusTest
class HandshakeQueryTest extends GatewayTest {

    @Inject
    ConnectionBudget budget;

    @ParameterizedTest(name = "?{0}")
    @ValueSource(strings = {"client_id=a%20b", "client_id=%C3%A9t%C3%A9",
        "client_id=x12345678901234567890123456789012345678901234567890123456789012345", "client_id="})
    void anUnusableClientIdIsRefusedWith400AndTakesNoBudget(String rawQuery) {
        String token = Tokens.token(tenant, "alice", List.of("inventory:*"));
        int status;
        try (WsClient c = WsClient.connectWithRawQuery(uri, rawQuery, token)) {
            status = 101;
        } catch (WsClient.UpgradeFailed e) {
            status = e.status;
        }
        assertThat(status).isEqualTo(400);
        assertThat(budget.open(tenant)).isZero();
    }

    /**
     * Which path {@code ?client_id=%zz} takes: none of Streamgate's. Vert.x fails to parse the query ("Malformed
     * escape pair", logged by its ConnectionBase) before any upgrade check or {@code onOpen} runs, and leaves the
     * request unanswered; so no budget is taken and none can leak. The socket stays until the client gives up (or the
     * HTTP idle timeout). This test shows both: no upgrade, no budget.
     */
    @Test
    void anUndecodableQueryNeverReachesTheGatewayAndTakesNoBudget() {
        String token = Tokens.token(tenant, "alice", List.of("inventory:*"));
        assertThatThrownBy(() -> WsClient.connectWithRawQuery(uri, "client_id=%zz", token).close())
                .isInstanceOf(IllegalStateException.class).hasRootCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(budget.open(tenant)).isZero();
    }

    @Test
    void aWellFormedClientIdConnectsAndGivesItsBudgetBackOnClose() {
        String token = Tokens.token(tenant, "alice", List.of("inventory:*"));
        try (WsClient c = WsClient.connectWithRawQuery(uri, "client_id=phone-1&other=x%20y", token)) {
            c.await(f -> "welcome".equals(f.getString("type")));
            assertThat(budget.open(tenant)).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> budget.open(tenant) == 0);
    }
}
