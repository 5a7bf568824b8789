package io.streamgate.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class ChannelNameTest {

    @Test
    void splitsNamespaceAndSubject() {
        ChannelName c = ChannelName.parse("inventory:sku-42", 200).channel().orElseThrow();
        assertThat(c.namespace()).isEqualTo("inventory");
        assertThat(c.subject()).isEqualTo("sku-42");
        assertThat(c.isWildcard()).isFalse();
        assertThat(c).hasToString("inventory:sku-42");
    }

    @Test
    void subjectMayContainColonsAndSlashes() {
        ChannelName c = ChannelName.parse("chat:room:1/thread|2", 200).channel().orElseThrow();
        assertThat(c.namespace()).isEqualTo("chat");
        assertThat(c.subject()).isEqualTo("room:1/thread|2");
    }

    @Test
    void wildcardCoversEverySubjectOfItsNamespaceOnly() {
        ChannelName all = ChannelName.parse("inventory:*", 200).channel().orElseThrow();
        assertThat(all.isWildcard()).isTrue();
        assertThat(all.covers(new ChannelName("inventory", "sku-1"))).isTrue();
        assertThat(all.covers(new ChannelName("orders", "sku-1"))).isFalse();
        assertThat(new ChannelName("inventory", "a").covers(new ChannelName("inventory", "b"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "inventory", ":sku", "inventory:", "inv entory:a", "inventory:a b", "inventory:a*",
            "inventory:<script>", "inventory:é", "inventory:a\u0000"})
    void refusesMalformedNames(String text) {
        ChannelName.Result result = ChannelName.parse(text, 200);
        assertThat(result.channel()).isEmpty();
        assertThat(result.problem()).isNotBlank();
    }

    @Test
    void refusesNamesOverTheLengthLimit() {
        assertThat(ChannelName.parse("inventory:" + "a".repeat(300), 200).problem()).contains("longer than 200");
    }

    @Test
    void recordSubjectsOutsideTheAlphabetMakeNoChannel() {
        assertThat(ChannelName.of("inventory", "sku 1")).isEmpty();
        assertThat(ChannelName.of("inventory", "")).isEmpty();
        assertThat(ChannelName.of("inventory", null)).isEmpty();
        assertThat(ChannelName.of("inventory", "sku-1")).isPresent();
    }
}
