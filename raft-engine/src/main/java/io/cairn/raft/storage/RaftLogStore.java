package io.cairn.raft.storage;

import io.cairn.raft.core.ConfState;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The durable Raft log of every group hosted by one node, in one store so that one write and one
 * fsync serve many groups (group commit). Implementations are thread-safe.
 *
 * <p>Contract: {@link #commit(LogWriteBatch)} completes only once the batch is durable (unless the
 * store was opened in relaxed-durability mode); a node must not send a message that depends on a
 * batch (a vote, an append acknowledgement) before then. Batches committed concurrently may be
 * merged into one write with one fsync; a batch is applied atomically. One exception: a batch of
 * nothing but hard states that keep their groups' stored term and vote (commit-index changes,
 * which Raft does not need on disk) may complete before it is durable; it becomes durable with
 * the next write that is, and by a clean close.
 */
public interface RaftLogStore extends AutoCloseable {

    /** Ids of the groups that have state in this store (to reload them after a restart). */
    Set<Long> groups();

    /**
     * Creates a group's storage with its founding membership at index 0 (see
     * {@code MemoryStorage.withMembers}); durable when the returned future completes.
     *
     * @throws IllegalStateException if the group exists
     */
    CompletableFuture<GroupLogStorage> createGroup(long groupId, ConfState founding);

    /** The storage of an existing group, or null. */
    GroupLogStorage group(long groupId);

    /** Deletes everything of a group (log, hard state, snapshot metadata); durable when complete. */
    CompletableFuture<Void> destroyGroup(long groupId);

    /** A new, empty batch of writes for any number of groups. */
    LogWriteBatch newBatch();

    /**
     * Writes the batch atomically and durably; the in-memory view of each group is updated first
     * (before this method returns), so reads see the batch at once. The future may complete on an
     * internal thread: its callbacks must not block. A batch is committed at most once.
     *
     * <p>Each operation is checked against its group's log as left by the operations before it
     * ({@code MemoryStorage}'s conditions and exceptions); if one is invalid the whole batch is
     * refused by a synchronous exception and nothing of it is applied.
     *
     * @throws IllegalStateException if the store is closed or has failed, an operation names a group
     *                               that does not exist, or an append would leave a gap after the
     *                               last index
     * @throws io.cairn.raft.core.StorageException COMPACTED for a compaction at or below the
     *                               compaction point, SNAPSHOT_OUT_OF_DATE for a snapshot not newer
     *                               than the latest
     * @throws IllegalArgumentException for a compaction beyond the last index or the latest
     *                               snapshot, or a snapshot beyond the last index without
     *                               {@code discardLog}
     */
    CompletableFuture<Void> commit(LogWriteBatch batch);

    @Override
    void close();
}
