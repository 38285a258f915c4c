package io.cairn.raft.storage;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import io.cairn.raft.core.HardState;
import io.cairn.raft.core.SnapshotMetadata;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.TreeSet;

/**
 * The on-disk encoding of {@link RocksLogStore}. Frozen: every byte below is persisted, so a
 * change needs a new version byte (values) or a new kind code (keys), never a reinterpretation.
 * All integers are big-endian. See {@code docs/raft-log-store.md} for the reasoning.
 *
 * <pre>
 * column family "log"
 *   key   = groupId u64 | index u64                                   (16 bytes)
 *   value = term u64 | entry type code u8 | data                       (9 + n bytes)
 *
 * column family "meta"
 *   key   = groupId u64 | kind u8                                     (9 bytes)
 *   kind 1 HARD_STATE: version u8 = 1 | term u64 | vote u64 | commit u64
 *   kind 2 SNAPSHOT:   version u8 = 1 | index u64 | term u64 | conf state
 *   kind 3 LOG_START:  version u8 = 1 | index u64 | term u64   (the compaction point: first index - 1)
 *   conf state = 5 × (count u32 | count × id u64, ascending), in the order voters,
 *                votersOutgoing, learners, learnersNext, observers; then autoLeave u8 (0/1)
 *
 * column family "default"
 *   key "cairn.raft-log.format" = format u8 = 1                        (the layout version)
 * </pre>
 *
 * <p>Log values carry no version byte: they are the bulk of what is written, and the entry type
 * code already is the extension point (an unknown code fails loudly on read).
 */
final class LogStoreCodec {

    /** Version of the whole layout, stored once under {@link #FORMAT_KEY}. */
    static final byte FORMAT_VERSION = 1;
    static final byte[] FORMAT_KEY = "cairn.raft-log.format".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static final int LOG_KEY_BYTES = 16;
    static final int META_KEY_BYTES = 9;
    static final int LOG_VALUE_HEADER_BYTES = 9;

    /** Exclusive upper bound of a group's log keys: no entry has (unsigned) index 2^64 - 1. */
    static final long INDEX_END = -1L;

    /** Kinds of records in the "meta" column family. The codes are persisted: never renumber. */
    enum MetaKind {
        HARD_STATE(1),
        SNAPSHOT(2),
        LOG_START(3);

        final byte code;

        MetaKind(int code) {
            this.code = (byte) code;
        }

        static MetaKind ofCode(byte code) {
            switch (code) {
                case 1:
                    return HARD_STATE;
                case 2:
                    return SNAPSHOT;
                case 3:
                    return LOG_START;
                default:
                    throw new IllegalStateException("unknown meta record kind: " + (code & 0xFF));
            }
        }
    }

    private static final byte VALUE_VERSION = 1;

    private LogStoreCodec() {
    }

    static byte[] logKey(long groupId, long index) {
        return ByteBuffer.allocate(LOG_KEY_BYTES).putLong(groupId).putLong(index).array();
    }

    static long logKeyGroup(byte[] key) {
        return ByteBuffer.wrap(key).getLong(0);
    }

    static long logKeyIndex(byte[] key) {
        return ByteBuffer.wrap(key).getLong(8);
    }

    static byte[] metaKey(long groupId, MetaKind kind) {
        return ByteBuffer.allocate(META_KEY_BYTES).putLong(groupId).put(kind.code).array();
    }

    /** Start (inclusive) of a group's meta records. */
    static byte[] metaKeyStart(long groupId) {
        return ByteBuffer.allocate(META_KEY_BYTES).putLong(groupId).put((byte) 0).array();
    }

    /** End (exclusive) of a group's meta records; no kind uses code 0xFF. */
    static byte[] metaKeyEnd(long groupId) {
        return ByteBuffer.allocate(META_KEY_BYTES).putLong(groupId).put((byte) 0xFF).array();
    }

    static long metaKeyGroup(byte[] key) {
        checkLength(key, META_KEY_BYTES, "meta key");
        return ByteBuffer.wrap(key).getLong(0);
    }

    static MetaKind metaKeyKind(byte[] key) {
        checkLength(key, META_KEY_BYTES, "meta key");
        return MetaKind.ofCode(key[8]);
    }

    static byte[] encodeEntryValue(Entry e) {
        byte[] data = e.data();
        return ByteBuffer.allocate(LOG_VALUE_HEADER_BYTES + data.length)
                .putLong(e.term()).put((byte) e.type().code()).put(data).array();
    }

    static Entry decodeEntry(long index, byte[] value) {
        if (value.length < LOG_VALUE_HEADER_BYTES) {
            throw new IllegalStateException("corrupt log value at index " + index + ": " + value.length
                    + " bytes (expected: >= " + LOG_VALUE_HEADER_BYTES + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        long term = b.getLong();
        EntryType type = EntryType.ofCode(b.get());
        byte[] data = new byte[value.length - LOG_VALUE_HEADER_BYTES];
        b.get(data);
        return new Entry(term, index, type, data);
    }

    /** The term of an encoded log value, without copying its data. */
    static long decodeEntryTerm(long index, byte[] value) {
        if (value.length < LOG_VALUE_HEADER_BYTES) {
            throw new IllegalStateException("corrupt log value at index " + index + ": " + value.length
                    + " bytes (expected: >= " + LOG_VALUE_HEADER_BYTES + ")");
        }
        return ByteBuffer.wrap(value).getLong(0);
    }

    static byte[] encodeHardState(HardState hs) {
        return ByteBuffer.allocate(25).put(VALUE_VERSION).putLong(hs.term()).putLong(hs.vote())
                .putLong(hs.commit()).array();
    }

    static HardState decodeHardState(byte[] value) {
        ByteBuffer b = versioned(value, "hard state");
        try {
            HardState hs = new HardState(b.getLong(), b.getLong(), b.getLong());
            trailing(b, "hard state");
            return hs;
        } catch (BufferUnderflowException e) {
            throw new IllegalStateException("corrupt hard state: " + value.length + " bytes", e);
        }
    }

    /** The compaction point: index and term of the entry just before the first one. */
    record LogStart(long index, long term) {
        static final LogStart ZERO = new LogStart(0, 0);
    }

    static byte[] encodeLogStart(LogStart start) {
        return ByteBuffer.allocate(17).put(VALUE_VERSION).putLong(start.index()).putLong(start.term()).array();
    }

    static LogStart decodeLogStart(byte[] value) {
        ByteBuffer b = versioned(value, "log start");
        try {
            LogStart s = new LogStart(b.getLong(), b.getLong());
            trailing(b, "log start");
            return s;
        } catch (BufferUnderflowException e) {
            throw new IllegalStateException("corrupt log start: " + value.length + " bytes", e);
        }
    }

    static byte[] encodeSnapshotMetadata(SnapshotMetadata m) {
        ConfState cs = m.confState();
        int ids = cs.voters().size() + cs.votersOutgoing().size() + cs.learners().size()
                + cs.learnersNext().size() + cs.observers().size();
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 8 + 5 * 4 + ids * 8 + 1);
        b.put(VALUE_VERSION).putLong(m.index()).putLong(m.term());
        putIds(b, cs.voters());
        putIds(b, cs.votersOutgoing());
        putIds(b, cs.learners());
        putIds(b, cs.learnersNext());
        putIds(b, cs.observers());
        b.put((byte) (cs.autoLeave() ? 1 : 0));
        return b.array();
    }

    static SnapshotMetadata decodeSnapshotMetadata(byte[] value) {
        ByteBuffer b = versioned(value, "snapshot metadata");
        try {
            long index = b.getLong();
            long term = b.getLong();
            Set<Long> voters = getIds(b);
            Set<Long> votersOutgoing = getIds(b);
            Set<Long> learners = getIds(b);
            Set<Long> learnersNext = getIds(b);
            Set<Long> observers = getIds(b);
            byte autoLeave = b.get();
            if (autoLeave != 0 && autoLeave != 1) {
                throw new IllegalStateException("corrupt snapshot metadata: autoLeave byte " + autoLeave);
            }
            trailing(b, "snapshot metadata");
            return new SnapshotMetadata(index, term,
                    new ConfState(voters, votersOutgoing, learners, learnersNext, observers, autoLeave == 1));
        } catch (BufferUnderflowException e) {
            throw new IllegalStateException("corrupt snapshot metadata: " + value.length + " bytes", e);
        }
    }

    private static void putIds(ByteBuffer b, Set<Long> ids) {
        b.putInt(ids.size());
        for (long id : new TreeSet<>(ids)) {
            b.putLong(id);
        }
    }

    private static Set<Long> getIds(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / 8) {
            throw new IllegalStateException("corrupt conf state: id count " + n + " (remaining bytes: "
                    + b.remaining() + ")");
        }
        TreeSet<Long> ids = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            ids.add(b.getLong());
        }
        return ids;
    }

    private static ByteBuffer versioned(byte[] value, String what) {
        if (value.length == 0 || value[0] != VALUE_VERSION) {
            throw new IllegalStateException("unknown " + what + " version: "
                    + (value.length == 0 ? "empty value" : String.valueOf(value[0] & 0xFF))
                    + " (expected: " + VALUE_VERSION + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        b.get();
        return b;
    }

    private static void trailing(ByteBuffer b, String what) {
        if (b.hasRemaining()) {
            throw new IllegalStateException("corrupt " + what + ": " + b.remaining() + " trailing bytes");
        }
    }

    private static void checkLength(byte[] key, int expected, String what) {
        if (key.length != expected) {
            throw new IllegalStateException("corrupt " + what + ": " + key.length + " bytes (expected: "
                    + expected + ")");
        }
    }
}
