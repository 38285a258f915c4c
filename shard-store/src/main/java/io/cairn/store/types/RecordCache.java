package io.cairn.store.types;

import java.nio.ByteBuffer;
import java.util.Arrays;
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
 * range another way (a snapshot install) calls {@link #clear}. Bounded by bytes: when full, an
 * entry not used since the clock hand last passed it makes room (CLOCK, an approximation of least
 * recently used); records longer than {@link #VALUE_LIMIT} bytes are not kept.
 *
 * <p>An open-addressing table (linear probing, deletion by backward shift) of entries and their
 * hashes, with one "used" bit per slot. An entry is one array holding the key and its record
 * ({@code keyLength(4) key present(1) record}), so a lookup of a random key costs two levels of
 * cache misses (the slot's hash and entry reference, then the entry), not three (slot, then key
 * and record arrays of their own, then the record): in a microbenchmark of nine 33,000-key tables
 * (what three stores' replicas of three groups hold under redis-benchmark -r 100000) ~520-620 ns
 * → ~410-445 ns per lookup on this VM (~125 ns of it making the key). A lookup returns a copy of the record. A
 * {@code LinkedHashMap} in access order, before that, cost every lookup a {@code ByteBuffer}
 * wrapper, a hash over its bytes, four dependent cache misses and a relinking of the list (about
 * a tenth of the CPU under pipelined SETs).
 *
 * <p><b>Readers on other threads.</b> The apply thread is the only writer, but reads (on the
 * gateway's and the read pool's threads) may {@link #peek} through a seqlock: {@link #stamp} is
 * odd while the table is being changed or the group's records in the DB are (from before a
 * batch's RocksDB write until the cache has taken it — {@link #beginChange}/{@link #endChange},
 * held across the write by {@link RocksKv#commit}), and even otherwise. A reader takes the stamp
 * before its RocksDB snapshot and uses an entry only if the stamp is still that even value after
 * reading it: then nothing of the group changed since before its snapshot, and the entry is what
 * the snapshot holds. Anything else (odd, moved on, a torn view of arrays being swapped) is "not
 * known" and the reader asks RocksDB, as without the cache. Readers change nothing here (no used
 * bit, no counter). This relies on a RocksDB write being visible to snapshots once it returns
 * (true of the data DB's options; not of {@code unordered_write}, which it must not set). A
 * change that fails midway {@link #retire}s the cache for readers: it may no longer match the DB.
 *
 * <p>Not thread-safe otherwise: the group's apply thread is the only user of everything but
 * {@link #stamp} and {@link #peek}.
 */
public final class RecordCache {
    private static final java.lang.invoke.VarHandle STAMP;

    static {
        try {
            STAMP = java.lang.invoke.MethodHandles.lookup().findVarHandle(RecordCache.class, "stamp", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The largest bound of one group's cache, in bytes of keys, values and overhead. */
    public static final long DEFAULT_BYTES = 16L << 20;
    /** Records longer than this are not cached (big strings are stored inline in the record). */
    public static final int VALUE_LIMIT = 512;
    /**
     * What an entry costs besides its key and record bytes, rounded up, with compressed
     * references (heaps under 32 GB): its array's header (16 bytes), length and presence fields
     * (5) and padding (up to 7); and its share of the table, of a reference, a hash and a used bit
     * per slot (9 bytes), at 2 to 4 slots per entry while the table grows with its entries
     * (18-36 bytes): 39-64. Not counted: a table up to eight times its entries after its bound
     * was lowered or ranges were dropped (it halves below that, see {@link #shrinkIfSparse}),
     * and wider references on bigger heaps (~47-80). 120 (until session 15, from an earlier layout) made the cache hold about
     * 60% of what its byte bound allows; 64: SET +2-4% at 1M keys (docs/benchmarks.md).
     */
    static final int ENTRY_OVERHEAD = 64;
    /** The answer of {@link #lookup} for a key known to have no record. */
    static final byte[] ABSENT = new byte[0];
    private static final int INITIAL_CAPACITY = 1024;

    /** Set by the node as it opens and closes groups (see {@link #limit(long)}), read on apply. */
    private volatile long limitBytes;
    /**
     * Slot i is empty when entries[i] is null; the table is at most half full. An entry is
     * {@code keyLength(4) key present(1) record} (present 0: known absent, no record bytes);
     * entries are never changed once made, only replaced.
     */
    private byte[][] entries;
    private int[] hashes;
    private boolean[] used;
    private int count;
    /** The CLOCK hand: the slot eviction looks at next. */
    private int hand;
    private long bytes;
    private long hits;
    private long misses;
    /** The seqlock readers validate against (see the class comment): odd while changing. */
    private volatile long stamp;
    /**
     * Nested {@link #beginChange} calls open now: only the thread applying the group's entries
     * (or installing its snapshot, before any apply) changes the table.
     */
    private int changing;
    /** See {@link #retire}. */
    private volatile boolean retired;

    public RecordCache() {
        this(DEFAULT_BYTES);
    }

    public RecordCache(long limitBytes) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("limitBytes: " + limitBytes);
        }
        this.limitBytes = limitBytes;
        allocate(INITIAL_CAPACITY);
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
        int i = find(key, hash(key));
        if (i < 0) {
            misses++;
            return null;
        }
        hits++;
        used[i] = true;
        return record(entries[i], 5 + key.length);
    }

    /** Remembers what the DB holds under {@code key} (null: nothing), as a read found it. */
    void read(byte[] key, byte[] value) {
        if (holds(key)) {
            beginChange();
            try {
                store(key, value); // copied into the entry: the caller may reuse its array
            } finally {
                endChange();
            }
        }
    }

    /**
     * Opens a change (apply thread): until the matching {@link #endChange}, readers on other
     * threads get nothing from {@link #peek}. Held across a write of the group's records to the
     * DB as well as across changes of this table; may nest.
     */
    public void beginChange() {
        if (changing++ == 0) {
            STAMP.setVolatile(this, stamp + 1);
            java.lang.invoke.VarHandle.storeStoreFence(); // the odd stamp before any change it covers
        }
    }

    /** Closes a change {@link #beginChange} opened; the last one lets readers use the table again. */
    public void endChange() {
        if (changing <= 0) {
            throw new IllegalStateException("no change is open");
        }
        if (--changing == 0) {
            STAMP.setVolatile(this, stamp + 1); // after every change it covers (a release)
        }
    }

    /**
     * Readers get nothing from {@link #peek} any more (the thread that changes the table; once
     * the group's state machine is closed, or a change failed): its data may be deleted or
     * replaced behind the cache, so they use the DB only.
     */
    public void retire() {
        retired = true;
        // and the stamp moves (keeping its parity): a read that already took an answer from here
        // must not take a snapshot of what comes next (the group's range deleted, recreated)
        STAMP.setVolatile(this, stamp + 2);
    }

    /** The stamp a reader takes before its RocksDB snapshot, for {@link #peek} (any thread). */
    public long stamp() {
        return stamp;
    }

    /**
     * Any thread: the record of {@code key} as {@link #lookup} would answer it, provided nothing
     * changed since {@code stamp} was taken (else null: ask the DB). See the class comment.
     */
    byte[] peek(byte[] key, long stamp) {
        if ((stamp & 1) != 0 || retired || !holds(key)) {
            return null;
        }
        // racy reads of arrays the apply thread may be changing or swapping: bounded, checked
        // against each other, and worth something only if the stamp has not moved meanwhile
        byte[][] es = entries;
        int[] hs = hashes;
        int n = es.length;
        if (hs.length != n) {
            return null;
        }
        int h = hash(key);
        int mask = n - 1;
        int i = h & mask;
        byte[] found = null;
        for (int probes = 0; probes < n; probes++) {
            byte[] e = es[i];
            if (e == null) {
                break;
            }
            if (hs[i] == h && matches(e, key)) { // checks its own bounds: e may be seen half-made
                found = record(e, 5 + key.length); // the offset matches checked, not re-read
                break;
            }
            i = (i + 1) & mask;
        }
        java.lang.invoke.VarHandle.loadLoadFence(); // the table's reads before the stamp's re-read
        return this.stamp == stamp ? found : null;
    }

    /**
     * A batch was written: its range deletes {@code masked} (each {from, to}), then its puts and
     * deletes {@code overlay} (deletes as {@code tombstone}), which are newer than the masks.
     */
    void committed(List<byte[][]> masked, Map<ByteBuffer, byte[]> overlay, byte[] tombstone) {
        beginChange();
        try {
            takeCommitted(masked, overlay, tombstone);
        } finally {
            endChange();
        }
    }

    private void takeCommitted(List<byte[][]> masked, Map<ByteBuffer, byte[]> overlay, byte[] tombstone) {
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
        beginChange();
        try {
            allocate(INITIAL_CAPACITY);
            count = 0;
            hand = 0;
            bytes = 0;
        } finally {
            endChange();
        }
    }

    public int size() {
        return count;
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

    /** Every entry, in no particular order: its key and record (null: absent). Tests, diagnostics. */
    public void forEach(java.util.function.BiConsumer<byte[], byte[]> action) {
        for (byte[] e : entries) {
            if (e != null) {
                byte[] record = record(e, 5 + keyLength(e));
                action.accept(Arrays.copyOfRange(e, 4, 4 + keyLength(e)), record == ABSENT ? null : record);
            }
        }
    }

    private void store(byte[] key, byte[] value) {
        int h = hash(key);
        int i = find(key, h);
        boolean tooBig = value != null && value.length > VALUE_LIMIT;
        if (i >= 0) {
            bytes -= cost(entries[i]);
            if (tooBig) {
                remove(i);
            } else {
                byte[] e = entry(key, value);
                entries[i] = e;
                used[i] = true;
                bytes += cost(e);
                evict(e);
                shrinkIfSparse();
            }
            return;
        }
        if (tooBig) {
            return;
        }
        if ((count + 1) * 2 > entries.length) {
            resize(entries.length * 2);
        }
        byte[] e = entry(key, value);
        insert(e, h, true);
        count++;
        bytes += cost(e);
        evict(e);
        shrinkIfSparse();
    }

    /**
     * Halves the table while under an eighth of it is in use, down to its initial size: after
     * the bound was lowered (a node shares one budget among more groups) or ranges were dropped,
     * a table sized for many more entries would stay, outside the byte bound. At an eighth the
     * entries can grow fourfold before the table doubles again.
     */
    private void shrinkIfSparse() {
        int n = entries.length;
        while (n > INITIAL_CAPACITY && count * 8 < n) {
            n >>= 1;
        }
        if (n != entries.length) {
            resize(n);
        }
    }

    /** Slots in the table (tests). */
    int capacity() {
        return entries.length;
    }

    /** Drops entries the hand finds unused (clearing the bits of used ones) until under the bound. */
    private void evict(byte[] keep) {
        long limit = limitBytes;
        int mask = entries.length - 1;
        int skipped = 0;
        while (bytes > limit && count > 0) {
            int i = hand;
            byte[] k = entries[i];
            if (k == null || k == keep || used[i]) {
                if (k != null && k != keep) {
                    used[i] = false;
                } else if (k == keep && ++skipped > 1 && count == 1) {
                    return; // only the entry just stored is left: it stays, over the bound
                }
                hand = (i + 1) & mask;
                continue;
            }
            bytes -= cost(k);
            remove(i); // the slot may now hold a shifted entry: the hand looks at it next
        }
    }

    /** The slot of {@code key}, or -1. */
    private int find(byte[] key, int h) {
        int mask = entries.length - 1;
        int i = h & mask;
        byte[] e;
        while ((e = entries[i]) != null) {
            if (hashes[i] == h && matches(e, key)) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Empties slot {@code i}, moving back the entries after it that probing would not find otherwise. */
    private void remove(int i) {
        int mask = entries.length - 1;
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (entries[j] == null) {
                break;
            }
            int home = hashes[j] & mask;
            // the entry at j may fill the hole unless its home lies cyclically in (hole, j]
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                entries[hole] = entries[j];
                hashes[hole] = hashes[j];
                used[hole] = used[j];
                hole = j;
            }
        }
        entries[hole] = null;
        used[hole] = false;
        count--;
    }

    private void dropRange(byte[] from, byte[] to) {
        if (count == 0 || !coversHeldKind(from, to)) {
            return; // the range holds no key of a kind kept here (reply records, markers...)
        }
        byte[][] oldEntries = entries;
        boolean[] oldUsed = used;
        int[] oldHashes = hashes;
        allocate(oldEntries.length);
        count = 0;
        for (int i = 0; i < oldEntries.length; i++) {
            byte[] e = oldEntries[i];
            if (e == null) {
                continue;
            }
            int k = keyLength(e);
            if (Arrays.compareUnsigned(e, 4, 4 + k, from, 0, from.length) >= 0
                    && Arrays.compareUnsigned(e, 4, 4 + k, to, 0, to.length) < 0) {
                bytes -= cost(e);
            } else {
                insert(e, oldHashes[i], oldUsed[i]);
                count++;
            }
        }
        hand = 0;
        shrinkIfSparse();
    }

    private void resize(int capacity) {
        byte[][] oldEntries = entries;
        boolean[] oldUsed = used;
        int[] oldHashes = hashes;
        allocate(capacity);
        for (int i = 0; i < oldEntries.length; i++) {
            if (oldEntries[i] != null) {
                insert(oldEntries[i], oldHashes[i], oldUsed[i]);
            }
        }
        hand = 0;
    }

    /** Puts an entry known to be absent into a table with room (count is the caller's). */
    private void insert(byte[] entry, int h, boolean wasUsed) {
        int mask = entries.length - 1;
        int slot = h & mask;
        while (entries[slot] != null) {
            slot = (slot + 1) & mask;
        }
        entries[slot] = entry;
        hashes[slot] = h;
        used[slot] = wasUsed;
    }

    private void allocate(int capacity) {
        entries = new byte[capacity][];
        hashes = new int[capacity];
        used = new boolean[capacity];
    }

    /** A new entry: {@code keyLength(4) key present(1) record} (record null: known absent). */
    private static byte[] entry(byte[] key, byte[] record) {
        int k = key.length;
        byte[] e = new byte[5 + k + (record == null ? 0 : record.length)];
        e[0] = (byte) (k >>> 24);
        e[1] = (byte) (k >>> 16);
        e[2] = (byte) (k >>> 8);
        e[3] = (byte) k;
        System.arraycopy(key, 0, e, 4, k);
        if (record != null) {
            e[4 + k] = 1;
            System.arraycopy(record, 0, e, 5 + k, record.length);
        }
        return e;
    }

    private static int keyLength(byte[] e) {
        return (e[0] & 0xFF) << 24 | (e[1] & 0xFF) << 16 | (e[2] & 0xFF) << 8 | (e[3] & 0xFF);
    }

    /**
     * Whether entry {@code e} is {@code key}'s. Checks its own bounds: a reader on another thread
     * may see an entry's array before its bytes (then it answers anything, and the stamp check
     * discards it), so nothing here may throw.
     */
    private static boolean matches(byte[] e, byte[] key) {
        int k = key.length;
        return e.length >= 5 + k && keyLength(e) == k && Arrays.equals(e, 4, 4 + k, key, 0, k);
    }

    /**
     * The record an entry holds (a copy), or {@link #ABSENT}; {@code from} is where it starts
     * (5 + key length, as {@link #matches} checked it: within the entry).
     */
    private static byte[] record(byte[] e, int from) {
        return e[from - 1] == 0 ? ABSENT : Arrays.copyOfRange(e, from, e.length);
    }

    /** Arrays.hashCode spread (murmur3's finalizer): keys share long prefixes and differ at the end. */
    private static int hash(byte[] key) {
        int h = Arrays.hashCode(key);
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
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

    /** The kinds of record this cache keeps. */
    private static final byte[] KINDS = {KeyCodec.KIND_SESSION, KeyCodec.KIND_META};

    /** An entry's key and record bytes plus {@link #ENTRY_OVERHEAD}. */
    private static long cost(byte[] entry) {
        return (long) entry.length - 5 + ENTRY_OVERHEAD;
    }
}
