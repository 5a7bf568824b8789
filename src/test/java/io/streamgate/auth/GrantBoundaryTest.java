package io.streamgate.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.streamgate.support.GatewayTest;
import io.streamgate.support.Tokens;
import io.streamgate.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 15, items 5 and 6: nothing a client sends or is called reaches beyond its token's grant. */
@QuarkusTest
class GrantBoundaryTest extends GatewayTest {

    /**
     * Item 5: in a namespace whose subject comes from the value (orders: /orderId), a client allowed to publish to
     * orders:o-1 must not land a record on orders:o-999 by naming o-999 in the value.
     */
    @Test
    void publishIntoAPointerNamespaceMustNameTheChannelsOwnSubjectInTheValue() {
        try (WsClient observer = WsClient.connect(uri, Tokens.token(tenant, "ops", List.of("orders:*")));
                WsClient alice = WsClient.connect(uri, Tokens.token(tenant, "alice", List.of(), List.of("orders:o-1")))) {
            observer.subscribe("orders:*");

            JsonObject sneaky = publish(alice, "orders:o-1", new JsonObject().put("orderId", "o-999").put("status", "paid"));
            assertThat(sneaky.getString("type")).isEqualTo("error");
            assertThat(sneaky.getString("code")).isEqualTo("bad_request");
            assertThat(sneaky.getString("message")).contains("/orderId").contains("o-1");

            JsonObject missing = publish(alice, "orders:o-1", new JsonObject().put("status", "paid"));
            assertThat(missing.getString("code")).isEqualTo("bad_request");

            JsonObject honest = publish(alice, "orders:o-1", new JsonObject().put("orderId", "o-1").put("status", "paid"));
            assertThat(honest.getString("type")).isEqualTo("published");
            JsonObject event = observer.events(null, 1).get(0);
            assertThat(event.getString("channel")).isEqualTo("orders:o-1");
            assertThat(event.getString("cursor")).isEqualTo(honest.getString("cursor"));
            // Nothing of the refused publishes was written: the honest one is the only event.
            assertThat(observer.settle(Duration.ofMillis(500))).noneMatch(f -> "event".equals(f.getString("type")));
        }
    }

    /** Item 6: a sub of "*" owns the user channel "user:*" literally, which is no channel: never the wildcard. */
    @Test
    void aSubOfStarIsNotAWildcardOverOtherUsersChannels() {
        try (WsClient star = WsClient.connect(uri, Tokens.token(tenant, "*", List.of()))) {
            JsonObject refused = star.subscribe("user:*");
            assertThat(refused.getString("type")).isEqualTo("error");
            assertThat(refused.getString("code")).isEqualTo("forbidden");

            records.send("user-events", tenant, "bob", "{\"note\":\"for bob only\"}");
            assertThat(star.settle(Duration.ofMillis(500))).noneMatch(f -> "event".equals(f.getString("type")));
        }
    }

    /** Item 6: matching of the sub is literal; a sub with characters outside the subject alphabet has no user channel. */
    @Test
    void aSubThatIsNoSubjectHasNoUserChannelAndOtherSubsKeepTheirs() {
        try (WsClient odd = WsClient.connect(uri, Tokens.token(tenant, "al ice", List.of()));
                WsClient prefix = WsClient.connect(uri, Tokens.token(tenant, "bo", List.of()));
                WsClient email = WsClient.connect(uri, Tokens.token(tenant, "auth0|alice@example.com", List.of()))) {
            assertThat(odd.await(f -> "welcome".equals(f.getString("type"))).getString("sub")).isEqualTo("al ice");
            assertThat(odd.subscribe("user:al").getString("code")).isEqualTo("forbidden");
            assertThat(prefix.subscribe("user:bob").getString("code")).isEqualTo("forbidden");
            assertThat(email.subscribe("user:auth0|alice@example.com").getString("type")).isEqualTo("subscribed");
        }
    }

    private static JsonObject publish(WsClient client, String channel, JsonObject data) {
        String id = client.nextId();
        client.send(new JsonObject().put("type", "publish").put("id", id).put("channel", channel).put("data", data));
        return client.reply(id);
    }
}
