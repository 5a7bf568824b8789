package io.streamgate.stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CursorTest {

    private static final Epoch EPOCH = new Epoch("28mGBR5uQduCztE4xdaBQw", 3);

    @Test
    void encodesAndDecodesToTheSamePosition() {
        Cursor cursor = new Cursor(EPOCH, 2, 1045);
        assertThat(cursor.encode()).isEqualTo("28mGBR5uQduCztE4xdaBQw.3.2.1045");
        assertThat(Cursor.decode(cursor.encode())).contains(cursor);
    }

    @Test
    void positionBeforeTheFirstRecordIsMinusOne() {
        assertThat(Cursor.decode("28mGBR5uQduCztE4xdaBQw.3.0.-1")).contains(new Cursor(EPOCH, 0, -1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "28mGBR5uQduCztE4xdaBQw.3.2", "28mGBR5uQduCztE4xdaBQw.3.3.10",
            "28mGBR5uQduCztE4xdaBQw.0.0.10", "28mGBR5uQduCztE4xdaBQw.3.0.-2", "short.3.0.1",
            "28mGBR5uQduCztE4xdaBQw.3.0.99999999999999999999", "28mGBR5uQduCztE4xdaBQw.3.0.1.extra",
            "28mGBR5uQduCztE4xdaBQ!.3.0.1"})
    void refusesWhatThisServerCouldNotHaveIssued(String text) {
        assertThat(Cursor.decode(text)).isEmpty();
    }

    @Test
    void nullIsNotACursor() {
        assertThat(Cursor.decode(null)).isEmpty();
    }

    @Test
    void partitionMustExistInTheEpoch() {
        assertThatThrownBy(() -> new Cursor(EPOCH, 3, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void orderIsOnlyDefinedWithinOneStream() {
        Cursor a = new Cursor(EPOCH, 1, 5);
        assertThat(new Cursor(EPOCH, 1, 6).isAfter(a)).isTrue();
        assertThat(new Cursor(EPOCH, 1, 5).isAfter(a)).isFalse();
        assertThat(new Cursor(EPOCH, 2, 9).isAfter(a)).isFalse();
        assertThat(new Cursor(new Epoch("AAAAAAAAAAAAAAAAAAAAAA", 3), 1, 9).isAfter(a)).isFalse();
    }
}
