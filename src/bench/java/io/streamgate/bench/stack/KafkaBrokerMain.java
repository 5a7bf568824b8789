package io.streamgate.bench.stack;

import io.streamgate.kit.SingleNodeKafka;
import org.apache.kafka.common.test.KafkaClusterTestKit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in a JVM of its own, so its CPU is
 * measured apart from the gateway's and the load generator's. Kafka's own test kit, set up by {@link SingleNodeKafka}
 * as for the test suite and local mode. Writes its bootstrap servers to {@code <dir>/bootstrap.txt} once ready and
 * runs until killed.
 * <p>
 * Usage: {@code KafkaBrokerMain <dir>}
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]).toAbsolutePath();
        KafkaClusterTestKit kafka = SingleNodeKafka.start(Files.createDirectories(dir.resolve("data")), Map.of());
        Path tmp = dir.resolve("bootstrap.tmp");
        Files.writeString(tmp, kafka.bootstrapServers());
        Files.move(tmp, dir.resolve("bootstrap.txt"), StandardCopyOption.ATOMIC_MOVE);
        System.out.println("broker ready at " + kafka.bootstrapServers());
        Thread.currentThread().join();
    }
}
