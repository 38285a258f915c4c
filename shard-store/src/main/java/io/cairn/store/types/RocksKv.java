package io.cairn.store.types;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * {@link Kv} over one RocksDB. Writable instances collect writes in an overlay (so later reads
 * of the same instance see them) and the ranges they delete; {@link #commit} writes them
 * atomically in one {@link WriteBatch}. Read-only instances read a
 * consistent RocksDB snapshot.
 *
 * <p>The overlay is a hash map by key; a sorted copy of it is made only when the batch first
 * needs order (a scan or a range delete) and kept in step from then on. Most batches (SET, INCR,
 * HSET: point reads and writes) never need it, and a hash lookup of a key beats a walk down a
 * tree of byte-array comparisons (the tree was ~12% of the apply threads under pipelined SETs).
 *
 * <p>A writable instance also remembers what it read from the DB (up to
 * {@link #READ_CACHE_LIMIT} keys), so reading a key again in the same batch (SET reads the
 * key's record to check it and again to replace it; later commands of the batch touch the
 * same keys) costs no second RocksDB lookup. This assumes what the apply path guarantees:
 * while a writable instance is open, nobody else writes the keys it reads (a group's range is
 * written only by its apply thread, through one instance at a time).
 *
 * <p>Not thread-safe: one instance per apply batch or per read.
 */
public final class RocksKv implements Kv, AutoCloseable {
    private static final byte[] TOMBSTONE = new byte[0];
    /** Keys whose DB value a writable instance remembers at most. */
    static final int READ_CACHE_LIMIT = 4096;

    private final RocksDB db;
    /**
     * Null until the first DB read: a read-only view with a record cache makes it with its
     * snapshot ({@link #ensureSnapshot}), a batch at its first read the record cache does not
     * answer (most apply batches under load make none).
     */
    private ReadOptions readOptions;
    private Snapshot snapshot;
    private final WriteBatch batch;
    /** This batch's writes by key ({@link #TOMBSTONE}: deleted); keys are the callers' arrays. */
    private final Map<ByteBuffer, byte[]> overlay;
    /** The overlay sorted by key, once something needed order (null until then). */
    private NavigableMap<byte[], byte[]> sorted;
    /** Ranges deleted by this batch: DB keys inside are hidden (overlay keys are newer). */
    private final List<byte[][]> masked = new ArrayList<>();
    /** DB values this batch read ({@link #TOMBSTONE}: absent), below the overlay and masks. */
    private final Map<ByteBuffer, byte[]> dbReads;
    /**
     * The group's records across batches (null: none): writable instances read through and update
     * it, read-only ones {@link RecordCache#peek} at it, validated against {@link #stamp}.
     */
    private final RecordCache records;
    /** Read-only instances: the cache's stamp, taken before the snapshot. */
    private final long stamp;
    /** Read-only views with a cache: checks the snapshot as it is taken (null: none). */
    private final SnapshotGuard guard;
    /** A read-only view answered a record from the cache before it took its snapshot. */
    private boolean answeredFromCache;

    /**
     * Checks a read-only view's snapshot as it is taken (the owner's snapshot installs, which
     * change the DB non-atomically): {@link #before} may refuse, {@link #after} may reject.
     */
    public interface SnapshotGuard {
        /** Before the snapshot is taken: a token for {@link #after}; throws if none may be taken now. */
        long before();

        /** After: throws if the snapshot taken since {@link #before} returned {@code token} is not usable. */
        void after(long token);
    }

    /**
     * Thrown by a read-only view whose cache answers no longer match the snapshot it had to take
     * later (the group changed in between): run the read again on {@link #snapshot(RocksDB)}.
     */
    public static final class StaleView extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleView() {
            super("the group changed while a read used its record cache; read again", null, false, false);
        }
    }

    private RocksKv(RocksDB db, boolean writable, RecordCache records, SnapshotGuard guard) {
        this.db = db;
        this.records = records;
        this.guard = guard;
        // before the snapshot: a cached entry is used only if nothing changed since (RecordCache)
        this.stamp = records == null || writable ? 1 : records.stamp();
        if (writable) {
            this.batch = new WriteBatch();
            this.overlay = new HashMap<>();
            this.dbReads = new HashMap<>();
        } else {
            if (records == null) {
                ensureSnapshot();
            } // else taken at the first read the cache cannot answer: most GETs never take one
            this.batch = null;
            this.overlay = null;
            this.dbReads = null;
        }
    }

    /**
     * Read-only views: takes the snapshot if not taken yet. A view that already answered from the
     * cache keeps it only if the cache's stamp has not moved since the view began (then the cache
     * answers are what the snapshot holds), else throws {@link StaleView}.
     */
    private void ensureSnapshot() {
        if (snapshot != null) {
            return;
        }
        long token = guard == null ? 0 : guard.before();
        Snapshot taken = db.getSnapshot();
        try {
            if (guard != null) {
                guard.after(token);
            }
            if (answeredFromCache && records.stamp() != stamp) {
                throw new StaleView();
            }
        } catch (RuntimeException e) {
            db.releaseSnapshot(taken);
            throw e;
        }
        snapshot = taken;
        readOptions = new ReadOptions().setSnapshot(taken);
    }

    /** A batch of writes over the current state of {@code db}. */
    public static RocksKv writeBatch(RocksDB db) {
        return new RocksKv(db, true, null, null);
    }

    /**
     * A batch of writes over the current state of {@code db} that reads through and, once
     * committed, updates {@code records} (see {@link RecordCache} for what that requires).
     */
    public static RocksKv writeBatch(RocksDB db, RecordCache records) {
        return new RocksKv(db, true, records, null);
    }

    /** A read-only view of a snapshot of {@code db}. */
    public static RocksKv snapshot(RocksDB db) {
        return new RocksKv(db, false, null, null);
    }

    /** A read-only view of a snapshot of {@code db} taken now, checked by {@code guard}. */
    public static RocksKv snapshot(RocksDB db, SnapshotGuard guard) {
        return new RocksKv(db, false, null, guard);
    }

    /**
     * A read-only view of a snapshot of {@code db} that answers a group's metadata records and
     * session headers from {@code records} (its apply path's cache) while that cache is known to
     * hold what the snapshot holds, and from the snapshot otherwise. Any thread.
     *
     * <p>The snapshot is taken at the first read the cache does not answer (checked by
     * {@code guard}, may be null), so a read the cache answers whole takes none; its point in
     * time is then that first read. Reads through the view may throw {@link StaleView}.
     */
    public static RocksKv snapshot(RocksDB db, RecordCache records, SnapshotGuard guard) {
        return new RocksKv(db, false, records, guard);
    }

    @Override
    public boolean writable() {
        return batch != null;
    }

    @Override
    public byte[] get(byte[] key) {
        if (overlay != null) {
            byte[] v = overlay.get(ByteBuffer.wrap(key));
            if (v != null) {
                return v == TOMBSTONE ? null : v;
            }
            if (isMasked(key)) {
                return null;
            }
            v = dbReads.get(ByteBuffer.wrap(key));
            if (v != null) {
                return v == TOMBSTONE ? null : v;
            }
            if (records != null) {
                v = records.lookup(key);
                if (v != null) {
                    return v == RecordCache.ABSENT ? null : v;
                }
            }
        } else if (records != null) {
            byte[] v = records.peek(key, stamp);
            if (v != null) {
                answeredFromCache = true;
                return v == RecordCache.ABSENT ? null : v;
            }
            ensureSnapshot();
            return read(key);
        }
        byte[] v = read(key);
        if (records != null && RecordCache.holds(key)) {
            records.read(key, v); // remembered there, across batches: not in dbReads as well
        } else if (dbReads != null && dbReads.size() < READ_CACHE_LIMIT) {
            // the key is copied: a caller may reuse its array; the value is the caller's as before
            dbReads.put(ByteBuffer.wrap(key.clone()), v == null ? TOMBSTONE : v);
        }
        return v;
    }

    private byte[] read(byte[] key) {
        if (readOptions == null) { // a batch's first DB read (views make theirs with the snapshot)
            readOptions = new ReadOptions();
        }
        try {
            return db.get(readOptions, key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB read failed", e);
        }
    }

    private boolean isMasked(byte[] key) {
        return isMasked(key, masked.size());
    }

    /** Whether one of the first {@code masks} range deletes of this batch covers {@code key}. */
    private boolean isMasked(byte[] key, int masks) {
        for (int i = 0; i < masks; i++) {
            byte[][] r = masked.get(i);
            if (Arrays.compareUnsigned(key, r[0]) >= 0 && Arrays.compareUnsigned(key, r[1]) < 0) {
                return true;
            }
        }
        return false;
    }

    private void requireWritable() {
        if (batch == null) {
            throw new IllegalStateException("read-only view");
        }
    }

    @Override
    public void put(byte[] key, byte[] value) {
        requireWritable();
        byte[] v = value.length == 0 ? new byte[0] : value;
        overlay.put(ByteBuffer.wrap(key), v);
        if (sorted != null) {
            sorted.put(key, v);
        }
    }

    @Override
    public void delete(byte[] key) {
        requireWritable();
        overlay.put(ByteBuffer.wrap(key), TOMBSTONE);
        if (sorted != null) {
            sorted.put(key, TOMBSTONE);
        }
    }

    @Override
    public void deleteRange(byte[] from, byte[] to) {
        requireWritable();
        if (Arrays.compareUnsigned(from, to) >= 0) {
            return;
        }
        NavigableMap<byte[], byte[]> covered = sorted().subMap(from, true, to, false);
        for (byte[] k : covered.keySet()) {
            overlay.remove(ByteBuffer.wrap(k));
        }
        covered.clear();
        masked.add(new byte[][] {from.clone(), to.clone()});
    }

    /** The overlay in key order: made on first use, then kept in step by put and delete. */
    private NavigableMap<byte[], byte[]> sorted() {
        if (sorted == null) {
            sorted = new TreeMap<>(Arrays::compareUnsigned);
            for (Map.Entry<ByteBuffer, byte[]> e : overlay.entrySet()) {
                sorted.put(e.getKey().array(), e.getValue());
            }
        }
        return sorted;
    }

    /**
     * Writes the batch atomically: its range deletes in call order, then the final value of each
     * key it wrote, in key order. The same result as replaying every call in order (a key written
     * before a range delete that covers it left the overlay then; one written after it is in the
     * overlay and goes after the range), with one memtable insert per key however often the batch
     * wrote it (a session header rewritten by every write of a pipelining client), and inserts in
     * key order, which lets RocksDB's skip list start each search where the previous one ended.
     */
    public void commit(WriteOptions options) {
        requireWritable();
        // whether the batch writes records the cache keeps (range deletes: maybe)
        boolean cachedKinds = !masked.isEmpty();
        try {
            for (byte[][] range : masked) {
                batch.deleteRange(range[0], range[1]);
            }
            if (sorted != null) {
                for (Map.Entry<byte[], byte[]> e : sorted.entrySet()) {
                    cachedKinds |= add(e.getKey(), e.getValue());
                }
            } else {
                List<Map.Entry<ByteBuffer, byte[]>> writes = new ArrayList<>(overlay.entrySet());
                writes.sort((x, y) -> Arrays.compareUnsigned(x.getKey().array(), y.getKey().array()));
                for (Map.Entry<ByteBuffer, byte[]> e : writes) {
                    cachedKinds |= add(e.getKey().array(), e.getValue());
                }
            }
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB write failed", e);
        }
        if (records == null || !cachedKinds) {
            write(options);
            return;
        }
        // Readers peeking at the cache must not use it from before the DB write until it has the
        // batch's records (RecordCache): one change held across both. A batch without such
        // records (the applied index, collection members) changes nothing a reader takes from it.
        // If either fails, the cache may no longer hold what the DB holds: readers stop using it.
        boolean done = false;
        records.beginChange();
        try {
            write(options);
            records.committed(masked, overlay, TOMBSTONE);
            done = true;
        } finally {
            if (!done) {
                records.retire();
            }
            records.endChange();
        }
    }

    private void write(WriteOptions options) {
        try {
            db.write(options, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB write failed", e);
        }
    }

    /** Adds one write to the batch; whether its key is of a kind the record cache keeps. */
    private boolean add(byte[] key, byte[] value) throws RocksDBException {
        if (value == TOMBSTONE) {
            batch.delete(key);
        } else {
            batch.put(key, value);
        }
        return RecordCache.holds(key);
    }

    @Override
    public void close() {
        if (batch != null) {
            batch.close();
        }
        if (snapshot != null) {
            db.releaseSnapshot(snapshot);
        }
        if (readOptions != null) {
            readOptions.close();
        }
    }

    @Override
    public Cursor scan(byte[] from, byte[] to, boolean reverse) {
        if (batch == null) {
            ensureSnapshot();
        }
        return new MergedCursor(from, to, reverse);
    }

    /** Merges the overlay (newer) with the DB, hiding tombstones and masked DB keys. */
    private final class MergedCursor implements Cursor {
        private final byte[] from;
        private final byte[] to;
        private final boolean reverse;
        private final ReadOptions cursorOptions;
        private final Slice lower;
        private final Slice upper;
        private final RocksIterator it;
        private final Iterator<Map.Entry<byte[], byte[]>> ov;
        /** Range deletes made before the cursor opened: later ones do not change its view. */
        private final int masks = masked.size();
        private Map.Entry<byte[], byte[]> ovHead;
        private boolean started;
        private byte[] key;
        private byte[] value;

        MergedCursor(byte[] from, byte[] to, boolean reverse) {
            this.from = from;
            this.to = to;
            this.reverse = reverse;
            // Bounds tell RocksDB where to stop: without them an iterator that has read the last
            // key of the range keeps skipping tombstones beyond it (RPOP over the tombstones of
            // earlier pops: O(pops so far)) until it finds a live key or the end of the DB.
            this.cursorOptions = new ReadOptions();
            if (snapshot != null) {
                cursorOptions.setSnapshot(snapshot);
            }
            this.lower = new Slice(from);
            this.upper = new Slice(to);
            cursorOptions.setIterateLowerBound(lower);
            cursorOptions.setIterateUpperBound(upper);
            this.it = db.newIterator(cursorOptions);
            if (overlay != null) {
                NavigableMap<byte[], byte[]> sub = sorted().subMap(from, true, to, false);
                // copied, so the caller may write through this Kv while the cursor is open
                List<Map.Entry<byte[], byte[]>> copy = new ArrayList<>();
                for (Map.Entry<byte[], byte[]> e : (reverse ? sub.descendingMap() : sub).entrySet()) {
                    copy.add(new java.util.AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
                }
                ov = copy.iterator();
            } else {
                ov = null;
            }
        }

        private boolean dbValid() {
            if (!it.isValid()) {
                return false;
            }
            byte[] k = it.key();
            return reverse ? Arrays.compareUnsigned(k, from) >= 0 : Arrays.compareUnsigned(k, to) < 0;
        }

        private void dbSkipMasked() {
            while (dbValid() && (overlay != null && isMasked(it.key(), masks))) {
                step();
            }
        }

        private void step() {
            if (reverse) {
                it.prev();
            } else {
                it.next();
            }
        }

        @Override
        public boolean next() {
            if (!started) {
                started = true;
                if (reverse) {
                    it.seekForPrev(to);
                    if (it.isValid() && Arrays.equals(it.key(), to)) {
                        it.prev();
                    }
                } else {
                    it.seek(from);
                }
                ovHead = ov != null && ov.hasNext() ? ov.next() : null;
            }
            while (true) {
                dbSkipMasked();
                boolean dbOk = dbValid();
                if (!dbOk && ovHead == null) {
                    key = null;
                    value = null;
                    return false;
                }
                int c;
                if (!dbOk) {
                    c = 1; // overlay first
                } else if (ovHead == null) {
                    c = -1;
                } else {
                    c = Arrays.compareUnsigned(it.key(), ovHead.getKey());
                    if (reverse) {
                        c = -c;
                    }
                }
                if (c < 0) {
                    key = it.key();
                    value = it.value();
                    step();
                    return true;
                }
                if (c == 0) {
                    step(); // the overlay entry shadows the DB entry
                }
                Map.Entry<byte[], byte[]> e = ovHead;
                ovHead = ov.hasNext() ? ov.next() : null;
                if (e.getValue() == TOMBSTONE) {
                    continue;
                }
                key = e.getKey();
                value = e.getValue();
                return true;
            }
        }

        @Override
        public byte[] key() {
            return key;
        }

        @Override
        public byte[] value() {
            return value;
        }

        @Override
        public void close() {
            it.close();
            cursorOptions.close();
            lower.close();
            upper.close();
        }
    }
}
