package io.cairn.raft.core;

import java.util.List;

/** Test-only window into a node's in-memory log, for checkers outside this package. */
public final class CoreInspector {
    private CoreInspector() {
    }

    /** Term of the entry at {@code index}, or -1 if compacted or beyond the log. */
    public static long termAt(RawNode n, long index) {
        try {
            return n.raft().raftLog.term(index);
        } catch (StorageException e) {
            return -1;
        }
    }

    public static long committed(RawNode n) {
        return n.raft().raftLog.committed;
    }

    public static long firstIndex(RawNode n) {
        return n.raft().raftLog.firstIndex();
    }

    public static long term(RawNode n) {
        return n.raft().term;
    }

    public static StateType state(RawNode n) {
        return n.raft().state;
    }

    /** Entries in {@code [lo, hi)} of the node's log (stable and unstable). */
    public static List<Entry> entries(RawNode n, long lo, long hi) {
        return n.raft().raftLog.slice(lo, hi, Long.MAX_VALUE);
    }
}
