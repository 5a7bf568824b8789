package io.streamgate.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.streamgate.kafka.KafkaSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The upstream services of the demo storefront, as a plain Kafka producer writing the record contract
 * (key = tenant, header {@code subject}, JSON value): every tick a stock level drops, every third tick a
 * customer's order moves on, now and then the sale's chat bot speaks. Sold-out products are restocked a
 * few ticks later. On start it continues from what the topics already hold, so a live reload does not
 * reset the stock levels.
 */
@ApplicationScoped
@IfBuildProfile("dev")
public class DemoProducer {

    private static final Logger LOG = Logger.getLogger(DemoProducer.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    KafkaSettings kafka;

    @Inject
    DemoSnapshots snapshots;

    @ConfigProperty(name = "local-mode.demo-producer.enabled", defaultValue = "true")
    boolean enabled;

    @ConfigProperty(name = "local-mode.demo-producer.interval", defaultValue = "PT1S")
    Duration interval;

    /** Current stock by SKU and latest order by customer: touched by the ticker thread only. */
    private final Map<String, Integer> stock = new HashMap<>();
    private final Map<String, JsonNode> orders = new HashMap<>();
    private final Map<String, Integer> soldOutSince = new HashMap<>();
    private KafkaProducer<String, String> producer;
    private ScheduledExecutorService ticker;
    private long tick;

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            LOG.info("Demo producer disabled (local-mode.demo-producer.enabled=false)");
            return;
        }
        Map<String, Object> config = new HashMap<>(kafka.base());
        config.keySet().retainAll(ProducerConfig.configNames());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "streamgate-demo-producer");
        producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        try {
            snapshots.read("inventory", DemoCatalogue.TENANT).latest()
                    .forEach((sku, value) -> stock.put(sku, value.path("stock").asInt()));
            orders.putAll(snapshots.read("orders", DemoCatalogue.TENANT).latest());
        } catch (RuntimeException e) {
            LOG.warnf("Demo producer starts from the catalogue's initial stock: %s", e.getMessage());
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-producer");
            t.setDaemon(true);
            return t;
        });
        // A fresh stack has empty topics: open the sale with every product's starting stock, so the page has a
        // level for each at once. After a live reload the topics already hold them and nothing is repeated.
        ticker.execute(() -> {
            for (DemoCatalogue.Product p : DemoCatalogue.PRODUCTS) {
                if (!stock.containsKey(p.sku())) {
                    sendStock(p, p.initialStock(), "stock.restocked");
                }
            }
        });
        ticker.scheduleWithFixedDelay(this::tickSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("Demo producer writing to inventory-events, order-events and chat-events every %d ms", interval.toMillis());
    }

    void stop(@Observes ShutdownEvent event) {
        if (ticker != null) {
            ticker.shutdownNow();
            try {
                ticker.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.close(Duration.ofSeconds(2));
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            // One failed tick (the broker restarting, say) must not end the demo.
            LOG.warnf("Demo producer tick failed: %s", e.getMessage());
        }
    }

    private void tick() {
        tick++;
        stockTick();
        if (tick % 3 == 0) {
            orderTick(DemoCatalogue.CUSTOMERS.get((int) (tick / 3 % DemoCatalogue.CUSTOMERS.size())));
        }
        if (tick % 9 == 0) {
            ObjectNode line = MAPPER.createObjectNode();
            line.put("text", DemoCatalogue.CHAT_LINES.get((int) (tick / 9 % DemoCatalogue.CHAT_LINES.size())));
            send("chat-events", DemoCatalogue.CHAT_ROOM, "chat.message", "sales-bot", line);
        }
    }

    /** One product sells one or two items; a product sold out for five ticks is restocked. */
    private void stockTick() {
        for (DemoCatalogue.Product p : DemoCatalogue.PRODUCTS) {
            Integer since = soldOutSince.get(p.sku());
            if (since != null && tick - since >= 5) {
                soldOutSince.remove(p.sku());
                sendStock(p, p.initialStock(), "stock.restocked");
                return;
            }
        }
        DemoCatalogue.Product p = DemoCatalogue.PRODUCTS.get(ThreadLocalRandom.current().nextInt(DemoCatalogue.PRODUCTS.size()));
        int current = stock.getOrDefault(p.sku(), p.initialStock());
        if (current == 0) {
            soldOutSince.putIfAbsent(p.sku(), (int) tick);
            return;
        }
        sendStock(p, Math.max(0, current - 1 - ThreadLocalRandom.current().nextInt(2)), "stock.changed");
    }

    private void sendStock(DemoCatalogue.Product p, int level, String eventType) {
        ObjectNode value = MAPPER.createObjectNode();
        value.put("sku", p.sku());
        value.put("name", p.name());
        value.put("stock", level);
        send("inventory-events", p.sku(), eventType, null, value);
        stock.put(p.sku(), level);
    }

    private void orderTick(String customer) {
        JsonNode last = orders.get(customer);
        int step = last == null ? DemoCatalogue.ORDER_STEPS.size() - 1 : last.path("step").asInt();
        String orderId = last == null ? null : last.path("orderId").asText(null);
        if (step >= DemoCatalogue.ORDER_STEPS.size() - 1 || orderId == null) {
            step = 0;
            orderId = "o-" + (1000 + ThreadLocalRandom.current().nextInt(9000));
        } else {
            step++;
        }
        ObjectNode value = MAPPER.createObjectNode();
        value.put("customer", customer);
        value.put("orderId", orderId);
        value.put("status", DemoCatalogue.ORDER_STEPS.get(step));
        value.put("step", step);
        value.put("steps", DemoCatalogue.ORDER_STEPS.size());
        // The orders namespace takes its subject from the value (/customer): no subject header here.
        send("order-events", null, "order.status", null, value);
        orders.put(customer, value);
    }

    private void send(String topic, String subject, String eventType, String from, JsonNode value) {
        RecordHeaders headers = new RecordHeaders();
        if (subject != null) {
            headers.add("subject", subject.getBytes(StandardCharsets.UTF_8));
        }
        headers.add("event", eventType.getBytes(StandardCharsets.UTF_8));
        headers.add("id", UUID.randomUUID().toString().substring(0, 8).getBytes(StandardCharsets.UTF_8));
        if (from != null) {
            headers.add("from", from.getBytes(StandardCharsets.UTF_8));
        }
        producer.send(new ProducerRecord<>(topic, null, DemoCatalogue.TENANT, value.toString(), headers), (metadata, failure) -> {
            if (failure != null) {
                LOG.warnf("Demo producer could not write to %s: %s", topic, failure.getMessage());
            }
        });
    }
}
