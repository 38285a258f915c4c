package io.cairn.raft.runtime;

import io.cairn.raft.core.Entry;
import io.cairn.raft.core.SnapshotMetadata;
import java.nio.file.Path;
import java.util.List;

/**
 * The application state of one group replica. Called by one thread at a time, in log order: the
 * group's apply thread, or, for a small committed batch while the apply thread has nothing of the
 * group queued ({@link RuntimeOptions#inlineApplyBytes}), the group's Raft worker. So no method may
 * wait for the runtime (a proposal, a read barrier) to finish.
 */
public interface StateMachine extends AutoCloseable {

    /**
     * Applies committed entries in order and returns one result per entry (null allowed; for
     * conf change and empty entries the result is ignored). The applied index must be persisted
     * atomically with the data it describes.
     */
    List<Object> apply(List<Entry> entries);

    /** The last applied index, as persisted (what a restart resumes from). */
    long appliedIndex();

    /**
     * Writes a consistent snapshot of the state as of {@link #appliedIndex()} into the empty
     * directory {@code dir} and returns the index it covers.
     */
    long snapshot(Path dir);

    /** Replaces the whole state with a received snapshot (files under {@code dir}). */
    void installSnapshot(Path dir, SnapshotMetadata metadata);

    /** Leadership of the group changed (leader 0 = unknown). */
    default void onLeaderChange(long leaderId, long term) {
    }

    @Override
    default void close() {
    }
}
