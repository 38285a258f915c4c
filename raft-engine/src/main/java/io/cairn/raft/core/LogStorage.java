package io.cairn.raft.core;

import java.util.List;

/**
 * The stable (persisted) part of a node's Raft log, read by the core. The application writes to
 * it when it handles a {@link Ready}: entries, hard state and snapshot, in that Ready's order, and
 * durably before sending the Ready's messages.
 *
 * <p>Invariants: {@code firstIndex() - 1} is the index of the last snapshot (or 0);
 * {@code term(firstIndex() - 1)} must still answer (the snapshot's term); entries are contiguous
 * from {@code firstIndex()} to {@code lastIndex()}; {@code lastIndex() >= firstIndex() - 1}.
 */
public interface LogStorage {

    /** Hard state and membership to start from (as of the last persisted snapshot plus log). */
    InitialState initialState();

    /**
     * Entries in {@code [lo, hi)}, returning at least one entry if any exists in range, and at
     * most {@code maxSizeBytes} in total (by {@link Entry#sizeBytes()}) otherwise.
     *
     * @throws StorageException COMPACTED if {@code lo < firstIndex()}, UNAVAILABLE if
     *                          {@code hi > lastIndex() + 1}
     */
    List<Entry> entries(long lo, long hi, long maxSizeBytes);

    /**
     * Term of the entry at {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}.
     *
     * @throws StorageException COMPACTED below that range, UNAVAILABLE above it
     */
    long term(long index);

    long firstIndex();

    long lastIndex();

    /**
     * The most recent snapshot, to send to a follower that lags behind compaction.
     *
     * @throws StorageException SNAPSHOT_TEMPORARILY_UNAVAILABLE if one is being made
     */
    Snapshot snapshot();

    /** Initial state of a node. */
    record InitialState(HardState hardState, ConfState confState) {
    }
}
