package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteOptions;

/** The write batch's merged cursor: overlay over DB, tombstones, range masks, writes while open. */
class RocksKvTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> keys(Kv kv, String from, String to, boolean reverse) {
        List<String> out = new ArrayList<>();
        try (Kv.Cursor c = kv.scan(b(from), b(to), reverse)) {
            while (c.next()) {
                out.add(new String(c.key(), StandardCharsets.UTF_8) + "=" + new String(c.value(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private void seed(TestStore s, String... keys) {
        try (RocksKv kv = RocksKv.writeBatch(s.db()); WriteOptions wo = new WriteOptions()) {
            for (String k : keys) {
                kv.put(b(k), b("db"));
            }
            kv.commit(wo);
        }
    }

    @Test
    void mergedCursorHidesTombstonesAndMaskedRangesBothWays() {
        try (TestStore s = new TestStore(dir)) {
            seed(s, "a", "b", "c", "d", "e");
            try (RocksKv kv = RocksKv.writeBatch(s.db())) {
                kv.deleteRange(b("b"), b("d"));
                kv.put(b("c"), b("new"));
                kv.delete(b("e"));
                kv.put(b("f"), b("ov"));
                assertThat(keys(kv, "a", "z", false)).containsExactly("a=db", "c=new", "d=db", "f=ov");
                assertThat(keys(kv, "a", "z", true)).containsExactly("f=ov", "d=db", "c=new", "a=db");
                assertThat(keys(kv, "b", "d", true)).containsExactly("c=new");
            }
        }
    }

    /**
     * Commit writes the range deletes, then each key's final value once, in key order: the same
     * state as replaying the calls in order, and one memtable entry per key written.
     */
    @Test
    void commitWritesTheFinalStateWithOneMemtableEntryPerKey() throws Exception {
        try (TestStore s = new TestStore(dir)) {
            seed(s, "a", "b", "c", "d", "e");
            long before = s.db().getLongProperty("rocksdb.num-entries-active-mem-table");
            try (RocksKv kv = RocksKv.writeBatch(s.db()); WriteOptions wo = new WriteOptions()) {
                kv.put(b("c"), b("gone"));      // covered by the range delete below: not written
                kv.deleteRange(b("b"), b("d"));
                kv.put(b("c"), b("after"));     // after the range delete: survives it
                for (int i = 0; i < 10; i++) {
                    kv.put(b("z"), b("v" + i)); // ten puts, one entry
                }
                kv.delete(b("e"));
                kv.put(b("e"), b("again"));
                kv.put(b("f"), b("x"));
                kv.delete(b("f"));
                kv.commit(wo);
            }
            // the range delete, then c, e, f (a delete), z: one entry each
            assertThat(s.db().getLongProperty("rocksdb.num-entries-active-mem-table") - before).isEqualTo(5);
            try (RocksKv kv = RocksKv.snapshot(s.db())) {
                assertThat(keys(kv, "a", "zz", false)).containsExactly("a=db", "c=after", "d=db", "e=again", "z=v9");
            }
        }
    }

    @Test
    void cursorOpenDuringRangeDeleteKeepsItsViewOfTheState() {
        try (TestStore s = new TestStore(dir)) {
            seed(s, "a", "b", "c", "d");
            try (RocksKv kv = RocksKv.writeBatch(s.db())) {
                kv.put(b("bb"), b("ov"));
                List<String> seen = new ArrayList<>();
                try (Kv.Cursor c = kv.scan(b("a"), b("z"))) {
                    assertThat(c.next()).isTrue();
                    seen.add(new String(c.key(), StandardCharsets.UTF_8));
                    kv.deleteRange(b("a"), b("z")); // written while the cursor is open
                    while (c.next()) {
                        seen.add(new String(c.key(), StandardCharsets.UTF_8));
                    }
                }
                // the cursor is a view as of its opening: overlay and DB alike
                assertThat(seen).containsExactly("a", "b", "bb", "c", "d");
                assertThat(keys(kv, "a", "z", false)).isEmpty();
            }
        }
    }

    // a batch remembers what it read from the DB; its own later writes must still win
    @Test
    void getsOfKeysReadBeforeSeeTheBatchsLaterWrites() {
        try (TestStore s = new TestStore(dir)) {
            seed(s, "a", "b", "c", "d");
            s.db().setPerfLevel(org.rocksdb.PerfLevel.ENABLE_COUNT);
            org.rocksdb.PerfContext perf = s.db().getPerfContext();
            try (RocksKv kv = RocksKv.writeBatch(s.db())) {
                perf.reset();
                for (String k : List.of("a", "b", "c", "d", "x")) {
                    assertThat(kv.get(b(k))).isEqualTo(k.equals("x") ? null : b("db"));
                    assertThat(kv.get(b(k))).isEqualTo(k.equals("x") ? null : b("db"));
                }
                assertThat(perf.getFromMemtableCount()).as("each key looked up in RocksDB once").isEqualTo(5);
                kv.put(b("a"), b("new"));
                kv.delete(b("b"));
                kv.deleteRange(b("c"), b("d"));
                kv.put(b("x"), b("made"));
                assertThat(kv.get(b("a"))).isEqualTo(b("new"));
                assertThat(kv.get(b("b"))).isNull();
                assertThat(kv.get(b("c"))).isNull();
                assertThat(kv.get(b("d"))).isEqualTo(b("db"));
                assertThat(kv.get(b("x"))).isEqualTo(b("made"));
                kv.deleteRange(b("a"), b("z"));
                assertThat(kv.get(b("a"))).isNull();
                assertThat(kv.get(b("d"))).isNull();
            } finally {
                s.db().setPerfLevel(org.rocksdb.PerfLevel.DISABLE);
            }
        }
    }

    private static byte[] meta(String key) {
        return KeyCodec.metaKey(TestStore.GROUP, Slots.slot(b(key)), b(key));
    }

    private static long lookups(org.rocksdb.PerfContext perf) {
        return perf.getFromMemtableCount();
    }

    // the record cache answers later batches and follows their writes, range deletes included
    @Test
    void recordCacheAnswersLaterBatchesAndFollowsTheirWrites() {
        try (TestStore s = new TestStore(dir); WriteOptions wo = new WriteOptions()) {
            try (RocksKv kv = RocksKv.writeBatch(s.db())) {
                kv.put(meta("a"), b("A0"));
                kv.put(meta("b"), b("B0"));
                kv.put(KeyCodec.sessionReplyKey(TestStore.GROUP, 5, 1), b("S"));
                kv.commit(wo);
            }
            RecordCache cache = new RecordCache();
            s.db().setPerfLevel(org.rocksdb.PerfLevel.ENABLE_COUNT);
            org.rocksdb.PerfContext perf = s.db().getPerfContext();
            try {
                try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                    perf.reset();
                    assertThat(kv.get(meta("a"))).isEqualTo(b("A0"));
                    assertThat(kv.get(meta("b"))).isEqualTo(b("B0"));
                    assertThat(kv.get(meta("c"))).isNull();
                    assertThat(kv.get(KeyCodec.sessionReplyKey(TestStore.GROUP, 5, 1))).isEqualTo(b("S"));
                    assertThat(lookups(perf)).isEqualTo(4);
                    kv.commit(wo);
                }
                try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                    perf.reset();
                    assertThat(kv.get(meta("a"))).isEqualTo(b("A0"));
                    assertThat(kv.get(meta("c"))).isNull(); // known absent
                    assertThat(kv.get(KeyCodec.sessionReplyKey(TestStore.GROUP, 5, 1))).isEqualTo(b("S"));
                    assertThat(lookups(perf)).as("only the non-record key went to RocksDB").isEqualTo(1);
                    kv.put(meta("a"), b("A1"));
                    kv.delete(meta("b"));
                    kv.put(meta("c"), b("C1"));
                    kv.commit(wo);
                }
                try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                    perf.reset();
                    assertThat(kv.get(meta("a"))).isEqualTo(b("A1"));
                    assertThat(kv.get(meta("b"))).isNull();
                    assertThat(kv.get(meta("c"))).isEqualTo(b("C1"));
                    assertThat(lookups(perf)).isZero();
                    // a range delete over the group's records, then a record written after it
                    kv.deleteRange(KeyCodec.kindPrefix(TestStore.GROUP, KeyCodec.KIND_META),
                            KeyCodec.prefixEnd(KeyCodec.kindPrefix(TestStore.GROUP, KeyCodec.KIND_META)));
                    kv.put(meta("c"), b("C2"));
                    kv.commit(wo);
                }
                try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                    perf.reset();
                    assertThat(kv.get(meta("a"))).isNull();
                    assertThat(kv.get(meta("c"))).isEqualTo(b("C2"));
                    assertThat(lookups(perf)).as("a was dropped by the range delete, c kept").isEqualTo(1);
                }
                assertThat(cache.hits()).isPositive();
            } finally {
                s.db().setPerfLevel(org.rocksdb.PerfLevel.DISABLE);
            }
        }
    }

    /**
     * A read-only view peeks at the apply path's cache (no RocksDB lookup) only while nothing of
     * the group changed since the view began; otherwise it reads its snapshot, taken at its first
     * DB read — and refuses to take one that could contradict the cache answers it gave.
     */
    @Test
    void readOnlyViewsTakeRecordsFromTheCacheOnlyWhileItHoldsTheirSnapshot() throws Exception {
        try (TestStore s = new TestStore(dir); WriteOptions wo = new WriteOptions()) {
            RecordCache cache = new RecordCache();
            try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                kv.put(meta("a"), b("A0"));
                kv.put(meta("b"), b("B0"));
                kv.put(b("other"), b("O"));
                kv.commit(wo);
            }
            s.db().setPerfLevel(org.rocksdb.PerfLevel.ENABLE_COUNT);
            org.rocksdb.PerfContext perf = s.db().getPerfContext();
            try {
                try (RocksKv view = RocksKv.snapshot(s.db(), cache, null)) {
                    perf.reset();
                    assertThat(view.get(meta("a"))).isEqualTo(b("A0"));
                    assertThat(view.get(meta("b"))).isEqualTo(b("B0"));
                    assertThat(lookups(perf)).as("records from the cache").isZero();
                    assertThat(view.get(b("other"))).isEqualTo(b("O"));
                    assertThat(lookups(perf)).as("other keys from RocksDB").isEqualTo(1);
                }
                try (RocksKv view = RocksKv.snapshot(s.db(), cache, null)) {
                    try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) { // a batch after the view began
                        kv.put(meta("a"), b("A1"));
                        kv.commit(wo);
                    }
                    perf.reset();
                    // the cache moved on: the view takes its snapshot at this first DB read
                    assertThat(view.get(meta("a"))).isEqualTo(b("A1"));
                    assertThat(view.get(meta("b"))).isEqualTo(b("B0"));
                    assertThat(lookups(perf)).as("both from the snapshot").isEqualTo(2);
                }
                try (RocksKv view = RocksKv.snapshot(s.db(), cache, null)) {
                    assertThat(view.get(meta("a"))).isEqualTo(b("A1")); // from the cache
                    try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                        kv.put(meta("a"), b("A2"));
                        kv.commit(wo);
                    }
                    // a snapshot taken now would hold A2 next to the A1 already answered
                    assertThatThrownBy(() -> view.get(b("other"))).isInstanceOf(RocksKv.StaleView.class);
                    assertThat(s.db().getLongProperty("rocksdb.num-snapshots")).as("released").isZero();
                }
                try (RocksKv view = RocksKv.snapshot(s.db(), cache, null)) {
                    perf.reset();
                    assertThat(view.get(meta("a"))).isEqualTo(b("A2")); // from the cache
                    assertThat(view.get(b("other"))).isEqualTo(b("O")); // nothing changed: a snapshot now is fine
                    assertThat(lookups(perf)).isEqualTo(1);
                }
                RocksKv.SnapshotGuard refusing = new RocksKv.SnapshotGuard() {
                    @Override
                    public long before() {
                        throw new IllegalStateException("installing");
                    }

                    @Override
                    public void after(long token) {
                    }
                };
                try (RocksKv view = RocksKv.snapshot(s.db(), cache, refusing)) {
                    assertThat(view.get(meta("a"))).isEqualTo(b("A2")); // the cache needs no snapshot
                    assertThatThrownBy(() -> view.get(b("other"))).hasMessage("installing");
                }
                RocksKv.SnapshotGuard rejecting = new RocksKv.SnapshotGuard() {
                    @Override
                    public long before() {
                        return 0;
                    }

                    @Override
                    public void after(long token) {
                        throw new IllegalStateException("installed meanwhile");
                    }
                };
                try (RocksKv view = RocksKv.snapshot(s.db(), cache, rejecting)) {
                    assertThatThrownBy(() -> view.scan(b("a"), b("z"), false)).hasMessage("installed meanwhile");
                    assertThat(s.db().getLongProperty("rocksdb.num-snapshots")).as("released").isZero();
                }
                RecordCache closing = new RecordCache(); // another group replica's, holding a
                try (RocksKv kv = RocksKv.writeBatch(s.db(), closing)) {
                    assertThat(kv.get(meta("a"))).isEqualTo(b("A2")); // read through: now cached
                }
                try (RocksKv view = RocksKv.snapshot(s.db(), closing, null)) {
                    perf.reset();
                    assertThat(view.get(meta("a"))).isEqualTo(b("A2"));
                    assertThat(lookups(perf)).as("from the cache").isZero();
                    closing.retire(); // the replica closes: its range may be deleted next
                    // a scan (like a DB read) now could contradict the answer already given
                    assertThatThrownBy(() -> view.scan(b("a"), b("z"), false)).isInstanceOf(RocksKv.StaleView.class);
                }
                try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) { // a batch writing no record
                    kv.put(b("other"), b("O2"));
                    kv.commit(wo);
                }
                cache.beginChange(); // as while the apply thread writes a batch of records
                try (RocksKv view = RocksKv.snapshot(s.db(), cache, null)) {
                    perf.reset();
                    assertThat(view.get(meta("a"))).isEqualTo(b("A2"));
                    assertThat(lookups(perf)).as("a change is open: from RocksDB").isEqualTo(1);
                } finally {
                    cache.endChange();
                }
                try (RocksKv view = RocksKv.snapshot(s.db(), cache, null)) {
                    perf.reset();
                    assertThat(view.get(meta("a"))).isEqualTo(b("A2"));
                    assertThat(lookups(perf)).as("stable again, and a batch without records left it so").isZero();
                }
                cache.retire();
                try (RocksKv view = RocksKv.snapshot(s.db(), cache, null)) {
                    perf.reset();
                    assertThat(view.get(meta("a"))).isEqualTo(b("A2"));
                    assertThat(lookups(perf)).as("retired: RocksDB only").isEqualTo(1);
                }
            } finally {
                s.db().setPerfLevel(org.rocksdb.PerfLevel.DISABLE);
            }
        }
    }

    // session headers (kind 0x02) are cached like key records; a range delete over them drops
    // them, one over reply records (kind 0x03) does not
    @Test
    void sessionHeadersAreCachedAndFollowRangeDeletes() {
        try (TestStore s = new TestStore(dir); WriteOptions wo = new WriteOptions()) {
            byte[] h5 = KeyCodec.sessionKey(TestStore.GROUP, 5);
            byte[] h6 = KeyCodec.sessionKey(TestStore.GROUP, 6);
            RecordCache cache = new RecordCache();
            try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                kv.put(h5, b("H5"));
                kv.put(h6, b("H6"));
                kv.commit(wo);
            }
            s.db().setPerfLevel(org.rocksdb.PerfLevel.ENABLE_COUNT);
            org.rocksdb.PerfContext perf = s.db().getPerfContext();
            try {
                try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                    perf.reset();
                    assertThat(kv.get(h5)).isEqualTo(b("H5"));
                    assertThat(kv.get(h6)).isEqualTo(b("H6"));
                    assertThat(lookups(perf)).as("the committed batch's headers are cached").isZero();
                    byte[] replies = KeyCodec.kindPrefix(TestStore.GROUP, KeyCodec.KIND_SESSION_REPLY);
                    kv.deleteRange(replies, KeyCodec.prefixEnd(replies));
                    kv.commit(wo);
                }
                assertThat(cache.size()).as("a range delete of reply records keeps the headers").isEqualTo(2);
                try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                    kv.deleteRange(h5, h6); // session 5 only
                    kv.commit(wo);
                }
                try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                    perf.reset();
                    assertThat(kv.get(h5)).isNull();
                    assertThat(kv.get(h6)).isEqualTo(b("H6"));
                    assertThat(lookups(perf)).as("5 was dropped by the range delete, 6 kept").isEqualTo(1);
                }
            } finally {
                s.db().setPerfLevel(org.rocksdb.PerfLevel.DISABLE);
            }
        }
    }

    // a batch that is never committed leaves nothing in the cache, though it read through it
    @Test
    void anUncommittedBatchLeavesTheRecordCacheAsTheDb() {
        try (TestStore s = new TestStore(dir); WriteOptions wo = new WriteOptions()) {
            RecordCache cache = new RecordCache();
            try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                kv.put(meta("a"), b("A0"));
                kv.commit(wo);
            }
            try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                assertThat(kv.get(meta("a"))).isEqualTo(b("A0"));
                assertThat(kv.get(meta("b"))).isNull();
                kv.put(meta("a"), b("lost"));
                kv.put(meta("b"), b("lost"));
            }
            try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                assertThat(kv.get(meta("a"))).isEqualTo(b("A0"));
                assertThat(kv.get(meta("b"))).isNull();
            }
        }
    }

    @Test
    void theRecordCacheIsBoundedAndKeepsNoBigRecord() {
        try (TestStore s = new TestStore(dir); WriteOptions wo = new WriteOptions()) {
            RecordCache cache = new RecordCache(10_000);
            try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                for (int i = 0; i < 1_000; i++) {
                    kv.put(meta("k" + i), b("v" + i));
                }
                kv.put(meta("big"), new byte[RecordCache.VALUE_LIMIT + 1]);
                kv.commit(wo);
            }
            assertThat(cache.bytes()).isLessThanOrEqualTo(10_000);
            assertThat(cache.size()).isBetween(10, 200);
            List<String> kept = new ArrayList<>();
            cache.forEach((k, v) -> kept.add(new String(v, StandardCharsets.UTF_8)));
            // the big record is not among them
            assertThat(kept).hasSize(cache.size()).allMatch(v -> v.startsWith("v"));
            try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                kv.put(meta("recent"), b("r"));
                kv.commit(wo);
            }
            List<String> after = new ArrayList<>();
            cache.forEach((k, v) -> after.add(new String(v, StandardCharsets.UTF_8)));
            assertThat(after).as("the latest write is kept, older entries made room").contains("r");
            assertThat(cache.bytes()).isLessThanOrEqualTo(10_000);
            try (RocksKv kv = RocksKv.writeBatch(s.db(), cache)) {
                assertThat(kv.get(meta("big"))).hasSize(RecordCache.VALUE_LIMIT + 1);
                assertThat(kv.get(meta("k0"))).isEqualTo(b("v0"));
            }
        }
    }
}
