package io.cairn.raft.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of the log not yet handed to storage: entries (and possibly an incoming snapshot) that
 * the application still has to persist. Entry {@code i} is at index {@code offset + i}.
 *
 * <p>Invariant: if a snapshot is present, {@code offset == snapshot.index() + 1}.
 */
final class UnstableLog {
    /** Returned by the {@code maybe*} queries when the unstable log does not know the answer. */
    static final long UNKNOWN = -1;

    Snapshot snapshot;
    final ArrayList<Entry> entries = new ArrayList<>();
    long offset;

    UnstableLog(long offset) {
        this.offset = offset;
    }

    /** First index, if a snapshot is pending; else {@link #UNKNOWN}. */
    long maybeFirstIndex() {
        return snapshot != null ? snapshot.index() + 1 : UNKNOWN;
    }

    /** Last index, if there are unstable entries or a pending snapshot; else {@link #UNKNOWN}. */
    long maybeLastIndex() {
        if (!entries.isEmpty()) {
            return offset + entries.size() - 1;
        }
        return snapshot != null ? snapshot.index() : UNKNOWN;
    }

    /** Term of the entry at {@code i}, if known here; else {@link #UNKNOWN}. */
    long maybeTerm(long i) {
        if (i < offset) {
            if (snapshot != null && snapshot.index() == i) {
                return snapshot.term();
            }
            return UNKNOWN;
        }
        long last = maybeLastIndex();
        if (last == UNKNOWN || i > last) {
            return UNKNOWN;
        }
        return entries.get((int) (i - offset)).term();
    }

    /** Entries up to {@code i} (with term {@code t}) have been persisted: drop them from here. */
    void stableTo(long i, long t) {
        long gt = maybeTerm(i);
        if (gt == UNKNOWN) {
            return;
        }
        // Only drop if the entry is still the one that was persisted (it may have been replaced
        // by a new leader's entries in between) and is unstable.
        if (gt == t && i >= offset) {
            // The list keeps its capacity: it is refilled on the next append.
            entries.subList(0, (int) (i + 1 - offset)).clear();
            offset = i + 1;
        }
    }

    void stableSnapTo(long i) {
        if (snapshot != null && snapshot.index() == i) {
            snapshot = null;
        }
    }

    void restore(Snapshot s) {
        offset = s.index() + 1;
        entries.clear();
        snapshot = s;
    }

    void truncateAndAppend(List<Entry> ents) {
        long after = ents.get(0).index();
        if (after == offset + entries.size()) {
            // directly append
            entries.addAll(ents);
        } else if (after <= offset) {
            // The log is being truncated to before our current offset portion, so set the offset
            // and replace the entries.
            offset = after;
            entries.clear();
            entries.addAll(ents);
        } else {
            // truncate to after and copy to newEntries, then append
            entries.subList((int) (after - offset), entries.size()).clear();
            entries.addAll(ents);
        }
    }

    /** Entries in {@code [lo, hi)}, which must lie within the unstable range. An immutable copy. */
    List<Entry> slice(long lo, long hi) {
        checkOutOfBounds(lo, hi);
        return List.copyOf(entries.subList((int) (lo - offset), (int) (hi - offset)));
    }

    private void checkOutOfBounds(long lo, long hi) {
        if (lo > hi) {
            throw new IllegalStateException("invalid unstable.slice " + lo + " > " + hi);
        }
        long upper = offset + entries.size();
        if (lo < offset || hi > upper) {
            throw new IllegalStateException("unstable.slice[" + lo + "," + hi + ") out of bound [" + offset + ","
                    + upper + "]");
        }
    }
}
