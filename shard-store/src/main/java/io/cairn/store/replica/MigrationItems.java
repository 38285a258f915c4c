package io.cairn.store.replica;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a slot migration copies, one item per byte string: the items of an {@code ExportSlots}
 * message are the arguments of the {@code cairn.slot-ingest} entry the target proposes for it, so
 * nothing is converted on the way. Format, frozen (docs/storage-format.md, "Migration items"):
 *
 * <pre>
 *   1 ABSENT   keyLen(4) key                                  delete the key at the target
 *   2 VALUE    keyLen(4) key metaLen(4) meta n(4) member*n    the whole value: replaces the key
 *   3 MORE     keyLen(4) key n(4) member*n                    more members of the VALUE before
 *   4 SESSION  session(8) headerLen(4) header n(4) reply*n    one exactly-once session
 *   member := suffixLen(4) suffix valueLen(4) value           a sub-record after its version prefix
 *   reply  := seq(8) len(4) bytes                             a remembered reply (ReplyCodec)
 * </pre>
 *
 * {@code meta} is the key's metadata record as stored (type, absolute expireAt, ...); the target
 * gives a collection a fresh version. Lengths are big-endian.
 */
final class MigrationItems {
    static final byte ABSENT = 1;
    static final byte VALUE = 2;
    static final byte MORE = 3;
    static final byte SESSION = 4;

    private MigrationItems() {
    }

    static byte[] absent(byte[] key) {
        return ByteBuffer.allocate(5 + key.length).put(ABSENT).putInt(key.length).put(key).array();
    }

    /** A VALUE or MORE item under construction (members are added until it is big enough). */
    static final class KeyItem {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int members;
        private final int countAt;

        KeyItem(byte[] key, byte[] meta) {
            out.write(meta == null ? MORE : VALUE);
            writeInt(key.length);
            out.writeBytes(key);
            if (meta != null) {
                writeInt(meta.length);
                out.writeBytes(meta);
            }
            countAt = out.size();
            writeInt(0);
        }

        void member(byte[] suffix, byte[] value) {
            writeInt(suffix.length);
            out.writeBytes(suffix);
            writeInt(value.length);
            out.writeBytes(value);
            members++;
        }

        int size() {
            return out.size();
        }

        int members() {
            return members;
        }

        byte[] bytes() {
            byte[] b = out.toByteArray();
            ByteBuffer.wrap(b).putInt(countAt, members);
            return b;
        }

        private void writeInt(int v) {
            out.write(v >>> 24);
            out.write(v >>> 16);
            out.write(v >>> 8);
            out.write(v);
        }
    }

    static byte[] session(long session, byte[] header, List<Long> seqs, List<byte[]> replies) {
        int size = 1 + 8 + 4 + header.length + 4;
        for (byte[] r : replies) {
            size += 12 + r.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).put(SESSION).putLong(session).putInt(header.length).put(header)
                .putInt(replies.size());
        for (int i = 0; i < replies.size(); i++) {
            b.putLong(seqs.get(i)).putInt(replies.get(i).length).put(replies.get(i));
        }
        return b.array();
    }

    /** A decoded item. {@code meta} is null for ABSENT and MORE; sessions use the last three. */
    record Item(byte kind, byte[] key, byte[] meta, List<byte[][]> members, long session, byte[] header,
                List<Long> replySeqs, List<byte[]> replies) {
    }

    static Item decode(byte[] item) {
        ByteBuffer b = ByteBuffer.wrap(item);
        byte kind = b.get();
        if (kind == SESSION) {
            long session = b.getLong();
            byte[] header = bytes(b);
            int n = count(b);
            List<Long> seqs = new ArrayList<>(n);
            List<byte[]> replies = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                seqs.add(b.getLong());
                replies.add(bytes(b));
            }
            return new Item(kind, null, null, List.of(), session, header, seqs, replies);
        }
        if (kind != ABSENT && kind != VALUE && kind != MORE) {
            throw new IllegalArgumentException("unknown migration item kind " + kind);
        }
        byte[] key = bytes(b);
        if (kind == ABSENT) {
            return new Item(kind, key, null, List.of(), 0, null, null, null);
        }
        byte[] meta = kind == VALUE ? bytes(b) : null;
        int n = count(b);
        List<byte[][]> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            members.add(new byte[][] {bytes(b), bytes(b)});
        }
        return new Item(kind, key, meta, members, 0, null, null, null);
    }

    private static int count(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("bad migration item count " + n);
        }
        return n;
    }

    private static byte[] bytes(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("bad migration item length " + n);
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }
}
