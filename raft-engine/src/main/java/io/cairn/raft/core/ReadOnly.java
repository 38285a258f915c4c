package io.cairn.raft.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The leader's pending ReadIndex requests awaiting a heartbeat quorum (Raft thesis §6.4). Requests
 * are keyed by their context, which must be unique; a request with a context already pending is
 * ignored (the first one answers both).
 */
final class ReadOnly {

    /** A pending request: the commit index when it arrived and who acknowledged the heartbeat. */
    static final class Status {
        final Message req;
        final long index;
        /** Sorted for determinism; values are always true. */
        final Map<Long, Boolean> acks = new TreeMap<>();

        Status(Message req, long index) {
            this.req = req;
            this.index = index;
        }
    }

    private final Map<Key, Status> pending = new HashMap<>();
    private final ArrayDeque<Key> queue = new ArrayDeque<>();

    void addRequest(long index, Message m) {
        Key k = new Key(m.context());
        if (pending.containsKey(k)) {
            return;
        }
        pending.put(k, new Status(m, index));
        queue.addLast(k);
    }

    /** Records that {@code id} acked the heartbeat carrying {@code context}; returns the acks so far, or null. */
    Map<Long, Boolean> recvAck(long id, byte[] context) {
        Status s = pending.get(new Key(context));
        if (s == null) {
            return null;
        }
        s.acks.put(id, true);
        return s.acks;
    }

    /**
     * Dequeues the request with {@code context} and every request queued before it (a quorum ack of
     * a later heartbeat confirms leadership for earlier requests too).
     */
    List<Status> advance(byte[] context) {
        Key k = new Key(context);
        if (!pending.containsKey(k)) {
            return List.of();
        }
        List<Status> out = new ArrayList<>();
        while (!queue.isEmpty()) {
            Key q = queue.pollFirst();
            Status s = pending.remove(q);
            if (s == null) {
                throw new IllegalStateException("cannot find corresponding read state from pending map");
            }
            out.add(s);
            if (q.equals(k)) {
                break;
            }
        }
        return out;
    }

    /** Context of the newest pending request, or null: periodic heartbeats carry it. */
    byte[] lastPendingRequestCtx() {
        return queue.isEmpty() ? null : queue.peekLast().bytes;
    }

    int pendingCount() {
        return queue.size();
    }

    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }
    }
}
