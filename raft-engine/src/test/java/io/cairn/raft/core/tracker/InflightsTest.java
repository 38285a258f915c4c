package io.cairn.raft.core.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Ported from etcd's tracker/inflights_test.go, plus checks of the lazy growth and copies. */
@DisplayName("Inflights (append flow control)")
class InflightsTest {

    @Test
    @DisplayName("add without wrapping keeps order and sums bytes (etcd TestInflightsAdd)")
    void addNoRotation() {
        Inflights in = new Inflights(10, 0);
        for (int i = 0; i < 5; i++) {
            in.add(i, 100 + i);
        }
        assertThat(in.start()).isZero();
        assertThat(in.count()).isEqualTo(5);
        assertThat(in.bytes()).isEqualTo(510);
        assertThat(in.indexes()).containsExactly(0, 1, 2, 3, 4);
        for (int i = 5; i < 10; i++) {
            in.add(i, 100 + i);
        }
        assertThat(in.count()).isEqualTo(10);
        assertThat(in.bytes()).isEqualTo(1045);
        assertThat(in.indexes()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(in.full()).isTrue();
    }

    @Test
    @DisplayName("add wraps around the ring (etcd TestInflightsAdd, rotating case)")
    void addRotation() {
        Inflights in = new Inflights(10, 0);
        for (int i = 0; i <= 5; i++) {
            in.add(i, 1);
        }
        in.freeLE(4);
        assertThat(in.start()).isEqualTo(5);
        assertThat(in.count()).isEqualTo(1);
        for (int i = 6; i < 15; i++) {
            in.add(i, 1);
        }
        assertThat(in.start()).isEqualTo(5);
        assertThat(in.count()).isEqualTo(10);
        assertThat(in.bytes()).isEqualTo(10);
        assertThat(in.indexes()).containsExactly(5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
        assertThat(in.capacity()).isEqualTo(10);
    }

    @Test
    @DisplayName("freeLE frees everything up to the index, across the wrap (etcd TestInflightFreeTo)")
    void freeLE() {
        Inflights in = new Inflights(10, 0);
        for (int i = 0; i < 10; i++) {
            in.add(i, 100 + i);
        }
        in.freeLE(0);
        assertThat(in.start()).isEqualTo(1);
        assertThat(in.count()).isEqualTo(9);
        assertThat(in.bytes()).isEqualTo(1045 - 100);

        in.freeLE(4);
        assertThat(in.start()).isEqualTo(5);
        assertThat(in.count()).isEqualTo(5);
        assertThat(in.bytes()).isEqualTo(105 + 106 + 107 + 108 + 109);

        in.freeLE(8);
        assertThat(in.start()).isEqualTo(9);
        assertThat(in.count()).isEqualTo(1);
        assertThat(in.bytes()).isEqualTo(109);

        for (int i = 10; i < 15; i++) { // rotating case
            in.add(i, 100 + i);
        }
        in.freeLE(12);
        assertThat(in.start()).isEqualTo(3);
        assertThat(in.count()).isEqualTo(2);
        assertThat(in.bytes()).isEqualTo(113 + 114);
        assertThat(in.indexes()).containsExactly(13, 14);

        in.freeLE(14);
        assertThat(in.start()).as("an empty window restarts at 0").isZero();
        assertThat(in.count()).isZero();
        assertThat(in.bytes()).isZero();
    }

    @Test
    @DisplayName("freeLE below the window or on an empty window is a no-op")
    void freeLENoop() {
        Inflights in = new Inflights(4, 0);
        in.freeLE(100);
        assertThat(in.count()).isZero();
        in.add(5, 1);
        in.add(7, 1);
        in.freeLE(4);
        assertThat(in.indexes()).containsExactly(5, 7);
        in.freeLE(6);
        assertThat(in.indexes()).containsExactly(7);
    }

    static Stream<Arguments> fullCases() {
        // name, size, maxBytes, fullAt, freeLE, againAt — from etcd's TestInflightsFull.
        return Stream.of(
                Arguments.of("always-full", 0, 0L, 0, 0L, 0),
                Arguments.of("single-entry", 1, 0L, 1, 1L, 2),
                Arguments.of("single-entry-overflow", 1, 10L, 1, 1L, 2),
                Arguments.of("multi-entry", 15, 0L, 15, 6L, 22),
                Arguments.of("slight-overflow", 8, 400L, 4, 2L, 7),
                Arguments.of("exact-max-bytes", 8, 406L, 4, 3L, 8),
                Arguments.of("larger-overflow", 15, 408L, 5, 1L, 6));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fullCases")
    @DisplayName("full() enforces the count limit and the soft byte limit; add() on a full window throws (etcd TestInflightsFull)")
    void full(String name, int size, long maxBytes, int fullAt, long freeLE, int againAt) {
        Inflights in = new Inflights(size, maxBytes);
        addUntilFull(in, 0, fullAt);
        in.freeLE(freeLE);
        addUntilFull(in, fullAt, againAt);
        assertThatThrownBy(() -> in.add(100, 1024)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("full");
    }

    private static void addUntilFull(Inflights in, int begin, int end) {
        for (int i = begin; i < end; i++) {
            assertThat(in.full()).as("full at %d, want %d", i, end).isFalse();
            in.add(i, 100 + i);
        }
        assertThat(in.full()).as("not full at %d", end).isTrue();
    }

    @Test
    @DisplayName("reset frees everything; bytes do not leak across resets (etcd TestInflightsReset)")
    void reset() {
        Inflights in = new Inflights(10, 1000);
        long index = 0;
        for (int epoch = 0; epoch < 100; epoch++) {
            in.reset();
            for (int i = 0; i < 5; i++) {
                assertThat(in.full()).isFalse();
                index++;
                in.add(index, 16);
            }
            in.freeLE(index - 2);
            assertThat(in.full()).isFalse();
            assertThat(in.count()).isEqualTo(2);
            assertThat(in.bytes()).isEqualTo(32);
        }
        in.freeLE(index);
        assertThat(in.count()).isZero();
        assertThat(in.bytes()).isZero();
    }

    @Test
    @DisplayName("the ring buffer grows lazily by doubling, capped at the count limit")
    void lazyGrowth() {
        Inflights in = new Inflights(10, 0);
        assertThat(in.capacity()).isZero();
        int[] expected = {1, 2, 4, 4, 8, 8, 8, 8, 10, 10};
        for (int i = 0; i < 10; i++) {
            in.add(i, 1);
            assertThat(in.capacity()).as("after %d adds", i + 1).isEqualTo(expected[i]);
        }
        // A window that never holds more than one entry never grows past one slot.
        Inflights small = new Inflights(100, 0);
        for (int i = 0; i < 50; i++) {
            small.add(i, 1);
            small.freeLE(i);
        }
        assertThat(small.capacity()).isEqualTo(1);
    }

    @Test
    @DisplayName("copy is deep: changes to the copy do not affect the original")
    void copyIsDeep() {
        Inflights in = new Inflights(4, 100);
        in.add(1, 10);
        in.add(2, 20);
        Inflights c = in.copy();
        assertThat(c.count()).isEqualTo(2);
        assertThat(c.bytes()).isEqualTo(30);
        assertThat(c.maxCount()).isEqualTo(4);
        assertThat(c.maxBytes()).isEqualTo(100);
        assertThat(c.indexes()).containsExactly(1, 2);
        c.freeLE(1);
        c.add(3, 5);
        assertThat(in.indexes()).containsExactly(1, 2);
        assertThat(in.bytes()).isEqualTo(30);
        assertThat(c.indexes()).containsExactly(2, 3);
        assertThat(in.toString()).isEqualTo("Inflights{count=2/4, bytes=30/100, indexes=[1, 2]}");
    }

    @Test
    @DisplayName("negative limits are rejected")
    void validation() {
        assertThatThrownBy(() -> new Inflights(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Inflights(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
