package io.cairn.store.replica;

import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Kv;
import io.cairn.store.types.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * Exactly-once writes (Raft thesis §6.3), persisted with the data. Sequence numbers of a session
 * count from 1 up to 2^63 - 1; a write with session 0 or a sequence number outside that range is
 * applied without deduplication. Per session: a header
 * {@code lastSeen(8) acked(8) maxSeq(8)} (maxSeq = highest sequence number applied, so the
 * usual new write needs no lookup of a remembered reply) and the reply of every write with {@code acked < seq}, kept
 * until the client acknowledges it (so a pipelining client may have many writes in flight). A
 * write whose (session, seq) has a remembered reply returns that reply and is not applied
 * again; a write at or below {@code acked} is refused (its reply was already received).
 * Sessions idle for longer than {@link #IDLE_EXPIRY_MS} are dropped by an expiry command the
 * leader proposes, with the leader's time: deterministic on every replica.
 */
final class Sessions {
    /** A session not seen for this long (leader time) is forgotten. */
    static final long IDLE_EXPIRY_MS = 30 * 60 * 1000L;
    static final String TOO_OLD = "ERR request already acknowledged by this session (stale retry)";
    /** Ack gaps at most this long are cleaned with point deletes, longer ones with a range delete. */
    private static final long POINT_DELETE_GAP = 64;

    private Sessions() {
    }

    /** Whether this write takes part in deduplication. */
    static boolean tracked(StoreCommand c) {
        return c.session() != 0 && c.seq() > 0;
    }

    /** The session's header, or null (read once per write and handed to the other methods). */
    static byte[] header(Kv kv, long group, StoreCommand c) {
        return tracked(c) ? kv.get(KeyCodec.sessionKey(group, c.session())) : null;
    }

    /** The remembered reply of this write, a refusal for a stale one, or null to apply it. */
    static Reply remembered(Kv kv, long group, StoreCommand c, byte[] header) {
        if (!tracked(c) || header == null) {
            return null;
        }
        if (c.seq() <= KeyCodec.getLong(header, 8)) {
            return new Reply.Err(TOO_OLD);
        }
        if (c.seq() > KeyCodec.getLong(header, 16)) {
            return null; // never applied: no reply to look for
        }
        byte[] r = kv.get(KeyCodec.sessionReplyKey(group, c.session(), c.seq()));
        return r == null ? null : ReplyCodec.decode(r);
    }

    /** Records the reply of an applied write and forgets replies the client acknowledged. */
    static void record(Kv kv, long group, StoreCommand c, byte[] header, Reply reply) {
        if (!tracked(c)) {
            return;
        }
        byte[] hk = KeyCodec.sessionKey(group, c.session());
        long acked = header == null ? 0 : KeyCodec.getLong(header, 8);
        long maxSeq = header == null ? 0 : KeyCodec.getLong(header, 16);
        long newAcked = Math.max(acked, Math.min(c.acked(), c.seq() - 1));
        if (newAcked > acked) {
            if (newAcked - acked <= POINT_DELETE_GAP) {
                for (long s = acked + 1; s <= newAcked; s++) {
                    kv.delete(KeyCodec.sessionReplyKey(group, c.session(), s));
                }
            } else {
                kv.deleteRange(KeyCodec.sessionReplyKey(group, c.session(), acked + 1),
                        KeyCodec.sessionReplyKey(group, c.session(), newAcked + 1));
            }
        }
        byte[] h = new byte[24];
        KeyCodec.putLong(h, 0, c.now());
        KeyCodec.putLong(h, 8, newAcked);
        KeyCodec.putLong(h, 16, Math.max(maxSeq, c.seq()));
        kv.put(hk, h);
        kv.put(KeyCodec.sessionReplyKey(group, c.session(), c.seq()), ReplyCodec.encode(reply));
    }

    /** Drops every session idle since before {@code now - IDLE_EXPIRY_MS}; returns how many. */
    static int expire(Kv kv, long group, long now) {
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
}
