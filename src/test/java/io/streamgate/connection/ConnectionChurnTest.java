package io.streamgate.connection;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.ServerLog;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15: the churn summary an operator reads at INFO says why connections ended, by close code, with any code
 * outside RFC 6455's and the protocol's counted as {@code other} (a client cannot grow the line).
 */
@QuarkusTest
class ConnectionChurnTest extends GatewayTest {

    private static final Pattern SUMMARY = Pattern.compile("Connections in the last \\d+ s: \\d+ opened, \\d+ closed \\(by close code: ([^)]*)\\)");

    @Inject
    ConnectionChurn churn;

    @Test
    void theSummaryCountsClosesByCloseCode() throws Exception {
        String token = Tokens.token(tenant, "alice", List.of("inventory:*"));
        Map<String, Long> before = churn.closedSinceStart();
        // Everything the summaries logged while the test acts: the minute's timer may log a part of it, the
        // summary called at the end the rest, so the counts are summed over every summary line captured.
        List<String> logged = ServerLog.during(true, () -> {
            WsClient.connect(uri, token).closeWith(1000);
            WsClient.connect(uri, token).closeWith(1001);
            WsClient.connect(uri, token).closeWith(3999);
            WsClient.connect(uri, token).closeWith(4321);
            WsClient tooBig = WsClient.connect(uri, token);
            tooBig.sendText("x".repeat(70_000)); // over the 64 KiB inbound limit: the server closes with 1009
            assertThat(tooBig.awaitClose()).isEqualTo(1009);
            tooBig.close();
            // The counts are cumulative: wait for the five closes to be counted, whichever summary reports them.
            await().atMost(Duration.ofSeconds(10)).until(() -> grew(before, churn.closedSinceStart(), "1000") >= 1
                    && grew(before, churn.closedSinceStart(), "1001") >= 1 && grew(before, churn.closedSinceStart(), "1009") >= 1
                    && grew(before, churn.closedSinceStart(), "other") >= 2);
            churn.logSummary();
        }, "Connections in the last");
        Map<String, Long> reported = new HashMap<>();
        for (String line : logged) {
            Matcher m = SUMMARY.matcher(line);
            if (m.find() && !m.group(1).equals("none")) {
                for (String entry : m.group(1).split(", ")) {
                    String[] kv = entry.split("=");
                    reported.merge(kv[0], Long.parseLong(kv[1]), Long::sum);
                }
            }
        }
        assertThat(reported).containsKeys("1000", "1001", "1009", "other").doesNotContainKeys("3999", "4321");
        assertThat(reported.get("other")).isGreaterThanOrEqualTo(2);
    }

    private static long grew(Map<String, Long> before, Map<String, Long> now, String code) {
        return now.getOrDefault(code, 0L) - before.getOrDefault(code, 0L);
    }
}
