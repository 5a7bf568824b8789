package io.streamgate.subscription;

import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.protocol.OutboundFrame;
import io.streamgate.stream.Epoch;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The merge of history and live events within one subscription, without I/O. */
class SubscriptionMergeTest {

    private final List<String> sent = new ArrayList<>();
    private final EventSink sink = TestSubscriptions.sink("c1", sent::add);
    /** The test sink has no event loop: a replayed frame is sent as its text at once. */
    private final DeliveryBatch batch = new DeliveryBatch();

    private Subscription subscription(boolean replaying, long lastOffset) {
        return new Subscription(sink, "acme", new ChannelName("inventory", "sku-1"),
                new Namespace("inventory", "inv", Optional.empty(), false, false, false),
                new Epoch("28mGBR5uQduCztE4xdaBQw", 3), new TopicPartition("inv", 1), replaying, lastOffset);
    }

    @Test
    void liveEventsWaitWhileHistoryIsReplayedAndAreNeverDeliveredTwice() {
        Subscription s = subscription(true, 9);
        s.deliverLive(12, "live-12");        // skipped: replay will read offset 12 itself
        s.deliverReplayed(10, new OutboundFrame("replay-10"), batch);
        s.deliverReplayed(11, new OutboundFrame("replay-11"), batch);
        s.deliverReplayed(12, new OutboundFrame("replay-12"), batch);
        s.goLive(13);
        s.deliverLive(12, "live-12-again"); // at or below the seam: already delivered
        s.deliverLive(13, "live-13");
        assertThat(sent).containsExactly("replay-10", "replay-11", "replay-12", "live-13");
    }

    @Test
    void replayThatReadPastTheLivePositionKeepsLiveFromRepeatingIt() {
        Subscription s = subscription(true, 4);
        s.deliverReplayed(5, new OutboundFrame("r5"), batch);
        s.deliverReplayed(6, new OutboundFrame("r6"), batch);
        s.goLive(7);                 // replay reached 7 while live stood at 6
        s.deliverLive(6, "l6");
        s.deliverLive(7, "l7");
        assertThat(sent).containsExactly("r5", "r6", "l7");
    }

    @Test
    void cancelledSubscriptionDeliversNothing() {
        Subscription s = subscription(false, 0);
        s.cancel();
        s.deliverLive(1, "l1");
        s.deliverReplayed(2, new OutboundFrame("r2"), batch);
        assertThat(sent).isEmpty();
        assertThat(s.isCancelled()).isTrue();
    }

    @Test
    void cursorNamesTheLastDeliveredOffset() {
        Subscription s = subscription(false, -1);
        assertThat(s.cursor()).isEqualTo("28mGBR5uQduCztE4xdaBQw.3.1.-1");
        s.deliverLive(41, "x");
        assertThat(s.cursor()).isEqualTo("28mGBR5uQduCztE4xdaBQw.3.1.41");
    }
}
