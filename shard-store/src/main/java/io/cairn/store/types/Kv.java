package io.cairn.store.types;

/**
 * Ordered byte key-value access for the type layer: reads see the writes made earlier through
 * the same instance. Implemented over RocksDB by {@link RocksKv}.
 */
public interface Kv {

    byte[] get(byte[] key);

    /** Keys in {@code [from, to)}, ascending, or descending when {@code reverse}. Close it. */
    Cursor scan(byte[] from, byte[] to, boolean reverse);

    void put(byte[] key, byte[] value);

    void delete(byte[] key);

    /** Deletes every key in {@code [from, to)}; later reads through this instance see it. */
    void deleteRange(byte[] from, byte[] to);

    /** Whether writes are allowed (false for a read-only view). */
    boolean writable();

    /** A position over keys; {@link #next()} first. */
    interface Cursor extends AutoCloseable {
        boolean next();

        byte[] key();

        byte[] value();

        @Override
        void close();
    }

    default Cursor scan(byte[] from, byte[] to) {
        return scan(from, to, false);
    }
}
