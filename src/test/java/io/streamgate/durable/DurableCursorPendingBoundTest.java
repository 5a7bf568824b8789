package io.streamgate.durable;

import io.streamgate.config.StreamgateConfig;
import io.streamgate.stream.Cursor;
import io.streamgate.stream.Epoch;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, item 13: while PostgreSQL is unreachable nothing is written, so the acknowledged positions wait in
 * memory; their number is bounded by {@code streamgate.cursors.max-pending}. The store here has no flusher at all
 * (nothing is ever written), which is what an outage looks like to the pending map.
 */
class DurableCursorPendingBoundTest {

    private static final Epoch EPOCH = new Epoch("AAAAAAAAAAAAAAAAAAAAAA", 3);

    @Test
    void pendingPositionsAreBoundedAndKnownChannelsStillMoveForward() {
        DurableCursorStore store = new DurableCursorStore();
        store.config = config(3);
        for (int i = 0; i < 5; i++) {
            store.ack(key("ch-" + i), new Cursor(EPOCH, 0, 10));
        }
        assertThat(store.pendingCount()).isEqualTo(3);

        // A channel already waiting still moves forward: its newest position replaces the older one.
        store.ack(key("ch-0"), new Cursor(EPOCH, 0, 20));
        assertThat(store.lookup(key("ch-0")).toCompletableFuture().join()).contains(new Cursor(EPOCH, 0, 20));
        assertThat(store.pendingCount()).isEqualTo(3);
    }

    private static DurableCursor.Key key(String channel) {
        return new DurableCursor.Key("acme", "alice", "", "inventory:" + channel);
    }

    private static StreamgateConfig config(int maxPending) {
        Object cursors = Proxy.newProxyInstance(StreamgateConfig.class.getClassLoader(),
                new Class<?>[] {StreamgateConfig.Cursors.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "maxPending" -> maxPending;
                    case "flushInterval" -> Duration.ofSeconds(1);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (StreamgateConfig) Proxy.newProxyInstance(StreamgateConfig.class.getClassLoader(),
                new Class<?>[] {StreamgateConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("cursors")) {
                        return cursors;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
