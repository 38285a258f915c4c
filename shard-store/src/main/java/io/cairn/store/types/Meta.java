package io.cairn.store.types;

import java.util.Arrays;

/**
 * The metadata record of one key (value of its meta key). Layout, frozen
 * (docs/storage-format.md):
 *
 * <pre>
 *   type(1) expireAt(8, ms since epoch, 0 = no expiry)
 *   string:            value bytes
 *   hash, set, zset:   version(8) count(8)
 *   list:              version(8) count(8) head(8, signed position of the first element)
 * </pre>
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
        byte[] b = new byte[type == TypeCode.LIST ? 33 : 25];
        b[0] = (byte) type.code();
        KeyCodec.putLong(b, 1, expireAt);
        KeyCodec.putLong(b, 9, version);
        KeyCodec.putLong(b, 17, count);
        if (type == TypeCode.LIST) {
            KeyCodec.putLong(b, 25, head);
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
            }
        }
        return m;
    }
}
