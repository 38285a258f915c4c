package io.cairn.raft.storage;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.HardState;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.core.StorageException;
import io.cairn.raft.storage.LogStoreCodec.LogStart;
import io.cairn.raft.storage.LogStoreCodec.MetaKind;
import io.cairn.raft.storage.RocksLogWriteBatch.Append;
import io.cairn.raft.storage.RocksLogWriteBatch.Compact;
import io.cairn.raft.storage.RocksLogWriteBatch.Op;
import io.cairn.raft.storage.RocksLogWriteBatch.SetHardState;
import io.cairn.raft.storage.RocksLogWriteBatch.SetSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The durable Raft log of every group of a node, in one RocksDB (column families {@code log} and
 * {@code meta}, encoding in {@link LogStoreCodec}, reasoning in {@code docs/raft-log-store.md}).
 *
 * <h2>Group commit</h2>
 * {@link #commit(LogWriteBatch)} validates the whole batch, applies it to the in-memory view of each
 * group in the caller's thread (so the core reads its own writes at once), encodes it, and queues
 * it. One writer thread takes everything queued (up to {@link RocksLogStoreConfig#maxBytesPerWrite()}),
 * writes it as a single RocksDB {@code WriteBatch} with one fsync, and then completes all those
 * futures in queue order. Commits are queued in the order they update memory (both happen under
 * one commit lock), so the disk sees the same order of operations as the in-memory view.
 *
 * <p>Futures complete on the writer thread: callbacks must not block (use the {@code *Async}
 * variants for real work), or they delay every later commit.
 *
 * <h2>Errors</h2>
 * A batch that is invalid for the current log (the same conditions {@code MemoryStorage} rejects,
 * see {@link #commit}) is refused by a synchronous exception, and nothing of it is applied. A
 * failed RocksDB write fails its futures with a {@link LogStoreException}; the store then refuses
 * every further commit, because memory is ahead of the disk: the node must stop.
 *
 * <h2>Commit-index writes</h2>
 * A batch whose only operations are hard states that keep the group's stored term and vote (the
 * leader or a follower learned of a new commit index) is written without an fsync of its own: its
 * future completes once RocksDB has it in the write-ahead log, and the next synced write (or a
 * clean close) makes it durable. Raft does not need the commit index on disk: a crash that loses
 * it leaves a lower one, which the leader raises again (etcd-raft's {@code MustSync} is false for
 * it too), and the runtime raises it to what the state machine applied on restart. A write merged
 * from several batches is synced if any of them needs it.
 *
 * <h2>Relaxed durability</h2>
 * With {@code sync=false} futures complete once RocksDB has the write in its (unsynced) write-ahead
 * log; see {@link RocksLogStoreConfig#sync()} for what that risks. Off by default.
 */
public final class RocksLogStore implements RaftLogStore {

    static {
        RocksDB.loadLibrary();
    }

    private static final byte[] LOG_CF = "log".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] META_CF = "meta".getBytes(StandardCharsets.US_ASCII);

    private static final PendingWrite CLOSE = new PendingWrite(-1);

    private final RocksLogStoreConfig config;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions defaultCfOptions;
    private final ColumnFamilyOptions logCfOptions;
    private final ColumnFamilyOptions metaCfOptions;
    private final WriteOptions writeOptions;
    /** For writes holding only commit-index changes (see "Commit-index writes"). */
    private final WriteOptions unsyncedWriteOptions;
    private final RocksDB db;
    private final ColumnFamilyHandle defaultCf;
    private final ColumnFamilyHandle logCf;
    private final ColumnFamilyHandle metaCf;

    private final ConcurrentHashMap<Long, RocksGroupLogStorage> groups = new ConcurrentHashMap<>();

    /** Orders commits: memory updates and queue order are the same. */
    private final ReentrantLock commitLock = new ReentrantLock();
    /** Guarded by {@link #commitLock}. */
    private long lastSeq;
    /** Guarded by {@link #commitLock}. */
    private boolean closed;
    private volatile Throwable failure;

    private final LinkedBlockingQueue<PendingWrite> queue = new LinkedBlockingQueue<>();
    /** Sequence number of the last batch whose write has completed. */
    private volatile long writtenSeq;
    private final Thread writer;

    /** Readers of RocksDB hold it shared; {@link #close()} takes it exclusively to free the handles. */
    private final ReentrantReadWriteLock dbLock = new ReentrantReadWriteLock();
    /** Guarded by {@link #dbLock}. */
    private boolean dbClosed;

    private final AtomicLong batchesCommitted = new AtomicLong();
    private final AtomicLong batchesWritten = new AtomicLong();
    private final AtomicLong diskWrites = new AtomicLong();
    private final AtomicLong syncedWrites = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong entriesReadFromDisk = new AtomicLong();

    /** Test hook: when set, the writer waits for it after taking a batch and before draining more. */
    private volatile CountDownLatch writerGate;

    private RocksLogStore(RocksLogStoreConfig config) throws RocksDBException {
        this.config = config;
        try {
            Files.createDirectories(config.directory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create log store directory " + config.directory(), e);
        }
        dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setKeepLogFileNum(5)
                // The meta family sees few writes; without a cap its memtable would keep old WAL
                // files alive for a long time.
                .setMaxTotalWalSize(4 * config.writeBufferBytes());
        defaultCfOptions = new ColumnFamilyOptions();
        logCfOptions = new ColumnFamilyOptions().setWriteBufferSize(config.writeBufferBytes());
        metaCfOptions = new ColumnFamilyOptions().setWriteBufferSize(8L * 1024 * 1024);
        writeOptions = new WriteOptions().setSync(config.sync());
        unsyncedWriteOptions = new WriteOptions().setSync(false);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaultCfOptions),
                new ColumnFamilyDescriptor(LOG_CF, logCfOptions),
                new ColumnFamilyDescriptor(META_CF, metaCfOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB opened;
        try {
            opened = RocksDB.open(dbOptions, config.directory().toString(), descriptors, handles);
        } catch (RocksDBException | RuntimeException e) {
            closeOptions();
            throw e;
        }
        db = opened;
        defaultCf = handles.get(0);
        logCf = handles.get(1);
        metaCf = handles.get(2);
        try {
            checkFormat();
            recover();
        } catch (RocksDBException | RuntimeException e) {
            closeHandles();
            throw e;
        }
        writer = new Thread(this::runWriter, "raft-log-writer-" + config.directory().getFileName());
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Opens (or creates) the store in {@code config.directory()} and rebuilds the in-memory view of
     * every group in it.
     *
     * @throws LogStoreException if RocksDB cannot open it
     * @throws IllegalStateException if its contents are of an unknown format or corrupt
     */
    public static RocksLogStore open(RocksLogStoreConfig config) {
        try {
            return new RocksLogStore(config);
        } catch (RocksDBException e) {
            throw new LogStoreException("cannot open log store in " + config.directory() + ": " + e.getMessage(), e);
        }
    }

    public RocksLogStoreConfig config() {
        return config;
    }

    @Override
    public Set<Long> groups() {
        return Set.copyOf(groups.keySet());
    }

    @Override
    public GroupLogStorage group(long groupId) {
        return groups.get(groupId);
    }

    @Override
    public CompletableFuture<GroupLogStorage> createGroup(long groupId, ConfState founding) {
        Objects.requireNonNull(founding, "founding");
        commitLock.lock();
        try {
            checkUsable();
            if (groups.containsKey(groupId)) {
                throw new IllegalStateException("group " + groupId + " exists");
            }
            SnapshotMetadata snapshot = new SnapshotMetadata(0, 0, founding);
            RocksGroupLogStorage group = new RocksGroupLogStorage(this, groupId, config.entryCacheBytesPerGroup(),
                    HardState.EMPTY, snapshot, LogStart.ZERO, 0);
            PendingWrite w = new PendingWrite(++lastSeq);
            w.putMeta(LogStoreCodec.metaKey(groupId, MetaKind.HARD_STATE), LogStoreCodec.encodeHardState(HardState.EMPTY));
            w.putMeta(LogStoreCodec.metaKey(groupId, MetaKind.SNAPSHOT), LogStoreCodec.encodeSnapshotMetadata(snapshot));
            w.putMeta(LogStoreCodec.metaKey(groupId, MetaKind.LOG_START), LogStoreCodec.encodeLogStart(LogStart.ZERO));
            groups.put(groupId, group);
            enqueue(w);
            return w.future.thenApply(v -> group);
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Deletes every key of the group. The group's storage object answers no more reads (they throw
     * {@link IllegalStateException}). Destroying a group that does not exist still deletes any key
     * of it, which is harmless.
     */
    @Override
    public CompletableFuture<Void> destroyGroup(long groupId) {
        commitLock.lock();
        try {
            checkUsable();
            RocksGroupLogStorage group = groups.remove(groupId);
            if (group != null) {
                group.markDestroyed();
            }
            PendingWrite w = new PendingWrite(++lastSeq);
            w.deleteLogRange(LogStoreCodec.logKey(groupId, 0), LogStoreCodec.logKey(groupId, LogStoreCodec.INDEX_END));
            w.deleteMetaRange(LogStoreCodec.metaKeyStart(groupId), LogStoreCodec.metaKeyEnd(groupId));
            enqueue(w);
            return w.future;
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public LogWriteBatch newBatch() {
        return new RocksLogWriteBatch();
    }

    /**
     * {@inheritDoc}
     *
     * <p>The batch is checked whole before anything of it is applied; it is refused (and none of it
     * applied or written) with the exception {@code MemoryStorage} would throw for the first invalid
     * operation:
     * <ul>
     * <li>an operation on a group that does not exist: {@link IllegalStateException};
     * <li>append leaving a gap after the last index: {@link IllegalStateException}
     *     ("missing log entry"); entries at or below the first index are ignored;
     * <li>compact at or below the compaction point: {@link StorageException} COMPACTED; beyond the last
     *     index, or beyond the latest snapshot's index (this store's contract, not checked by
     *     MemoryStorage): {@link IllegalArgumentException};
     * <li>setSnapshot not newer than the latest snapshot: {@link StorageException}
     *     SNAPSHOT_OUT_OF_DATE; without {@code discardLog}, beyond the last index:
     *     {@link IllegalArgumentException}.
     * </ul>
     * A committed batch cannot be committed again.
     *
     * @throws IllegalStateException also if the store is closed or failed
     */
    @Override
    public CompletableFuture<Void> commit(LogWriteBatch batch) {
        if (!(batch instanceof RocksLogWriteBatch b)) {
            throw new IllegalArgumentException("not a batch of this store: " + batch);
        }
        commitLock.lock();
        try {
            checkUsable();
            b.seal();
            List<Op> ops = b.ops();
            Map<Long, RocksGroupLogStorage> touched = validate(ops);
            PendingWrite w = new PendingWrite(++lastSeq);
            boolean needsSync = false;
            try {
                for (Op op : ops) {
                    RocksGroupLogStorage g = touched.get(op.groupId());
                    if (op instanceof SetHardState h) {
                        needsSync |= !h.hardState().sameTermAndVote(g.hardState());
                    } else {
                        needsSync = true;
                    }
                    if (op instanceof Append a) {
                        g.applyAppend(a.entries(), w);
                    } else if (op instanceof SetHardState h) {
                        g.applyHardState(h.hardState(), w);
                    } else if (op instanceof SetSnapshot s) {
                        g.applySnapshot(s.metadata(), s.discardLog(), w);
                    } else if (op instanceof Compact c) {
                        g.applyCompact(c.index(), w);
                    }
                }
            } catch (RuntimeException e) {
                // Only a disk read (a term for compaction) can fail here, after validation; memory
                // may be partly updated, so the store cannot go on.
                failure = e;
                throw e;
            }
            w.needsSync = needsSync;
            enqueue(w);
            return w.future;
        } finally {
            commitLock.unlock();
        }
    }

    /** Counters since open. */
    public LogStoreStats stats() {
        return new LogStoreStats(batchesCommitted.get(), batchesWritten.get(), diskWrites.get(),
                syncedWrites.get(), bytesWritten.get(), entriesReadFromDisk.get());
    }

    /**
     * Stops accepting commits, waits until the writer has written everything queued, and frees
     * RocksDB. Idempotent (a second, concurrent call returns at once). Group storages still answer
     * from their caches afterwards but throw {@link IllegalStateException} when they would need the
     * disk.
     *
     * @throws IllegalStateException if called from a commit future's callback on the writer thread,
     *                               which would wait for itself
     */
    @Override
    public void close() {
        if (Thread.currentThread() == writer) {
            throw new IllegalStateException("cannot close the log store from its writer thread");
        }
        commitLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(CLOSE);
        } finally {
            commitLock.unlock();
        }
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        dbLock.writeLock().lock();
        try {
            dbClosed = true;
            if (failure == null) {
                try {
                    // A clean close is durable: commit-index writes and, in relaxed mode, all.
                    db.flushWal(true);
                } catch (RocksDBException e) {
                    // nothing more to do: the data is in the WAL, just not synced
                }
            }
            closeHandles();
        } finally {
            dbLock.writeLock().unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- validation ----

    /** Log bounds of a group while a batch is validated: {@code (offset, last]}, latest snapshot. */
    static final class Bounds {
        long offset;
        long last;
        long snapshotIndex;

        Bounds(long offset, long last, long snapshotIndex) {
            this.offset = offset;
            this.last = last;
            this.snapshotIndex = snapshotIndex;
        }
    }

    /** Checks the batch against the groups' bounds, op by op; returns the groups it touches. */
    private Map<Long, RocksGroupLogStorage> validate(List<Op> ops) {
        Map<Long, RocksGroupLogStorage> touched = new HashMap<>();
        Map<Long, Bounds> bounds = new HashMap<>();
        for (Op op : ops) {
            long id = op.groupId();
            Bounds bd = bounds.get(id);
            if (bd == null) {
                RocksGroupLogStorage g = groups.get(id);
                if (g == null) {
                    throw new IllegalStateException("group " + id + " does not exist");
                }
                touched.put(id, g);
                bd = g.bounds();
                bounds.put(id, bd);
            }
            if (op instanceof Append a) {
                validateAppend(a, bd);
            } else if (op instanceof Compact c) {
                validateCompact(c, bd);
            } else if (op instanceof SetSnapshot s) {
                validateSnapshot(s, bd);
            }
        }
        return touched;
    }

    private static void validateAppend(Append a, Bounds bd) {
        if (a.entries().isEmpty()) {
            return;
        }
        long first = bd.offset + 1;
        long start = a.entries().get(0).index();
        long lastNew = start + a.entries().size() - 1;
        if (lastNew < first) {
            return;
        }
        start = Math.max(start, first);
        if (start > bd.last + 1) {
            throw new IllegalStateException("group " + a.groupId() + ": missing log entry [last: " + bd.last
                    + ", append at: " + start + "]");
        }
        bd.last = lastNew;
    }

    private static void validateCompact(Compact c, Bounds bd) {
        if (c.index() <= bd.offset) {
            throw StorageException.compacted(c.index(), bd.offset + 1);
        }
        if (c.index() > bd.last) {
            throw new IllegalArgumentException("group " + c.groupId() + ": compact " + c.index()
                    + " is out of bound lastindex(" + bd.last + ")");
        }
        if (c.index() > bd.snapshotIndex) {
            throw new IllegalArgumentException("group " + c.groupId() + ": compact " + c.index()
                    + " is beyond the latest snapshot (" + bd.snapshotIndex + ")");
        }
        bd.offset = c.index();
    }

    private static void validateSnapshot(SetSnapshot s, Bounds bd) {
        long index = s.metadata().index();
        if (index <= bd.snapshotIndex) {
            throw new StorageException(StorageException.Kind.SNAPSHOT_OUT_OF_DATE,
                    "snapshot " + index + " is out of date (have " + bd.snapshotIndex + ")");
        }
        if (s.discardLog()) {
            bd.offset = index;
            bd.last = index;
        } else if (index > bd.last) {
            throw new IllegalArgumentException("group " + s.groupId() + ": snapshot " + index
                    + " is out of bound lastindex(" + bd.last + ")");
        }
        bd.snapshotIndex = index;
    }

    // ---- the writer ----

    /**
     * Writes of one commit, encoded in the committer's thread. A list of operations rather than a
     * RocksDB {@code WriteBatch} so that the writer can merge many into one native batch.
     */
    static final class PendingWrite {
        private static final byte PUT = 0;
        private static final byte DELETE_RANGE = 1;

        final long seq;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        /** False only for a commit's write of nothing but commit-index changes; group creation and removal sync. */
        boolean needsSync = true;
        private final List<DiskOp> ops = new ArrayList<>();

        private record DiskOp(byte kind, boolean meta, byte[] key, byte[] valueOrEnd) {
        }

        PendingWrite(long seq) {
            this.seq = seq;
        }

        void putLog(byte[] key, byte[] value) {
            ops.add(new DiskOp(PUT, false, key, value));
        }

        void deleteLogRange(byte[] from, byte[] to) {
            ops.add(new DiskOp(DELETE_RANGE, false, from, to));
        }

        void putMeta(byte[] key, byte[] value) {
            ops.add(new DiskOp(PUT, true, key, value));
        }

        void deleteMetaRange(byte[] from, byte[] to) {
            ops.add(new DiskOp(DELETE_RANGE, true, from, to));
        }

        long bytes() {
            long n = 0;
            for (DiskOp op : ops) {
                n += op.key.length + op.valueOrEnd.length;
            }
            return n;
        }
    }

    private void enqueue(PendingWrite w) {
        batchesCommitted.incrementAndGet();
        queue.add(w);
    }

    /** Sequence number of the last commit whose write completed (the entry cache unpins up to it). */
    long writtenSeq() {
        return writtenSeq;
    }

    /** Test hook: while {@code gate} is closed, the writer holds the batch it took and lets others queue. */
    void holdWriter(CountDownLatch gate) {
        writerGate = gate;
    }

    private void runWriter() {
        List<PendingWrite> drained = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            PendingWrite first;
            try {
                first = queue.take();
            } catch (InterruptedException e) {
                continue; // only close() stops the writer, after the queue is drained
            }
            if (first == CLOSE) {
                break;
            }
            CountDownLatch gate = writerGate;
            if (gate != null) {
                awaitUninterruptibly(gate);
            }
            drained.add(first);
            long bytes = first.bytes();
            while (bytes < config.maxBytesPerWrite()) {
                PendingWrite next = queue.poll();
                if (next == null) {
                    break;
                }
                if (next == CLOSE) {
                    stop = true;
                    break;
                }
                drained.add(next);
                bytes += next.bytes();
            }
            write(drained);
            drained.clear();
        }
    }

    /** Writes the drained commits as one RocksDB write, then completes their futures in order. */
    private void write(List<PendingWrite> drained) {
        Throwable failed = failure;
        if (failed == null) {
            boolean sync = false;
            try (WriteBatch wb = new WriteBatch()) {
                for (PendingWrite w : drained) {
                    sync |= w.needsSync;
                    for (PendingWrite.DiskOp op : w.ops) {
                        ColumnFamilyHandle cf = op.meta() ? metaCf : logCf;
                        if (op.kind() == PendingWrite.PUT) {
                            wb.put(cf, op.key(), op.valueOrEnd());
                        } else {
                            wb.deleteRange(cf, op.key(), op.valueOrEnd());
                        }
                    }
                }
                if (wb.count() > 0) {
                    db.write(sync ? writeOptions : unsyncedWriteOptions, wb);
                    diskWrites.incrementAndGet();
                    if (sync && config.sync()) {
                        syncedWrites.incrementAndGet();
                    }
                    bytesWritten.addAndGet(wb.getDataSize());
                }
            } catch (Throwable e) {
                failed = new LogStoreException("log store write failed: " + e.getMessage(), e);
                failure = failed;
            }
        }
        if (failed != null) {
            for (PendingWrite w : drained) {
                w.future.completeExceptionally(failed);
            }
            return;
        }
        writtenSeq = drained.get(drained.size() - 1).seq;
        batchesWritten.addAndGet(drained.size());
        for (PendingWrite w : drained) {
            w.future.complete(null);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch gate) {
        boolean interrupted = false;
        while (true) {
            try {
                gate.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- reads (called by group storages under their monitor) ----

    /** The term of the entry at {@code index}, which must be in the group's log and not pinned. */
    long readTerm(long groupId, long index) {
        dbLock.readLock().lock();
        try {
            checkDbOpen();
            byte[] value = db.get(logCf, LogStoreCodec.logKey(groupId, index));
            if (value == null) {
                throw new IllegalStateException("group " + groupId + ": log entry " + index + " is missing on disk");
            }
            entriesReadFromDisk.incrementAndGet();
            return LogStoreCodec.decodeEntryTerm(index, value);
        } catch (RocksDBException e) {
            throw new LogStoreException("group " + groupId + ": cannot read term " + index + ": " + e.getMessage(), e);
        } finally {
            dbLock.readLock().unlock();
        }
    }

    /**
     * Reads entries {@code [lo, hi)} of a group into {@code out} until it is full.
     *
     * @return false if {@code out} filled up before {@code hi}
     */
    boolean readEntries(long groupId, long lo, long hi, RocksGroupLogStorage.SizeLimitedList out) {
        dbLock.readLock().lock();
        try (ReadOptions ro = new ReadOptions(); Slice upper = new Slice(LogStoreCodec.logKey(groupId, hi))) {
            checkDbOpen();
            ro.setIterateUpperBound(upper);
            try (RocksIterator it = db.newIterator(logCf, ro)) {
                long expect = lo;
                for (it.seek(LogStoreCodec.logKey(groupId, lo)); it.isValid(); it.next()) {
                    long index = LogStoreCodec.logKeyIndex(it.key());
                    if (index != expect) {
                        break;
                    }
                    entriesReadFromDisk.incrementAndGet();
                    if (!out.add(LogStoreCodec.decodeEntry(index, it.value()))) {
                        return false;
                    }
                    expect++;
                }
                it.status();
                if (expect != hi) {
                    throw new IllegalStateException("group " + groupId + ": log entry " + expect
                            + " is missing on disk (reading [" + lo + ", " + hi + "))");
                }
                return true;
            }
        } catch (RocksDBException e) {
            throw new LogStoreException("group " + groupId + ": cannot read entries [" + lo + ", " + hi + "): "
                    + e.getMessage(), e);
        } finally {
            dbLock.readLock().unlock();
        }
    }

    // ---- open and close ----

    private void checkFormat() throws RocksDBException {
        byte[] format = db.get(defaultCf, LogStoreCodec.FORMAT_KEY);
        if (format == null) {
            try (WriteOptions wo = new WriteOptions().setSync(true)) {
                db.put(defaultCf, wo, LogStoreCodec.FORMAT_KEY, new byte[] {LogStoreCodec.FORMAT_VERSION});
            }
        } else if (format.length != 1 || format[0] != LogStoreCodec.FORMAT_VERSION) {
            throw new IllegalStateException("log store in " + config.directory() + " has format "
                    + (format.length == 1 ? String.valueOf(format[0] & 0xFF) : format.length + " bytes")
                    + " (expected: " + LogStoreCodec.FORMAT_VERSION + ")");
        }
    }

    /** What the meta family says about one group. */
    private static final class RecoveredGroup {
        HardState hardState = HardState.EMPTY;
        SnapshotMetadata snapshot;
        LogStart start = LogStart.ZERO;
    }

    /** Rebuilds every group's view: meta records, then the last index by a reverse seek. */
    private void recover() throws RocksDBException {
        TreeMap<Long, RecoveredGroup> found = new TreeMap<>();
        try (RocksIterator it = db.newIterator(metaCf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                long id = LogStoreCodec.metaKeyGroup(key);
                RecoveredGroup g = found.computeIfAbsent(id, k -> new RecoveredGroup());
                switch (LogStoreCodec.metaKeyKind(key)) {
                    case HARD_STATE -> g.hardState = LogStoreCodec.decodeHardState(it.value());
                    case SNAPSHOT -> g.snapshot = LogStoreCodec.decodeSnapshotMetadata(it.value());
                    case LOG_START -> g.start = LogStoreCodec.decodeLogStart(it.value());
                    default -> throw new IllegalStateException("unreachable");
                }
            }
            it.status();
        }
        try (RocksIterator it = db.newIterator(logCf)) {
            for (Map.Entry<Long, RecoveredGroup> e : found.entrySet()) {
                long id = e.getKey();
                RecoveredGroup g = e.getValue();
                if (g.snapshot == null) {
                    throw new IllegalStateException("group " + id + " has no snapshot record: corrupt log store");
                }
                long last = g.start.index();
                it.seekForPrev(LogStoreCodec.logKey(id, LogStoreCodec.INDEX_END));
                if (it.isValid()) {
                    byte[] key = it.key();
                    if (LogStoreCodec.logKeyGroup(key) == id) {
                        last = Math.max(last, LogStoreCodec.logKeyIndex(key));
                    }
                }
                it.status();
                if (last > g.start.index()
                        && db.get(logCf, LogStoreCodec.logKey(id, g.start.index() + 1)) == null) {
                    throw new IllegalStateException("group " + id + ": first log entry " + (g.start.index() + 1)
                            + " is missing (last " + last + "): corrupt log store");
                }
                groups.put(id, new RocksGroupLogStorage(this, id, config.entryCacheBytesPerGroup(),
                        g.hardState, g.snapshot, g.start, last));
            }
        }
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("log store is closed");
        }
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("log store failed earlier: " + f.getMessage(), f);
        }
    }

    private void checkDbOpen() {
        if (dbClosed) {
            throw new IllegalStateException("log store is closed");
        }
    }

    /** Frees the native handles: column families before the database, options last. */
    private void closeHandles() {
        defaultCf.close();
        logCf.close();
        metaCf.close();
        db.close();
        closeOptions();
    }

    private void closeOptions() {
        writeOptions.close();
        unsyncedWriteOptions.close();
        metaCfOptions.close();
        logCfOptions.close();
        defaultCfOptions.close();
        dbOptions.close();
    }
}
