package io.streamgate.auth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GrantTest {

    private static Grant grant(String... subscribe) {
        return new Grant("acme", "alice", List.of(subscribe).stream().map(ChannelPattern::new).toList(), List.of(), 0, null);
    }

    @Test
    void exactPatternMatchesOnlyThatChannel() {
        Grant g = grant("chat:room-1");
        assertThat(g.maySubscribe("chat:room-1")).isTrue();
        assertThat(g.maySubscribe("chat:room-10")).isFalse();
        assertThat(g.maySubscribe("chat:*")).isFalse();
    }

    @Test
    void prefixPatternMatchesTheChannelsUnderIt() {
        Grant g = grant("chat:room-*");
        assertThat(g.maySubscribe("chat:room-1")).isTrue();
        assertThat(g.maySubscribe("chat:room-")).isTrue();
        assertThat(g.maySubscribe("chat:lobby")).isFalse();
        assertThat(g.maySubscribe("chat:*")).isFalse(); // a wildcard subscription needs the whole namespace
    }

    @Test
    void namespacePatternCoversTheWildcardSubscription() {
        Grant g = grant("inventory:*");
        assertThat(g.maySubscribe("inventory:*")).isTrue();
        assertThat(g.maySubscribe("inventory:sku-1")).isTrue();
        assertThat(g.maySubscribe("inventory2:sku-1")).isFalse();
    }

    @Test
    void emptyGrantAllowsNothing() {
        assertThat(grant().maySubscribe("inventory:sku-1")).isFalse();
        assertThat(grant().mayPublish("inventory:sku-1")).isFalse();
    }
}
