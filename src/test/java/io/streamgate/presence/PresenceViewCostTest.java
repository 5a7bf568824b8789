package io.streamgate.presence;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, item 11: a presence query, a join or leave, and a sweep with nothing due cost in proportion to the
 * channel (or to what expires), not to every member of the cluster. The view holds 200,000 members of other
 * channels; 20,000 queries of a small channel must not walk them (scanning them would take minutes).
 */
class PresenceViewCostTest {

    private static final long FAR = Long.MAX_VALUE / 2;

    @Test
    void queriesJoinsLeavesAndIdleSweepsDoNotWalkTheWholeCluster() {
        PresenceView view = new PresenceView();
        for (int i = 0; i < 200_000; i++) {
            view.upsert(new PresenceRecord("big", "chat:room-" + (i % 1000), "c" + i, "u" + i, null, FAR));
        }
        view.upsert(new PresenceRecord("acme", "chat:lobby", "c-a1", "alice", null, FAR));
        view.upsert(new PresenceRecord("acme", "chat:lobby", "c-a2", "alice", null, FAR));
        view.upsert(new PresenceRecord("acme", "chat:lobby", "c-b1", "bob", null, FAR));

        long started = System.nanoTime();
        for (int i = 0; i < 20_000; i++) {
            assertThat(view.members("acme", "chat:lobby")).hasSize(2);
            assertThat(view.expire(1_000)).isEmpty();
            assertThat(view.upsert(new PresenceRecord("acme", "chat:lobby", "c-x", "carol", null, FAR))).hasSize(1);
            assertThat(view.remove(PresenceRecord.key("acme", "c-x", "chat:lobby"))).hasSize(1);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        // Walking 200,000 members per call would take minutes here; per channel it takes milliseconds. A generous ceiling.
        assertThat(millis).as("20,000 rounds took %d ms", millis).isLessThan(10_000);
    }

    @Test
    void membersJoinWithTheirFirstConnectionLeaveWithTheirLastAndExpireInOrder() {
        PresenceView view = new PresenceView();
        assertThat(view.upsert(new PresenceRecord("acme", "chat:a", "c1", "alice", null, 100))).hasSize(1);
        assertThat(view.upsert(new PresenceRecord("acme", "chat:a", "c2", "alice", null, 300))).isEmpty();
        assertThat(view.upsert(new PresenceRecord("acme", "chat:a", "c3", "bob", null, 200))).hasSize(1);
        assertThat(view.upsert(new PresenceRecord("other", "chat:a", "c4", "alice", null, 100))).hasSize(1);
        assertThat(view.members("acme", "chat:a")).extracting(m -> m.sub()).containsExactly("alice", "bob");

        // A renewal moves an entry's expiry: c1 renewed to 400 does not expire at 150.
        assertThat(view.upsert(new PresenceRecord("acme", "chat:a", "c1", "alice", null, 400))).isEmpty();
        assertThat(view.expire(150)).extracting(c -> c.tenant() + "/" + c.member().sub()).containsExactly("other/alice");
        assertThat(view.expire(250)).extracting(c -> c.member().sub()).containsExactly("bob");
        assertThat(view.expire(350)).isEmpty(); // c2 went, c1 (renewed) keeps alice in
        assertThat(view.members("acme", "chat:a")).extracting(m -> m.sub()).containsExactly("alice");
        assertThat(view.remove(PresenceRecord.key("acme", "c1", "chat:a"))).hasSize(1);
        assertThat(view.members("acme", "chat:a")).isEmpty();
        assertThat(view.expire(Long.MAX_VALUE)).isEmpty();
    }
}
