package io.cairn.raft.storage;

import io.cairn.raft.core.LogStorage;
import io.cairn.raft.core.SnapshotMetadata;

/**
 * One group's view of a {@link RaftLogStore}: what the Raft core reads. Reads are served from
 * memory (an entry cache of recent entries) where possible, otherwise from the store.
 *
 * <p>{@link #snapshot()} returns the metadata of the group's latest snapshot with empty data:
 * the snapshot's contents belong to the state machine and travel through the transport.
 */
public interface GroupLogStorage extends LogStorage {

    long groupId();

    /** Metadata of the latest snapshot recorded for the group ({@code SnapshotMetadata.EMPTY} if none). */
    SnapshotMetadata snapshotMetadata();
}
