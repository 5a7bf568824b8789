package io.streamgate.subscription;

import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.stream.Epoch;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A channel's subscribers: a set by identity, small or large, and an iteration that does not see later changes break. */
class SubscriberSetTest {

    private static Subscription subscription() {
        return new Subscription(null, "acme", new ChannelName("inventory", "sku-1"),
                new Namespace("inventory", "inv", Optional.empty(), false, false, false),
                new Epoch("28mGBR5uQduCztE4xdaBQw", 3), new TopicPartition("inv", 1), false, -1);
    }

    @Test
    void addsAndRemovesByIdentityBelowAndAboveTheArraySize() {
        SubscriberSet set = new SubscriberSet();
        List<Subscription> all = new ArrayList<>();
        for (int i = 0; i < 3 * SubscriberSet.ARRAY_MAX; i++) {
            Subscription s = subscription();
            all.add(s);
            assertThat(set.add(s)).isTrue();
            assertThat(set.add(s)).isFalse();
            assertThat(set).hasSize(i + 1).contains(s);
        }
        assertThat(set).containsExactlyInAnyOrderElementsOf(all);
        for (int i = 0; i < all.size(); i++) {
            assertThat(set.remove(all.get(i))).isTrue();
            assertThat(set.remove(all.get(i))).isFalse();
            assertThat(set).hasSize(all.size() - i - 1);
        }
        assertThat(set).isEmpty();
        Subscription again = subscription();
        set.add(again);
        assertThat(set).containsExactly(again);
    }

    @Test
    void anIterationGoesOnWhileTheSetChanges() {
        SubscriberSet set = new SubscriberSet();
        List<Subscription> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            first.add(subscription());
            set.add(first.get(i));
        }
        List<Subscription> seen = new ArrayList<>();
        for (Subscription s : set) {
            seen.add(s);
            set.remove(s);
            set.add(subscription());
        }
        assertThat(seen).containsExactlyElementsOf(first); // the array snapshot taken when the iteration began
        assertThat(set).hasSize(4).doesNotContainAnyElementsOf(first);
    }
}
