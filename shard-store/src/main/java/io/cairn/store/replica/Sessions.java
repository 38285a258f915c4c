package io.cairn.store.replica;

import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Kv;
import io.cairn.store.types.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Exactly-once writes (Raft thesis §6.3), persisted with the data. Sequence numbers of a session
 * count from 1 up to 2^63 - 1; a write with session 0 or a sequence number outside that range is
 * applied without deduplication. Per session: a header
 * {@code lastSeen(8) acked(8) maxSeq(8) [inlineSeq(8) reply]} (maxSeq = highest sequence number
 * applied, so the usual new write needs no lookup of a remembered reply) and the reply of every
 * write with {@code acked < seq}, kept until the client acknowledges it (so a pipelining client
 * may have many writes in flight). A write whose (session, seq) has a remembered reply returns
 * that reply and is not applied again; a write at or below {@code acked} is refused (its reply
 * was already received). Sessions idle for longer than {@link #IDLE_EXPIRY_MS} are dropped by an
 * expiry command the leader proposes, with the leader's time: deterministic on every replica.
 *
 * <p><b>Inline reply.</b> One remembered reply may live inside the header (the optional tail):
 * a write's reply goes there when the tail is free (absent, or holding a reply the write's ack
 * releases), else into its own reply record (kind 0x03). A client with one write in flight (what
 * the gateway produces for a non-pipelining connection: {@code acked = seq - 1}) therefore
 * costs one header put per write, with no reply record to write and later delete. Headers of
 * 24 bytes (written before the tail existed) read as "no inline reply". The choice depends only
 * on the stored header and the command, so every replica writes the same bytes.
 *
 * <p><b>Header cache.</b> Headers are read through the apply batch's {@code Kv}: the batch's own
 * writes first, then the group's {@link io.cairn.store.types.RecordCache} (which keeps recently
 * used headers exactly as stored, and takes a batch's writes only once it is committed), then
 * RocksDB. So a write's header is usually no RocksDB lookup, and nothing here caches on its own.
 */
final class Sessions {
    /** A session not seen for this long (leader time) is forgotten. */
    static final long IDLE_EXPIRY_MS = 30 * 60 * 1000L;
    static final String TOO_OLD = "ERR request already acknowledged by this session (stale retry)";
    /** Ack gaps at most this long are cleaned with point deletes, longer ones with a range delete. */
    private static final long POINT_DELETE_GAP = 64;
    /** Header layout (docs/storage-format.md): the fixed part and the offset of the inline reply. */
    private static final int ACKED = 8;
    private static final int MAX_SEQ = 16;
    private static final int INLINE_SEQ = 24;
    private static final int INLINE_REPLY = 32;

    private final long group;

    Sessions(long group) {
        this.group = group;
    }

    /** Whether this write takes part in deduplication. */
    static boolean tracked(StoreCommand c) {
        return c.session() != 0 && c.seq() > 0;
    }

    /** The session's header, or null (read once per write and handed to the other methods). */
    byte[] header(Kv kv, StoreCommand c) {
        return tracked(c) ? header(kv, c.session()) : null;
    }

    /** The sequence number whose reply the header holds inline, or 0 (none; seqs start at 1). */
    private static long inlineSeq(byte[] header) {
        return header != null && header.length >= INLINE_REPLY ? KeyCodec.getLong(header, INLINE_SEQ) : 0;
    }

    /** The remembered reply of this write, a refusal for a stale one, or null to apply it. */
    Reply remembered(Kv kv, StoreCommand c, byte[] header) {
        if (!tracked(c) || header == null) {
            return null;
        }
        if (c.seq() <= KeyCodec.getLong(header, ACKED)) {
            return new Reply.Err(TOO_OLD);
        }
        if (c.seq() > KeyCodec.getLong(header, MAX_SEQ)) {
            return null; // never applied: no reply to look for
        }
        if (inlineSeq(header) == c.seq()) {
            return ReplyCodec.decode(header, INLINE_REPLY);
        }
        byte[] r = kv.get(KeyCodec.sessionReplyKey(group, c.session(), c.seq()));
        return r == null ? null : ReplyCodec.decode(r);
    }

    /** Records the reply of an applied write and forgets replies the client acknowledged. */
    void record(Kv kv, StoreCommand c, byte[] header, Reply reply) {
        if (!tracked(c)) {
            return;
        }
        long acked = header == null ? 0 : KeyCodec.getLong(header, ACKED);
        long maxSeq = header == null ? 0 : KeyCodec.getLong(header, MAX_SEQ);
        long inlineSeq = inlineSeq(header);
        long newAcked = Math.max(acked, Math.min(c.acked(), c.seq() - 1));
        if (newAcked > acked) {
            if (newAcked - acked <= POINT_DELETE_GAP) {
                for (long s = acked + 1; s <= newAcked; s++) {
                    if (s != inlineSeq) { // an inline reply has no record
                        kv.delete(KeyCodec.sessionReplyKey(group, c.session(), s));
                    }
                }
            } else {
                kv.deleteRange(KeyCodec.sessionReplyKey(group, c.session(), acked + 1),
                        KeyCodec.sessionReplyKey(group, c.session(), newAcked + 1));
            }
        }
        boolean inline = inlineSeq <= newAcked; // the tail is free (0: none) or its reply acked now
        byte[] h;
        if (inline) {
            h = ReplyCodec.encode(reply, INLINE_REPLY);
            KeyCodec.putLong(h, INLINE_SEQ, c.seq());
        } else {
            h = header.clone(); // keeps the unacknowledged inline reply
            kv.put(KeyCodec.sessionReplyKey(group, c.session(), c.seq()), ReplyCodec.encode(reply));
        }
        KeyCodec.putLong(h, 0, c.now());
        KeyCodec.putLong(h, ACKED, newAcked);
        KeyCodec.putLong(h, MAX_SEQ, Math.max(maxSeq, c.seq()));
        kv.put(KeyCodec.sessionKey(group, c.session()), h);
    }

    /** Drops every session idle since before {@code now - IDLE_EXPIRY_MS}; returns how many. */
    int expire(Kv kv, long now) {
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
        byte[] local = header(kv, session);
        long localAcked = local == null ? 0 : KeyCodec.getLong(local, ACKED);
        long acked = Math.max(localAcked, KeyCodec.getLong(source, ACKED));
        byte[] h = local == null ? new byte[INLINE_SEQ] : local.clone(); // keeps a local inline reply
        KeyCodec.putLong(h, 0, Math.max(local == null ? 0 : KeyCodec.getLong(local, 0), KeyCodec.getLong(source, 0)));
        KeyCodec.putLong(h, ACKED, acked);
        KeyCodec.putLong(h, MAX_SEQ, Math.max(local == null ? 0 : KeyCodec.getLong(local, MAX_SEQ),
                KeyCodec.getLong(source, MAX_SEQ)));
        if (acked > localAcked) {
            kv.deleteRange(KeyCodec.sessionReplyKey(group, session, localAcked + 1),
                    KeyCodec.sessionReplyKey(group, session, acked + 1));
        }
        long sourceInline = inlineSeq(source);
        if (sourceInline > acked) {
            kv.put(KeyCodec.sessionReplyKey(group, session, sourceInline),
                    java.util.Arrays.copyOfRange(source, INLINE_REPLY, source.length));
        }
        for (int i = 0; i < seqs.size(); i++) {
            if (seqs.get(i) > acked) {
                kv.put(KeyCodec.sessionReplyKey(group, session, seqs.get(i)), replies.get(i));
            }
        }
        kv.put(KeyCodec.sessionKey(group, session), h);
    }

    /** The header of {@code session} (written by this batch, cached or stored), or null. */
    private byte[] header(Kv kv, long session) {
        return kv.get(KeyCodec.sessionKey(group, session));
    }
}
