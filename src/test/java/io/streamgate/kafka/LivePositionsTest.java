package io.streamgate.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interleavings of interest-based assignment that the Quarkus test cannot force: decisions taken on
 * subscriber threads, carried out later on the polling thread. The consumer side is a recorder here; the
 * real consumer is exercised by InterestAssignmentTest.
 */
class LivePositionsTest {

    private static final TopicPartition TP = new TopicPartition("inventory-events", 0);

    /** What the positions asked the polling thread to do, in order. */
    static final class RecordingControl extends LiveConsumerControl {
        final List<String> commands = new ArrayList<>();
        final List<Long> generations = new ArrayList<>();

        @Override
        void startReading(TopicPartition tp, long generation) {
            commands.add("start");
            generations.add(generation);
        }

        @Override
        void stopReading(TopicPartition tp, long generation) {
            commands.add("stop");
            generations.add(generation);
        }
    }

    private final RecordingControl control = new RecordingControl();
    private final LivePositions positions = new LivePositions();

    LivePositionsTest() {
        positions.consumer = control;
        positions.interestOnly = true;
    }

    @Test
    void aPartitionNobodyWantsIsPausedOnAssignmentAndStartedByTheFirstSubscriber() throws Exception {
        assertThat(positions.assigned(TP, 100)).isEqualTo(LivePositions.NOT_READ);
        CompletableFuture<Long> seam = positions.atSeam(TP, Duration.ofSeconds(5), next -> next).toCompletableFuture();
        positions.acquire(TP);
        positions.acquire(TP); // a second subscriber does not start it twice
        assertThat(control.commands).containsExactly("start");
        assertThat(seam).isNotDone();

        positions.startedReading(TP, control.generations.get(0), 120);
        assertThat(seam.get(1, TimeUnit.SECONDS)).isEqualTo(120);
        assertThat(positions.isReading(TP)).isTrue();
    }

    @Test
    void aStartOvertakenByTheLastSubscribersDepartureIsDroppedOnThePollingThread() {
        positions.assigned(TP, 100);
        positions.acquire(TP);
        positions.release(TP); // release delay zero: stop decided before the start command ran
        assertThat(control.commands).containsExactly("start", "stop");
        long start = control.generations.get(0);
        long stop = control.generations.get(1);
        assertThat(positions.isCurrent(TP, start)).isFalse();
        assertThat(positions.isCurrent(TP, stop)).isTrue();

        positions.startedReading(TP, start, 120); // the superseded start reports late: ignored
        assertThat(positions.isReading(TP)).isFalse();
    }

    @Test
    void recordsOfAnUnreadPartitionAreNotFannedOutAndItIsPausedAgainOnce() {
        positions.assigned(TP, 100);
        List<Long> fannedOut = new ArrayList<>();
        positions.dispatch(TP, List.of(record(100), record(101)), r -> fannedOut.add(r.offset()));
        positions.dispatch(TP, List.of(record(102)), r -> fannedOut.add(r.offset()));
        assertThat(fannedOut).isEmpty();
        assertThat(control.commands).containsExactly("stop");

        positions.paused(TP, control.generations.get(0)); // carried out; then resumed behind our back again
        positions.dispatch(TP, List.of(record(103)), r -> fannedOut.add(r.offset()));
        assertThat(fannedOut).isEmpty();
        assertThat(control.commands).containsExactly("stop", "stop");
    }

    @Test
    void aReadPartitionFansOutFromItsPositionAndKeepsItAcrossAReassignment() {
        positions.acquire(TP);
        assertThat(positions.assigned(TP, 100)).isEqualTo(100);
        List<Long> fannedOut = new ArrayList<>();
        positions.dispatch(TP, List.of(record(99), record(100), record(101)), r -> fannedOut.add(r.offset()));
        assertThat(fannedOut).containsExactly(100L, 101L);
        // Reassigned after a rebalance at the end of the log: read on from where fan-out stopped.
        assertThat(positions.assigned(TP, 150)).isEqualTo(102);
    }

    @Test
    void withAssignmentAllEveryPartitionIsReadAndInterestIsNotCounted() {
        positions.interestOnly = false;
        positions.acquire(TP);
        positions.release(TP);
        assertThat(control.commands).isEmpty();
        assertThat(positions.assigned(TP, 7)).isEqualTo(7);
        assertThat(positions.isReading(TP)).isTrue();
    }

    private static ConsumerRecord<String, byte[]> record(long offset) {
        return new ConsumerRecord<>(TP.topic(), TP.partition(), offset, "tenant", new byte[0]);
    }
}
