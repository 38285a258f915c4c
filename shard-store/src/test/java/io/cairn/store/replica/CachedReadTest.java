package io.cairn.store.replica;

import static io.cairn.store.replica.SlotMigrationTest.argv;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads on other threads take key records from the apply path's record cache while it holds what
 * their snapshot holds (RecordCache, "Readers on other threads"). Under a writer that keeps
 * changing, growing and evicting that cache, a read still sees one whole batch, never a mix of two,
 * and never one older than a batch whose apply had returned before the read began; a key the cache
 * knows absent reads as absent.
 */
class CachedReadTest {
    @TempDir
    Path dir;

    private static String text(Reply r) {
        return r instanceof Reply.Bulk b ? new String(b.value(), StandardCharsets.UTF_8) : String.valueOf(r);
    }

    @Test
    void readsDuringAppliesSeeWholeBatchesNeverOlderThanAnAppliedOne() throws Exception {
        long group = 9;
        try (ReplicaFixture r = new ReplicaFixture(dir, group)) {
            // small: the filler keys below keep evicting, so entries shift while readers probe
            r.sm.recordCacheLimit(48 * 1024);
            // c's record is longer than RecordCache.VALUE_LIMIT: never cached, always read from
            // the snapshot, so an MGET mixes cached records (a, b) with snapshot reads (c)
            String pad = "p".repeat(600);
            long now = 1_900_000_000_000L;
            r.apply(now, "mset", "a", "0", "b", "0", "c", pad + 0, "d", "0");
            AtomicLong applied = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            Queue<String> wrong = new ConcurrentLinkedQueue<>();
            AtomicLong reads = new AtomicLong();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Thread reader = new Thread(() -> {
                    byte[][] mget = argv("mget", "a", "b", "c", "d");
                    while (!done.get()) {
                        long floor = applied.get(); // applied (and so acknowledged) before this read
                        Reply reply = r.sm.read(mget);
                        List<Reply> items = ((Reply.Arr) reply).items();
                        String a = text(items.get(0));
                        String b = text(items.get(1));
                        String c = text(items.get(2));
                        // d holds the batch's number in even batches and is deleted in odd ones
                        // (the cache then knows it absent)
                        Reply d = items.get(3);
                        long n = Long.parseLong(a);
                        boolean dRight = n % 2 == 0 ? text(d).equals(a) : d.equals(Reply.NIL);
                        if (!a.equals(b) || !c.equals(pad + a) || !dRight || n < floor) {
                            wrong.add("floor " + floor + ": a=" + a + " b=" + b + " c=" + c.replace(pad, "pad+") + " d=" + text(d));
                        }
                        reads.incrementAndGet();
                    }
                });
                reader.start();
                readers.add(reader);
            }
            Random random = new Random(7);
            try {
                for (int i = 1; i <= 4_000; i++) {
                    List<String> args = new ArrayList<>(List.of("mset", "a", "" + i, "b", "" + i, "c", pad + i));
                    for (int f = 0; f < 8; f++) {
                        args.add("f" + random.nextInt(5_000));
                        args.add("v" + i);
                    }
                    StoreCommand d = i % 2 == 0 ? StoreCommand.of(now + i, 1, "set", "d", "" + i)
                            : StoreCommand.of(now + i, 1, "del", "d");
                    r.applyBatch(StoreCommand.of(now + i, 1, args.toArray(String[]::new)), d); // one batch
                    applied.set(i);
                    if (i % 500 == 0) { // deletes too: backward shifts in the cache's table
                        r.apply(now + i, "del", "f" + random.nextInt(5_000), "f" + random.nextInt(5_000));
                    }
                }
            } finally {
                done.set(true);
                for (Thread reader : readers) {
                    reader.join();
                }
            }
            assertThat(wrong).isEmpty();
            assertThat(reads.get()).isPositive();
            // with the writer idle, a read of a cached record is no RocksDB lookup; c's is one
            r.db.rocks().setPerfLevel(org.rocksdb.PerfLevel.ENABLE_COUNT);
            try {
                org.rocksdb.PerfContext perf = r.db.rocks().getPerfContext();
                perf.reset();
                assertThat(text(r.sm.read(argv("get", "a")))).isEqualTo("4000");
                assertThat(perf.getFromMemtableCount()).isZero();
                assertThat(text(r.sm.read(argv("get", "c")))).isEqualTo(pad + 4000);
                assertThat(perf.getFromMemtableCount()).isEqualTo(1);
                r.apply(now, "del", "d"); // the cache now knows d absent: readers answer nil from it
                perf.reset();
                assertThat(r.sm.read(argv("get", "d"))).isEqualTo(Reply.NIL);
                assertThat(perf.getFromMemtableCount()).isZero();
            } finally {
                r.db.rocks().setPerfLevel(org.rocksdb.PerfLevel.DISABLE);
            }
        }
    }
}
