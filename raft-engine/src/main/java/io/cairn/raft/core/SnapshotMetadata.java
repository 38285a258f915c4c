package io.cairn.raft.core;

/**
 * Describes the point a snapshot was taken at.
 *
 * @param index     last log index the snapshot covers
 * @param term      term of the entry at {@code index}
 * @param confState membership as of {@code index}
 */
public record SnapshotMetadata(long index, long term, ConfState confState) {
    public static final SnapshotMetadata EMPTY = new SnapshotMetadata(0, 0, ConfState.EMPTY);
}
