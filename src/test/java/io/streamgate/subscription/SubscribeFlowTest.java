package io.streamgate.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamgate.auth.Grant;
import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.durable.DurableCursor;
import io.streamgate.durable.DurableCursorStore;
import io.streamgate.kafka.LivePositions;
import io.streamgate.kafka.ReplayTarget;
import io.streamgate.kafka.ReplayWorkers;
import io.streamgate.kafka.RewindReads;
import io.streamgate.kafka.TopicEpochs;
import io.streamgate.metrics.GatewayMetrics;
import io.streamgate.protocol.EventFrameEncoder;
import io.streamgate.protocol.OutboundFrame;
import io.streamgate.rewind.RewindMemory;
import io.streamgate.stream.Cursor;
import io.streamgate.stream.Epoch;
import io.streamgate.stream.RecordEvents;
import io.streamgate.stream.RejectedRecords;
import jakarta.enterprise.inject.Vetoed;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The subscribe flow on its own, without Quarkus or Kafka: fake durable store, epochs, live positions and
 * replay source; the test plays the live consumer and the replay worker. Checks the seam rules (nothing
 * twice, nothing missing at the history to live switch), every reason for {@code recovered: false}, and a
 * subscription that goes away while it is being set up.
 */
class SubscribeFlowTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "inventory-events";
    private static final Namespace NAMESPACE = new Namespace("inventory", TOPIC, Optional.empty(), false, false, false);
    private static final Epoch EPOCH = new Epoch("28mGBR5uQduCztE4xdaBQw", 3);
    private static final String TENANT = "acme";
    private static final TopicPartition TP = new TopicPartition(TOPIC, RecordEvents.partitionOf(TENANT, EPOCH));
    private static final ChannelName CHANNEL = ChannelName.of("inventory", "sku-1").orElseThrow();

    private final FakeSink sink = new FakeSink();
    private final FakeDurableCursors durable = new FakeDurableCursors();
    private final FakeEpochs epochs = new FakeEpochs();
    private final FakeLive live = new FakeLive();
    private final FakeReplays replays = new FakeReplays();
    private final SubscriptionIndex index = new SubscriptionIndex();
    private final List<SubscriptionLifecycle.Started> started = new ArrayList<>();
    private final List<SubscriptionLifecycle.Ended> ended = new ArrayList<>();
    private final SubscribeFlow.Parts parts = new SubscribeFlow.Parts(durable, epochs, live, replays, index,
            new RejectedRecords(new SimpleMeterRegistry()), new GatewayMetrics(new SimpleMeterRegistry()),
            Duration.ofSeconds(1), started::add, ended::add, new FakeRewinds());
    private final RewindMemory rewindMemory = new RewindMemory(1 << 20, 5);
    private final ConnectionSubscriptions subscriptions = new ConnectionSubscriptions();
    private final Grant grant = new Grant(TENANT, "alice", List.of(), List.of(), Long.MAX_VALUE, null);

    @Test
    void withoutCursorStartsLiveAtTheLivePosition() {
        live.next = 5;
        subscribe(null);

        JsonNode subscribed = sink.frame(0);
        assertThat(subscribed.get("type").asText()).isEqualTo("subscribed");
        assertThat(subscribed.get("recovered").asBoolean()).isFalse();
        assertThat(subscribed.has("reason")).isFalse();
        assertThat(Cursor.decode(subscribed.get("cursor").asText()).orElseThrow().offset()).isEqualTo(4);
        live.fanOut(5);
        assertThat(sink.eventOffsets()).containsExactly(5L);
        assertThat(started).hasSize(1);
        assertThat(live.acquired).isEqualTo(1);
    }

    @Test
    void resumeDeliversHistoryThenLiveWithNeitherGapNorDuplicate() {
        live.next = 5;
        subscribe(cursorAt(2));
        ReplayJob job = replays.job();
        assertThat(job.after).isEqualTo(2);

        job.target.started();
        assertThat(sink.frame(0).get("recovered").asBoolean()).isTrue();
        live.fanOut(5); // written while history is read: skipped live, comes through the replay
        live.fanOut(6);
        replayed(job.target, 3, 4);
        assertThat(job.target.tryGoLive(5)).isFalse(); // live has passed 5: read on
        replayed(job.target, 5, 6);
        assertThat(job.target.tryGoLive(7)).isTrue();
        replayed(job.target, 6); // a late replayed record is not sent twice
        live.fanOut(7);
        live.fanOut(8);

        assertThat(sink.eventOffsets()).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(started).hasSize(1);
    }

    @Test
    void liveRecordsAtTheSwitchAreNeitherLostNorRepeated() {
        live.next = 3;
        subscribe(cursorAt(2));
        ReplayJob job = replays.job();
        job.target.started();
        assertThat(job.target.tryGoLive(3)).isTrue(); // nothing to replay: live at once
        live.fanOut(3);
        replayed(job.target, 3); // the worker's last poll raced the switch
        assertThat(sink.eventOffsets()).containsExactly(3L);
    }

    @Test
    void cursorThatIsNotACursorIsInvalid() {
        subscribe("not-a-cursor");
        assertNotRecovered("invalid");
    }

    @Test
    void cursorOfAnotherEpochIsNotTrusted() {
        subscribe(new Cursor(new Epoch("AAAAAAAAAAAAAAAAAAAAAA", 3), TP.partition(), 2).encode());
        assertNotRecovered("epoch");
    }

    @Test
    void cursorOfAnotherPartitionIsInvalid() {
        subscribe(new Cursor(EPOCH, (TP.partition() + 1) % EPOCH.partitions(), 2).encode());
        assertNotRecovered("invalid");
    }

    @Test
    void cursorThatRetentionPassedIsExpired() {
        live.next = 9;
        subscribe(cursorAt(2));
        replays.job().target.rejected("expired");
        assertNotRecovered("expired");
        live.fanOut(9);
        assertThat(sink.eventOffsets()).containsExactly(9L);
    }

    @Test
    void durableCursorStoreDownIsUnavailable() {
        durable.lookup = CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
        subscribeResuming();
        assertNotRecovered("unavailable");
    }

    @Test
    void storedDurableCursorIsResumedFrom() {
        durable.lookup = CompletableFuture.completedFuture(Optional.of(new Cursor(EPOCH, TP.partition(), 2)));
        subscribeResuming();
        assertThat(replays.job().after).isEqualTo(2);
    }

    @Test
    void unsubscribedWhileTheEpochIsLookedUp() {
        epochs.epoch = new CompletableFuture<>();
        subscribe(null);
        unsubscribe();
        epochs.epoch.complete(EPOCH);

        assertThat(sink.frames).isEmpty();
        assertThat(index.find(TENANT, NAMESPACE.name())).isNull();
        assertThat(live.released).isEqualTo(live.acquired);
        assertThat(started).isEmpty();
    }

    @Test
    void unsubscribedWhileTheReplayWaitsForAWorker() {
        subscribe(cursorAt(2));
        ReplayTarget target = replays.job().target;
        unsubscribe();

        assertThat(target.isCancelled()).isTrue();
        target.started(); // a worker that took the job anyway
        assertThat(sink.frames).isEmpty();
        assertThat(index.find(TENANT, NAMESPACE.name())).isNull();
        assertThat(live.released).isEqualTo(live.acquired);
    }

    @Test
    void disconnectedClientCancelsTheReplay() {
        subscribe(cursorAt(2));
        sink.open = false;
        assertThat(replays.job().target.isCancelled()).isTrue();
    }

    @Test
    void liveConsumerNotReadyInTimeIsAnError() {
        live.ready = false;
        subscribe(null);
        assertThat(sink.frame(0).get("type").asText()).isEqualTo("error");
        assertThat(subscriptions.size()).isZero();
        assertThat(live.released).isEqualTo(live.acquired);
    }

    @Test
    void epochLookupFailureIsAnError() {
        epochs.epoch = CompletableFuture.failedFuture(new IllegalStateException("no such topic"));
        subscribe(null);
        assertThat(sink.frame(0).get("type").asText()).isEqualTo("error");
        assertThat(subscriptions.size()).isZero();
        assertThat(live.acquired).isZero();
    }

    @Test
    void replayFailingAfterConfirmationUnsubscribes() {
        subscribe(cursorAt(2));
        ReplayTarget target = replays.job().target;
        target.started();
        target.failed(new IllegalStateException("broker gone"));

        JsonNode unsubscribed = sink.frame(1);
        assertThat(unsubscribed.get("type").asText()).isEqualTo("unsubscribed");
        assertThat(unsubscribed.get("reason").asText()).isEqualTo("internal");
        assertThat(subscriptions.size()).isZero();
        assertThat(index.find(TENANT, NAMESPACE.name())).isNull();
        assertThat(ended).hasSize(1);
    }

    @Test
    void historyLostAfterConfirmationEndsTheSubscriptionOnceWithItsReason() {
        live.next = 10;
        subscribe(cursorAt(2));
        ReplayTarget target = replays.job().target;
        target.started();
        replayed(target, 3, 4);
        target.lost("expired"); // retention deleted offsets 5.. while they were being read

        assertThat(sink.frame(0).get("type").asText()).isEqualTo("subscribed");
        JsonNode unsubscribed = sink.frame(3);
        assertThat(unsubscribed.get("type").asText()).isEqualTo("unsubscribed");
        assertThat(unsubscribed.get("channel").asText()).isEqualTo(CHANNEL.toString());
        assertThat(unsubscribed.get("reason").asText()).isEqualTo("expired");
        assertThat(unsubscribed.has("id")).isFalse();
        assertThat(subscriptions.size()).isZero();
        assertThat(index.find(TENANT, NAMESPACE.name())).isNull();
        assertThat(live.released).isEqualTo(live.acquired);
        assertThat(ended).hasSize(1);
        live.fanOut(10);
        assertThat(sink.frames).hasSize(4); // no second subscribed, no live event for an ended subscription
    }

    @Test
    void aTenantWhoseResumesFillTheLineGetsTooManyResumesAndHoldsNothing() {
        replays.full = true;
        subscribe(cursorAt(2));

        JsonNode error = sink.frame(0);
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("code").asText()).isEqualTo("too_many_resumes");
        assertThat(subscriptions.size()).isZero();
        assertThat(live.released).isEqualTo(live.acquired);
        assertThat(index.find(TENANT, NAMESPACE.name())).isNull();
    }

    @Test
    void aClientBackedUpPastTheGraceIsClosedAsSlow() {
        subscribe(cursorAt(2));
        replays.job().target.tooSlow();
        assertThat(sink.closedSlow).isTrue();
    }

    @Test
    void rewindOfAHotChannelIsServedFromMemoryThenGoesLiveWithNothingBetween() {
        live.next = 3;
        subscribe(null); // a subscriber here: fan-out keeps the channel's recent events
        for (long offset = 3; offset < 8; offset++) {
            live.fanOut(offset);
        }
        FakeSink second = new FakeSink();
        startOn(second, SubscriptionService.Request.rewind(null, CHANNEL, 3));

        JsonNode subscribed = second.frame(0);
        assertThat(subscribed.get("found").asInt()).isEqualTo(3);
        assertThat(subscribed.get("complete").asBoolean()).isTrue();
        assertThat(Cursor.decode(subscribed.get("cursor").asText()).orElseThrow().offset()).isEqualTo(4);
        live.fanOut(8);
        assertThat(second.eventOffsets()).containsExactly(5L, 6L, 7L, 8L);
        assertThat(((FakeRewinds) parts.rewinds()).asked).as("Kafka was not read").isEmpty();
    }

    @Test
    void rewindOfMoreThanMemoryHoldsIsFoundInKafkaThenReplayedFromWhereTheScanBegan() {
        live.next = 3;
        subscribe(null);
        for (long offset = 3; offset < 6; offset++) {
            live.fanOut(offset); // the ring began when this subscriber came: it holds 3, 4 and 5 only
        }
        FakeRewinds rewinds = (FakeRewinds) parts.rewinds();
        rewinds.found = new RewindReads.Found(LongStream.range(2, 6).mapToObj(o -> new RewindReads.Event(o,
                EventFrameEncoder.encode(RecordEvents.event(CHANNEL, EPOCH, record(o))))).toList(), 6, 300, true);
        FakeSink second = new FakeSink();
        startOn(second, SubscriptionService.Request.rewind(null, CHANNEL, 4));

        assertThat(rewinds.asked).containsExactly(4);
        ReplayJob job = replays.job();
        assertThat(job.after).as("the replay starts where the scan began: below it, the scan saw everything").isEqualTo(5);
        live.fanOut(6); // written while the replay is on its way: comes through it
        job.target.started();
        JsonNode subscribed = second.frame(0);
        assertThat(subscribed.get("found").asInt()).isEqualTo(4);
        assertThat(Cursor.decode(subscribed.get("cursor").asText()).orElseThrow().offset()).isEqualTo(1);
        replayed(job.target, 6);
        assertThat(job.target.tryGoLive(7)).isTrue();
        live.fanOut(7);
        assertThat(second.eventOffsets()).containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
    }

    private void startOn(FakeSink otherSink, SubscriptionService.Request request) {
        ConnectionSubscriptions other = new ConnectionSubscriptions();
        new SubscribeFlow(parts, otherSink, grant, NAMESPACE, other, other.reserve(CHANNEL), request).start();
    }

    private void subscribe(String since) {
        start(new SubscriptionService.Request(null, CHANNEL, since, false, null));
    }

    private void subscribeResuming() {
        start(new SubscriptionService.Request(null, CHANNEL, null, true,
                new DurableCursor.Key(TENANT, "alice", "device-1", CHANNEL.toString())));
    }

    private void start(SubscriptionService.Request request) {
        ConnectionSubscriptions.Slot slot = subscriptions.reserve(CHANNEL);
        new SubscribeFlow(parts, sink, grant, NAMESPACE, subscriptions, slot, request).start();
    }

    private void unsubscribe() {
        parts.end(subscriptions.release(CHANNEL.toString()));
    }

    private void assertNotRecovered(String reason) {
        JsonNode subscribed = sink.frame(0);
        assertThat(subscribed.get("type").asText()).isEqualTo("subscribed");
        assertThat(subscribed.get("recovered").asBoolean()).isFalse();
        assertThat(subscribed.get("reason").asText()).isEqualTo(reason);
        assertThat(started).hasSize(1);
    }

    private static String cursorAt(long offset) {
        return new Cursor(EPOCH, TP.partition(), offset).encode();
    }

    private static void replayed(ReplayTarget target, long... offsets) {
        for (long offset : offsets) {
            ConsumerRecord<String, byte[]> r = record(offset);
            if (target.wants(r)) {
                ReplayTarget.Batch batch = target.newBatch();
                OutboundFrame frame = target.encode(r, target.subjectOf(r));
                batch.track(frame);
                target.replayed(offset, frame, batch);
                batch.dispatch();
            }
        }
    }

    private static ConsumerRecord<String, byte[]> record(long offset) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader(RecordEvents.SUBJECT_HEADER, CHANNEL.subject().getBytes(StandardCharsets.UTF_8)));
        return new ConsumerRecord<>(TOPIC, TP.partition(), offset, 1000L, TimestampType.CREATE_TIME, -1, -1, TENANT,
                ("{\"n\":" + offset + "}").getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }

    private static final class FakeSink implements EventSink {
        final List<String> frames = new ArrayList<>();
        volatile boolean open = true;
        volatile boolean closedSlow;

        @Override
        public synchronized void send(String frame) {
            frames.add(frame);
        }

        @Override
        public boolean isBackedUp() {
            return false;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void closeSlow() {
            closedSlow = true;
        }

        @Override
        public String connectionId() {
            return "c1";
        }

        synchronized JsonNode frame(int i) {
            assertThat(frames).hasSizeGreaterThan(i);
            try {
                return JSON.readTree(frames.get(i));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        synchronized List<Long> eventOffsets() {
            List<Long> offsets = new ArrayList<>();
            for (int i = 0; i < frames.size(); i++) {
                JsonNode f = frame(i);
                if (f.get("type").asText().equals("event")) {
                    offsets.add(Cursor.decode(f.get("cursor").asText()).orElseThrow().offset());
                }
            }
            return offsets;
        }
    }

    @Vetoed // a test double, not a bean for the @QuarkusTest suites
    private static final class FakeDurableCursors extends DurableCursorStore {
        CompletionStage<Optional<Cursor>> lookup = CompletableFuture.completedFuture(Optional.empty());

        @Override
        public CompletionStage<Optional<Cursor>> lookup(DurableCursor.Key key) {
            return lookup;
        }
    }

    @Vetoed
    private static final class FakeEpochs extends TopicEpochs {
        CompletableFuture<Epoch> epoch = CompletableFuture.completedFuture(EPOCH);

        @Override
        public CompletionStage<Epoch> epochOf(String topic) {
            return epoch;
        }
    }

    /** The live consumer's side of the seam: one partition, with fan-out played by {@link #fanOut}. */
    @Vetoed
    private final class FakeLive extends LivePositions {
        long next = 0;
        boolean ready = true;
        int acquired;
        int released;

        @Override
        public void acquire(TopicPartition tp) {
            acquired++;
        }

        @Override
        public void release(TopicPartition tp) {
            released++;
        }

        @Override
        public <T> CompletionStage<T> atSeam(TopicPartition tp, Duration timeout, LongFunction<T> action) {
            return ready ? CompletableFuture.completedFuture(atSeamNow(tp, action))
                    : CompletableFuture.failedFuture(new TimeoutException());
        }

        @Override
        public synchronized <T> T atSeamNow(TopicPartition tp, LongFunction<T> action) {
            return action.apply(next);
        }

        @Override
        public synchronized long next(TopicPartition tp) {
            return next;
        }

        @Override
        public long readingSince(TopicPartition tp) {
            return 0;
        }

        /** What fan-out does with a record of the subscribed channel, under the seam lock. */
        synchronized void fanOut(long offset) {
            ConsumerRecord<String, byte[]> r = record(offset);
            String frame = EventFrameEncoder.encode(RecordEvents.event(CHANNEL, EPOCH, r));
            SubscriptionIndex.NamespaceSubscribers here = index.find(TENANT, NAMESPACE.name());
            if (here != null) {
                here.recent.record(rewindMemory, CHANNEL.subject(), true, false, EPOCH, offset, frame);
            }
            for (Subscription s : index.subscribersOf(TENANT, NAMESPACE.name(), CHANNEL.subject())) {
                s.deliverLive(offset, frame);
            }
            next = offset + 1;
        }
    }

    private record ReplayJob(long after, ReplayTarget target) {
    }

    /** The backward scan of Kafka: answers what the test set, records what was asked. */
    @Vetoed
    private static final class FakeRewinds extends RewindReads {
        final List<Integer> asked = new ArrayList<>();
        RewindReads.Found found;

        @Override
        public CompletionStage<RewindReads.Found> lastMatching(TopicPartition tp,
                int n, java.util.function.Function<ConsumerRecord<String, byte[]>, String> encode) {
            asked.add(n);
            return CompletableFuture.completedFuture(found);
        }
    }

    @Vetoed
    private static final class FakeReplays extends ReplayWorkers {
        final List<ReplayJob> jobs = new ArrayList<>();
        boolean full;

        @Override
        public boolean replay(String tenant, TopicPartition partition, long after, ReplayTarget target) {
            assertThat(tenant).isEqualTo(TENANT);
            assertThat(partition).isEqualTo(TP);
            if (full) {
                return false;
            }
            jobs.add(new ReplayJob(after, target));
            return true;
        }

        ReplayJob job() {
            assertThat(jobs).hasSize(1);
            return jobs.get(0);
        }
    }
}
