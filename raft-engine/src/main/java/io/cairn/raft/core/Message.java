package io.cairn.raft.core;

import java.util.List;

/**
 * A Raft message. Immutable; built with {@link #builder(MessageType)}. The same instance may be
 * delivered more than once (the simulator duplicates messages), so receivers never modify it.
 *
 * <p>Field use by type follows etcd-raft: {@code index}/{@code logTerm} name the entry preceding
 * {@code entries} in APP, the last log position in (PRE_)VOTE, and the matched or rejected index in
 * APP_RESP; {@code rejectHint}/{@code logTerm} of a rejecting APP_RESP carry the follower's
 * hint for fast backtracking; {@code context} carries ReadIndex request contexts.
 */
public final class Message {
    private static final byte[] NO_CONTEXT = new byte[0];

    private final MessageType type;
    private final long to;
    private final long from;
    private final long term;
    private final long logTerm;
    private final long index;
    private final List<Entry> entries;
    private final long commit;
    private final Snapshot snapshot;
    private final boolean reject;
    private final long rejectHint;
    private final byte[] context;

    private Message(Builder b) {
        this.type = b.type;
        this.to = b.to;
        this.from = b.from;
        this.term = b.term;
        this.logTerm = b.logTerm;
        this.index = b.index;
        this.entries = b.entries == null ? List.of() : List.copyOf(b.entries);
        this.commit = b.commit;
        this.snapshot = b.snapshot;
        this.reject = b.reject;
        this.rejectHint = b.rejectHint;
        this.context = b.context == null ? NO_CONTEXT : b.context;
    }

    public static Builder builder(MessageType type) {
        return new Builder(type);
    }

    public Builder toBuilder() {
        Builder b = new Builder(type);
        b.to = to;
        b.from = from;
        b.term = term;
        b.logTerm = logTerm;
        b.index = index;
        b.entries = entries;
        b.commit = commit;
        b.snapshot = snapshot;
        b.reject = reject;
        b.rejectHint = rejectHint;
        b.context = context;
        return b;
    }

    public MessageType type() {
        return type;
    }

    public long to() {
        return to;
    }

    public long from() {
        return from;
    }

    public long term() {
        return term;
    }

    public long logTerm() {
        return logTerm;
    }

    public long index() {
        return index;
    }

    public List<Entry> entries() {
        return entries;
    }

    public long commit() {
        return commit;
    }

    /** The snapshot of a SNAP message, otherwise null. */
    public Snapshot snapshot() {
        return snapshot;
    }

    public boolean reject() {
        return reject;
    }

    public long rejectHint() {
        return rejectHint;
    }

    public byte[] context() {
        return context;
    }

    /** Approximate wire size in bytes, used for batching limits and accounting. */
    public long sizeBytes() {
        long n = 64 + context.length;
        for (Entry e : entries) {
            n += e.sizeBytes();
        }
        if (snapshot != null) {
            n += snapshot.data().length;
        }
        return n;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(type).append(' ').append(from).append("->").append(to).append(" t").append(term);
        if (logTerm != 0 || index != 0) {
            sb.append(" log=").append(logTerm).append('/').append(index);
        }
        if (commit != 0) {
            sb.append(" commit=").append(commit);
        }
        if (reject) {
            sb.append(" rejected hint=").append(rejectHint);
        }
        if (!entries.isEmpty()) {
            sb.append(" entries=").append(entries);
        }
        if (snapshot != null) {
            sb.append(' ').append(snapshot);
        }
        if (context.length > 0) {
            sb.append(" ctx=").append(context.length).append('B');
        }
        return sb.toString();
    }

    /** Mutable builder; {@link #build()} makes the immutable message. */
    public static final class Builder {
        // from, term and type are package-private so the core can stamp a message without
        // building it twice.
        final MessageType type;
        private long to;
        long from;
        long term;
        private long logTerm;
        private long index;
        private List<Entry> entries;
        private long commit;
        private Snapshot snapshot;
        private boolean reject;
        private long rejectHint;
        private byte[] context;

        private Builder(MessageType type) {
            if (type == null) {
                throw new IllegalArgumentException("message type is null");
            }
            this.type = type;
        }

        public Builder to(long v) {
            to = v;
            return this;
        }

        public Builder from(long v) {
            from = v;
            return this;
        }

        public Builder term(long v) {
            term = v;
            return this;
        }

        public Builder logTerm(long v) {
            logTerm = v;
            return this;
        }

        public Builder index(long v) {
            index = v;
            return this;
        }

        public Builder entries(List<Entry> v) {
            entries = v;
            return this;
        }

        public Builder commit(long v) {
            commit = v;
            return this;
        }

        public Builder snapshot(Snapshot v) {
            snapshot = v;
            return this;
        }

        public Builder reject(boolean v) {
            reject = v;
            return this;
        }

        public Builder rejectHint(long v) {
            rejectHint = v;
            return this;
        }

        public Builder context(byte[] v) {
            context = v;
            return this;
        }

        public Message build() {
            return new Message(this);
        }
    }
}
