package io.streamgate.bench.stack;

import io.streamgate.kit.SingleNodeKafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Starts {@link KafkaBrokerMain} as a process and waits for it. */
final class KafkaBroker implements AutoCloseable {

    private final ManagedProcess process;
    private final String bootstrapServers;

    private KafkaBroker(ManagedProcess process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    static KafkaBroker start(Path dir, Tools tools) throws Exception {
        Files.createDirectories(dir);
        ManagedProcess process = ManagedProcess.start("kafka-broker",
                List.of(tools.java(), "-Xmx1g", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                        "-cp", tools.classpath(), KafkaBrokerMain.class.getName(), dir.toString()),
                dir, dir.resolve("broker.log"), Map.of());
        Path bootstrap = dir.resolve("bootstrap.txt");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!Files.exists(bootstrap)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.close();
                throw new IllegalStateException("Kafka broker did not start:\n" + process.tail());
            }
            Thread.sleep(100);
        }
        return new KafkaBroker(process, Files.readString(bootstrap).trim());
    }

    void createTopic(String topic, int partitions) throws Exception {
        SingleNodeKafka.createTopics(bootstrapServers, SingleNodeKafka.topics(Map.of(topic, partitions)));
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    ManagedProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }
}
