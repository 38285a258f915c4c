package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Raft entry encoding of store commands (docs/storage-format.md), single and batched. */
class StoreCommandTest {
    private static StoreCommand command(long seq, long mapVersion, String... args) {
        byte[][] argv = Arrays.stream(args).map(String::getBytes).toArray(byte[][]::new);
        return new StoreCommand(9, seq, seq - 1, 1_000 + seq, 77 * seq, argv, mapVersion);
    }

    private static void assertSame(StoreCommand actual, StoreCommand expected) {
        assertThat(actual.session()).isEqualTo(expected.session());
        assertThat(actual.seq()).isEqualTo(expected.seq());
        assertThat(actual.acked()).isEqualTo(expected.acked());
        assertThat(actual.now()).isEqualTo(expected.now());
        assertThat(actual.seed()).isEqualTo(expected.seed());
        assertThat(actual.mapVersion()).isEqualTo(expected.mapVersion());
        assertThat(actual.argv()).isDeepEqualTo(expected.argv());
    }

    @Test
    void aBatchDecodesToItsCommandsInOrder() {
        List<StoreCommand> commands = List.of(command(1, 0, "set", "a", "1"), command(2, 5, "incr", "b"),
                command(3, 5, "set", "c", ""));
        byte[] data = StoreCommand.encodeBatch(commands);
        assertThat(StoreCommand.isBatch(data)).isTrue();
        assertThat(StoreCommand.isBatch(commands.get(0).encode())).isFalse();
        assertThat(StoreCommand.isBatch(commands.get(1).encode())).isFalse();
        List<StoreCommand> decoded = StoreCommand.decodeBatch(data);
        assertThat(decoded).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertSame(decoded.get(i), commands.get(i));
        }
    }

    @Test
    void aBatchHoldsTwoToMaxBatchCommands() {
        List<StoreCommand> max = new ArrayList<>();
        for (int i = 1; i <= StoreCommand.MAX_BATCH; i++) {
            max.add(command(i, 0, "set", "k" + i, "v"));
        }
        assertThat(StoreCommand.decodeBatch(StoreCommand.encodeBatch(max))).hasSize(StoreCommand.MAX_BATCH);
        assertThatThrownBy(() -> StoreCommand.encodeBatch(List.of(command(1, 0, "ping"))))
                .isInstanceOf(IllegalArgumentException.class);
        List<StoreCommand> tooMany = new ArrayList<>(max);
        tooMany.add(command(999, 0, "set", "x", "y"));
        assertThatThrownBy(() -> StoreCommand.encodeBatch(tooMany)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCorruptBatchIsRefusedNotAllocatedFrom() {
        byte[] data = StoreCommand.encodeBatch(List.of(command(1, 0, "set", "a", "1"), command(2, 0, "set", "b", "2")));
        byte[] hugeCount = data.clone();
        ByteBuffer.wrap(hugeCount).putInt(1, Integer.MAX_VALUE);
        assertThatThrownBy(() -> StoreCommand.decodeBatch(hugeCount)).isInstanceOf(IllegalArgumentException.class);
        byte[] hugeLength = data.clone();
        ByteBuffer.wrap(hugeLength).putInt(5, 1 << 30);
        assertThatThrownBy(() -> StoreCommand.decodeBatch(hugeLength)).isInstanceOf(IllegalArgumentException.class);
        byte[] truncated = Arrays.copyOf(data, data.length - 3);
        assertThatThrownBy(() -> StoreCommand.decodeBatch(truncated)).isInstanceOf(RuntimeException.class);
    }
}
