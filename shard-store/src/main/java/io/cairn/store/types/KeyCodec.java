package io.cairn.store.types;

import java.util.Arrays;

/**
 * The RocksDB key layout of the data of all groups of a store node (docs/storage-format.md; the
 * kind bytes are frozen). Every key starts with the 8-byte big-endian group id so a group's data
 * is one contiguous range; data keys then carry the 2-byte slot so a slot is a contiguous range
 * within a kind and can be scanned, copied and range-deleted.
 *
 * <pre>
 *   group(8) 0x01                                  applied state: index(8) term(8)
 *   group(8) 0x02 session(8)                       session header (SessionTable)
 *   group(8) 0x03 session(8) seq(8)                remembered reply of one write
 *   group(8) 0x04 slot(2)                          slot state (migration): state(1) attempt(8) [serveAfter(8)]
 *   group(8) 0x05 slot(2) key                      dirty marker (migration): index(8)
 *   group(8) 0x06 slot(2) session(8)               session marker (migration): index(8)
 *   group(8) 0x10 slot(2) key                      key metadata record (Meta)
 *   group(8) 0x11 slot(2) version(8) subkey        member of a collection version
 *   group(8) 0x12 expireAt(8) slot(2) key          expiry index (active expiry)
 * </pre>
 */
public final class KeyCodec {
    public static final byte KIND_APPLIED = 0x01;
    public static final byte KIND_SESSION = 0x02;
    public static final byte KIND_SESSION_REPLY = 0x03;
    /** Slot migration: the slot's state and attempt (docs/slot-migration.md). */
    public static final byte KIND_SLOT_STATE = 0x04;
    /** Slot migration: a key written while its slot was MIGRATING, with the entry's index. */
    public static final byte KIND_DIRTY = 0x05;
    /** Slot migration: a session that wrote to a MIGRATING slot, with the entry's index. */
    public static final byte KIND_SESSION_MARKER = 0x06;
    public static final byte KIND_META = 0x10;
    public static final byte KIND_SUB = 0x11;
    public static final byte KIND_EXPIRE = 0x12;

    private KeyCodec() {
    }

    public static byte[] groupPrefix(long group) {
        byte[] b = new byte[8];
        putLong(b, 0, group);
        return b;
    }

    /** The first key after every key of {@code group}. */
    public static byte[] groupEnd(long group) {
        return groupPrefix(group + 1);
    }

    public static byte[] kindPrefix(long group, byte kind) {
        byte[] b = new byte[9];
        putLong(b, 0, group);
        b[8] = kind;
        return b;
    }

    public static byte[] appliedKey(long group) {
        return kindPrefix(group, KIND_APPLIED);
    }

    public static byte[] sessionKey(long group, long session) {
        byte[] b = new byte[17];
        putLong(b, 0, group);
        b[8] = KIND_SESSION;
        putLong(b, 9, session);
        return b;
    }

    public static byte[] sessionReplyKey(long group, long session, long seq) {
        byte[] b = new byte[25];
        putLong(b, 0, group);
        b[8] = KIND_SESSION_REPLY;
        putLong(b, 9, session);
        putLong(b, 17, seq);
        return b;
    }

    public static byte[] metaKey(long group, int slot, byte[] key) {
        return slotKey(group, KIND_META, slot, key);
    }

    public static byte[] metaKey(long group, byte[] key) {
        return metaKey(group, Slots.slot(key), key);
    }

    /** The first meta key of {@code slot}; {@code metaSlotPrefix(g, slot + 1)} ends the range. */
    public static byte[] metaSlotPrefix(long group, int slot) {
        return slotPrefix(group, KIND_META, slot);
    }

    /**
     * {@code group(8) kind(1) slot(2)}: the first key of {@code slot} in a kind keyed by slot
     * (0x04, 0x05, 0x06, 0x10, 0x11); {@code slotPrefix(g, kind, slot + 1)} ends the slot's range
     * (slot + 1 may be {@link Slots#COUNT}).
     */
    public static byte[] slotPrefix(long group, byte kind, int slot) {
        byte[] b = new byte[11];
        putLong(b, 0, group);
        b[8] = kind;
        b[9] = (byte) (slot >>> 8);
        b[10] = (byte) slot;
        return b;
    }

    public static byte[] slotStateKey(long group, int slot) {
        return slotPrefix(group, KIND_SLOT_STATE, slot);
    }

    public static byte[] dirtyKey(long group, int slot, byte[] key) {
        return slotKey(group, KIND_DIRTY, slot, key);
    }

    /** {@code group(8) 0x06 slot(2) session(8)}. */
    public static byte[] sessionMarkerKey(long group, int slot, long session) {
        return slotKey(group, KIND_SESSION_MARKER, slot, longBytes(session));
    }

    /** The session of a session marker key. */
    public static long sessionOfMarker(byte[] sessionMarkerKey) {
        return getLong(sessionMarkerKey, 11);
    }

    /** {@code group(8) kind(1) slot(2) key}. */
    private static byte[] slotKey(long group, byte kind, int slot, byte[] key) {
        byte[] b = new byte[11 + key.length];
        putLong(b, 0, group);
        b[8] = kind;
        b[9] = (byte) (slot >>> 8);
        b[10] = (byte) slot;
        System.arraycopy(key, 0, b, 11, key.length);
        return b;
    }

    /** The slot of a key of a kind keyed by slot (0x04, 0x05, 0x06, 0x10, 0x11). */
    public static int slotOf(byte[] key) {
        return ((key[9] & 0xFF) << 8) | (key[10] & 0xFF);
    }

    /** The user key of a dirty marker key. */
    public static byte[] userKeyOfDirty(byte[] dirtyKey) {
        return Arrays.copyOfRange(dirtyKey, 11, dirtyKey.length);
    }

    /** The user key of a meta key. */
    public static byte[] userKeyOfMeta(byte[] metaKey) {
        return Arrays.copyOfRange(metaKey, 11, metaKey.length);
    }

    public static int slotOfMeta(byte[] metaKey) {
        return ((metaKey[9] & 0xFF) << 8) | (metaKey[10] & 0xFF);
    }

    /** Prefix of every sub-key of one collection version: group 0x11 slot version. */
    public static byte[] subPrefix(long group, int slot, long version) {
        byte[] b = new byte[19];
        putLong(b, 0, group);
        b[8] = KIND_SUB;
        b[9] = (byte) (slot >>> 8);
        b[10] = (byte) slot;
        putLong(b, 11, version);
        return b;
    }

    public static byte[] subKey(byte[] subPrefix, byte[] suffix) {
        byte[] b = Arrays.copyOf(subPrefix, subPrefix.length + suffix.length);
        System.arraycopy(suffix, 0, b, subPrefix.length, suffix.length);
        return b;
    }

    public static byte[] subKey(byte[] subPrefix, byte tag, byte[] suffix) {
        byte[] b = Arrays.copyOf(subPrefix, subPrefix.length + 1 + suffix.length);
        b[subPrefix.length] = tag;
        System.arraycopy(suffix, 0, b, subPrefix.length + 1, suffix.length);
        return b;
    }

    public static byte[] expireKey(long group, long expireAt, int slot, byte[] key) {
        byte[] b = new byte[19 + key.length];
        putLong(b, 0, group);
        b[8] = KIND_EXPIRE;
        putLong(b, 9, expireAt);
        b[17] = (byte) (slot >>> 8);
        b[18] = (byte) slot;
        System.arraycopy(key, 0, b, 19, key.length);
        return b;
    }

    public static long expireAtOfExpireKey(byte[] k) {
        return getLong(k, 9);
    }

    public static byte[] userKeyOfExpireKey(byte[] k) {
        return Arrays.copyOfRange(k, 19, k.length);
    }

    /** The smallest byte string greater than every string starting with {@code prefix}. */
    public static byte[] prefixEnd(byte[] prefix) {
        byte[] b = prefix.clone();
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xFF) {
                b[i]++;
                return Arrays.copyOf(b, i + 1);
            }
        }
        throw new IllegalArgumentException("prefix of 0xFF bytes has no end");
    }

    public static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        return Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }

    public static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    public static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    public static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        putLong(b, 0, v);
        return b;
    }

    /** Big-endian with the sign bit flipped: byte order equals signed numeric order. */
    public static byte[] sortableLong(long v) {
        return longBytes(v ^ Long.MIN_VALUE);
    }

    public static long fromSortableLong(byte[] b, int at) {
        return getLong(b, at) ^ Long.MIN_VALUE;
    }

    /** Byte order equals numeric order for every double but NaN (never stored); -0.0 sorts as 0.0. */
    public static byte[] sortableDouble(double d) {
        if (d == 0.0) {
            d = 0.0;
        }
        long bits = Double.doubleToRawLongBits(d);
        bits = bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
        return longBytes(bits);
    }

    public static double fromSortableDouble(byte[] b, int at) {
        long bits = getLong(b, at);
        bits = bits < 0 ? bits ^ Long.MIN_VALUE : ~bits;
        return Double.longBitsToDouble(bits);
    }
}
