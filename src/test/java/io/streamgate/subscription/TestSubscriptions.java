package io.streamgate.subscription;

import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.stream.Epoch;
import org.apache.kafka.common.TopicPartition;

/** Builds subscriptions for unit tests of other packages (the constructor is package-private). */
public final class TestSubscriptions {

    private TestSubscriptions() {
    }

    /** An open sink that is never backed up and hands every frame to {@code frames}. */
    public static EventSink sink(String connectionId, java.util.function.Consumer<String> frames) {
        return new EventSink() {
            @Override
            public void send(String frame) {
                frames.accept(frame);
            }

            @Override
            public boolean isBackedUp() {
                return false;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void closeSlow() {
            }

            @Override
            public String connectionId() {
                return connectionId;
            }
        };
    }

    public static Subscription live(EventSink sink, String tenant, ChannelName channel, Namespace namespace) {
        return new Subscription(sink, tenant, channel, namespace, new Epoch("28mGBR5uQduCztE4xdaBQw", 1),
                new TopicPartition(namespace.topic(), 0), false, -1);
    }

    /** What ending a subscription does before its Ended event is fired. */
    public static void cancel(Subscription s) {
        s.cancel();
    }

    public static void addTo(SubscriptionIndex index, Subscription s) {
        index.add(s);
    }
}
