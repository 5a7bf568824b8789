package io.streamgate.local;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17's acceptance: the storefront in Chromium on a page that has no WebSocket (an init script deletes it
 * before the page runs, as a network that lets no WebSocket through leaves a client with none that works). The JS
 * client falls back to SSE by itself, and every check of {@link DemoPageChecks} runs again on that page: the live
 * stock level, the rewind of a page opened later (that second page keeps its WebSocket), and the gateway restart
 * with every event of the outage shown exactly once.
 */
class DemoPageOverSseBrowserIT extends DemoPageChecks {

    @BeforeAll
    static void startLocalModeAndOpenThePageWithoutWebSocket() throws Exception {
        startLocalModeAndOpenThePage("delete window.WebSocket;");
    }

    @Test
    @Order(0)
    void thePageHasNoWebSocketAndRunsOverSse() throws Exception {
        assertThat(page.evaluate("typeof WebSocket")).isEqualTo("undefined");
        assertThat(page.evaluate("demo.client.transport")).isEqualTo("sse");
        assertThat(page.evaluate("demo.state")).isEqualTo("open");
    }
}
