package io.cairn.raft.storage;

import io.cairn.raft.core.Entry;
import io.cairn.raft.core.HardState;
import io.cairn.raft.core.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@link LogWriteBatch} of {@link RocksLogStore}: a list of operations, validated and encoded
 * only when committed. Not thread-safe; may be committed once.
 */
final class RocksLogWriteBatch implements LogWriteBatch {

    /** One operation of the batch, in call order. */
    sealed interface Op permits Append, SetHardState, SetSnapshot, Compact {
        long groupId();
    }

    record Append(long groupId, List<Entry> entries) implements Op {
    }

    record SetHardState(long groupId, HardState hardState) implements Op {
    }

    record SetSnapshot(long groupId, SnapshotMetadata metadata, boolean discardLog) implements Op {
    }

    record Compact(long groupId, long index) implements Op {
    }

    /** Bytes counted per non-append operation by {@link #sizeBytes()}. */
    private static final long OP_OVERHEAD_BYTES = 32;

    private final List<Op> ops = new ArrayList<>();
    private long sizeBytes;
    private boolean committed;

    @Override
    public LogWriteBatch append(long groupId, List<Entry> entries) {
        checkOpen();
        List<Entry> copy = List.copyOf(entries);
        for (int i = 1; i < copy.size(); i++) {
            if (copy.get(i).index() != copy.get(i - 1).index() + 1) {
                throw new IllegalArgumentException("entries are not contiguous: index " + copy.get(i).index()
                        + " follows " + copy.get(i - 1).index());
            }
        }
        if (!copy.isEmpty() && copy.get(0).index() < 1) {
            throw new IllegalArgumentException("entry index " + copy.get(0).index() + " (expected: >= 1)");
        }
        ops.add(new Append(groupId, copy));
        for (Entry e : copy) {
            sizeBytes += e.sizeBytes();
        }
        return this;
    }

    @Override
    public LogWriteBatch setHardState(long groupId, HardState hardState) {
        checkOpen();
        ops.add(new SetHardState(groupId, Objects.requireNonNull(hardState, "hardState")));
        sizeBytes += OP_OVERHEAD_BYTES;
        return this;
    }

    @Override
    public LogWriteBatch setSnapshot(long groupId, SnapshotMetadata metadata, boolean discardLog) {
        checkOpen();
        ops.add(new SetSnapshot(groupId, Objects.requireNonNull(metadata, "metadata"), discardLog));
        sizeBytes += OP_OVERHEAD_BYTES;
        return this;
    }

    @Override
    public LogWriteBatch compact(long groupId, long index) {
        checkOpen();
        ops.add(new Compact(groupId, index));
        sizeBytes += OP_OVERHEAD_BYTES;
        return this;
    }

    @Override
    public boolean isEmpty() {
        return ops.isEmpty();
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    List<Op> ops() {
        return ops;
    }

    /** Marks the batch committed; a batch is committed at most once. */
    void seal() {
        checkOpen();
        committed = true;
    }

    private void checkOpen() {
        if (committed) {
            throw new IllegalStateException("batch already committed");
        }
    }
}
