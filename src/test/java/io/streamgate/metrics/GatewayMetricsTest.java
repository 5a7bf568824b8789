package io.streamgate.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 15, item 14: label values taken from client input are bounded. */
class GatewayMetricsTest {

    @Test
    void closeCodesAClientChoosesShareTheOtherLabel() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GatewayMetrics metrics = new GatewayMetrics(registry);
        for (int code = 3000; code < 3100; code++) {
            metrics.connectionOpened("acme");
            metrics.connectionClosed("acme", code); // a client may close with any code of 3000-4999
        }
        for (int code : new int[] {1000, 1001, 1006, 1008, 1009, 1011, 1012, 4008, 4401, 4403, 4410, 4411, 4429}) {
            metrics.connectionOpened("acme");
            metrics.connectionClosed("acme", code);
        }
        var codes = registry.find("streamgate.disconnects").counters().stream().map(c -> c.getId().getTag("code")).toList();
        assertThat(codes).containsExactlyInAnyOrder("other", "1000", "1001", "1006", "1008", "1009", "1011", "1012",
                "4008", "4401", "4403", "4410", "4411", "4429");
        assertThat(registry.find("streamgate.disconnects").tag("code", "other").counter().count()).isEqualTo(100);
    }
}
