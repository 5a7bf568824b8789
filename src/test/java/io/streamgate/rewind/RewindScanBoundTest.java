package io.streamgate.rewind;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tenants;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cold channel in a busy partition: the backward read stops at {@code streamgate.rewind.max-scan-records}, delivers
 * what it found and says {@code complete: false}, instead of reading the whole log.
 */
@QuarkusTest
@TestProfile(RewindScanBoundTest.SmallScan.class)
class RewindScanBoundTest extends GatewayTest {

    public static class SmallScan implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamgate.rewind.max-scan-records", "400");
        }
    }

    @Test
    void theScanBoundIsKeptAndReported() {
        String topic = "inventory-events";
        String busy = Tenants.sharingPartitionWith(tenant, TestStack.TOPICS.get(topic));
        IntStream.range(0, 3).forEach(i -> records.send(topic, tenant, "rare", "{\"n\":" + i + "}"));
        records.sendAll(topic, busy, "noise", IntStream.range(0, 1000).mapToObj(i -> "{\"n\":" + i + "}").toList());
        IntStream.range(3, 5).forEach(i -> records.send(topic, tenant, "rare", "{\"n\":" + i + "}"));
        double scannedBefore = RewindTest.counter(uri, "streamgate_rewind_records_scanned_total");
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            String id = client.nextId();
            client.send(new JsonObject().put("type", "subscribe").put("id", id).put("channel", "inventory:rare")
                    .put("rewind", 5));
            JsonObject subscribed = client.reply(id);
            assertThat(subscribed.getInteger("found")).isEqualTo(2);
            assertThat(subscribed.getBoolean("complete")).isFalse();
            assertThat(client.events("inventory:rare", 2)).extracting(e -> e.getJsonObject("data").getInteger("n"))
                    .containsExactly(3, 4);
        }
        double scanned = RewindTest.counter(uri, "streamgate_rewind_records_scanned_total") - scannedBefore;
        assertThat(scanned).isEqualTo(400);
    }
}
