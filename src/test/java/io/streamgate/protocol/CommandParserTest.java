package io.streamgate.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandParserTest {

    private final CommandParser parser = new CommandParser();

    @Test
    void readsTypeAndIdOfEitherKind() {
        assertThat(parser.parse("{\"type\":\"subscribe\",\"id\":\"a1\"}").id().textValue()).isEqualTo("a1");
        assertThat(parser.parse("{\"type\":\"subscribe\",\"id\":7}").id().longValue()).isEqualTo(7);
        assertThat(parser.parse("{\"type\":\"ack\"}").id()).isNull();
    }

    @Test
    void refusesFloatingPointAndObjectIds() {
        assertThatThrownBy(() -> parser.parse("{\"type\":\"x\",\"id\":1.5}")).isInstanceOf(CommandException.class);
        assertThatThrownBy(() -> parser.parse("{\"type\":\"x\",\"id\":{}}")).isInstanceOf(CommandException.class);
    }

    @Test
    void deeplyNestedInputIsRefusedWithoutAStackOverflow() {
        String deep = "{\"type\":\"x\",\"data\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        assertThatThrownBy(() -> parser.parse(deep)).isInstanceOf(CommandException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void fieldAccessorsExplainWhatIsWrong() {
        Command c = parser.parse("{\"type\":\"subscribe\",\"channel\":5,\"resume\":\"yes\"}");
        assertThatThrownBy(() -> c.requireString("channel")).hasMessage("'channel' must be a string");
        assertThatThrownBy(() -> c.requireString("missing")).hasMessage("'missing' is required");
        assertThatThrownBy(() -> c.optionalBoolean("resume")).hasMessage("'resume' must be true or false");
        assertThat(c.optionalString("since")).isNull();
    }

    @Test
    void errorForAMissingTypeKeepsTheIdToEcho() {
        assertThatThrownBy(() -> parser.parse("{\"id\":\"q\"}"))
                .isInstanceOfSatisfying(CommandException.class, e -> assertThat(e.commandId().textValue()).isEqualTo("q"));
    }
}
