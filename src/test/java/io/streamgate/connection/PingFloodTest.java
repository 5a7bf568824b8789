package io.streamgate.connection;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, item 14: each client ping makes the server write a pong outside the connection's outbound queue, so a
 * client that pings without reading must not grow the server's buffers: pings are rate limited, a flood closes the
 * connection with 1008. The server's own pings go out on a fixed interval, whatever the client does.
 */
@QuarkusTest
class PingFloodTest extends GatewayTest {

    @Test
    void aClientThatFloodsPingsWithoutReadingIsClosedWith1008() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of()))) {
            client.await(f -> "welcome".equals(f.getString("type")));
            client.stopReading();
            byte[] payload = new byte[125];
            for (int i = 0; i < 200; i++) {
                client.sendPing(payload);
            }
            client.resumeReading();
            assertThat(client.awaitClose()).isEqualTo(1008);
        }
    }

    @Test
    void anOccasionalPingIsAnsweredAndTheConnectionLives() {
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of()))) {
            client.await(f -> "welcome".equals(f.getString("type")));
            for (int i = 0; i < 5; i++) {
                client.sendPing(new byte[] {1});
            }
            client.settle(Duration.ofMillis(500));
            assertThat(client.isClosed()).isFalse();
        }
    }
}
