package io.streamgate.subscription;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Records;
import io.streamgate.support.TestStack;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, item 3: records of a transaction that aborts (Kafka Streams, exactly-once producers) are never
 * events, neither live nor on replay: both read committed records only.
 */
@QuarkusTest
class TransactionalProducerTest extends GatewayTest {

    @Test
    void recordsOfAnAbortedTransactionAreNeitherDeliveredLiveNorReplayed() {
        String start;
        try (KafkaProducer<String, byte[]> tx = transactionalProducer();
                WsClient client = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            start = client.subscribe("inventory:tx-1").getString("cursor");
            tx.initTransactions();

            tx.beginTransaction();
            tx.send(Records.record("inventory-events", tenant, "tx-1", "{\"n\":1,\"aborted\":true}"));
            tx.flush();
            tx.abortTransaction();

            tx.beginTransaction();
            tx.send(Records.record("inventory-events", tenant, "tx-1", "{\"n\":2}"));
            tx.commitTransaction();
            records.send("inventory-events", tenant, "tx-1", "{\"n\":3}");

            assertThat(numbers(client.events("inventory:tx-1", 2))).containsExactly(2, 3);
            assertThat(client.settle(Duration.ofMillis(500))).noneMatch(f -> "event".equals(f.getString("type")));
        }
        try (WsClient again = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of("inventory:*")))) {
            assertThat(again.subscribe("inventory:tx-1", start).getBoolean("recovered")).isTrue();
            assertThat(numbers(again.events("inventory:tx-1", 2))).containsExactly(2, 3);
            assertThat(again.settle(Duration.ofMillis(500))).noneMatch(f -> "event".equals(f.getString("type")));
        }
    }

    private static List<Integer> numbers(List<JsonObject> events) {
        return events.stream().map(e -> e.getJsonObject("data").getInteger("n")).toList();
    }

    private static KafkaProducer<String, byte[]> transactionalProducer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test-" + UUID.randomUUID(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
    }
}
