package io.streamgate.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** Records breaking the record contract: not delivered, counted by reason, logged at most once a minute. */
@QuarkusTest
class RejectedRecordsTest extends GatewayTest {

    /** No other test writes subjects outside the channel alphabet, so this reason was not logged before. */
    private static final String REASON = "subject with characters outside the channel alphabet";

    @Inject
    MeterRegistry registry;

    private double rejected() {
        Counter c = registry.find("streamgate.records.rejected").tag("reason", REASON).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void recordsBreakingTheContractAreNotDeliveredAreCountedAndLoggedOnceAMinute() {
        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r instanceof org.jboss.logmanager.ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        Logger logger = Logger.getLogger(RejectedRecords.class.getName());
        logger.addHandler(capture);
        double before = rejected();
        try (WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            assertThat(client.subscribe("inventory:*").getString("type")).isEqualTo("subscribed");
            RecordMetadata first = records.send("inventory-events", tenant, "no spaces allowed", "{\"n\":1}");
            RecordMetadata second = records.send("inventory-events", tenant, "nor this!", "{\"n\":2}");
            records.send("inventory-events", tenant, "sentinel", "{\"n\":3}"); // same tenant: same partition, after them

            JsonObject event = client.events(null, 1).get(0);
            assertThat(event.getString("channel")).isEqualTo("inventory:sentinel");
            assertThat(client.pending()).noneMatch(f -> "event".equals(f.getString("type")));
            assertThat(rejected() - before).isEqualTo(2.0);

            List<String> aboutThem = List.copyOf(logged).stream().filter(m -> m.contains("not delivered")).toList();
            assertThat(aboutThem).hasSize(1);
            assertThat(aboutThem.get(0)).contains("inventory-events-" + first.partition() + "@" + first.offset())
                    .contains(REASON).doesNotContain("@" + second.offset() + ":");
        } finally {
            logger.removeHandler(capture);
        }
    }
}
