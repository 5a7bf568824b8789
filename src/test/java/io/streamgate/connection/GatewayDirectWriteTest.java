package io.streamgate.connection;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.KafkaAndPostgres;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Through websockets-next: the upgrade check's user data reaches the connection, so a session gets its grant and
 * writes straight to the channel (both forms of the token). If a Quarkus upgrade breaks the way there, this fails
 * instead of the gateway silently falling back to {@code sendText}.
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgres.class)
class GatewayDirectWriteTest {

    @TestHTTPResource("/")
    URI uri;

    @Inject
    Sessions sessions;

    @Test
    void sessionsWriteStraightToTheChannel() {
        String tenant = "t-" + UUID.randomUUID();
        try (WsClient header = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")));
                WsClient browser = WsClient.connectWithSubprotocolToken(uri, Tokens.token(tenant, "bob", List.of("inventory:*")))) {
            assertThat(header.await(f -> "welcome".equals(f.getString("type"))).getString("sub")).isEqualTo("alice");
            assertThat(browser.await(f -> "welcome".equals(f.getString("type"))).getString("sub")).isEqualTo("bob");
            assertThat(sessions.all()).filteredOn(s -> s.grant().tenant().equals(tenant)).hasSize(2)
                    .allSatisfy(s -> assertThat(s.writesDirectly()).as("session writes straight to its channel").isTrue())
                    .allSatisfy(s -> assertThat(s.connection().handshakeRequest().header("Authorization"))
                            .as("the token is not kept with the connection").isNull());
        }
    }
}
