package io.streamgate.rewind;

import io.streamgate.stream.Epoch;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-channel ring of recent events and the rules that decide when it may serve a rewind. */
class EventRingTest {

    private static final Epoch EPOCH = new Epoch("28mGBR5uQduCztE4xdaBQw", 3);
    private static final Epoch NEXT_EPOCH = new Epoch("28mGBR5uQduCztE4xdaBQw", 6);

    @Test
    void keepsTheLastCapacityEventsOldestFirst() {
        EventRing ring = new EventRing(EPOCH, 10, 3);
        for (long o = 10; o < 15; o++) {
            ring.add(o, "f" + o);
        }
        assertThat(ring.size()).isEqualTo(3);
        assertThat(ring.last(3)).extracting(EventRing.Entry::offset).containsExactly(12L, 13L, 14L);
        assertThat(ring.last(2)).extracting(EventRing.Entry::frame).containsExactly("f13", "f14");
        assertThat(ring.coveredFrom()).isEqualTo(10);
        assertThat(ring.bytes()).isEqualTo(3 * EventRing.cost("f10"));
        assertThatThrownBy(() -> ring.add(14, "again")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void servesOnlyWhatItProvablyCovers() {
        RewindMemory memory = new RewindMemory(1 << 20, 5);
        RecentEvents recent = new RecentEvents();
        recent.record(memory, "a", true, false, EPOCH, 100, "a100");
        recent.record(memory, "a", true, false, EPOCH, 105, "a105");
        recent.record(memory, "b", false, false, EPOCH, 106, "b106"); // b has no subscriber: no ring
        assertThat(frames(recent.last("a", 2, EPOCH, 50))).containsExactly("a100", "a105");
        assertThat(recent.last("a", 3, EPOCH, 50)).as("fewer kept than asked").isNull();
        assertThat(recent.last("b", 1, EPOCH, 50)).isNull();
        assertThat(recent.last("a", 1, NEXT_EPOCH, 50)).as("another epoch").isNull();
        assertThat(recent.last("a", 1, EPOCH, 101)).as("the live consumer restarted after the ring began").isNull();
        assertThat(recent.last("a", 1, EPOCH, -1)).as("the partition is not read").isNull();
        assertThat(recent.last(null, 1, EPOCH, 50)).as("no wildcard subscriber: no wildcard ring").isNull();
    }

    @Test
    void anEventThatGoesByUnkeptDropsTheRingsThatMissIt() {
        RewindMemory memory = new RewindMemory(1 << 20, 5);
        RecentEvents recent = new RecentEvents();
        recent.record(memory, "a", true, true, EPOCH, 1, "a1");
        recent.record(memory, "a", true, true, EPOCH, 2, "a2");
        assertThat(frames(recent.last(null, 2, EPOCH, 0))).containsExactly("a1", "a2");
        // The channel lost its subscribers while the wildcard kept its own: a's ring is dropped, the wildcard's fed.
        recent.record(memory, "a", false, true, EPOCH, 3, "a3");
        recent.record(memory, "a", true, true, EPOCH, 4, "a4");
        assertThat(recent.last("a", 2, EPOCH, 0)).as("a4 alone is known; a3 was not kept").isNull();
        assertThat(frames(recent.last("a", 1, EPOCH, 0))).containsExactly("a4");
        assertThat(frames(recent.last(null, 4, EPOCH, 0))).containsExactly("a1", "a2", "a3", "a4");
        // Fan-out found nobody for an event of b: the wildcard misses it.
        recent.passed("b");
        assertThat(recent.last(null, 1, EPOCH, 0)).isNull();
        assertThat(frames(recent.last("a", 1, EPOCH, 0))).containsExactly("a4");
        recent.close();
        assertThat(recent.last("a", 1, EPOCH, 0)).isNull();
        recent.record(memory, "a", true, true, EPOCH, 5, "a5");
        assertThat(recent.last("a", 1, EPOCH, 0)).as("closed: fed no more").isNull();
        assertThat(memory.used()).isZero();
    }

    @Test
    void theMemoryBudgetMakesRingsGiveUpTheirOldestAndIsGivenBack() {
        long one = EventRing.cost("x0");
        RewindMemory memory = new RewindMemory(4 * one, 100);
        RecentEvents first = new RecentEvents();
        RecentEvents second = new RecentEvents();
        for (int i = 0; i < 3; i++) {
            first.record(memory, "x", true, false, EPOCH, i, "x" + i);
        }
        for (int i = 0; i < 3; i++) {
            second.record(memory, "y", true, false, EPOCH, i, "y" + i);
        }
        assertThat(memory.used()).isLessThanOrEqualTo(4 * one);
        assertThat(frames(first.last("x", 3, EPOCH, 0))).containsExactly("x0", "x1", "x2");
        assertThat(second.last("y", 2, EPOCH, 0)).as("the ring over budget kept fewer").isNull();
        assertThat(frames(second.last("y", 1, EPOCH, 0))).containsExactly("y2");
        first.close();
        second.close();
        assertThat(memory.used()).isZero();
    }

    @Test
    void aNewEpochStartsANewRing() {
        RewindMemory memory = new RewindMemory(1 << 20, 5);
        RecentEvents recent = new RecentEvents();
        recent.record(memory, "a", true, false, EPOCH, 7, "old");
        recent.record(memory, "a", true, false, NEXT_EPOCH, 2, "new");
        assertThat(frames(recent.last("a", 1, NEXT_EPOCH, 0))).containsExactly("new");
        assertThat(recent.last("a", 2, NEXT_EPOCH, 0)).isNull();
        assertThat(memory.used()).isEqualTo(EventRing.cost("new"));
    }

    private static List<String> frames(List<RecentEvents.Frame> frames) {
        assertThat(frames).isNotNull();
        return frames.stream().map(RecentEvents.Frame::text).toList();
    }
}
