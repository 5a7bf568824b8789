package io.streamgate.connection;

import io.vertx.core.http.HttpClosedException;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** A client that vanishes is logged at debug level, not as an unhandled failure; a real failure still is. */
class ConnectionGoneTest {

    @Test
    void aClosedOrResetConnectionIsAPeerGoneNotAFailure() {
        assertThat(GatewayEndpoint.isConnectionGone(new HttpClosedException("Connection was closed"))).isTrue();
        assertThat(GatewayEndpoint.isConnectionGone(new IOException("Connection reset by peer"))).isTrue();
    }

    @Test
    void aFailureOfTheServerIsNot() {
        assertThat(GatewayEndpoint.isConnectionGone(new IllegalStateException("boom"))).isFalse();
        assertThat(GatewayEndpoint.isConnectionGone(new NullPointerException())).isFalse();
    }
}
