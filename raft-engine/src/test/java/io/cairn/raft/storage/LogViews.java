package io.cairn.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.core.LogStorage;
import io.cairn.raft.core.StorageException;
import java.util.Random;
import java.util.function.Supplier;

/** Compares what two {@link LogStorage}s answer, errors included. */
final class LogViews {

    private LogViews() {
    }

    /**
     * The answer of a read: its value, or a description of its error. Storage errors compare by kind
     * and message (the same factories build them); other errors by class only.
     */
    static Object answer(Supplier<?> read) {
        try {
            return read.get();
        } catch (StorageException e) {
            return "StorageException " + e.kind() + ": " + e.getMessage();
        } catch (RuntimeException e) {
            return "throws " + e.getClass().getSimpleName();
        }
    }

    /**
     * Asserts that {@code actual} answers every read as {@code expected} does: bounds, initial state,
     * snapshot metadata, terms around both ends, the whole log, and {@code queries} random ranges with
     * random size limits (including out-of-range ones).
     */
    static void assertSameView(String what, LogStorage expected, LogStorage actual, Random rnd, int queries) {
        long first = expected.firstIndex();
        long last = expected.lastIndex();
        assertThat(actual.firstIndex()).as("%s firstIndex", what).isEqualTo(first);
        assertThat(actual.lastIndex()).as("%s lastIndex", what).isEqualTo(last);
        assertThat(actual.initialState()).as("%s initialState", what).isEqualTo(expected.initialState());
        assertThat(actual.snapshot().metadata()).as("%s snapshot", what).isEqualTo(expected.snapshot().metadata());
        assertThat(actual.snapshot().data()).as("%s snapshot data", what).isEmpty();
        for (long i = first - 3; i <= last + 2; i++) {
            if (i > first + 3 && i < last - 3) {
                i = last - 3; // the ends are where the bugs are; the middle is covered by the scan below
            }
            long index = i;
            assertThat(answer(() -> actual.term(index))).as("%s term(%d)", what, index)
                    .isEqualTo(answer(() -> expected.term(index)));
        }
        assertThat(answer(() -> actual.entries(first, last + 1, Long.MAX_VALUE))).as("%s all entries", what)
                .isEqualTo(answer(() -> expected.entries(first, last + 1, Long.MAX_VALUE)));
        for (int q = 0; q < queries; q++) {
            long lo = first - 2 + rnd.nextInt((int) (last - first + 5));
            long hi = lo + rnd.nextInt((int) Math.max(1, last + 3 - lo));
            long maxSize = switch (rnd.nextInt(4)) {
                case 0 -> 0;
                case 1 -> Long.MAX_VALUE;
                default -> rnd.nextInt(400);
            };
            assertThat(answer(() -> actual.entries(lo, hi, maxSize)))
                    .as("%s entries(%d, %d, %d)", what, lo, hi, maxSize)
                    .isEqualTo(answer(() -> expected.entries(lo, hi, maxSize)));
            long index = first - 2 + rnd.nextInt((int) (last - first + 5));
            assertThat(answer(() -> actual.term(index))).as("%s term(%d)", what, index)
                    .isEqualTo(answer(() -> expected.term(index)));
        }
    }
}
