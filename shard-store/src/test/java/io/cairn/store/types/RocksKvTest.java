package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

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
}
