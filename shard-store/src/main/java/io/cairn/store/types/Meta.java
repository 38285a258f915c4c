package io.cairn.store.types;

import java.util.Arrays;

/**
 * The metadata record of one key (value of its meta key). Layout, frozen
 * (docs/storage-format.md):
 *
 * <pre>
 *   type(1) expireAt(8, ms since epoch, 0 = no expiry)
 *   string:            value bytes
 *   hash:              version(8) count(8)
 *   set:               version(8) count(8) [removed(8)]
 *   zset:              version(8) count(8) [loLen(1) lo hiLen(1) hi]
 *   list:              version(8) count(8) head(8, signed position of the first element)
 * </pre>
 *
 * The bracketed tails are optional (records written before they existed end after count and
 * read as 0 / no bounds) and exist so that pops need not walk the tombstones of earlier pops
 * (docs/storage-format.md, "Live bounds"): a set counts the members removed from its version,
 * and a sorted set keeps bounds on its live score keys.
 *
 * Collection members live under sub-keys prefixed by the version; a collection that is deleted
 * or overwritten gets a fresh version, so its old members are unreachable at once and removed
 * in the same write batch (point deletes for small collections, one range tombstone for big ones).
 */
public final class Meta {
    public final TypeCode type;
    public long expireAt;
    /** String value (strings only). */
    public byte[] value;
    public long version;
    public long count;
    /** List: position of the first element; element i lives at position head + i. */
    public long head;
    /**
     * Set: members removed from this version (SREM, SPOP, SMOVE) since it was created, an upper
     * bound on the tombstones its scans may meet.
     */
    public long removed;
    /**
     * Sorted set: every live score key suffix ({@code sortableDouble(score) member}) is
     * {@code >= scoreLow} (null: no bound). At most {@link #MAX_BOUND} bytes.
     */
    public byte[] scoreLow;
    /** Sorted set: every live score key suffix is {@code < scoreHigh} (null: no bound). */
    public byte[] scoreHigh;

    /** The longest bound kept in a record: longer bounds are truncated (and stay bounds). */
    public static final int MAX_BOUND = 64;

    private Meta(TypeCode type) {
        this.type = type;
    }

    public static Meta string(byte[] value, long expireAt) {
        Meta m = new Meta(TypeCode.STRING);
        m.value = value;
        m.expireAt = expireAt;
        return m;
    }

    public static Meta collection(TypeCode type, long version) {
        Meta m = new Meta(type);
        m.version = version;
        return m;
    }

    public boolean expiredAt(long now) {
        return expireAt != 0 && expireAt <= now;
    }

    public byte[] encode() {
        if (type == TypeCode.STRING) {
            byte[] b = new byte[9 + value.length];
            b[0] = (byte) type.code();
            KeyCodec.putLong(b, 1, expireAt);
            System.arraycopy(value, 0, b, 9, value.length);
            return b;
        }
        int lo = scoreLow == null ? 0 : scoreLow.length;
        int hi = scoreHigh == null ? 0 : scoreHigh.length;
        int length = switch (type) {
            case LIST -> 33;
            case SET -> removed == 0 ? 25 : 33;
            case ZSET -> lo + hi == 0 ? 25 : 27 + lo + hi;
            default -> 25;
        };
        byte[] b = new byte[length];
        b[0] = (byte) type.code();
        KeyCodec.putLong(b, 1, expireAt);
        KeyCodec.putLong(b, 9, version);
        KeyCodec.putLong(b, 17, count);
        if (type == TypeCode.LIST) {
            KeyCodec.putLong(b, 25, head);
        } else if (length > 25 && type == TypeCode.SET) {
            KeyCodec.putLong(b, 25, removed);
        } else if (length > 25) {
            b[25] = (byte) lo;
            if (lo > 0) {
                System.arraycopy(scoreLow, 0, b, 26, lo);
            }
            b[26 + lo] = (byte) hi;
            if (hi > 0) {
                System.arraycopy(scoreHigh, 0, b, 27 + lo, hi);
            }
        }
        return b;
    }

    public static Meta decode(byte[] b) {
        Meta m = new Meta(TypeCode.of(b[0]));
        m.expireAt = KeyCodec.getLong(b, 1);
        if (m.type == TypeCode.STRING) {
            m.value = Arrays.copyOfRange(b, 9, b.length);
        } else {
            m.version = KeyCodec.getLong(b, 9);
            m.count = KeyCodec.getLong(b, 17);
            if (m.type == TypeCode.LIST) {
                m.head = KeyCodec.getLong(b, 25);
            } else if (b.length > 25 && m.type == TypeCode.SET) {
                m.removed = KeyCodec.getLong(b, 25);
            } else if (b.length > 25 && m.type == TypeCode.ZSET) {
                int lo = b[25] & 0xFF;
                int hi = b[26 + lo] & 0xFF;
                m.scoreLow = lo == 0 ? null : Arrays.copyOfRange(b, 26, 26 + lo);
                m.scoreHigh = hi == 0 ? null : Arrays.copyOfRange(b, 27 + lo, 27 + lo + hi);
            }
        }
        return m;
    }
}
