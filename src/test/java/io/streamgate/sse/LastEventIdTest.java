package io.streamgate.sse;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LastEventIdTest {

    private static final String CURSOR = "28mGBR5uQduCztE4xdaBQw.12.7.1046";

    @Test
    void everyChannelsPositionSurvivesTheRoundTripInOrder() {
        Map<String, String> positions = new LinkedHashMap<>();
        positions.put("inventory:sku-42", CURSOR);
        positions.put("orders:*", null);
        positions.put("chat:room/a|b=c@d", "28mGBR5uQduCztE4xdaBQw.12.7.-1");
        String id = LastEventId.encode("x3F_-", positions);

        assertThat(id).isEqualTo("v1;x3F_-;inventory:sku-42 " + CURSOR + ";orders:* -;chat:room/a|b=c@d 28mGBR5uQduCztE4xdaBQw.12.7.-1");
        LastEventId decoded = LastEventId.decode(id, 200).orElseThrow();
        assertThat(decoded.streamId()).isEqualTo("x3F_-");
        assertThat(decoded.positions()).containsExactlyEntriesOf(positions);
    }

    @Test
    void aStreamWithoutChannelsHasAnIdToo() {
        LastEventId decoded = LastEventId.decode(LastEventId.encode("s", Map.of()), 200).orElseThrow();
        assertThat(decoded.streamId()).isEqualTo("s");
        assertThat(decoded.positions()).isEmpty();
    }

    @Test
    void anIdThisServerDidNotWriteIsNotResumedFrom() {
        assertThat(LastEventId.decode(null, 200)).isEmpty();
        assertThat(LastEventId.decode("", 200)).isEmpty();
        assertThat(LastEventId.decode("42", 200)).isEmpty(); // another server's numeric ids
        assertThat(LastEventId.decode("v2;s;inventory:sku-1 " + CURSOR, 200)).isEmpty();
        assertThat(LastEventId.decode("v1;;inventory:sku-1 " + CURSOR, 200)).isEmpty();
        assertThat(LastEventId.decode("v1;s;inventory:sku-1", 200)).isEmpty(); // no cursor part
        assertThat(LastEventId.decode("v1;s;not a channel " + CURSOR, 200)).isEmpty();
        assertThat(LastEventId.decode("v1;s;inventory:" + "x".repeat(300) + " -", 200)).isEmpty();
        assertThat(LastEventId.decode("v1;s;" + "a".repeat(LastEventId.MAX_LENGTH), 200)).isEmpty();
    }

    @Test
    void aPositionThatIsNotACursorIsKeptWithoutOneSoTheChannelGoesOnLive() {
        LastEventId decoded = LastEventId.decode("v1;s;inventory:sku-1 garbage", 200).orElseThrow();
        assertThat(decoded.positions()).containsEntry("inventory:sku-1", null);
    }
}
