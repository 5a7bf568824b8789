package io.streamgate.bench.stack;

import io.streamgate.bench.client.Delivery;
import io.streamgate.bench.client.Endpoint;
import io.streamgate.bench.client.Fleet;
import io.streamgate.bench.client.KafkaPublisher;
import io.streamgate.bench.client.LoadClient;
import io.streamgate.bench.client.Publisher;
import io.streamgate.bench.client.Sequences;
import io.streamgate.bench.client.StreamgateClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Streamgate as it is deployed: the packaged jar (prod profile) as its own process, configured by environment
 * variables and config/application.properties, on a real Kafka broker (its own process) and PostgreSQL.
 * Events are produced to Kafka in the record contract; clients authenticate with a JWT on every upgrade.
 */
public final class StreamgateServer implements ServerUnderTest {

    public static final String TENANT = "bench";
    public static final String NAMESPACE = "bench";
    private static final String TOPIC = "bench-events";
    private static final int PARTITIONS = 3;

    /** Runs the baseline gateway (Tools#baselineJar) instead of the one under test. */
    private final boolean baseline;
    private KafkaBroker broker;
    private Postgres postgres;
    private ManagedProcess gateway;
    private int port;
    private Tools tools;

    /** The benchmark's application.properties: its namespace, and the per-replica admission limits raised. */
    static String applicationProperties(long pingMillis, boolean baseline) {
        return """
                streamgate.namespaces."bench".topic=%s
                # One tenant holds every benchmark connection, and the load generator opens thousands a second.
                streamgate.connection.max-per-tenant=100000
                streamgate.connection.new-per-second=100000
                streamgate.connection.new-burst=100000
                streamgate.connection.new-per-tenant-per-second=100000
                streamgate.connection.new-per-tenant-burst=100000
                %s
                """.formatted(TOPIC, baseline
                // Builds before issue 13's ping sweep had websockets-next ping (and reject unknown streamgate keys).
                ? "quarkus.websockets-next.server.auto-ping-interval=" + Math.max(1, pingMillis / 1000) + "S"
                : "streamgate.connection.ping-interval=PT" + Math.max(1, pingMillis / 1000) + "S");
    }

    public StreamgateServer() {
        this(false);
    }

    private StreamgateServer(boolean baseline) {
        this.baseline = baseline;
    }

    /** The earlier gateway of Tools#baselineJar, configured and measured exactly like the one under test. */
    public static StreamgateServer baseline() {
        return new StreamgateServer(true);
    }

    @Override
    public String name() {
        return baseline ? "Streamgate (" + (tools == null ? "baseline" : tools.baselineLabel()) + ")" : "Streamgate";
    }

    @Override
    public String configuration() {
        return "packaged jar (prod profile), JVM flags " + String.join(" ", tools.serverJvmFlags())
                + "; Kafka broker (KRaft, one node) and PostgreSQL in their own processes; JWT (RS256) verified on"
                + " every upgrade; connection limits (open per tenant, new per replica and per tenant) raised to 100,000; default outbound queue (1 MiB)";
    }

    @Override
    public void start(ServerOptions options) throws Exception {
        tools = options.tools();
        if (baseline && tools.baselineJar() == null) {
            throw new IllegalStateException("no baseline gateway given (BENCH_BASELINE_JAR)");
        }
        Path dir = options.runDirectory();
        broker = KafkaBroker.start(dir.resolve("kafka"), tools);
        broker.createTopic(TOPIC, PARTITIONS);
        postgres = Postgres.start(dir.resolve("postgres"));
        Path work = Files.createDirectories(dir.resolve("gateway"));
        Files.createDirectories(work.resolve("config"));
        Files.writeString(work.resolve("config").resolve("application.properties"), applicationProperties(options.pingMillis(), baseline));
        port = Http.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", tools.keys().publicKeyPem().toString());
        env.put("MP_JWT_VERIFY_ISSUER", SigningKeys.ISSUER);
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        List<String> command = new ArrayList<>();
        command.add(tools.java());
        command.addAll(tools.serverJvmFlags());
        command.addAll(tools.gatewayJvmFlags()); // in the gateway's working directory: a relative JFR file lands there
        command.addAll(List.of("-jar", (baseline ? tools.baselineJar() : tools.gatewayJar()).toString()));
        gateway = ManagedProcess.start("streamgate", command, work, work.resolve("gateway.log"), env);
        Http.awaitOk("http://127.0.0.1:" + port + "/q/health/ready", gateway, Duration.ofSeconds(300)); // a loaded shared machine has taken over 2 minutes
    }

    @Override
    public Endpoint endpoint() {
        return new Endpoint("127.0.0.1", port);
    }

    @Override
    public LoadClient client(Fleet fleet, int index, int channel, Delivery delivery, Sequences sequences) {
        return new StreamgateClient(fleet, endpoint(), index, channel, NAMESPACE + ":" + ServerUnderTest.channel(channel),
                delivery, sequences, tools.keys().tokenFor(index));
    }

    /** A token of one of the benchmark's subjects, for a client the scenario speaks for itself (RewindScenario). */
    public String token(int index) {
        return tools.keys().tokenFor(index);
    }

    @Override
    public Publisher publisher(Fleet fleet, int channels) {
        String[] subjects = IntStream.range(0, channels).mapToObj(ServerUnderTest::channel).toArray(String[]::new);
        return new KafkaPublisher(broker.bootstrapServers(), TOPIC, TENANT, subjects);
    }

    @Override
    public boolean resumes() {
        return true;
    }

    @Override
    public ManagedProcess server() {
        return gateway;
    }

    @Override
    public Optional<ManagedProcess> broker() {
        return Optional.of(broker.process());
    }

    @Override
    public MemoryFigures memoryAfterGc() throws Exception {
        return new MemoryFigures(JvmMemory.heapUsedAfterGc(gateway.pid()), gateway.rssBytes());
    }

    @Override
    public void saveHeapHistogram(Path file) throws Exception {
        JvmMemory.saveClassHistogram(gateway.pid(), file);
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {gateway, postgres, broker}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }
}
