package io.cairn.raft.storage;

import io.cairn.raft.core.Entry;
import io.cairn.raft.core.HardState;
import io.cairn.raft.core.SnapshotMetadata;
import java.util.List;

/**
 * Writes of one runtime loop iteration across many groups, made durable together by
 * {@link RaftLogStore#commit(LogWriteBatch)}. Operations on one group apply in call order, and are
 * checked against the group's log when the batch is committed (not when added).
 * Not thread-safe: one batch is built by one thread.
 */
public interface LogWriteBatch {

    /**
     * Appends entries, first truncating any existing entries at or after the first one's index
     * ({@code MemoryStorage.append}): entries at or below the compaction point are ignored, and the
     * first remaining one must be at most the last index + 1.
     *
     * @throws IllegalArgumentException if the entries are not contiguous or start below index 1
     */
    LogWriteBatch append(long groupId, List<Entry> entries);

    LogWriteBatch setHardState(long groupId, HardState hardState);

    /**
     * Records that the group's state machine installed (or took) a snapshot. When installing
     * ({@code discardLog}), the log is reset to start after it; otherwise only the metadata is
     * recorded so the snapshot can be sent to followers.
     */
    LogWriteBatch setSnapshot(long groupId, SnapshotMetadata metadata, boolean discardLog);

    /**
     * Discards entries up to and including {@code index} (at most the latest snapshot's index,
     * recorded by this batch or before). {@code term(index)} keeps answering.
     */
    LogWriteBatch compact(long groupId, long index);

    boolean isEmpty();

    /** Approximate bytes of the batch (for metrics and limits). */
    long sizeBytes();
}
