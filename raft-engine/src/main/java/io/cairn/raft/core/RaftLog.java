package io.cairn.raft.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A node's view of the Raft log: persisted entries in {@link LogStorage} followed by unstable ones.
 *
 * <p>Invariants: {@code applied <= committed <= lastIndex()}; {@code committed} never decreases
 * (an entry once committed is never truncated: Raft §5.4, Leader Completeness).
 */
final class RaftLog {
    static final long NO_LIMIT = Long.MAX_VALUE;

    final LogStorage storage;
    final UnstableLog unstable;
    /** Highest index known to be stored on a quorum. */
    long committed;
    /** Highest index the application has been handed for applying. */
    long applied;
    /** Byte limit on the committed entries returned by one {@link #nextEntries()}. */
    final long maxNextEntriesSize;

    RaftLog(LogStorage storage, long maxNextEntriesSize) {
        if (storage == null) {
            throw new IllegalArgumentException("storage must not be null");
        }
        this.storage = storage;
        this.maxNextEntriesSize = maxNextEntriesSize;
        long firstIndex = storage.firstIndex();
        long lastIndex = storage.lastIndex();
        this.unstable = new UnstableLog(lastIndex + 1);
        // Initialize our committed and applied pointers to the time of the last compaction.
        this.committed = firstIndex - 1;
        this.applied = firstIndex - 1;
    }

    /**
     * Appends {@code ents} following the entry ({@code index}, {@code logTerm}) if this log has
     * that entry (Raft §5.3, the consistency check), truncating a conflicting suffix.
     *
     * @return the index of the last new entry, or -1 if the consistency check failed
     */
    long maybeAppend(long index, long logTerm, long leaderCommit, List<Entry> ents) {
        if (!matchTerm(index, logTerm)) {
            return -1;
        }
        long lastNew = index + ents.size();
        long ci = findConflict(ents);
        if (ci != 0) {
            if (ci <= committed) {
                throw new IllegalStateException("entry " + ci + " conflict with committed entry [committed("
                        + committed + ")]");
            }
            int from = (int) (ci - (index + 1));
            append(ents.subList(from, ents.size()));
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    long append(List<Entry> ents) {
        if (ents.isEmpty()) {
            return lastIndex();
        }
        long after = ents.get(0).index() - 1;
        if (after < committed) {
            throw new IllegalStateException("after(" + after + ") is out of range [committed(" + committed + ")]");
        }
        unstable.truncateAndAppend(ents);
        return lastIndex();
    }

    /**
     * The index of the first entry in {@code ents} whose term differs from ours (or that we do not
     * have), or 0 if all are present with matching terms.
     */
    long findConflict(List<Entry> ents) {
        long last = lastIndex();
        for (Entry e : ents) {
            if (e.index() > last) {
                return e.index(); // new entries: nothing to compare (and no exception to build)
            }
            if (!matchTerm(e.index(), e.term())) {
                return e.index();
            }
        }
        return 0;
    }

    /**
     * The largest (index, term) at or below {@code index} whose term is {@code <= term}: the
     * highest position where this log may still match a log whose entry at {@code index} has
     * {@code term} (fast backtracking, Raft §5.3 "optimization"). Returns {index, term}; a term of
     * 0 means unknown (compacted).
     */
    long[] findConflictByTerm(long index, long term) {
        for (; index > 0; index--) {
            long ourTerm;
            try {
                ourTerm = term(index);
            } catch (StorageException e) {
                return new long[] {index, 0};
            }
            if (ourTerm <= term) {
                return new long[] {index, ourTerm};
            }
        }
        return new long[] {0, 0};
    }

    List<Entry> unstableEntries() {
        if (unstable.entries.isEmpty()) {
            return List.of();
        }
        return new ArrayList<>(unstable.entries);
    }

    /** Committed entries not yet handed out for applying, within the size limit. */
    List<Entry> nextEntries() {
        long off = Math.max(applied + 1, firstIndex());
        if (committed + 1 > off) {
            return slice(off, committed + 1, maxNextEntriesSize);
        }
        return List.of();
    }

    boolean hasNextEntries() {
        long off = Math.max(applied + 1, firstIndex());
        return committed + 1 > off;
    }

    boolean hasPendingSnapshot() {
        return unstable.snapshot != null && !unstable.snapshot.isEmpty();
    }

    Snapshot snapshot() {
        if (unstable.snapshot != null) {
            return unstable.snapshot;
        }
        return storage.snapshot();
    }

    long firstIndex() {
        long i = unstable.maybeFirstIndex();
        return i != UnstableLog.UNKNOWN ? i : storage.firstIndex();
    }

    long lastIndex() {
        long i = unstable.maybeLastIndex();
        return i != UnstableLog.UNKNOWN ? i : storage.lastIndex();
    }

    void commitTo(long toCommit) {
        // never decrease commit
        if (committed < toCommit) {
            if (lastIndex() < toCommit) {
                throw new IllegalStateException("tocommit(" + toCommit + ") is out of range [lastIndex("
                        + lastIndex() + ")]. Was the raft log corrupted, truncated, or lost?");
            }
            committed = toCommit;
        }
    }

    void appliedTo(long i) {
        if (i == 0) {
            return;
        }
        if (committed < i || i < applied) {
            throw new IllegalStateException("applied(" + i + ") is out of range [prevApplied(" + applied
                    + "), committed(" + committed + ")]");
        }
        applied = i;
    }

    void stableTo(long i, long t) {
        unstable.stableTo(i, t);
    }

    void stableSnapTo(long i) {
        unstable.stableSnapTo(i);
    }

    long lastTerm() {
        return term(lastIndex());
    }

    /**
     * Term of the entry at {@code i}.
     *
     * @throws StorageException COMPACTED below the first index - 1, UNAVAILABLE above the last index
     */
    long term(long i) {
        // the valid term range is [index of dummy entry, last index]
        long dummyIndex = firstIndex() - 1;
        if (i < dummyIndex) {
            throw StorageException.compacted(i, dummyIndex + 1);
        }
        if (i > lastIndex()) {
            throw StorageException.unavailable(i, lastIndex());
        }
        long t = unstable.maybeTerm(i);
        if (t != UnstableLog.UNKNOWN) {
            return t;
        }
        return storage.term(i);
    }

    /** Term at {@code i}, or 0 if it is compacted or beyond the log. */
    long termOrZero(long i) {
        try {
            return term(i);
        } catch (StorageException e) {
            return 0;
        }
    }

    /** Entries from {@code i} to the end, at most {@code maxSize} bytes (at least one entry). */
    List<Entry> entries(long i, long maxSize) {
        if (i > lastIndex()) {
            return List.of();
        }
        return slice(i, lastIndex() + 1, maxSize);
    }

    /** Whether a log ending at ({@code lasti}, {@code term}) is at least as up to date as ours (Raft §5.4.1). */
    boolean isUpToDate(long lasti, long term) {
        long lastTerm = lastTerm();
        return term > lastTerm || (term == lastTerm && lasti >= lastIndex());
    }

    boolean matchTerm(long i, long term) {
        try {
            return term(i) == term;
        } catch (StorageException e) {
            return false;
        }
    }

    /**
     * Commits up to {@code maxIndex} if the entry there is of {@code term} — a leader commits only
     * entries of its own term by counting replicas (Raft §5.4.2).
     */
    boolean maybeCommit(long maxIndex, long term) {
        if (maxIndex > committed && termOrZero(maxIndex) == term) {
            commitTo(maxIndex);
            return true;
        }
        return false;
    }

    void restore(Snapshot s) {
        committed = s.index();
        unstable.restore(s);
    }

    /**
     * Entries in {@code [lo, hi)}, at most {@code maxSize} bytes but at least one entry.
     *
     * @throws StorageException COMPACTED if {@code lo} is compacted
     */
    List<Entry> slice(long lo, long hi, long maxSize) {
        checkOutOfBounds(lo, hi);
        if (lo == hi) {
            return List.of();
        }
        // One pass, one copy: stored entries (already size-limited by the storage), then unstable
        // ones while they fit. The result is immutable, so messages can carry it without copying.
        List<Entry> stored = List.of();
        if (lo < unstable.offset) {
            long storedHi = Math.min(hi, unstable.offset);
            stored = storage.entries(lo, storedHi, maxSize);
            if (stored.size() < storedHi - lo || hi <= unstable.offset) {
                return List.copyOf(stored); // the size limit was reached, or nothing is unstable
            }
        }
        ArrayList<Entry> out = new ArrayList<>(stored);
        long size = 0;
        for (Entry e : stored) {
            size += e.sizeBytes();
        }
        for (long i = Math.max(lo, unstable.offset); i < hi; i++) {
            Entry e = unstable.entries.get((int) (i - unstable.offset));
            size += e.sizeBytes();
            if (!out.isEmpty() && size > maxSize) {
                break;
            }
            out.add(e);
        }
        return List.copyOf(out);
    }

    private void checkOutOfBounds(long lo, long hi) {
        if (lo > hi) {
            throw new IllegalStateException("invalid slice " + lo + " > " + hi);
        }
        long fi = firstIndex();
        if (lo < fi) {
            throw StorageException.compacted(lo, fi);
        }
        long length = lastIndex() + 1 - fi;
        if (hi > fi + length) {
            throw new IllegalStateException("slice[" + lo + "," + hi + ") out of bound [" + fi + ","
                    + lastIndex() + "]");
        }
    }

    @Override
    public String toString() {
        return "committed=" + committed + ", applied=" + applied + ", unstable.offset=" + unstable.offset
                + ", len(unstable.entries)=" + unstable.entries.size();
    }
}
