package io.cairn.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.core.MemoryStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The store must answer the Raft core exactly as the reference {@link MemoryStorage} does
 * ({@code LogStorage} contract: bounds, {@code term(firstIndex() - 1)}, COMPACTED/UNAVAILABLE,
 * size limits of {@code entries}) after the same writes, whatever is cached, whatever the writer
 * has written yet, and across reopening. Random writes from a seeded {@link Random}; a failure
 * names the seed, which replays it exactly.
 */
class LogStoreConformanceTest {

    private static final int SEEDS = 4;
    private static final int STEPS = 400;
    /** Several groups in one store, adjacent ids and an id with the top bit set, to catch key-range bleed. */
    private static final long[] GROUP_IDS = {1, 2, 77, -1L};

    @TempDir
    Path dir;

    @ParameterizedTest(name = "entry cache {0} bytes per group")
    @ValueSource(longs = {0, 300, 1 << 20})
    void answersLikeMemoryStorage(long cacheBytes) {
        for (int seed = 1; seed <= SEEDS; seed++) {
            run(seed, cacheBytes);
        }
    }

    private void run(long seed, long cacheBytes) {
        Random rnd = new Random(seed * 1_000_003 + cacheBytes);
        RocksLogStoreConfig config = RocksLogStoreConfig.defaults(dir.resolve("seed-" + seed + "-cache-" + cacheBytes))
                .withEntryCacheBytesPerGroup(cacheBytes);
        RocksLogStore store = RocksLogStore.open(config);
        List<RandomLogDriver> drivers = new ArrayList<>();
        for (long id : GROUP_IDS) {
            drivers.add(new RandomLogDriver(id, rnd, false));
            store.createGroup(id, RandomLogDriver.FOUNDING).join();
        }
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        CountDownLatch gate = null;
        LogWriteBatch batch = store.newBatch();
        List<String> batchSteps = new ArrayList<>();
        try {
            for (int step = 0; step < STEPS; step++) {
                RandomLogDriver d = drivers.get(rnd.nextInt(drivers.size()));
                RandomLogDriver.Step s = d.next();
                String where = "seed " + seed + " cache " + cacheBytes + " step " + step + " group " + d.groupId
                        + " (" + s.description() + ")";
                if (s.error() == null) {
                    s.write().accept(batch);
                    batchSteps.add(s.description());
                    if (rnd.nextInt(3) == 0) {
                        continue; // several writes, maybe of several groups, in one batch
                    }
                    inFlight.add(store.commit(batch));
                } else {
                    // the store checks the whole batch: commit what the model already applied, then
                    // the refused write alone
                    if (!batch.isEmpty()) {
                        inFlight.add(store.commit(batch));
                    }
                    LogWriteBatch refused = store.newBatch();
                    s.write().accept(refused);
                    RocksLogStore current = store;
                    assertThat(LogViews.answer(() -> current.commit(refused))).as(where).isEqualTo(s.error());
                }
                batch = store.newBatch();
                batchSteps.clear();
                for (RandomLogDriver each : drivers) {
                    LogViews.assertSameView(where + " view of group " + each.groupId, each.model,
                            store.group(each.groupId), rnd, each == d ? 4 : 1);
                }
                if (gate == null && rnd.nextInt(25) == 0) {
                    // the writer holds one write back: reads must come from memory for what is not on disk
                    gate = new CountDownLatch(1);
                    store.holdWriter(gate);
                } else if (gate != null && rnd.nextInt(8) == 0) {
                    store.holdWriter(null);
                    gate.countDown();
                    gate = null;
                }
                if (rnd.nextInt(120) == 0) {
                    // recovery must rebuild the same view from disk alone
                    if (gate != null) {
                        store.holdWriter(null);
                        gate.countDown();
                        gate = null;
                    }
                    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
                    inFlight.clear();
                    store.close();
                    store = RocksLogStore.open(config);
                    for (RandomLogDriver each : drivers) {
                        LogViews.assertSameView(where + " after reopen, group " + each.groupId, each.model,
                                store.group(each.groupId), rnd, 5);
                    }
                }
            }
        } finally {
            if (gate != null) {
                store.holdWriter(null);
                gate.countDown();
            }
            if (!batch.isEmpty()) {
                inFlight.add(store.commit(batch));
            }
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
            store.close();
        }
        try (RocksLogStore reopened = RocksLogStore.open(config)) {
            assertThat(reopened.groups()).hasSize(GROUP_IDS.length);
            for (RandomLogDriver each : drivers) {
                LogViews.assertSameView("seed " + seed + " final reopen, group " + each.groupId, each.model,
                        reopened.group(each.groupId), rnd, 20);
            }
        }
    }
}
