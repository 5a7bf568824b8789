package io.streamgate.bench.stack;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in a JVM of its own, so its CPU is
 * measured apart from the gateway's and the load generator's. Kafka's own test kit, the one the test suite
 * uses. Writes its bootstrap servers to {@code <dir>/bootstrap.txt} once ready and runs until killed.
 * <p>
 * Usage: {@code KafkaBrokerMain <dir>}
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]).toAbsolutePath();
        for (String category : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
            java.util.logging.Logger.getLogger(category).setLevel(java.util.logging.Level.WARNING);
        }
        KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setBaseDirectory(Files.createDirectories(dir.resolve("data")))
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        Path tmp = dir.resolve("bootstrap.tmp");
        Files.writeString(tmp, kafka.bootstrapServers());
        Files.move(tmp, dir.resolve("bootstrap.txt"), StandardCopyOption.ATOMIC_MOVE);
        System.out.println("broker ready at " + kafka.bootstrapServers());
        Thread.currentThread().join();
    }
}
