package io.cairn.raft.core;

import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory {@link LogStorage}, for tests and the simulator (the durable one lives in the
 * runtime). Methods are synchronized so the application may append from another thread than the
 * one driving the core.
 *
 * <p>Layout: {@code ents.get(0)} is a dummy entry holding the index and term of the last
 * snapshot (or 0/0); real entries follow contiguously.
 */
public final class MemoryStorage implements LogStorage {

    private HardState hardState = HardState.EMPTY;
    private Snapshot snapshot = Snapshot.EMPTY;
    private final ArrayList<Entry> ents = new ArrayList<>();

    public MemoryStorage() {
        ents.add(new Entry(0, 0, EntryType.NORMAL, null));
    }

    /**
     * Storage of a new replica: empty log, the group's founding membership {@code cs} as of index 0.
     * Every replica of a group — founding or added later — starts from the same founding
     * membership: conf changes in the log are applied on top of it, so a replica that replays the
     * log from index 1 must know it. (A replica that starts empty instead must be caught up by a
     * snapshot, which carries the membership.)
     */
    public static MemoryStorage withMembers(ConfState cs) {
        MemoryStorage s = new MemoryStorage();
        s.snapshot = new Snapshot(new SnapshotMetadata(0, 0, cs), null);
        return s;
    }

    @Override
    public synchronized InitialState initialState() {
        return new InitialState(hardState, snapshot.metadata().confState());
    }

    public synchronized HardState hardState() {
        return hardState;
    }

    public synchronized void setHardState(HardState hs) {
        this.hardState = hs;
    }

    private long offset() {
        return ents.get(0).index();
    }

    @Override
    public synchronized List<Entry> entries(long lo, long hi, long maxSizeBytes) {
        long offset = offset();
        if (lo <= offset) {
            throw StorageException.compacted(lo, offset + 1);
        }
        if (hi > lastIndexLocked() + 1) {
            throw StorageException.unavailable(hi - 1, lastIndexLocked());
        }
        // only contains the dummy entry
        if (ents.size() == 1) {
            return List.of();
        }
        return limitSize(ents.subList((int) (lo - offset), (int) (hi - offset)), maxSizeBytes);
    }

    /** The longest prefix within {@code maxSize} bytes, but at least one entry; an immutable copy. */
    static List<Entry> limitSize(List<Entry> list, long maxSize) {
        if (list.isEmpty()) {
            return List.of();
        }
        long size = list.get(0).sizeBytes();
        int n = 1;
        while (n < list.size()) {
            size += list.get(n).sizeBytes();
            if (size > maxSize) {
                break;
            }
            n++;
        }
        return List.copyOf(list.subList(0, n));
    }

    @Override
    public synchronized long term(long index) {
        long offset = offset();
        if (index < offset) {
            throw StorageException.compacted(index, offset + 1);
        }
        if (index - offset >= ents.size()) {
            throw StorageException.unavailable(index, lastIndexLocked());
        }
        return ents.get((int) (index - offset)).term();
    }

    @Override
    public synchronized long firstIndex() {
        return offset() + 1;
    }

    @Override
    public synchronized long lastIndex() {
        return lastIndexLocked();
    }

    private long lastIndexLocked() {
        return offset() + ents.size() - 1;
    }

    @Override
    public synchronized Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Replaces the contents with a snapshot received from the leader.
     *
     * @throws StorageException SNAPSHOT_OUT_OF_DATE if older than the one held
     */
    public synchronized void applySnapshot(Snapshot snap) {
        if (snapshot.index() >= snap.index()) {
            throw new StorageException(StorageException.Kind.SNAPSHOT_OUT_OF_DATE,
                    "snapshot " + snap.index() + " is out of date (have " + snapshot.index() + ")");
        }
        snapshot = snap;
        ents.clear();
        ents.add(new Entry(snap.term(), snap.index(), EntryType.NORMAL, null));
    }

    /**
     * Records a snapshot of the application state at {@code index} (which must be applied), so
     * that it can be sent to lagging followers and the log before it compacted.
     */
    public synchronized Snapshot createSnapshot(long index, ConfState cs, byte[] data) {
        if (index <= snapshot.index()) {
            throw new StorageException(StorageException.Kind.SNAPSHOT_OUT_OF_DATE,
                    "snapshot " + index + " is out of date (have " + snapshot.index() + ")");
        }
        long last = lastIndexLocked();
        if (index > last) {
            throw new IllegalArgumentException("snapshot " + index + " is out of bound lastindex(" + last + ")");
        }
        long term = ents.get((int) (index - offset())).term();
        snapshot = new Snapshot(new SnapshotMetadata(index, term, cs == null ? snapshot.metadata().confState() : cs), data);
        return snapshot;
    }

    /**
     * Discards entries up to and including {@code compactIndex}. The caller must not compact
     * beyond the applied index, nor beyond its latest snapshot: a follower that needs the
     * discarded entries is sent that snapshot, and if it is older than the compaction point the
     * follower can never catch up.
     *
     * @throws StorageException COMPACTED if already compacted past it
     */
    public synchronized void compact(long compactIndex) {
        long offset = offset();
        if (compactIndex <= offset) {
            throw StorageException.compacted(compactIndex, offset + 1);
        }
        if (compactIndex > lastIndexLocked()) {
            throw new IllegalArgumentException("compact " + compactIndex + " is out of bound lastindex("
                    + lastIndexLocked() + ")");
        }
        int i = (int) (compactIndex - offset);
        Entry dummy = new Entry(ents.get(i).term(), ents.get(i).index(), EntryType.NORMAL, null);
        List<Entry> rest = new ArrayList<>(ents.subList(i + 1, ents.size()));
        ents.clear();
        ents.add(dummy);
        ents.addAll(rest);
    }

    /**
     * Appends entries, truncating any conflicting suffix. Entries must be contiguous with the
     * existing log or overlap it; entries at or below the snapshot are ignored.
     */
    public synchronized void append(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long first = firstIndex();
        long last = entries.get(0).index() + entries.size() - 1;
        if (last < first) {
            return; // all compacted already
        }
        if (first > entries.get(0).index()) {
            entries = entries.subList((int) (first - entries.get(0).index()), entries.size());
        }
        long offset = entries.get(0).index() - offset();
        if (offset > ents.size()) {
            throw new IllegalStateException("missing log entry [last: " + lastIndexLocked() + ", append at: "
                    + entries.get(0).index() + "]");
        }
        while (ents.size() > offset) {
            ents.remove(ents.size() - 1);
        }
        ents.addAll(entries);
    }
}
