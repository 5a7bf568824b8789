package io.streamgate.subscription;

import io.streamgate.channel.ChannelName;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A connection's slots by channel, now a copy-on-write array (issue 13): the map's behaviour, kept. */
class ConnectionSubscriptionsTest {

    private final ConnectionSubscriptions subscriptions = new ConnectionSubscriptions();

    @Test
    void aChannelIsReservedOnceAndFoundByItsText() {
        ConnectionSubscriptions.Slot slot = subscriptions.reserve(new ChannelName("inventory", "sku-1"));
        assertThat(slot).isNotNull();
        assertThat(subscriptions.reserve(new ChannelName("inventory", "sku-1"))).as("the same channel again").isNull();
        assertThat(subscriptions.slot("inventory:sku-1")).isSameAs(slot);
        assertThat(subscriptions.slot("inventory:sku-")).isNull();
        assertThat(subscriptions.slot("inventory:sku-10")).isNull();
        assertThat(subscriptions.slot("inventor:ysku-1")).isNull();
        assertThat(subscriptions.slot("inventory/sku-1")).isNull();
        assertThat(subscriptions.reserve(new ChannelName("inventory", "*"))).isNotNull();
        assertThat(subscriptions.size()).isEqualTo(2);
        assertThat(subscriptions.channels()).isEqualTo(Set.of("inventory:sku-1", "inventory:*"));
    }

    @Test
    void aSlotIsReleasedOnceAndAReplacedOneStays() {
        ChannelName channel = new ChannelName("chat", "room-1");
        ConnectionSubscriptions.Slot first = subscriptions.reserve(channel);
        ConnectionSubscriptions.Slot other = subscriptions.reserve(new ChannelName("chat", "room-2"));
        assertThat(subscriptions.release("chat:room-1")).isSameAs(first);
        assertThat(subscriptions.release("chat:room-1")).isNull();
        ConnectionSubscriptions.Slot second = subscriptions.reserve(channel);
        assertThat(subscriptions.release(first)).as("a slot released before, its channel taken again").isFalse();
        assertThat(subscriptions.slot("chat:room-1")).isSameAs(second);
        assertThat(subscriptions.releaseAll()).containsExactlyInAnyOrder(other, second);
        assertThat(subscriptions.size()).isZero();
        assertThat(subscriptions.release(second)).isFalse();
        assertThat(subscriptions.reserve(channel)).isNotNull();
    }
}
