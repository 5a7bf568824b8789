package io.streamgate.local;

import org.junit.jupiter.api.BeforeAll;

/** The demo page as a newcomer opens it, over the WebSocket: every check of {@link DemoPageChecks}. */
class DemoPageBrowserIT extends DemoPageChecks {

    @BeforeAll
    static void startLocalModeAndOpenTheDemoPage() throws Exception {
        startLocalModeAndOpenThePage(null);
    }
}
