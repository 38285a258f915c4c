package io.cairn.raft.storage;

import io.cairn.raft.core.Entry;
import io.cairn.raft.core.HardState;
import io.cairn.raft.core.Snapshot;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.core.StorageException;
import io.cairn.raft.storage.LogStoreCodec.LogStart;
import io.cairn.raft.storage.LogStoreCodec.MetaKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One group's log in a {@link RocksLogStore}: the in-memory view (bounds, hard state, snapshot
 * metadata, entry cache) that answers the core, with RocksDB behind it for entries that are no
 * longer cached. Answers exactly as {@code MemoryStorage} would for the same writes.
 *
 * <p>Threading: every method is synchronized on this object. The store's commit path (which holds
 * the store's commit lock) is the only writer; readers may be any thread.
 *
 * <p>Invariants (under the monitor): {@code offset <= snapshot.index()}; the log holds
 * {@code (offset, last]} contiguously; the cache, when not empty, holds a contiguous run ending at
 * {@code last}; every entry at or after the lowest start of an append not yet written to RocksDB
 * ({@link #pinnedFrom()}) is in the cache, so RocksDB is only read below it, where its contents are
 * current.
 */
final class RocksGroupLogStorage implements GroupLogStorage {

    /** An append of a batch not yet known written: entries from {@code start} must stay cached. */
    private record Pin(long seq, long start) {
    }

    private final RocksLogStore store;
    private final long groupId;
    private final long cacheLimitBytes;
    private final EntryCache cache = new EntryCache();
    private final ArrayDeque<Pin> pins = new ArrayDeque<>();

    private HardState hardState;
    private SnapshotMetadata snapshot;
    /** Index and term of the compaction point (the dummy entry of MemoryStorage). */
    private long offset;
    private long offsetTerm;
    private long last;
    private boolean destroyed;

    RocksGroupLogStorage(RocksLogStore store, long groupId, long cacheLimitBytes, HardState hardState,
                         SnapshotMetadata snapshot, LogStart start, long last) {
        this.store = store;
        this.groupId = groupId;
        this.cacheLimitBytes = cacheLimitBytes;
        this.hardState = hardState;
        this.snapshot = snapshot;
        this.offset = start.index();
        this.offsetTerm = start.term();
        this.last = last;
    }

    @Override
    public long groupId() {
        return groupId;
    }

    @Override
    public synchronized SnapshotMetadata snapshotMetadata() {
        checkLive();
        return snapshot;
    }

    /** The persisted hard state (as of the last commit, durable or not yet). */
    synchronized HardState hardState() {
        checkLive();
        return hardState;
    }

    @Override
    public synchronized InitialState initialState() {
        checkLive();
        return new InitialState(hardState, snapshot.confState());
    }

    @Override
    public synchronized List<Entry> entries(long lo, long hi, long maxSizeBytes) {
        checkLive();
        if (lo <= offset) {
            throw StorageException.compacted(lo, offset + 1);
        }
        if (hi > last + 1) {
            throw StorageException.unavailable(hi - 1, last);
        }
        if (last == offset) {
            return List.of();
        }
        if (lo > hi) {
            throw new IllegalArgumentException("entries(" + lo + ", " + hi + "): lo > hi");
        }
        evict(); // entries written since the last commit to this group may be evictable now
        SizeLimitedList out = new SizeLimitedList(maxSizeBytes);
        long cachedFrom = cache.isEmpty() ? last + 1 : cache.firstIndex();
        long diskHi = Math.min(hi, cachedFrom);
        if (lo < diskHi && !store.readEntries(groupId, lo, diskHi, out)) {
            return out.entries;
        }
        for (long i = Math.max(lo, diskHi); i < hi; i++) {
            if (!out.add(cache.get(i))) {
                break;
            }
        }
        return out.entries;
    }

    @Override
    public synchronized long term(long index) {
        checkLive();
        return termLocked(index);
    }

    private long termLocked(long index) {
        if (index < offset) {
            throw StorageException.compacted(index, offset + 1);
        }
        if (index > last) {
            throw StorageException.unavailable(index, last);
        }
        if (index == offset) {
            return offsetTerm;
        }
        if (cache.contains(index)) {
            return cache.get(index).term();
        }
        return store.readTerm(groupId, index);
    }

    @Override
    public synchronized long firstIndex() {
        checkLive();
        return offset + 1;
    }

    @Override
    public synchronized long lastIndex() {
        checkLive();
        return last;
    }

    @Override
    public synchronized Snapshot snapshot() {
        checkLive();
        return new Snapshot(snapshot, null);
    }

    @Override
    public String toString() {
        return "group " + groupId;
    }

    // ---- the store's commit path (caller holds the store's commit lock) ----

    /** Log bounds as of now, for validating a batch before anything of it is applied. */
    synchronized RocksLogStore.Bounds bounds() {
        return new RocksLogStore.Bounds(offset, last, snapshot.index());
    }

    /** Appends validated entries (as {@code MemoryStorage.append}), recording the disk writes in {@code w}. */
    synchronized void applyAppend(List<Entry> entries, RocksLogStore.PendingWrite w) {
        if (entries.isEmpty()) {
            return;
        }
        long first = offset + 1;
        long lastNew = entries.get(0).index() + entries.size() - 1;
        if (lastNew < first) {
            return; // all compacted already
        }
        if (entries.get(0).index() < first) {
            entries = entries.subList((int) (first - entries.get(0).index()), entries.size());
        }
        long start = entries.get(0).index();
        for (Entry e : entries) {
            w.putLog(LogStoreCodec.logKey(groupId, e.index()), LogStoreCodec.encodeEntryValue(e));
        }
        if (last > lastNew) {
            // the conflicting suffix beyond the new last index
            w.deleteLogRange(LogStoreCodec.logKey(groupId, lastNew + 1), LogStoreCodec.logKey(groupId, last + 1));
        }
        cache.append(entries);
        last = lastNew;
        pins.addLast(new Pin(w.seq, start));
        evict();
    }

    synchronized void applyHardState(HardState hs, RocksLogStore.PendingWrite w) {
        hardState = hs;
        w.putMeta(LogStoreCodec.metaKey(groupId, MetaKind.HARD_STATE), LogStoreCodec.encodeHardState(hs));
        evict();
    }

    /** Records validated snapshot metadata; with {@code discardLog} the log restarts after it. */
    synchronized void applySnapshot(SnapshotMetadata m, boolean discardLog, RocksLogStore.PendingWrite w) {
        snapshot = m;
        w.putMeta(LogStoreCodec.metaKey(groupId, MetaKind.SNAPSHOT), LogStoreCodec.encodeSnapshotMetadata(m));
        if (discardLog) {
            offset = m.index();
            offsetTerm = m.term();
            last = m.index();
            cache.clear();
            w.deleteLogRange(LogStoreCodec.logKey(groupId, 0), LogStoreCodec.logKey(groupId, LogStoreCodec.INDEX_END));
            w.putMeta(LogStoreCodec.metaKey(groupId, MetaKind.LOG_START),
                    LogStoreCodec.encodeLogStart(new LogStart(offset, offsetTerm)));
        }
        evict();
    }

    /** Discards entries through a validated {@code index} (as {@code MemoryStorage.compact}). */
    synchronized void applyCompact(long index, RocksLogStore.PendingWrite w) {
        long term = termLocked(index);
        offset = index;
        offsetTerm = term;
        cache.dropThrough(index);
        w.deleteLogRange(LogStoreCodec.logKey(groupId, 0), LogStoreCodec.logKey(groupId, index + 1));
        w.putMeta(LogStoreCodec.metaKey(groupId, MetaKind.LOG_START),
                LogStoreCodec.encodeLogStart(new LogStart(offset, offsetTerm)));
        evict();
    }

    synchronized void markDestroyed() {
        destroyed = true;
        cache.clear();
        pins.clear();
    }

    // ---- for tests ----

    synchronized int cachedEntries() {
        return cache.size();
    }

    synchronized long cachedBytes() {
        return cache.bytes();
    }

    /**
     * Evicts the oldest cached entries while over the limit, but never one at or after
     * {@link #pinnedFrom()}: RocksDB may not hold it yet (or still hold an entry it replaced).
     */
    private void evict() {
        long pinnedFrom = pinnedFrom();
        while (cache.bytes() > cacheLimitBytes && !cache.isEmpty() && cache.firstIndex() < pinnedFrom) {
            cache.evictFirst();
        }
    }

    /** Lowest start of an append whose write has not completed yet, or {@code Long.MAX_VALUE}. */
    private long pinnedFrom() {
        long written = store.writtenSeq();
        while (!pins.isEmpty() && pins.peekFirst().seq() <= written) {
            pins.removeFirst();
        }
        long min = Long.MAX_VALUE;
        for (Pin p : pins) {
            min = Math.min(min, p.start());
        }
        return min;
    }

    private void checkLive() {
        if (destroyed) {
            throw new IllegalStateException("group " + groupId + " was destroyed");
        }
    }

    /**
     * Collects entries up to a size limit with {@code MemoryStorage.limitSize}'s rule: the first
     * entry always, then as long as the total stays within the limit.
     */
    static final class SizeLimitedList {
        final List<Entry> entries = new ArrayList<>();
        private final long maxSizeBytes;
        private long sizeBytes;

        SizeLimitedList(long maxSizeBytes) {
            this.maxSizeBytes = maxSizeBytes;
        }

        /** Adds the entry if it fits; false (and not added) once the limit is reached. */
        boolean add(Entry e) {
            if (!entries.isEmpty() && sizeBytes + e.sizeBytes() > maxSizeBytes) {
                return false;
            }
            entries.add(e);
            sizeBytes += e.sizeBytes();
            return true;
        }
    }
}
