package io.cairn.store.types;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The committed key metadata records (kind {@link KeyCodec#KIND_META}) and session headers (kind
 * {@link KeyCodec#KIND_SESSION}) of one group that its apply batches read or wrote lately, across
 * batches: most writes read the record of their key first (SET checks what it replaces) and the
 * header of their client's session (exactly-once), and without this every one of them is a
 * RocksDB lookup on every replica (memtable skip list, then the SST files), the apply threads'
 * largest cost under load. An entry holds the record's bytes exactly as stored, or "absent".
 *
 * <p>Correct only while every write to the group's metadata goes through a writable
 * {@link RocksKv} that was given this cache: a DB read is remembered as it is made (the apply
 * thread is the group's only writer, so what it reads is committed), a batch's writes are
 * remembered once the batch is committed ({@link #committed}), and whoever writes the group's
 * range another way (a snapshot install) calls {@link #clear}. Bounded by bytes, least recently
 * used entries dropped first; records longer than {@link #VALUE_LIMIT} bytes are not kept.
 *
 * <p>Not thread-safe: the group's apply thread is the only user.
 */
public final class RecordCache {
    /** The largest bound of one group's cache, in bytes of keys, values and overhead. */
    public static final long DEFAULT_BYTES = 16L << 20;
    /** Records longer than this are not cached (big strings are stored inline in the record). */
    public static final int VALUE_LIMIT = 512;
    /** What an entry costs besides its key and value bytes (map node, ByteBuffer, array headers). */
    private static final int ENTRY_OVERHEAD = 120;
    /** The answer of {@link #lookup} for a key known to have no record. */
    static final byte[] ABSENT = new byte[0];

    /** Set by the node as it opens and closes groups (see {@link #limit(long)}), read on apply. */
    private volatile long limitBytes;
    private final LinkedHashMap<ByteBuffer, byte[]> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    public RecordCache() {
        this(DEFAULT_BYTES);
    }

    public RecordCache(long limitBytes) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("limitBytes: " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    /**
     * Changes the bound (a node shares one budget among its groups): a smaller one takes effect
     * at the group's next write. Any thread.
     */
    public void limit(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: " + bytes);
        }
        limitBytes = bytes;
    }

    public long limit() {
        return limitBytes;
    }

    /** The kinds of record this cache keeps. */
    private static final byte[] KINDS = {KeyCodec.KIND_SESSION, KeyCodec.KIND_META};

    /** Whether this cache keeps {@code key} (a metadata record key or a session header key). */
    static boolean holds(byte[] key) {
        return key.length > 8 && (key[8] == KeyCodec.KIND_META || key[8] == KeyCodec.KIND_SESSION);
    }

    /**
     * The cached state of {@code key}: its record, {@link #ABSENT} (compare by identity) when it
     * is known to have none, or null when the cache does not know (read the DB).
     */
    byte[] lookup(byte[] key) {
        if (!holds(key)) {
            return null;
        }
        byte[] v = entries.get(ByteBuffer.wrap(key));
        if (v == null) {
            misses++;
            return null;
        }
        hits++;
        return v;
    }

    /** Remembers what the DB holds under {@code key} (null: nothing), as a read found it. */
    void read(byte[] key, byte[] value) {
        if (holds(key)) {
            store(key.clone(), value); // the caller may reuse its key array
        }
    }

    /**
     * A batch was written: its range deletes {@code masked} (each {from, to}), then its puts and
     * deletes {@code overlay} (deletes as {@code tombstone}), which are newer than the masks.
     */
    void committed(List<byte[][]> masked, Map<ByteBuffer, byte[]> overlay, byte[] tombstone) {
        for (byte[][] range : masked) {
            dropRange(range[0], range[1]);
        }
        for (Map.Entry<ByteBuffer, byte[]> e : overlay.entrySet()) {
            byte[] key = e.getKey().array();
            if (holds(key)) {
                store(key, e.getValue() == tombstone ? null : e.getValue());
            }
        }
    }

    /** Forgets everything (the group's data was replaced outside the apply batches). */
    public void clear() {
        entries.clear();
        bytes = 0;
    }

    public int size() {
        return entries.size();
    }

    public long bytes() {
        return bytes;
    }

    /** Lookups answered from the cache since it was made. */
    public long hits() {
        return hits;
    }

    /** Lookups of metadata keys the cache did not know. */
    public long misses() {
        return misses;
    }

    /** Every entry, least recently used first: its key and record (null: absent). Tests, diagnostics. */
    public void forEach(java.util.function.BiConsumer<byte[], byte[]> action) {
        for (Map.Entry<ByteBuffer, byte[]> e : entries.entrySet()) {
            action.accept(e.getKey().array(), e.getValue() == ABSENT ? null : e.getValue());
        }
    }

    private void store(byte[] key, byte[] value) {
        ByteBuffer k = ByteBuffer.wrap(key);
        byte[] old;
        if (value != null && value.length > VALUE_LIMIT) {
            old = entries.remove(k);
        } else {
            old = entries.put(k, value == null ? ABSENT : value);
            bytes += cost(key, value == null ? ABSENT : value);
        }
        if (old != null) {
            bytes -= cost(key, old);
        }
        Iterator<Map.Entry<ByteBuffer, byte[]>> eldest = entries.entrySet().iterator();
        long limit = limitBytes;
        while (bytes > limit && eldest.hasNext()) {
            Map.Entry<ByteBuffer, byte[]> e = eldest.next();
            bytes -= cost(e.getKey().array(), e.getValue());
            eldest.remove();
        }
    }

    private void dropRange(byte[] from, byte[] to) {
        if (entries.isEmpty() || !coversHeldKind(from, to)) {
            return; // the range holds no key of a kind kept here (reply records, markers...)
        }
        Iterator<Map.Entry<ByteBuffer, byte[]>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ByteBuffer, byte[]> e = it.next();
            byte[] k = e.getKey().array();
            if (Arrays.compareUnsigned(k, from) >= 0 && Arrays.compareUnsigned(k, to) < 0) {
                bytes -= cost(k, e.getValue());
                it.remove();
            }
        }
    }

    /** Whether [from, to) overlaps the key range of a kind this cache keeps, in from's group. */
    private static boolean coversHeldKind(byte[] from, byte[] to) {
        long group = KeyCodec.getLong(from.length >= 8 ? from : Arrays.copyOf(from, 8), 0);
        for (byte kind : KINDS) {
            byte[] first = KeyCodec.kindPrefix(group, kind);
            if (Arrays.compareUnsigned(to, first) > 0 && Arrays.compareUnsigned(from, KeyCodec.prefixEnd(first)) < 0) {
                return true;
            }
        }
        return false;
    }

    private static long cost(byte[] key, byte[] value) {
        return (long) key.length + value.length + ENTRY_OVERHEAD;
    }
}
