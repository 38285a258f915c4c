package io.cairn.raft.transport;

import static io.cairn.raft.transport.RecordingHandler.numbered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The small pure pieces of the transport. */
class TransportPiecesTest {

    @Nested
    @DisplayName("BoundedMessageQueue")
    class Queue {
        private final byte[] kib = new byte[1000];

        @Test
        @DisplayName("refuses past the message bound, and again after a poll makes room accepts")
        void messageBound() {
            BoundedMessageQueue q = new BoundedMessageQueue(3, Long.MAX_VALUE);
            assertThat(q.offer(numbered(1, 2, 0, 1, null))).isTrue();
            assertThat(q.offer(numbered(1, 2, 1, 1, null))).isTrue();
            assertThat(q.offer(numbered(1, 2, 2, 1, null))).isTrue();
            assertThat(q.offer(numbered(1, 2, 3, 1, null))).isFalse();
            assertThat(q.size()).isEqualTo(3);
            assertThat(q.pollBatch(1, Long.MAX_VALUE)).hasSize(1);
            assertThat(q.offer(numbered(1, 2, 3, 1, null))).isTrue();
        }

        @Test
        @DisplayName("refuses past the byte bound; bytes go back down when polled")
        void byteBound() {
            GroupMessage m = numbered(1, 2, 0, 1, kib);
            long size = m.message().sizeBytes();
            BoundedMessageQueue q = new BoundedMessageQueue(100, 2 * size + size / 2);
            assertThat(q.offer(m)).isTrue();
            assertThat(q.offer(m)).isTrue();
            assertThat(q.offer(m)).isFalse();
            assertThat(q.bytes()).isEqualTo(2 * size);
            q.pollBatch(10, Long.MAX_VALUE);
            assertThat(q.bytes()).isZero();
            assertThat(q.isEmpty()).isTrue();
        }

        @Test
        @DisplayName("a batch stops at either limit, keeps order, and always holds at least one message")
        void batches() {
            BoundedMessageQueue q = new BoundedMessageQueue(100, Long.MAX_VALUE);
            for (int i = 0; i < 10; i++) {
                q.offer(numbered(1, 2, i, 3, kib));
            }
            long size = numbered(1, 2, 0, 3, kib).message().sizeBytes();
            assertThat(RecordingHandler.sequence(q.pollBatch(3, Long.MAX_VALUE))).containsExactly(0L, 1L, 2L);
            assertThat(RecordingHandler.sequence(q.pollBatch(100, 2 * size))).containsExactly(3L, 4L);
            assertThat(RecordingHandler.sequence(q.pollBatch(100, 1))).containsExactly(5L);
            assertThat(RecordingHandler.sequence(q.pollBatch(100, Long.MAX_VALUE))).containsExactly(6L, 7L, 8L, 9L);
            assertThat(q.pollBatch(100, Long.MAX_VALUE)).isEmpty();
        }

        @Test
        @DisplayName("clear drops everything and reports how much")
        void clear() {
            BoundedMessageQueue q = new BoundedMessageQueue(100, Long.MAX_VALUE);
            q.offer(numbered(1, 2, 0, 1, kib));
            q.offer(numbered(1, 2, 1, 1, kib));
            assertThat(q.clear()).isEqualTo(2);
            assertThat(q.bytes()).isZero();
            assertThat(q.size()).isZero();
        }
    }

    @Nested
    @DisplayName("ReconnectBackoff")
    class Backoff {
        private final ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(50), Duration.ofSeconds(2));

        @Test
        @DisplayName("the base doubles per failure from min and stops at max")
        void doubling() {
            assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 100, Integer.MAX_VALUE).stream().map(b::baseMillis))
                    .containsExactly(50L, 100L, 200L, 400L, 800L, 1600L, 2000L, 2000L, 2000L);
        }

        @Test
        @DisplayName("the delay lies in [base/2, base]")
        void jitter() {
            assertThat(b.delayMillis(3, 0.0)).isEqualTo(100);
            assertThat(b.delayMillis(3, 0.5)).isEqualTo(150);
            assertThat(b.delayMillis(3, 0.999_999)).isBetween(199L, 200L);
            assertThat(b.delayMillis(1, 0.0)).isEqualTo(25);
        }
    }

    @Nested
    @DisplayName("GrpcTransportOptions")
    class Options {
        @Test
        @DisplayName("defaults are valid and withers change one setting")
        void defaults() {
            GrpcTransportOptions d = GrpcTransportOptions.defaults();
            assertThat(d.queueCapacityMessages()).isEqualTo(8192);
            assertThat(d.snapshotChunkBytes()).isEqualTo(1 << 20);
            GrpcTransportOptions o = d.withSnapshotChunkBytes(4096).withQueueCapacity(10, 1000);
            assertThat(o.snapshotChunkBytes()).isEqualTo(4096);
            assertThat(o.queueCapacityMessages()).isEqualTo(10);
            assertThat(o.maxBatchMessages()).isEqualTo(d.maxBatchMessages());
        }

        @Test
        @DisplayName("bad values are refused with the number and what was expected")
        void validation() {
            GrpcTransportOptions d = GrpcTransportOptions.defaults();
            assertThatThrownBy(() -> d.withQueueCapacity(0, 1)).hasMessage("queueCapacityMessages: 0 (expected: > 0)");
            assertThatThrownBy(() -> d.withReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                    .hasMessageContaining("expected: 1ms <= min <= max");
            assertThatThrownBy(() -> d.withSnapshotChunkBytes(64 << 20))
                    .hasMessageContaining("snapshotChunkBytes: 67108864 (expected: <= 67043328");
            assertThatThrownBy(() -> d.withMaxBatch(10, 40L << 20))
                    .hasMessageContaining("maxBatchBytes: 41943040 (expected: <= 33554432");
            assertThatThrownBy(() -> d.withKeepAliveTime(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("SnapshotReceiver.resolveSafely")
    class Paths {
        private final Path root = Path.of("/staging/snap-1");

        @Test
        @DisplayName("relative paths land under the staging directory")
        void safe() {
            assertThat(SnapshotReceiver.resolveSafely(root, "CURRENT")).isEqualTo(root.resolve("CURRENT"));
            assertThat(SnapshotReceiver.resolveSafely(root, "sst/a/000001.sst"))
                    .isEqualTo(root.resolve("sst/a/000001.sst"));
            assertThat(SnapshotReceiver.resolveSafely(root, "..data")).isEqualTo(root.resolve("..data"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "/etc/passwd", "../x", "a/../../x", "a/..", "./a", "a/./b", "a//b", "a/",
                "a\\..\\b", "."})
        @DisplayName("anything that could land elsewhere is refused")
        void unsafe(String path) {
            assertThatThrownBy(() -> SnapshotReceiver.resolveSafely(root, path))
                    .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("unsafe snapshot file path");
        }
    }
}
