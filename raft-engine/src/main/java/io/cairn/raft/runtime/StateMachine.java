package io.cairn.raft.runtime;

import io.cairn.raft.core.Entry;
import io.cairn.raft.core.SnapshotMetadata;
import java.nio.file.Path;
import java.util.List;

/**
 * The application state of one group replica. Called only from the group's apply thread (never a
 * Raft thread), in log order.
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
