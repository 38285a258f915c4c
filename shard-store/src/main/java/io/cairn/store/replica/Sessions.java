package io.cairn.store.replica;

import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Kv;
import io.cairn.store.types.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Exactly-once writes (Raft thesis §6.3), persisted with the data. Sequence numbers of a session
 * count from 1 up to 2^63 - 1; a write with session 0 or a sequence number outside that range is
 * applied without deduplication. Per session: a header
 * {@code lastSeen(8) acked(8) maxSeq(8) 0xFF recordMax(8) [seq(8) reply]*} (maxSeq = highest
 * sequence number applied, so the usual new write needs no lookup of a remembered reply) and the
 * reply of every write with {@code acked < seq}, kept until the client acknowledges it (so a
 * pipelining client may have many writes in flight). A write whose (session, seq) has a
 * remembered reply returns that reply and is not applied again; a write at or below
 * {@code acked} is refused (its reply was already received). Sessions idle for longer than
 * {@link #IDLE_EXPIRY_MS} are dropped by an expiry command the leader proposes, with the
 * leader's time: deterministic on every replica.
 *
 * <p><b>Inline replies.</b> Remembered replies live inside the header, up to {@link #MAX_INLINE}
 * of them and {@link #MAX_HEADER} bytes; a reply that does not fit gets its own reply record
 * (kind 0x03), and {@code recordMax} says up to which seq records may exist. A write changes
 * the header anyway, and an apply batch changes each header in memory ({@link State}) and writes
 * it once, at its end ({@link #flush}): the gateway's writes of many clients share a session, so
 * a batch costs one header parse, build and put per session, and no reply record to write and
 * later delete. A session's seqs may count across groups (a write re-routed after its slot
 * moved): only seqs up to {@code recordMax} get a delete. Older headers — 24
 * bytes, or one inline reply {@code inlineSeq(8) reply} — read as "records may exist up to
 * maxSeq". The layout depends only on the stored header and the command, so every replica
 * writes the same bytes.
 *
 * <p><b>Header cache.</b> A header the batch has not changed yet is read through the apply
 * batch's {@code Kv}: the group's {@link io.cairn.store.types.RecordCache} (which keeps recently
 * used headers exactly as stored, and takes a batch's writes only once it is committed), then
 * RocksDB. So a write's header is usually no RocksDB lookup; across batches nothing here caches
 * on its own. The stored bytes do not depend on how entries are batched (SessionDeterminismTest).
 */
final class Sessions {
    /** A session not seen for this long (leader time) is forgotten. */
    static final long IDLE_EXPIRY_MS = 30 * 60 * 1000L;
    static final String TOO_OLD = "ERR request already acknowledged by this session (stale retry)";
    /** Ack gaps at most this long are cleaned with point deletes, longer ones with a range delete. */
    private static final long POINT_DELETE_GAP = 64;
    /** Header layout (docs/storage-format.md): the fixed part, then the tail. */
    private static final int ACKED = 8;
    private static final int MAX_SEQ = 16;
    private static final int TAIL = 24;
    /** First byte of a list tail; a single-reply tail starts with its seq, whose first byte is never 0xFF. */
    private static final byte LIST = (byte) 0xFF;
    /** Where a list tail's replies start: after the marker and {@code recordMax(8)}. */
    private static final int LIST_REPLIES = TAIL + 9;
    /** Replies a header keeps inline at most. */
    static final int MAX_INLINE = 32;
    /** Bytes a header grows to at most with inline replies (the record cache keeps headers up to 512). */
    static final int MAX_HEADER = 480;

    private final long group;
    /**
     * Headers the current apply batch changed, by session, written at its end ({@link #flush}).
     * Apply thread only ({@link #export} runs elsewhere and reads committed headers only).
     */
    private final Map<Long, State> changed = new java.util.LinkedHashMap<>();

    Sessions(long group) {
        this.group = group;
    }

    /** Whether this write takes part in deduplication. */
    static boolean tracked(StoreCommand c) {
        return c.session() != 0 && c.seq() > 0;
    }

    /**
     * The session's header as this batch sees it, or null for an untracked write (read once per
     * write and handed to the other methods).
     */
    State header(Kv kv, StoreCommand c) {
        return tracked(c) ? state(kv, c.session()) : null;
    }

    /**
     * A session's header taken apart, as the apply batch sees it: its fixed fields, the highest
     * seq that may have a reply record, and its inline replies in stored order ({@code seqs[i]}'s
     * ReplyCodec bytes are {@code replies[i]}). The batch changes it in place and writes it once,
     * at its end ({@link #flush}).
     */
    static final class State {
        /** A header exists (stored, or made by this batch). */
        boolean exists;
        long lastSeen;
        long acked;
        long maxSeq;
        /** Reply records exist only for seqs at or below this one (0: none). */
        long recordMax;
        int n;
        long[] seqs = new long[4];
        byte[][] replies = new byte[4][];

        State(boolean exists) {
            this.exists = exists;
        }

        void add(long seq, byte[] reply) {
            if (n == seqs.length) {
                seqs = java.util.Arrays.copyOf(seqs, n * 2);
                replies = java.util.Arrays.copyOf(replies, n * 2);
            }
            seqs[n] = seq;
            replies[n] = reply;
            n++;
        }

        /** Bytes the inline replies take in a list tail ({@code seq(8) reply} each). */
        int tailBytes() {
            int b = 0;
            for (int i = 0; i < n; i++) {
                b += 8 + replies[i].length;
            }
            return b;
        }

        /** Drops the inline replies at or below {@code acked}, keeping the others in order. */
        void dropUpTo(long acked) {
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (seqs[i] > acked) {
                    seqs[k] = seqs[i];
                    replies[k] = replies[i];
                    k++;
                }
            }
            for (int i = k; i < n; i++) {
                replies[i] = null;
            }
            n = k;
        }

        int indexOf(long seq) {
            for (int i = 0; i < n; i++) {
                if (seqs[i] == seq) {
                    return i;
                }
            }
            return -1;
        }
    }

    /**
     * Reads the three header forms: 24 bytes (no inline reply), a single inline reply
     * ({@code inlineSeq(8) reply} to the end), a list ({@code 0xFF recordMax(8)} then
     * {@code seq(8) reply} repeated). The first two say nothing of where reply records are: any
     * seq up to maxSeq may have one. {@code h} null: no header.
     */
    private static State parse(byte[] h) {
        State p = new State(h != null);
        if (h == null) {
            return p;
        }
        p.lastSeen = KeyCodec.getLong(h, 0);
        p.acked = KeyCodec.getLong(h, ACKED);
        p.maxSeq = KeyCodec.getLong(h, MAX_SEQ);
        if (h.length <= TAIL) {
            p.recordMax = p.maxSeq;
        } else if (h[TAIL] != LIST) {
            p.recordMax = p.maxSeq;
            p.add(KeyCodec.getLong(h, TAIL), java.util.Arrays.copyOfRange(h, TAIL + 8, h.length));
        } else {
            p.recordMax = KeyCodec.getLong(h, TAIL + 1);
            int at = LIST_REPLIES;
            while (at < h.length) {
                int end = ReplyCodec.end(h, at + 8);
                p.add(KeyCodec.getLong(h, at), java.util.Arrays.copyOfRange(h, at + 8, end));
                at = end;
            }
        }
        return p;
    }

    /** The list-form header of {@code p}: its fixed fields, {@code recordMax}, its inline replies. */
    private static byte[] build(State p) {
        byte[] h = new byte[LIST_REPLIES + p.tailBytes()];
        KeyCodec.putLong(h, 0, p.lastSeen);
        KeyCodec.putLong(h, ACKED, p.acked);
        KeyCodec.putLong(h, MAX_SEQ, p.maxSeq);
        h[TAIL] = LIST;
        KeyCodec.putLong(h, TAIL + 1, p.recordMax);
        int at = LIST_REPLIES;
        for (int i = 0; i < p.n; i++) {
            KeyCodec.putLong(h, at, p.seqs[i]);
            System.arraycopy(p.replies[i], 0, h, at + 8, p.replies[i].length);
            at += 8 + p.replies[i].length;
        }
        return h;
    }

    /** The seqs whose replies {@code header} holds inline, in stored order (tests, diagnostics). */
    static long[] inlineSeqs(byte[] header) {
        State p = parse(header);
        return java.util.Arrays.copyOf(p.seqs, p.n);
    }

    /** Up to which seq reply records may exist for {@code header}'s session (0: none; tests, diagnostics). */
    static long recordMax(byte[] header) {
        return parse(header).recordMax;
    }

    /** The remembered reply of this write, a refusal for a stale one, or null to apply it. */
    Reply remembered(Kv kv, StoreCommand c, State header) {
        if (!tracked(c) || !header.exists) {
            return null;
        }
        if (c.seq() <= header.acked) {
            return new Reply.Err(TOO_OLD);
        }
        if (c.seq() > header.maxSeq) {
            return null; // never applied: no reply to look for
        }
        int i = header.indexOf(c.seq());
        if (i >= 0) {
            return ReplyCodec.decode(header.replies[i]);
        }
        if (c.seq() > header.recordMax) {
            return null; // no record this high: not applied here (a later seq got here first, or it went to another group)
        }
        byte[] r = kv.get(KeyCodec.sessionReplyKey(group, c.session(), c.seq()));
        return r == null ? null : ReplyCodec.decode(r);
    }

    /**
     * Records the reply of an applied write and forgets replies the client acknowledged. The
     * header is written at the end of the batch ({@link #flush}).
     */
    void record(Kv kv, StoreCommand c, State p, Reply reply) {
        if (!tracked(c)) {
            return;
        }
        long newAcked = Math.max(p.acked, Math.min(c.acked(), c.seq() - 1));
        // Reply records to delete: only seqs up to recordMax can have one (a session's seqs may
        // count across groups, and most replies here were inline).
        long forget = Math.min(newAcked, p.recordMax);
        if (forget > p.acked) {
            if (forget - p.acked <= POINT_DELETE_GAP) {
                for (long s = p.acked + 1; s <= forget; s++) {
                    if (p.indexOf(s) < 0) { // an inline reply has no record
                        kv.delete(KeyCodec.sessionReplyKey(group, c.session(), s));
                    }
                }
            } else {
                kv.deleteRange(KeyCodec.sessionReplyKey(group, c.session(), p.acked + 1),
                        KeyCodec.sessionReplyKey(group, c.session(), forget + 1));
            }
        }
        long recordMax = p.recordMax <= newAcked ? 0 : p.recordMax; // all records up to it are gone
        p.dropUpTo(newAcked);
        byte[] encoded = ReplyCodec.encode(reply);
        boolean inline = p.n < MAX_INLINE && LIST_REPLIES + p.tailBytes() + 8 + encoded.length <= MAX_HEADER;
        if (inline) {
            p.add(c.seq(), encoded);
        } else {
            kv.put(KeyCodec.sessionReplyKey(group, c.session(), c.seq()), encoded);
            recordMax = Math.max(recordMax, c.seq());
        }
        changed(c.session(), p, c.now(), newAcked, Math.max(p.maxSeq, c.seq()), recordMax);
    }

    /** Sets the header fields of {@code p}, which this batch changed; written by {@link #flush}. */
    private void changed(long session, State p, long lastSeen, long acked, long maxSeq, long recordMax) {
        p.lastSeen = lastSeen;
        p.acked = acked;
        p.maxSeq = maxSeq;
        p.recordMax = recordMax;
        p.exists = true;
        changed.put(session, p);
    }

    /**
     * Writes the headers this batch changed into it, once each (a write changes its session's
     * header in place: with many writes of one session in a batch, one parse and one build
     * instead of one per write). The apply loop calls this before it commits the batch; the
     * methods that read headers through {@code kv} call it first.
     */
    void flush(Kv kv) {
        for (Map.Entry<Long, State> e : changed.entrySet()) {
            kv.put(KeyCodec.sessionKey(group, e.getKey()), build(e.getValue()));
        }
        changed.clear();
    }

    /** Forgets the headers of a batch that is not written (apply thread; before each batch). */
    void discard() {
        changed.clear();
    }

    /** Drops every session idle since before {@code now - IDLE_EXPIRY_MS}; returns how many. */
    int expire(Kv kv, long now) {
        flush(kv);
        byte[] from = KeyCodec.kindPrefix(group, KeyCodec.KIND_SESSION);
        List<Long> idle = new ArrayList<>();
        try (Kv.Cursor cur = kv.scan(from, KeyCodec.prefixEnd(from))) {
            while (cur.next()) {
                if (KeyCodec.getLong(cur.value(), 0) < now - IDLE_EXPIRY_MS) {
                    idle.add(KeyCodec.getLong(cur.key(), 9));
                }
            }
        }
        for (long session : idle) {
            kv.delete(KeyCodec.sessionKey(group, session));
            // every seq, 0 to 2^64-1 (unsigned on the wire): up to the end of the session's prefix
            byte[] first = KeyCodec.sessionReplyKey(group, session, 0);
            kv.deleteRange(first, KeyCodec.prefixEnd(java.util.Arrays.copyOf(first, first.length - 8)));
        }
        return idle.size();
    }

    /**
     * The sessions a copy round of the slots {@code first..last} carries, as migration items (one
     * per session: its header and its remembered reply records), read from {@code kv} only (the
     * export's snapshot; no cache: this runs off the apply thread). {@code since == 0}: every
     * session of the group (round 0, a scan of every header). Else only the sessions with a
     * session marker (kind 0x06) of the range above {@code since}, each once, in session order,
     * its header read by a point get: the final round, inside the clients' pause, then costs a
     * scan of the range's markers (like the dirty markers: versions the memtable still holds of
     * markers overwritten by writes to the range) and a point get per marked session, instead of
     * a scan of every header of the group (overwritten by every write of the group, so many
     * versions under load).
     */
    void export(Kv kv, int first, int last, long since, Consumer<byte[]> items) {
        if (since == 0) {
            byte[] from = KeyCodec.kindPrefix(group, KeyCodec.KIND_SESSION);
            try (Kv.Cursor cur = kv.scan(from, KeyCodec.prefixEnd(from))) {
                while (cur.next()) {
                    items.accept(exportItem(kv, KeyCodec.getLong(cur.key(), 9), cur.value()));
                }
            }
            return;
        }
        TreeSet<Long> marked = new TreeSet<>();
        try (Kv.Cursor cur = kv.scan(KeyCodec.slotPrefix(group, KeyCodec.KIND_SESSION_MARKER, first),
                KeyCodec.slotPrefix(group, KeyCodec.KIND_SESSION_MARKER, last + 1))) {
            while (cur.next()) {
                if (KeyCodec.getLong(cur.value(), 0) > since) {
                    marked.add(KeyCodec.sessionOfMarker(cur.key()));
                }
            }
        }
        for (long session : marked) {
            byte[] header = kv.get(KeyCodec.sessionKey(group, session));
            if (header != null) { // null: expired since its write; nothing left to carry
                items.accept(exportItem(kv, session, header));
            }
        }
    }

    /** One session as a migration item: the header and the reply records in (acked, maxSeq]. */
    private byte[] exportItem(Kv kv, long session, byte[] header) {
        List<Long> seqs = new ArrayList<>();
        List<byte[]> replies = new ArrayList<>();
        // Only (acked, maxSeq] can hold a reply: the range below acked holds the tombstones of
        // every reply already forgotten, which a scan from 0 would walk one by one.
        long acked = KeyCodec.getLong(header, ACKED);
        long maxSeq = KeyCodec.getLong(header, MAX_SEQ);
        if (maxSeq > acked) {
            try (Kv.Cursor r = kv.scan(KeyCodec.sessionReplyKey(group, session, acked + 1),
                    KeyCodec.sessionReplyKey(group, session, maxSeq + 1))) {
                while (r.next()) {
                    seqs.add(KeyCodec.getLong(r.key(), 17));
                    replies.add(r.value());
                }
            }
        }
        return MigrationItems.session(session, header, seqs, replies);
    }

    /**
     * Merges a session of another group (a migration's source) into this group's
     * (docs/slot-migration.md, step 5): {@code lastSeen}, {@code acked} and {@code maxSeq} become
     * the larger of both, the remembered replies the union of both, minus those at or below the
     * merged {@code acked}. So a write the source applied is answered here with its reply, not
     * applied again. Idempotent (merging the same session twice changes nothing more).
     */
    void merge(Kv kv, long session, byte[] source, List<Long> seqs, List<byte[]> replies) {
        State local = state(kv, session);
        State src = parse(source);
        long acked = Math.max(local.acked, src.acked);
        if (acked > local.acked) {
            kv.deleteRange(KeyCodec.sessionReplyKey(group, session, local.acked + 1),
                    KeyCodec.sessionReplyKey(group, session, acked + 1));
        }
        long recordMax = local.recordMax <= acked ? 0 : local.recordMax;
        for (int i = 0; i < src.n; i++) { // the source's inline replies become records here
            if (src.seqs[i] > acked) {
                kv.put(KeyCodec.sessionReplyKey(group, session, src.seqs[i]), src.replies[i]);
                recordMax = Math.max(recordMax, src.seqs[i]);
            }
        }
        for (int i = 0; i < seqs.size(); i++) {
            if (seqs.get(i) > acked) {
                kv.put(KeyCodec.sessionReplyKey(group, session, seqs.get(i)), replies.get(i));
                recordMax = Math.max(recordMax, seqs.get(i));
            }
        }
        // keeps the local inline replies not acknowledged
        local.dropUpTo(acked);
        changed(session, local, Math.max(local.lastSeen, src.lastSeen), acked,
                Math.max(local.maxSeq, src.maxSeq), recordMax);
    }

    /** The header of {@code session}: changed by this batch, else read (cached or stored). */
    private State state(Kv kv, long session) {
        State p = changed.get(session);
        return p != null ? p : parse(kv.get(KeyCodec.sessionKey(group, session)));
    }
}
