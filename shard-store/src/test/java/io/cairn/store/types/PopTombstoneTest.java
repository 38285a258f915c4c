package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.PerfContext;
import org.rocksdb.PerfLevel;

/**
 * A pop must not walk the tombstones of earlier pops (docs/storage-format.md, "Live bounds"):
 * RocksDB's iterator skips deleted entries one by one until compaction drops them, so a pop that
 * scans from an end of its collection would cost O(pops so far). Counted with RocksDB's own
 * per-thread counters (internal keys and deletes skipped by iterators), not with time: the
 * entries visited by the last pops of a long run must stay within a constant of the first ones.
 * Nothing is flushed or compacted here, so every tombstone stays in the memtable.
 */
class PopTombstoneTest {
    static final int SIZE = 3000;

    @TempDir
    Path dir;
    TestStore s;
    PerfContext perf;

    @BeforeEach
    void open() {
        s = new TestStore(dir);
        s.db().setPerfLevel(PerfLevel.ENABLE_COUNT);
        perf = s.db().getPerfContext();
    }

    @AfterEach
    void close() {
        s.db().setPerfLevel(PerfLevel.DISABLE);
        s.close();
    }

    /** Internal entries (tombstones and older versions) the iterators of one command skipped. */
    long skippedBy(String... cmd) {
        perf.reset();
        s.exec(cmd);
        return perf.getInternalDeleteSkippedCount() + perf.getInternalKeySkippedCount();
    }

    /** Runs {@code pops} times the pop and returns the entries skipped by each. */
    List<Long> skippedPerPop(int pops, String... pop) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < pops; i++) {
            out.add(skippedBy(pop));
        }
        return out;
    }

    static long max(List<Long> xs, int from, int to) {
        long m = 0;
        for (long x : xs.subList(from, to)) {
            m = Math.max(m, x);
        }
        return m;
    }

    void fill(String type, String key) {
        for (int i = 0; i < SIZE; i += 100) {
            List<String> cmd = new ArrayList<>(List.of(type, key));
            for (int j = i; j < i + 100; j++) {
                if (type.equals("zadd")) {
                    cmd.add(Integer.toString(j));
                }
                cmd.add("element:" + String.format("%06d", j * 7919 % 1_000_000));
            }
            s.exec(cmd.toArray(String[]::new));
        }
    }

    @Test
    void rpopDoesNotWalkTheTailTombstones() {
        fill("rpush", "l");
        List<Long> skipped = skippedPerPop(SIZE - 1, "rpop", "l");
        assertThat(max(skipped, SIZE - 200, SIZE - 1)).as("skipped per RPOP %s", skipped.subList(SIZE - 10, SIZE - 1))
                .isLessThanOrEqualTo(4);
        assertThat(s.integer("llen", "l")).isEqualTo(1);
    }

    @Test
    void lpopDoesNotWalkTheHeadTombstones() {
        fill("rpush", "l");
        List<Long> skipped = skippedPerPop(SIZE - 1, "lpop", "l");
        assertThat(max(skipped, SIZE - 200, SIZE - 1)).isLessThanOrEqualTo(4);
    }

    @Test
    void zpopminAndZpopmaxDoNotWalkThePoppedEnds() {
        fill("zadd", "z");
        List<Long> min = skippedPerPop(SIZE / 2 - 1, "zpopmin", "z");
        List<Long> max = skippedPerPop(SIZE / 2 - 1, "zpopmax", "z");
        assertThat(max(min, SIZE / 2 - 200, SIZE / 2 - 1)).as("per ZPOPMIN %s", min.subList(min.size() - 10, min.size()))
                .isLessThanOrEqualTo(4);
        assertThat(max(max, SIZE / 2 - 200, SIZE / 2 - 1)).as("per ZPOPMAX %s", max.subList(max.size() - 10, max.size()))
                .isLessThanOrEqualTo(4);
        // reads by rank and score start at the live bounds too
        assertThat(skippedBy("zrange", "z", "0", "0")).isLessThanOrEqualTo(4);
        assertThat(skippedBy("zrange", "z", "-inf", "+inf", "byscore")).isLessThanOrEqualTo(4);
        assertThat(s.integer("zcard", "z")).isEqualTo(2);
    }

    @Test
    void spopStaysBoundedUntilTheSetIsEmpty() {
        fill("sadd", "s");
        List<Long> skipped = skippedPerPop(SIZE, "spop", "s");
        // the set is rewritten under a fresh version once its removals outnumber max(live, 128):
        // a pop then never meets more than that many tombstones (RocksDB counts each skipped
        // tombstone about twice), and the rewrites cost O(1) amortized per pop
        long total = 0;
        for (int i = 0; i < SIZE; i++) {
            long live = SIZE - i;
            total += skipped.get(i);
            assertThat(skipped.get(i)).as("pop %d: %s", i, skipped.subList(Math.max(0, i - 5), i + 1))
                    .isLessThanOrEqualTo(8 * Math.max(live, 128));
        }
        assertThat(max(skipped, SIZE - 100, SIZE)).isLessThanOrEqualTo(8 * 128);
        assertThat(total / SIZE).as("skipped per pop on average").isLessThan(400);
        System.out.println("SPOP skipped per pop on average: " + total / SIZE + ", last 10: "
                + skipped.subList(SIZE - 10, SIZE));
        assertThat(s.exec("exists", "s")).isEqualTo(Reply.integer(0));
    }
}
