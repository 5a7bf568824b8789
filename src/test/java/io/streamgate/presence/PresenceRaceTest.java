package io.streamgate.presence;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.config.StreamgateConfig;
import io.streamgate.protocol.PresenceMember;
import io.streamgate.subscription.EventSink;
import io.streamgate.subscription.Subscription;
import io.streamgate.subscription.SubscriptionIndex;
import io.streamgate.subscription.SubscriptionLifecycle;
import io.streamgate.subscription.TestSubscriptions;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The presence service driven in the orders its threads can deliver events in, without I/O. Each test fixes
 * one interleaving that a real run produces only now and then (issue 19 item 1, issue 15 item 12).
 */
class PresenceRaceTest {

    private static final String TENANT = "acme";
    private static final Namespace CHAT = new Namespace("chat", "chat-events", Optional.empty(), false, true, true);
    private static final ChannelName ROOM = new ChannelName("chat", "room-p");
    private static final String PRESENCE_TOPIC = "streamgate-presence";

    private final PresenceService service = new PresenceService();
    private final SubscriptionIndex index = new SubscriptionIndex();
    /** Every record the service wrote to the presence topic, in order, as the consumer would read it back. */
    private final List<ConsumerRecord<String, byte[]>> written = new ArrayList<>();
    /** Frames sent to alice, who watches the room. */
    private final List<JsonObject> aliceFrames = new ArrayList<>();

    @BeforeEach
    void setUp() {
        service.config = config(Duration.ofSeconds(30));
        service.index = index;
        service.out = emitter();
        Subscription alice = TestSubscriptions.live(sink("alice-connection", aliceFrames), TENANT, ROOM, CHAT);
        TestSubscriptions.addTo(index, alice);
        service.started(new SubscriptionLifecycle.Started(alice, "alice", null));
        aliceFrames.clear();
    }

    @Test
    void startedObservedAfterEndedAddsNoMember() {
        Subscription bob = TestSubscriptions.live(sink("bob-connection", new ArrayList<>()), TENANT, ROOM, CHAT);
        // Bob's subscribe completed on a Kafka thread, which sent `subscribed` and then was descheduled before
        // firing Started; bob's client closed at once and the event loop ended the subscription (cancel, then
        // Ended). Only now does the Kafka thread fire Started.
        TestSubscriptions.cancel(bob);
        service.ended(new SubscriptionLifecycle.Ended(bob));
        service.started(new SubscriptionLifecycle.Started(bob, "bob", "{\"name\":\"BOB\"}"));
        service.renewLocalMembers();

        assertThat(subs(service.members(TENANT, ROOM.toString()))).containsExactly("alice");
        assertThat(aliceFrames).isEmpty();
        assertThat(written).noneMatch(r -> r.key().contains("bob-connection"));
    }

    @Test
    void ownJoinReadBackAfterTheLeaveDoesNotBringTheMemberBack() {
        Subscription bob = TestSubscriptions.live(sink("bob-connection", new ArrayList<>()), TENANT, ROOM, CHAT);
        service.started(new SubscriptionLifecycle.Started(bob, "bob", null));
        TestSubscriptions.cancel(bob);
        service.ended(new SubscriptionLifecycle.Ended(bob));
        // The presence consumer lags (a loaded machine): it reads back bob's join, then his tombstone, only
        // after bob left. Between the two, the view listed bob again and alice got a second join.
        List<JsonObject> seenAfterLeave = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : List.copyOf(written)) {
            int before = aliceFrames.size();
            service.consume(batch(r));
            seenAfterLeave.addAll(aliceFrames.subList(before, aliceFrames.size()));
            assertThat(subs(service.members(TENANT, ROOM.toString()))).containsExactly("alice");
        }

        assertThat(aliceFrames).extracting(f -> f.getString("type") + " " + f.getJsonObject("member").getString("sub"))
                .containsExactly("join bob", "leave bob");
        assertThat(seenAfterLeave).isEmpty();
    }

    @Test
    void anotherReplicasMembersJoinAndLeave() {
        String key = TENANT + "|elsewhere|" + ROOM;
        String value = new JsonObject().put("tenant", TENANT).put("channel", ROOM.toString()).put("connection", "elsewhere")
                .put("sub", "carol").put("expires_at", System.currentTimeMillis() + 60_000).encode();
        service.consume(batch(record(key, value.getBytes(StandardCharsets.UTF_8), new RecordHeaders())));
        assertThat(subs(service.members(TENANT, ROOM.toString()))).containsExactlyInAnyOrder("alice", "carol");
        service.consume(batch(record(key, null, new RecordHeaders())));
        assertThat(subs(service.members(TENANT, ROOM.toString()))).containsExactly("alice");
        assertThat(aliceFrames).extracting(f -> f.getString("type") + " " + f.getJsonObject("member").getString("sub"))
                .containsExactly("join carol", "leave carol");
    }

    @Test
    void aLaterSubscriptionOfTheSameConnectionAndChannelSurvivesTheEarlierOnesLateEvents() {
        Subscription first = TestSubscriptions.live(sink("bob-connection", new ArrayList<>()), TENANT, ROOM, CHAT);
        Subscription second = TestSubscriptions.live(sink("bob-connection", new ArrayList<>()), TENANT, ROOM, CHAT);
        TestSubscriptions.cancel(first);
        service.ended(new SubscriptionLifecycle.Ended(first));
        service.started(new SubscriptionLifecycle.Started(second, "bob", null));
        service.started(new SubscriptionLifecycle.Started(first, "bob", null)); // late: must not count
        service.ended(new SubscriptionLifecycle.Ended(first));                  // repeated: must not end the second
        assertThat(subs(service.members(TENANT, ROOM.toString()))).containsExactlyInAnyOrder("alice", "bob");
        TestSubscriptions.cancel(second);
        service.ended(new SubscriptionLifecycle.Ended(second));
        assertThat(subs(service.members(TENANT, ROOM.toString()))).containsExactly("alice");
    }

    private static List<String> subs(List<PresenceMember> members) {
        return members.stream().map(PresenceMember::sub).toList();
    }

    private static ConsumerRecords<String, byte[]> batch(ConsumerRecord<String, byte[]> r) {
        return new ConsumerRecords<>(Map.of(new TopicPartition(PRESENCE_TOPIC, 0), List.of(r)), Map.of());
    }

    private ConsumerRecord<String, byte[]> record(String key, byte[] value, Headers headers) {
        return new ConsumerRecord<>(PRESENCE_TOPIC, 0, written.size(), 0L, TimestampType.CREATE_TIME, -1, -1, key, value,
                headers, Optional.empty());
    }

    private static EventSink sink(String connectionId, List<JsonObject> frames) {
        return TestSubscriptions.sink(connectionId, frame -> frames.add(new JsonObject(frame)));
    }

    @SuppressWarnings("unchecked")
    private MutinyEmitter<Record<String, byte[]>> emitter() {
        return (MutinyEmitter<Record<String, byte[]>>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MutinyEmitter.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendMessage")) {
                        Message<Record<String, byte[]>> m = (Message<Record<String, byte[]>>) args[0];
                        Headers headers = m.getMetadata(OutgoingKafkaRecordMetadata.class)
                                .map(md -> md.getHeaders()).orElseGet(RecordHeaders::new);
                        written.add(record(m.getPayload().key(), m.getPayload().value(), headers));
                        return Uni.createFrom().voidItem();
                    }
                    if (method.getName().equals("send")) {
                        Record<String, byte[]> r = (Record<String, byte[]>) args[0];
                        written.add(record(r.key(), r.value(), new RecordHeaders()));
                        return Uni.createFrom().voidItem();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static StreamgateConfig config(Duration ttl) {
        StreamgateConfig.Presence presence = (StreamgateConfig.Presence) Proxy.newProxyInstance(
                PresenceRaceTest.class.getClassLoader(), new Class<?>[] {StreamgateConfig.Presence.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "ttl" -> ttl;
                    case "topic" -> PRESENCE_TOPIC;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (StreamgateConfig) Proxy.newProxyInstance(PresenceRaceTest.class.getClassLoader(),
                new Class<?>[] {StreamgateConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("presence")) {
                        return presence;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
