package io.cairn.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.HardState;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.core.StorageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

@Timeout(60)
class RocksLogStoreTest {

    private static final ConfState MEMBERS = ConfState.ofVoters(1L, 2L, 3L);

    @TempDir
    Path dir;

    private RocksLogStoreConfig config() {
        return RocksLogStoreConfig.defaults(dir.resolve("log"));
    }

    private static List<Entry> entries(long term, long from, long to, int dataBytes) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            byte[] data = new byte[dataBytes];
            byte[] tag = (term + "/" + i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(tag, 0, data, 0, Math.min(tag.length, dataBytes));
            out.add(Entry.normal(term, i, data));
        }
        return out;
    }

    private static void append(RocksLogStore store, long group, List<Entry> entries) {
        store.commit(store.newBatch().append(group, entries)).join();
    }

    // ---- recovery ----

    /** After a clean close, reopening rebuilds the same view of every group from disk alone. */
    @Test
    void reopenRebuildsTheViewOfManyGroups() {
        Random rnd = new Random(42);
        Map<Long, RandomLogDriver> drivers = new HashMap<>();
        try (RocksLogStore store = RocksLogStore.open(config().withEntryCacheBytesPerGroup(1024))) {
            List<CompletableFuture<?>> creates = new ArrayList<>();
            for (long g = 1; g <= 200; g++) {
                drivers.put(g, new RandomLogDriver(g, rnd, true));
                creates.add(store.createGroup(g, RandomLogDriver.FOUNDING));
            }
            CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).join();
            List<CompletableFuture<Void>> commits = new ArrayList<>();
            for (int round = 0; round < 10; round++) {
                LogWriteBatch batch = store.newBatch(); // one batch across all groups, as the runtime does
                for (RandomLogDriver d : drivers.values()) {
                    d.next().write().accept(batch);
                }
                commits.add(store.commit(batch));
            }
            CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new)).join();
            for (RandomLogDriver d : drivers.values()) {
                LogViews.assertSameView("before close, group " + d.groupId, d.model, store.group(d.groupId), rnd, 2);
            }
        }
        try (RocksLogStore store = RocksLogStore.open(config())) {
            assertThat(store.groups()).containsExactlyInAnyOrderElementsOf(drivers.keySet());
            for (RandomLogDriver d : drivers.values()) {
                LogViews.assertSameView("after reopen, group " + d.groupId, d.model, store.group(d.groupId), rnd, 2);
            }
        }
    }

    @Test
    void aNewGroupStartsFromItsFoundingMembership() {
        try (RocksLogStore store = RocksLogStore.open(config())) {
            GroupLogStorage g = store.createGroup(9, MEMBERS).join();
            assertThat(store.group(9)).isSameAs(g);
            assertThat(g.groupId()).isEqualTo(9);
            assertThat(g.firstIndex()).isEqualTo(1);
            assertThat(g.lastIndex()).isZero();
            assertThat(g.term(0)).isZero();
            assertThat(g.initialState().hardState()).isEqualTo(HardState.EMPTY);
            assertThat(g.initialState().confState()).isEqualTo(MEMBERS);
            assertThat(g.snapshotMetadata()).isEqualTo(new SnapshotMetadata(0, 0, MEMBERS));
            assertThat(g.snapshot().isEmpty()).isTrue();
            assertThatThrownBy(() -> store.createGroup(9, MEMBERS)).isInstanceOf(IllegalStateException.class);
        }
        try (RocksLogStore store = RocksLogStore.open(config())) {
            assertThat(store.groups()).containsExactly(9L);
            assertThat(store.group(9).initialState().confState()).isEqualTo(MEMBERS);
            assertThat(store.group(10)).isNull();
        }
    }

    // ---- group commit ----

    /**
     * Design rule 5: one fsync per batch across all groups. While the writer is held back, 8 threads
     * commit 200 batches; it then writes all of them with a single fsync.
     */
    @Test
    void concurrentCommitsShareOneFsync() throws Exception {
        try (RocksLogStore store = RocksLogStore.open(config())) {
            int threads = 8;
            int perThread = 25;
            for (long g = 0; g < threads; g++) {
                store.createGroup(g, MEMBERS).join();
            }
            LogStoreStats before = store.stats();
            CountDownLatch gate = new CountDownLatch(1);
            store.holdWriter(gate);
            CompletableFuture<Void> held = store.commit(store.newBatch().setHardState(0, new HardState(1, 0, 0)));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<List<CompletableFuture<Void>>>> submitted = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long group = t;
                submitted.add(pool.submit(() -> {
                    List<CompletableFuture<Void>> fs = new ArrayList<>();
                    for (int i = 1; i <= perThread; i++) {
                        LogWriteBatch b = store.newBatch()
                                .append(group, entries(1, i, i, 16))
                                .setHardState(group, new HardState(1, 1, i - 1));
                        fs.add(store.commit(b));
                    }
                    return fs;
                }));
            }
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (Future<List<CompletableFuture<Void>>> f : submitted) {
                all.addAll(f.get());
            }
            pool.shutdown();
            assertThat(held).isNotDone();
            assertThat(all).noneMatch(CompletableFuture::isDone);
            // the commits are visible to readers before they are durable
            assertThat(store.group(3).lastIndex()).isEqualTo(perThread);

            store.holdWriter(null);
            gate.countDown();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            LogStoreStats after = store.stats();
            long batches = after.batchesWritten() - before.batchesWritten();
            long fsyncs = after.syncedWrites() - before.syncedWrites();
            assertThat(batches).isEqualTo(threads * perThread + 1);
            // the writer took the first batch, then everything queued behind it: one write, one fsync
            assertThat(fsyncs).isEqualTo(1);
            assertThat(after.diskWrites() - before.diskWrites()).isEqualTo(1);
            assertThat(after.bytesWritten()).isGreaterThan(before.bytesWritten());
        }
        try (RocksLogStore store = RocksLogStore.open(config())) {
            for (long g = 0; g < 8; g++) {
                assertThat(store.group(g).entries(1, 26, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 25, 16));
                assertThat(store.group(g).initialState().hardState()).isEqualTo(new HardState(1, 1, 24));
            }
        }
    }

    /** Threads that each wait for their commit, as replica loops do, still share fsyncs. */
    @Test
    void threadsWaitingForTheirCommitsShareFsyncs() throws Exception {
        int threads = 8;
        int perThread = 40;
        try (RocksLogStore store = RocksLogStore.open(config())) {
            for (long g = 0; g < threads; g++) {
                store.createGroup(g, MEMBERS).join();
            }
            LogStoreStats before = store.stats();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long group = t;
                done.add(pool.submit(() -> {
                    for (int i = 1; i <= perThread; i++) {
                        store.commit(store.newBatch().append(group, entries(2, i, i, 100))).join();
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            pool.shutdown();
            LogStoreStats after = store.stats();
            assertThat(after.batchesWritten() - before.batchesWritten()).isEqualTo(threads * perThread);
            assertThat(after.syncedWrites() - before.syncedWrites()).isLessThan(threads * perThread);
            for (long g = 0; g < threads; g++) {
                assertThat(store.group(g).entries(1, perThread + 1, Long.MAX_VALUE))
                        .isEqualTo(entries(2, 1, perThread, 100));
            }
        }
    }

    /** The writer stops merging at maxBytesPerWrite (one batch per write here). */
    @Test
    void mergingStopsAtTheWriteSizeLimit() {
        try (RocksLogStore store = RocksLogStore.open(config().withMaxBytesPerWrite(1))) {
            store.createGroup(1, MEMBERS).join();
            LogStoreStats before = store.stats();
            CountDownLatch gate = new CountDownLatch(1);
            store.holdWriter(gate);
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                fs.add(store.commit(store.newBatch().append(1, entries(1, i, i, 8))));
            }
            store.holdWriter(null);
            gate.countDown();
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
            assertThat(store.stats().diskWrites() - before.diskWrites()).isEqualTo(5);
        }
    }

    // ---- writes ----

    @Test
    void appendTruncatesTheConflictingSuffixOnDisk() {
        try (RocksLogStore store = RocksLogStore.open(config().withEntryCacheBytesPerGroup(0))) {
            store.createGroup(1, MEMBERS).join();
            append(store, 1, entries(1, 1, 10, 4));
            append(store, 1, entries(2, 6, 7, 4));
            GroupLogStorage g = store.group(1);
            assertThat(g.lastIndex()).isEqualTo(7);
            assertThatThrownBy(() -> g.term(8)).isInstanceOfSatisfying(StorageException.class,
                    e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.UNAVAILABLE));
        }
        try (RocksLogStore store = RocksLogStore.open(config())) {
            GroupLogStorage g = store.group(1);
            assertThat(g.lastIndex()).isEqualTo(7);
            List<Entry> expected = new ArrayList<>(entries(1, 1, 5, 4));
            expected.addAll(entries(2, 6, 7, 4));
            assertThat(g.entries(1, 8, Long.MAX_VALUE)).isEqualTo(expected);
        }
    }

    /**
     * An entry appended but not yet written must be read from memory, even with no cache at all,
     * and even where RocksDB still holds the entry it replaced.
     */
    @Test
    void entriesNotYetWrittenAreReadFromMemory() {
        try (RocksLogStore store = RocksLogStore.open(config().withEntryCacheBytesPerGroup(0))) {
            store.createGroup(1, MEMBERS).join();
            append(store, 1, entries(1, 1, 10, 4));
            RocksGroupLogStorage g = (RocksGroupLogStorage) store.group(1);
            assertThat(g.entries(1, 11, Long.MAX_VALUE)).hasSize(10); // from disk, evicting the cache
            assertThat(g.cachedEntries()).isZero();

            CountDownLatch gate = new CountDownLatch(1);
            store.holdWriter(gate);
            CompletableFuture<Void> f = store.commit(store.newBatch().append(1, entries(2, 5, 7, 4)));
            List<Entry> expected = new ArrayList<>(entries(1, 1, 4, 4));
            expected.addAll(entries(2, 5, 7, 4));
            assertThat(g.entries(1, 8, Long.MAX_VALUE)).isEqualTo(expected);
            assertThat(g.term(6)).isEqualTo(2);
            assertThat(g.cachedEntries()).isEqualTo(3);
            assertThat(f).isNotDone();

            store.holdWriter(null);
            gate.countDown();
            f.join();
            assertThat(g.entries(1, 8, Long.MAX_VALUE)).isEqualTo(expected);
            assertThat(g.cachedEntries()).isZero();
        }
    }

    @Test
    void aRefusedBatchChangesNothing() {
        try (RocksLogStore store = RocksLogStore.open(config())) {
            store.createGroup(1, MEMBERS).join();
            store.createGroup(2, MEMBERS).join();
            LogStoreStats before = store.stats();
            LogWriteBatch b = store.newBatch()
                    .append(1, entries(1, 1, 3, 4))
                    .setHardState(1, new HardState(1, 1, 0))
                    .append(2, entries(1, 5, 6, 4)); // gap: group 2 is empty
            assertThatThrownBy(() -> store.commit(b)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("missing log entry");
            assertThat(store.group(1).lastIndex()).isZero();
            assertThat(store.group(1).initialState().hardState()).isEqualTo(HardState.EMPTY);
            assertThat(store.stats().batchesCommitted()).isEqualTo(before.batchesCommitted());
            assertThatThrownBy(() -> store.commit(b)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already committed");
            assertThatThrownBy(() -> store.commit(store.newBatch().setHardState(3, HardState.EMPTY)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("group 3 does not exist");
            assertThatThrownBy(() -> store.newBatch().append(1, List.of(Entry.normal(1, 1, null), Entry.normal(1, 3, null))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not contiguous");
        }
    }

    @Test
    void compactionBeyondTheSnapshotIsRefused() {
        try (RocksLogStore store = RocksLogStore.open(config())) {
            store.createGroup(1, MEMBERS).join();
            append(store, 1, entries(1, 1, 10, 4));
            assertThatThrownBy(() -> store.commit(store.newBatch().compact(1, 5)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beyond the latest snapshot (0)");
            // in one batch: take a snapshot, then compact up to it
            store.commit(store.newBatch()
                    .setSnapshot(1, new SnapshotMetadata(5, 1, MEMBERS), false)
                    .compact(1, 5)).join();
            assertThat(store.group(1).firstIndex()).isEqualTo(6);
        }
    }

    /** Compacting past the cached run (cache holds only the newest entries) reads the term from disk. */
    @Test
    void compactionPastCachedEntries() {
        RocksLogStoreConfig cfg = config().withEntryCacheBytesPerGroup(10 * (Entry.OVERHEAD_BYTES + 100));
        try (RocksLogStore store = RocksLogStore.open(cfg)) {
            store.createGroup(1, MEMBERS).join();
            for (long i = 1; i <= 100; i += 10) {
                append(store, 1, entries(i < 50 ? 1 : 2, i, i + 9, 100));
            }
            RocksGroupLogStorage g = (RocksGroupLogStorage) store.group(1);
            g.entries(100, 101, Long.MAX_VALUE); // lets the cache evict what has been written
            assertThat(g.cachedEntries()).isEqualTo(10); // 91..100
            store.commit(store.newBatch().setSnapshot(1, new SnapshotMetadata(40, 1, MEMBERS), false).compact(1, 40))
                    .join();
            assertThat(g.firstIndex()).isEqualTo(41);
            assertThat(g.term(40)).isEqualTo(1);
            assertThat(g.entries(41, 101, Long.MAX_VALUE)).hasSize(60);
            assertThatThrownBy(() -> g.entries(40, 41, Long.MAX_VALUE)).isInstanceOfSatisfying(StorageException.class,
                    e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.COMPACTED));
            // into the cached run
            store.commit(store.newBatch().setSnapshot(1, new SnapshotMetadata(95, 2, MEMBERS), false).compact(1, 95))
                    .join();
            assertThat(g.cachedEntries()).isEqualTo(5);
            assertThat(g.term(95)).isEqualTo(2);
            assertThat(g.entries(96, 101, Long.MAX_VALUE)).isEqualTo(entries(2, 96, 100, 100));
        }
        try (RocksLogStore store = RocksLogStore.open(cfg)) {
            GroupLogStorage g = store.group(1);
            assertThat(g.firstIndex()).isEqualTo(96);
            assertThat(g.term(95)).isEqualTo(2);
            assertThat(g.entries(96, 101, Long.MAX_VALUE)).isEqualTo(entries(2, 96, 100, 100));
        }
    }

    @Test
    void installingASnapshotDiscardsTheLog() {
        try (RocksLogStore store = RocksLogStore.open(config())) {
            store.createGroup(1, MEMBERS).join();
            append(store, 1, entries(1, 1, 10, 4));
            ConfState newMembers = ConfState.ofVoters(1L, 2L, 3L, 4L);
            store.commit(store.newBatch().setSnapshot(1, new SnapshotMetadata(50, 3, newMembers), true)
                    .setHardState(1, new HardState(3, 0, 50))).join();
            GroupLogStorage g = store.group(1);
            assertThat(g.firstIndex()).isEqualTo(51);
            assertThat(g.lastIndex()).isEqualTo(50);
            assertThat(g.term(50)).isEqualTo(3);
            assertThat(g.initialState().confState()).isEqualTo(newMembers);
            assertThat(g.snapshot().metadata()).isEqualTo(new SnapshotMetadata(50, 3, newMembers));
            append(store, 1, entries(3, 51, 52, 4));
        }
        try (RocksLogStore store = RocksLogStore.open(config())) {
            GroupLogStorage g = store.group(1);
            assertThat(g.firstIndex()).isEqualTo(51);
            assertThat(g.entries(51, 53, Long.MAX_VALUE)).isEqualTo(entries(3, 51, 52, 4));
            assertThat(g.initialState().hardState()).isEqualTo(new HardState(3, 0, 50));
        }
    }

    // ---- destroy ----

    @Test
    void destroyGroupDeletesEveryKeyOfItAndNothingElse() {
        try (RocksLogStore store = RocksLogStore.open(config())) {
            for (long g = 1; g <= 3; g++) {
                store.createGroup(g, MEMBERS).join();
                append(store, g, entries(g, 1, 20, 8));
                store.commit(store.newBatch().setHardState(g, new HardState(g, 1, 20))).join();
            }
            GroupLogStorage two = store.group(2);
            store.destroyGroup(2).join();
            assertThat(store.group(2)).isNull();
            assertThat(store.groups()).containsExactlyInAnyOrder(1L, 3L);
            assertThatThrownBy(two::lastIndex).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("destroyed");
            assertThatThrownBy(() -> store.commit(store.newBatch().append(2, entries(1, 21, 21, 8))))
                    .isInstanceOf(IllegalStateException.class);
            store.destroyGroup(42).join(); // unknown: harmless
        }
        try (RocksLogStore store = RocksLogStore.open(config().withEntryCacheBytesPerGroup(0))) {
            assertThat(store.groups()).containsExactlyInAnyOrder(1L, 3L);
            for (long g : new long[] {1, 3}) {
                assertThat(store.group(g).entries(1, 21, Long.MAX_VALUE)).isEqualTo(entries(g, 1, 20, 8));
            }
            // a group created again under the old id starts empty
            GroupLogStorage again = store.createGroup(2, ConfState.ofVoters(7L)).join();
            assertThat(again.lastIndex()).isZero();
            assertThat(again.initialState().hardState()).isEqualTo(HardState.EMPTY);
        }
        try (RocksLogStore store = RocksLogStore.open(config().withEntryCacheBytesPerGroup(0))) {
            GroupLogStorage again = store.group(2);
            assertThat(again.lastIndex()).isZero();
            assertThat(again.initialState().confState()).isEqualTo(ConfState.ofVoters(7L));
        }
    }

    // ---- the entry cache ----

    @Test
    void entryCacheEvictsOldEntriesAndReadsThemFromDisk() {
        long entryBytes = Entry.OVERHEAD_BYTES + 100;
        try (RocksLogStore store = RocksLogStore.open(config().withEntryCacheBytesPerGroup(20 * entryBytes))) {
            store.createGroup(1, MEMBERS).join();
            for (long i = 1; i <= 200; i += 20) {
                append(store, 1, entries(1, i, i + 19, 100));
            }
            RocksGroupLogStorage g = (RocksGroupLogStorage) store.group(1);
            long fromDisk = store.stats().entriesReadFromDisk();
            assertThat(g.entries(181, 201, Long.MAX_VALUE)).isEqualTo(entries(1, 181, 200, 100));
            assertThat(g.cachedBytes()).isLessThanOrEqualTo(20 * entryBytes);
            assertThat(store.stats().entriesReadFromDisk()).isEqualTo(fromDisk); // all cached

            assertThat(g.entries(1, 201, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 200, 100));
            assertThat(store.stats().entriesReadFromDisk()).isEqualTo(fromDisk + 180);
            assertThat(g.term(3)).isEqualTo(1);
            assertThat(store.stats().entriesReadFromDisk()).isEqualTo(fromDisk + 181);
            // size limits across the disk/cache border, in Entry.sizeBytes()
            assertThat(g.entries(175, 201, 10 * entryBytes)).isEqualTo(entries(1, 175, 184, 100));
            assertThat(g.entries(175, 201, 0)).isEqualTo(entries(1, 175, 175, 100));
        }
    }

    // ---- relaxed durability and lifecycle ----

    @Test
    void relaxedModeWritesWithoutFsync() {
        RocksLogStoreConfig relaxed = config().withSync(false);
        try (RocksLogStore store = RocksLogStore.open(relaxed)) {
            store.createGroup(1, MEMBERS).join();
            for (long i = 1; i <= 20; i++) {
                append(store, 1, entries(1, i, i, 10));
            }
            LogStoreStats stats = store.stats();
            assertThat(stats.diskWrites()).isGreaterThanOrEqualTo(2);
            assertThat(stats.syncedWrites()).isZero();
        }
        try (RocksLogStore store = RocksLogStore.open(config())) {
            assertThat(store.group(1).entries(1, 21, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 20, 10));
        }
        assertThat(RocksLogStoreConfig.defaults(dir).sync()).isTrue();
    }

    /** A write of nothing but commit-index changes is not fsynced on its own; anything else is. */
    @Test
    void commitIndexChangesAloneAreWrittenWithoutFsync() {
        try (RocksLogStore store = RocksLogStore.open(config())) {
            store.createGroup(1, MEMBERS).join();
            store.createGroup(2, MEMBERS).join();
            store.commit(store.newBatch().append(1, entries(1, 1, 3, 10)).setHardState(1, new HardState(1, 1, 0))
                    .setHardState(2, new HardState(1, 1, 0))).join();
            LogStoreStats s0 = store.stats();

            store.commit(store.newBatch().setHardState(1, new HardState(1, 1, 2))
                    .setHardState(2, new HardState(1, 1, 1))).join();
            LogStoreStats s1 = store.stats();
            assertThat(s1.diskWrites() - s0.diskWrites()).isEqualTo(1);
            assertThat(s1.syncedWrites() - s0.syncedWrites()).isZero();

            // a new term, a new vote, entries: each needs its fsync
            store.commit(store.newBatch().setHardState(1, new HardState(2, 1, 2))).join();
            store.commit(store.newBatch().setHardState(1, new HardState(2, 3, 2))).join();
            append(store, 1, entries(2, 4, 4, 10));
            LogStoreStats s2 = store.stats();
            assertThat(s2.syncedWrites() - s1.syncedWrites()).isEqualTo(3);

            // merged or not (the writer takes the first and, once let go, what queued behind it),
            // the three commits cost one fsync: the one the entries need
            CountDownLatch gate = new CountDownLatch(1);
            store.holdWriter(gate);
            CompletableFuture<Void> held = store.commit(store.newBatch().setHardState(2, new HardState(1, 1, 2)));
            CompletableFuture<Void> commitOnly = store.commit(store.newBatch().setHardState(1, new HardState(2, 3, 3)));
            CompletableFuture<Void> entries = store.commit(store.newBatch().append(2, entries(1, 1, 1, 10)));
            store.holdWriter(null);
            gate.countDown();
            CompletableFuture.allOf(held, commitOnly, entries).join();
            LogStoreStats s3 = store.stats();
            assertThat(s3.diskWrites() - s2.diskWrites()).isBetween(1L, 3L);
            assertThat(s3.syncedWrites() - s2.syncedWrites()).isEqualTo(1);
            assertThat(s3.batchesWritten() - s2.batchesWritten()).isEqualTo(3);

            store.commit(store.newBatch().setHardState(1, new HardState(2, 3, 4))).join();
        }
        // a clean close makes the unsynced commit indexes durable
        try (RocksLogStore store = RocksLogStore.open(config())) {
            assertThat(store.group(1).initialState().hardState()).isEqualTo(new HardState(2, 3, 4));
            assertThat(store.group(2).initialState().hardState()).isEqualTo(new HardState(1, 1, 2));
        }
    }

    @Test
    void closeDrainsQueuedWritesAndRefusesNewOnes() {
        RocksLogStore store = RocksLogStore.open(config().withEntryCacheBytesPerGroup(0));
        store.createGroup(1, MEMBERS).join();
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (long i = 1; i <= 50; i++) {
            fs.add(store.commit(store.newBatch().append(1, entries(1, i, i, 10))));
        }
        store.close();
        assertThat(fs).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        store.close(); // idempotent
        assertThatThrownBy(() -> store.commit(store.newBatch())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> store.createGroup(2, MEMBERS)).isInstanceOf(IllegalStateException.class);
        GroupLogStorage g = store.group(1);
        assertThat(g.lastIndex()).isEqualTo(50); // memory still answers...
        assertThatThrownBy(() -> g.entries(1, 2, Long.MAX_VALUE)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed"); // ...but the disk is gone (nothing is cached)
        try (RocksLogStore reopened = RocksLogStore.open(config())) {
            assertThat(reopened.group(1).entries(1, 51, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 50, 10));
        }
    }

    @Test
    void anUnknownFormatIsRefused() throws Exception {
        try (RocksLogStore store = RocksLogStore.open(config())) {
            store.createGroup(1, MEMBERS).join();
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions opts = new DBOptions();
             RocksDB db = RocksDB.open(opts, config().directory().toString(), List.of(
                     new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                     new ColumnFamilyDescriptor("log".getBytes(StandardCharsets.US_ASCII)),
                     new ColumnFamilyDescriptor("meta".getBytes(StandardCharsets.US_ASCII))), handles)) {
            db.put(handles.get(0), LogStoreCodec.FORMAT_KEY, new byte[] {2});
            handles.forEach(ColumnFamilyHandle::close);
        }
        assertThatThrownBy(() -> RocksLogStore.open(config())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has format 2 (expected: 1)");
    }
}
