package io.cairn.store.replica;

import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.runtime.StateMachine;
import io.cairn.store.types.Args;
import io.cairn.store.types.CommandFlag;
import io.cairn.store.types.CommandSpec;
import io.cairn.store.types.CommandTable;
import io.cairn.store.types.ExecContext;
import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Kv;
import io.cairn.store.types.Meta;
import io.cairn.store.types.RecordCache;
import io.cairn.store.types.Reply;
import io.cairn.store.types.RocksKv;
import io.cairn.store.types.Slots;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import org.rocksdb.Range;
import org.rocksdb.SizeApproximationFlag;
import org.rocksdb.Slice;

/**
 * The replicated state machine of one group: the Redis data model of the group's key range in
 * the node's {@link DataDb}. Each call of {@link #apply} executes its entries' commands in one
 * RocksDB write batch together with the new applied index, so a crash leaves the data and the
 * index consistent. Apply is deterministic: a command sees only its entry's time and seed and
 * versions derived from the entry's index, never the clock or a random source. An entry may
 * carry a batch of commands ({@link StoreCommand#encodeBatch}): they run in order, sharing the
 * entry's collection versions, and its result is the list of their results.
 *
 * <p>Besides client commands the leader proposes internal ones: {@link #EXPIRED} (delete
 * these keys if they have expired by the entry's time — active expiry),
 * {@link #EXPIRE_SESSIONS} (drop idle exactly-once sessions), and slot migration's
 * {@link #SLOT_STEP} and {@link #SLOT_INGEST} ({@link SlotSteps}). Their names are not in the
 * command table, so no client can send them.
 *
 * <p><b>Slot migration</b> (docs/slot-migration.md): a client command naming a key whose slot is
 * FROZEN or IMPORTING ({@link SlotStates}) is not applied: its result is {@link SlotMoving},
 * nothing is written (no session record, no version). A write naming a key of a MIGRATING slot,
 * and active expiry deleting one, leave a dirty marker for the next copy round. While no slot of
 * the group has a state, all this costs one boolean read per command.
 */
public final class ShardStateMachine implements StateMachine {
    public static final String EXPIRED = "cairn.expired";
    public static final String EXPIRE_SESSIONS = "cairn.expire-sessions";
    /** Slot migration: {@code cairn.slot-step STEP FIRST LAST ATTEMPT} (see {@link SlotSteps}). */
    public static final String SLOT_STEP = SlotSteps.STEP;
    /** Slot migration: {@code cairn.slot-ingest FIRST LAST ATTEMPT ITEM...} (see {@link SlotSteps}). */
    public static final String SLOT_INGEST = SlotSteps.INGEST;
    /** Versions are (index << 16) | n: up to 65536 new collections per entry. */
    private static final int VERSION_BITS = 16;

    private final DataDb db;
    private final long group;
    private final CommandTable table = CommandTable.standard();
    private final SnapshotFiles snapshots;
    /** Exactly-once state, with its header cache (used by the apply thread only). */
    private final Sessions sessions;
    /** Slot migration: the slots' states (in memory and in the group's 0x04 records). */
    private final SlotStates slotStates;
    private final SlotSteps slotSteps;
    /**
     * The group's key records its batches read or wrote lately: changed on the apply thread only,
     * peeked at by reads on other threads (RecordCache, "Readers on other threads").
     */
    private final RecordCache records = new RecordCache();
    private volatile long applied;
    /** See {@link #applyProgress()}. */
    private volatile long applyProgress;
    private volatile long leaderId;
    /**
     * Installing a snapshot deletes the group's range and then ingests the files: not atomic.
     * A seqlock instead of a lock per read: the apply thread (the only writer) makes the epoch
     * odd for the install and even again after; a read keeps its RocksDB snapshot only if the
     * epoch was even and unchanged around taking it, so it sees the group before or after an
     * install, never half-installed (a read that overlaps an install fails; see
     * {@link #installGuard}, which checks every read snapshot, taken early or lazily).
     */
    private volatile long installEpoch;
    private final java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();

    public ShardStateMachine(DataDb db, long group) {
        this(db, group, SnapshotFiles.DEFAULT_FILE_BYTES);
    }

    public ShardStateMachine(DataDb db, long group, long snapshotFileBytes) {
        this.db = db;
        this.group = group;
        this.snapshots = new SnapshotFiles(db, group, snapshotFileBytes);
        this.sessions = new Sessions(group);
        this.slotStates = new SlotStates(group);
        this.slotSteps = new SlotSteps(group, slotStates, sessions);
        this.applied = readApplied();
        loadSlotStates();
    }

    private void loadSlotStates() {
        try (RocksKv kv = RocksKv.snapshot(db.rocks())) {
            slotStates.load(kv);
        }
    }

    public long group() {
        return group;
    }

    /** The record cache's bound in bytes (the node shares one budget among its groups). */
    void recordCacheLimit(long bytes) {
        records.limit(bytes);
    }

    long recordCacheLimit() {
        return records.limit();
    }

    /** Lookups its record cache answered (read racily by metrics: an estimate). */
    long recordCacheHits() {
        return records.hits();
    }

    long recordCacheMisses() {
        return records.misses();
    }

    private long readApplied() {
        try (RocksKv kv = RocksKv.snapshot(db.rocks())) {
            byte[] v = kv.get(KeyCodec.appliedKey(group));
            return v == null ? 0 : KeyCodec.getLong(v, 0);
        }
    }

    @Override
    public long appliedIndex() {
        return applied;
    }

    /**
     * Entries this replica has applied or is applying, counted since it was opened in this
     * process. Unlike {@link #appliedIndex()}, which moves once per batch, this moves with every
     * entry of a batch still being applied: a waiting caller can tell a slow group from a stuck one.
     */
    public long applyProgress() {
        return applyProgress;
    }

    @Override
    public List<Object> apply(List<Entry> entries) {
        List<Object> results = new ArrayList<>(entries.size());
        if (entries.isEmpty()) {
            return results;
        }
        Entry last = entries.get(entries.size() - 1);
        boolean written = false;
        sessions.discard(); // anything left by a batch that failed
        try (RocksKv kv = RocksKv.writeBatch(db.rocks(), records)) {
            for (Entry e : entries) {
                applyProgress++; // the apply thread is the only writer
                if (e.type() != EntryType.NORMAL || e.data().length == 0) {
                    results.add(null);
                    continue;
                }
                long[] versions = {0}; // collection versions of the entry: (index << 16) | n
                if (StoreCommand.isBatch(e.data())) {
                    List<StoreCommand> batch = StoreCommand.decodeBatch(e.data());
                    List<Object> replies = new ArrayList<>(batch.size());
                    for (StoreCommand c : batch) {
                        replies.add(applyOne(kv, e.index(), c, versions));
                    }
                    results.add(replies);
                } else {
                    results.add(applyOne(kv, e.index(), StoreCommand.decode(e.data()), versions));
                }
            }
            byte[] state = new byte[16];
            KeyCodec.putLong(state, 0, last.index());
            KeyCodec.putLong(state, 8, last.term());
            kv.put(KeyCodec.appliedKey(group), state);
            sessions.flush(kv);
            kv.commit(db.applyWrites());
            written = true;
        } finally {
            // the slot states follow the DB: staged changes only when the batch was written
            if (written) {
                slotStates.committed();
            } else {
                slotStates.abandoned();
            }
        }
        applied = last.index();
        return results;
    }

    private Object applyOne(RocksKv kv, long index, StoreCommand c, long[] versions) {
        CommandSpec spec = null;
        int[] keys = null;
        if (slotStates.anyActiveInBatch()) { // else (the common case) no slot of the group is moving
            spec = table.lookup(c.argv()[0]);
            if (spec != null && spec.arityOk(c.argv().length)) {
                keys = spec.flags().contains(CommandFlag.KEYLESS) ? null : spec.keyPositions(c.argv());
                if (refused(spec, keys, c.argv(), c.mapVersion())) {
                    return SlotMoving.INSTANCE; // not recorded by the session: retried elsewhere
                }
            }
        }
        Sessions.State session = sessions.header(kv, c);
        Reply remembered = sessions.remembered(kv, c, session);
        if (remembered != null) {
            return remembered;
        }
        ExecContext ctx = new ExecContext(group, kv, c.now(), new Random(c.seed()),
                () -> (index << VERSION_BITS) | versions[0]++);
        Reply r;
        if (Args.is(c.argv()[0], EXPIRED)) {
            r = expireKeys(ctx, c.argv(), index);
        } else if (Args.is(c.argv()[0], EXPIRE_SESSIONS)) {
            r = Reply.integer(sessions.expire(kv, c.now()));
        } else if (Args.is(c.argv()[0], SlotSteps.STEP)) {
            r = slotSteps.step(ctx, c.argv(), index);
        } else if (Args.is(c.argv()[0], SlotSteps.INGEST)) {
            r = slotSteps.ingest(ctx, c.argv());
        } else {
            r = table.execute(ctx, c.argv());
            if (keys != null && spec.isWrite()) {
                for (int pos : keys) {
                    markDirty(kv, c.argv()[pos], index);
                }
                if (Sessions.tracked(c)) {
                    markSession(kv, c, keys, index);
                }
            }
        }
        sessions.record(kv, c, session, r);
        return r;
    }

    /**
     * Whether a client command must be refused because a slot it names is FROZEN, or IMPORTING and
     * not yet released for the command's routed map version {@code routed}
     * (docs/slot-migration.md). A keyless write (FLUSHALL) is refused while any slot of the group
     * is MIGRATING or IMPORTING: it would delete keys without dirty markers, or copied data.
     */
    private boolean refused(CommandSpec spec, int[] keys, byte[][] argv, long routed) {
        if (keys == null) {
            if (!spec.isWrite()) {
                return false;
            }
            for (SlotStates.Slot s : slotStates.allInBatch()) {
                if (s.state() == SlotStates.State.MIGRATING || s.state() == SlotStates.State.IMPORTING) {
                    return true;
                }
            }
            return false;
        }
        for (int pos : keys) {
            if (slotStates.get(Slots.slot(argv[pos])).refuses(routed)) {
                return true;
            }
        }
        return false;
    }

    /** A dirty marker for {@code key} when its slot is MIGRATING: the next copy round takes it. */
    private void markDirty(Kv kv, byte[] key, long index) {
        int slot = Slots.slot(key);
        if (slotStates.get(slot).state() == SlotStates.State.MIGRATING) {
            kv.put(KeyCodec.dirtyKey(group, slot, key), KeyCodec.longBytes(index));
        }
    }

    /**
     * A session marker per MIGRATING slot among the write's keys (one put per slot, even if several
     * keys share it): the next copy round exports the session (the header and replies this entry
     * writes, in the same batch). A write answered from a remembered reply changes no session
     * state and leaves none.
     */
    private void markSession(Kv kv, StoreCommand c, int[] keys, long index) {
        int marked = -1;
        for (int pos : keys) {
            int slot = Slots.slot(c.argv()[pos]);
            if (slot != marked && slotStates.get(slot).state() == SlotStates.State.MIGRATING) {
                kv.put(KeyCodec.sessionMarkerKey(group, slot, c.session()), KeyCodec.longBytes(index));
                marked = slot;
            }
        }
    }

    /** Active expiry: deletes each listed key whose record has expired by the entry's time. */
    private Reply expireKeys(ExecContext ctx, byte[][] argv, long index) {
        long n = 0;
        boolean moving = slotStates.anyActiveInBatch();
        for (int i = 1; i < argv.length; i++) {
            Meta m = ctx.keys().getRaw(argv[i]);
            if (m != null && m.expiredAt(ctx.now())) {
                ctx.keys().delete(argv[i]);
                if (moving) {
                    markDirty(ctx.kv(), argv[i], index);
                }
                n++;
            }
        }
        return Reply.integer(n);
    }

    /**
     * Whether this group imports {@code slot} and serves it already for commands routed with map
     * version {@code routed} (docs/slot-migration.md, "Release by routed version"): the store's
     * own map may not name the group yet, the routed one does. Any thread.
     */
    public boolean releasedFor(int slot, long routed) {
        SlotStates.Slot s = slotStates.committed(slot);
        return s.state() == SlotStates.State.IMPORTING && !s.refuses(routed);
    }

    /**
     * Executes a read command on a consistent snapshot of this group's data, with this node's
     * clock for expiry. Linearizability is the caller's job (ReadIndex before calling).
     */
    public Reply read(byte[][] argv) {
        return read(argv, 0);
    }

    /**
     * {@link #read(byte[][])} for a command routed with map version {@code routed} (0 = not
     * given): a slot this group imports is read once released for that version.
     */
    public Reply read(byte[][] argv, long routed) {
        boolean keyless = false;
        if (slotStates.anyActive()) {
            CommandSpec spec = table.lookup(argv[0]);
            keyless = spec != null && spec.flags().contains(CommandFlag.KEYLESS);
            if (spec != null && spec.arityOk(argv.length) && !keyless) {
                for (int pos : spec.keyPositions(argv)) {
                    if (slotStates.committed(Slots.slot(argv[pos])).refuses(routed)) {
                        throw SlotMoving.INSTANCE;
                    }
                }
            }
        }
        try (RocksKv view = consistentView()) {
            return execute(view, argv, keyless);
        } catch (RocksKv.StaleView e) {
            // it used the record cache, then needed a snapshot after the group changed: once
            // more on a snapshot alone (rare: a cache answer, then a DB read, around a write)
            try (RocksKv view = snapshotView()) {
                return execute(view, argv, keyless);
            }
        }
    }

    private Reply execute(RocksKv view, byte[][] argv, boolean keyless) {
        // keyless reads list and count only the slots this group serves (ServedSlotsKv)
        Kv kv = keyless ? new ServedSlotsKv(view, slot -> slotStates.committed(slot).state().refusesClients()) : view;
        ExecContext ctx = new ExecContext(group, kv, System.currentTimeMillis(), ThreadLocalRandom.current(),
                () -> {
                    throw new IllegalStateException("a read allocates no version");
                });
        return table.execute(ctx, argv);
    }

    /**
     * Up to {@code limit} keys whose expiry time is at or before {@code now}, oldest first, from
     * the expiry index (what the leader proposes in an {@link #EXPIRED} command).
     */
    public List<byte[]> expiredKeys(long now, int limit) {
        List<byte[]> keys = new ArrayList<>();
        byte[] from = KeyCodec.kindPrefix(group, KeyCodec.KIND_EXPIRE);
        byte[] to = KeyCodec.expireKey(group, now + 1, 0, new byte[0]);
        try (RocksKv kv = snapshotView(); Kv.Cursor c = kv.scan(from, to)) {
            while (keys.size() < limit && c.next()) {
                keys.add(KeyCodec.userKeyOfExpireKey(c.key()));
            }
        }
        return keys;
    }

    /**
     * What {@link #measure} found.
     *
     * @param keys         live keys (records whose TTL has passed are not counted, as DBSIZE)
     * @param expires      live keys with a TTL
     * @param bytes        RocksDB's estimate of the group's key range: SST files (compressed, with
     *                     garbage not yet compacted) plus memtables
     * @param appliedIndex the group's applied index just before the count (the counted state
     *                     includes at least that entry)
     */
    public record Size(long keys, long expires, long bytes, long appliedIndex) {
    }

    /**
     * Measures the group: one pass over its metadata records on a consistent snapshot (O(keys):
     * call it off the apply thread, as the store's heartbeat does, not per request) and RocksDB's
     * size estimate of its key range. Throws {@link IllegalStateException} while a snapshot is
     * being installed (measure again later), and {@link java.util.concurrent.CancellationException}
     * when {@code cancelled} turns true (checked every few thousand keys: the node is closing).
     */
    public Size measure(long now, java.util.function.BooleanSupplier cancelled) {
        long index = applied;
        long keys = 0;
        long expires = 0;
        long seen = 0;
        byte[] from = KeyCodec.kindPrefix(group, KeyCodec.KIND_META);
        try (RocksKv kv = snapshotView(); Kv.Cursor c = kv.scan(from, KeyCodec.prefixEnd(from))) {
            while (c.next()) {
                if ((++seen & 4095) == 0 && cancelled.getAsBoolean()) {
                    throw new java.util.concurrent.CancellationException("measuring group " + group);
                }
                // Meta layout (frozen, docs/storage-format.md): type(1) expireAt(8) ...; 0 = no TTL.
                long expireAt = KeyCodec.getLong(c.value(), 1);
                if (expireAt == 0) {
                    keys++;
                } else if (expireAt > now) {
                    keys++;
                    expires++;
                }
            }
        }
        return new Size(keys, expires, approximateBytes(), index);
    }

    private long approximateBytes() {
        try (Slice start = new Slice(KeyCodec.groupPrefix(group)); Slice limit = new Slice(KeyCodec.groupEnd(group))) {
            long[] sizes = db.rocks().getApproximateSizes(List.of(new Range(start, limit)),
                    SizeApproximationFlag.INCLUDE_FILES, SizeApproximationFlag.INCLUDE_MEMTABLES);
            return sizes.length == 0 ? 0 : sizes[0];
        }
    }

    /**
     * A read-only view of the data, never taken in the middle of a snapshot install. During an
     * install (which may take long for a big group) it fails at once instead of holding a
     * read-pool thread that other groups' reads need: the caller answers "outcome unknown, retry".
     */
    private RocksKv consistentView() {
        // reads take the group's metadata records from the apply path's cache while it holds
        // what the snapshot holds (RecordCache: "Readers on other threads"); the snapshot, taken
        // at the first read the cache does not answer, is checked against installs as it is taken
        return RocksKv.snapshot(db.rocks(), records, installGuard);
    }

    /** A view of a snapshot taken now, without the record cache, checked against installs. */
    private RocksKv snapshotView() {
        return RocksKv.snapshot(db.rocks(), installGuard);
    }

    /** Refuses a snapshot that could see a half-installed group ({@link #installEpoch}). */
    private final RocksKv.SnapshotGuard installGuard = new RocksKv.SnapshotGuard() {
        @Override
        public long before() {
            long epoch = installEpoch;
            if ((epoch & 1) != 0) {
                throw installing();
            }
            return epoch;
        }

        @Override
        public void after(long token) {
            if (installEpoch != token) {
                throw installing();
            }
        }
    };

    private IllegalStateException installing() {
        return new IllegalStateException("group " + group + " is installing a snapshot; retry");
    }

    /** Syncs the data WAL, then writes this group's data as SST files into {@code dir}. */
    @Override
    public long snapshot(Path dir) {
        return snapshots.write(dir);
    }

    @Override
    public void installSnapshot(Path dir, SnapshotMetadata metadata) {
        records.beginChange(); // readers must not take records from the cache meanwhile
        installEpoch++; // odd: installing (only the apply thread writes it)
        try {
            snapshots.install(dir);
        } finally {
            installEpoch++;
            records.clear(); // the group's records and sessions are now the snapshot's (or, on failure, unknown)
            records.endChange();
        }
        applied = readApplied();
        loadSlotStates();
        if (applied != metadata.index()) {
            throw new IllegalStateException("group " + group + ": snapshot holds index " + applied
                    + " but its metadata says " + metadata.index());
        }
    }

    @Override
    public void onLeaderChange(long leaderId, long term) {
        this.leaderId = leaderId;
    }

    /** The {@link #SLOT_STEP} name of a migration step's enum name ({@code PREPARE_TARGET} → {@code prepare-target}). */
    public static String slotStepName(String enumName) {
        return SlotSteps.stepName(enumName);
    }

    /** One message of a slot export: the snapshot's applied index, items and the keys among them. */
    public record ExportChunk(long index, List<byte[]> items, long keys) {
    }

    /**
     * Exports the slots {@code first..last} from one consistent snapshot of this replica
     * (docs/slot-migration.md, "COPY"): every key of the range ({@code since == 0}) or every key
     * with a dirty marker above {@code since}, each as its whole value or as absent, and with
     * {@code withSessions} the exactly-once sessions of the group (every one when
     * {@code since == 0}, else those with a session marker of the range above {@code since}:
     * the driver asks for sessions in every round, docs/slot-migration.md), in chunks of about
     * {@code chunkBytes} (a bigger collection goes over several). Every slot must be MIGRATING or
     * FROZEN with exactly {@code attempt} in that snapshot ({@link IllegalStateException} if
     * not). The caller passes a read barrier first. Returns the snapshot's applied index.
     */
    public long export(int first, int last, long attempt, long since, boolean withSessions, int chunkBytes,
                       java.util.function.Consumer<ExportChunk> sink) {
        try (RocksKv kv = snapshotView()) {
            byte[] state = kv.get(KeyCodec.appliedKey(group));
            long index = state == null ? 0 : KeyCodec.getLong(state, 0);
            for (int slot = first; slot <= last; slot++) {
                byte[] rec = kv.get(KeyCodec.slotStateKey(group, slot));
                SlotStates.Slot s = rec == null ? SlotStates.Slot.NONE : SlotStates.Slot.decode(rec);
                if ((s.state() != SlotStates.State.MIGRATING && s.state() != SlotStates.State.FROZEN)
                        || s.attempt() != attempt) {
                    throw new IllegalStateException("group " + group + ": slot " + slot + " is " + s.state()
                            + " of attempt " + s.attempt() + ", not migrating in attempt " + attempt);
                }
            }
            new SlotExport(group, kv, index, chunkBytes, sink).run(first, last, since, withSessions ? sessions : null);
            return index;
        }
    }

    /** The slots' states (tests). */
    SlotStates slotStates() {
        return slotStates;
    }

    /** The record cache (tests: what it holds must equal the DB). */
    RecordCache records() {
        return records;
    }

    /** Called by the runtime on the apply thread after the last apply (node stop, group destroyed). */
    @Override
    public void close() {
        records.retire(); // the group's range may be deleted next: reads go to the DB only
        closed.complete(null);
    }

    /** Completes once this state machine was closed: nothing is applied to it any more. */
    java.util.concurrent.CompletableFuture<Void> closed() {
        return closed;
    }

    /** The leader as last reported by Raft (0 = unknown). */
    public long leaderId() {
        return leaderId;
    }
}
