package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many pops interleaved with adds, checked after every command against a plain in-memory model:
 * the live bounds of sorted sets and the rewrites of sets (docs/storage-format.md, "Live bounds")
 * must never hide or resurrect a member. Redis's own replies for the same commands (ties of
 * ZPOPMIN, SPOP count beyond the size, errors) are checked by {@link RedisDifferentialTest}.
 */
class PopModelTest {
    @TempDir
    Path dir;
    TestStore s;
    Random r = new Random(20261129);

    @BeforeEach
    void open() {
        s = new TestStore(dir);
    }

    @AfterEach
    void close() {
        s.close();
    }

    record Z(String member, double score) {
    }

    /** Redis's order: score, then member bytes. */
    static final Comparator<Z> ORDER = Comparator.comparingDouble(Z::score)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.member().getBytes(), b.member().getBytes()));

    static List<String> flat(Iterable<Z> zs) {
        List<String> out = new ArrayList<>();
        for (Z z : zs) {
            out.add(z.member());
            out.add(Doubles.g17(z.score()));
        }
        return out;
    }

    String member() {
        // members of different lengths, some longer than a record's bound (64 bytes)
        int n = r.nextInt(400);
        return n % 7 == 0 ? "m" + n + "-".repeat(70) : "m" + n;
    }

    @Test
    void sortedSetPopsInterleavedWithAddsMatchTheModel() {
        Map<String, Double> scores = new HashMap<>();
        TreeSet<Z> model = new TreeSet<>(ORDER);
        for (int i = 0; i < 6000; i++) {
            int op = r.nextInt(100);
            if (op < 40) {
                String m = member();
                double score = r.nextInt(50); // many ties
                Double old = scores.put(m, score);
                if (old != null) {
                    model.remove(new Z(m, old));
                }
                model.add(new Z(m, score));
                s.exec("zadd", "z", Double.toString(score), m);
            } else if (op < 45) {
                String m = member();
                double inc = r.nextInt(21) - 10;
                Double old = scores.get(m);
                double score = (old == null ? 0 : old) + inc;
                if (old != null) {
                    model.remove(new Z(m, old));
                }
                scores.put(m, score);
                model.add(new Z(m, score));
                s.exec("zincrby", "z", Double.toString(inc), m);
            } else if (op < 85) {
                boolean max = r.nextBoolean();
                int count = r.nextInt(4);
                List<Z> expected = new ArrayList<>();
                for (int k = 0; k < count && !model.isEmpty(); k++) {
                    Z z = max ? model.pollLast() : model.pollFirst();
                    scores.remove(z.member());
                    expected.add(z);
                }
                String cmd = max ? "zpopmax" : "zpopmin";
                List<String> got = r.nextBoolean() && count == 1 ? s.list(cmd, "z") : s.list(cmd, "z", Integer.toString(count));
                assertThat(got).as("%s at %d", cmd, i).isEqualTo(count == 0 ? List.of() : flat(expected));
            } else if (op < 90) {
                String m = member();
                Double old = scores.remove(m);
                if (old != null) {
                    model.remove(new Z(m, old));
                }
                s.exec("zrem", "z", m);
            } else if (op < 93 && model.size() > 2) {
                // remove a prefix or a suffix by rank or by score: bounds narrow there too
                List<Z> sorted = new ArrayList<>(model);
                int k = 1 + r.nextInt(Math.min(3, sorted.size() - 1));
                boolean low = r.nextBoolean();
                List<Z> doomed = low ? sorted.subList(0, k) : sorted.subList(sorted.size() - k, sorted.size());
                if (r.nextBoolean()) {
                    s.exec("zremrangebyrank", "z", low ? "0" : Integer.toString(-k), low ? Integer.toString(k - 1) : "-1");
                } else {
                    double edge = doomed.get(low ? k - 1 : 0).score();
                    doomed = new ArrayList<>();
                    for (Z z : sorted) {
                        if (low ? z.score() <= edge : z.score() >= edge) {
                            doomed.add(z);
                        }
                    }
                    s.exec("zremrangebyscore", "z", low ? "-inf" : Double.toString(edge), low ? Double.toString(edge) : "+inf");
                }
                for (Z z : new ArrayList<>(doomed)) {
                    model.remove(z);
                    scores.remove(z.member());
                }
            } else if (op < 95) {
                s.exec("rename", "z", "{z}2");
                s.exec("rename", "{z}2", "z");
            } else {
                s.exec("del", "z");
                model.clear();
                scores.clear();
            }
            assertThat(s.integer("zcard", "z")).as("op %d at %d: %s", op, i, flat(model)).isEqualTo(model.size());
            if (i % 10 == 0) {
                assertThat(s.list("zrange", "z", "0", "-1", "withscores")).as("at %d", i).isEqualTo(flat(model));
                assertThat(s.list("zrevrange", "z", "0", "1")).isEqualTo(
                        model.descendingSet().stream().limit(2).map(Z::member).toList());
                assertThat(s.integer("zcount", "z", "-inf", "+inf")).isEqualTo(model.size());
                if (!model.isEmpty()) {
                    Z any = new ArrayList<>(model).get(r.nextInt(model.size()));
                    assertThat(s.integer("zrank", "z", any.member())).isEqualTo(model.headSet(any).size());
                    assertThat(s.integer("zrevrank", "z", any.member())).isEqualTo(model.tailSet(any, false).size());
                    assertThat(s.integer("zcount", "z", Double.toString(any.score()), "+inf"))
                            .isEqualTo(model.stream().filter(z -> z.score() >= any.score()).count());
                }
            }
        }
    }

    @Test
    void addsBelowAndAbovePoppedEndsAreSeen() {
        for (int i = 0; i < 300; i++) {
            s.exec("zadd", "z", Integer.toString(i), "m" + i);
        }
        s.exec("zpopmin", "z", "100");
        s.exec("zpopmax", "z", "100");
        assertThat(s.list("zrange", "z", "0", "0")).containsExactly("m100");
        s.exec("zadd", "z", "-5", "low", "500", "high");
        assertThat(s.list("zrange", "z", "0", "0")).containsExactly("low");
        assertThat(s.list("zrange", "z", "-1", "-1")).containsExactly("high");
        assertThat(s.list("zrangebyscore", "z", "-inf", "0")).containsExactly("low");
        assertThat(s.list("zrevrangebyscore", "z", "+inf", "300")).containsExactly("high");
        assertThat(s.integer("zrank", "z", "high")).isEqualTo(101);
        // a score moved past a bound by ZINCRBY / ZADD of an existing member
        s.exec("zincrby", "z", "-1000", "m150");
        s.exec("zadd", "z", "1000", "m160");
        assertThat(s.list("zpopmin", "z")).containsExactly("m150", "-850");
        assertThat(s.list("zpopmax", "z")).containsExactly("m160", "1000");
        assertThat(s.list("zpopmin", "z")).containsExactly("low", "-5");
        // a copy (fresh version, no bounds) and a rename within the slot (same record) read alike
        s.exec("copy", "z", "{z}copy");
        s.exec("rename", "z", "{z}moved");
        assertThat(s.list("zrange", "{z}copy", "0", "-1", "withscores"))
                .isEqualTo(s.list("zrange", "{z}moved", "0", "-1", "withscores"));
        assertThat(s.integer("zcard", "{z}moved")).isEqualTo(99);
        s.exec("zpopmin", "{z}moved", "1000");
        assertThat(s.exec("exists", "{z}moved")).isEqualTo(Reply.integer(0));
        assertThat(s.rawContents().stream().filter(k -> k.contains(hex("{z}moved"))).toList()).isEmpty();
    }

    static String hex(String s) {
        return java.util.HexFormat.of().formatHex(s.getBytes());
    }

    @Test
    void setPopsInterleavedWithAddsMatchTheModel() {
        TreeSet<String> model = new TreeSet<>();
        TreeSet<String> other = new TreeSet<>();
        for (int i = 0; i < 8000; i++) {
            int op = r.nextInt(100);
            if (op < 35) {
                String m = member();
                model.add(m);
                s.exec("sadd", "s", m);
            } else if (op < 70) {
                String got = s.str("spop", "s");
                if (model.isEmpty()) {
                    assertThat(got).isNull();
                } else {
                    assertThat(model.remove(got)).as("popped %s at %d", got, i).isTrue();
                }
            } else if (op < 80) {
                int count = r.nextInt(model.size() + 3);
                List<String> got = s.list("spop", "s", Integer.toString(count));
                assertThat(got).hasSize(Math.min(count, model.size()));
                for (String g : got) {
                    assertThat(model.remove(g)).isTrue();
                }
            } else if (op < 88) {
                String m = member();
                model.remove(m);
                s.exec("srem", "s", m);
            } else if (op < 93) {
                String m = member();
                if (model.remove(m)) {
                    other.add(m);
                }
                s.exec("smove", "s", "{s}other", m);
            } else if (op < 97) {
                String got = s.str("srandmember", "s");
                assertThat(got == null ? model.isEmpty() : model.contains(got)).isTrue();
            } else if (r.nextInt(4) == 0) {
                s.exec("del", "s");
                model.clear();
            }
            assertThat(s.integer("scard", "s")).isEqualTo(model.size());
            if (i % 20 == 0) {
                assertThat(new TreeSet<>(s.list("smembers", "s"))).as("at %d", i).isEqualTo(model);
                assertThat(new TreeSet<>(s.list("smembers", "{s}other"))).isEqualTo(other);
            }
        }
        // no member of an old version outlives a rewrite: live sub-keys = cardinalities
        String sub = String.format("%016x%02x", TestStore.GROUP, KeyCodec.KIND_SUB);
        assertThat(s.rawContents().stream().filter(k -> k.startsWith(sub)).count())
                .isEqualTo(model.size() + other.size());
    }

    @Test
    void listPopsAtBothEndsInterleavedWithPushesMatchTheModel() {
        ArrayDeque<String> model = new ArrayDeque<>();
        for (int i = 0; i < 6000; i++) {
            int op = r.nextInt(100);
            String v = "v" + i;
            if (op < 25) {
                model.addFirst(v);
                s.exec("lpush", "l", v);
            } else if (op < 50) {
                model.addLast(v);
                s.exec("rpush", "l", v);
            } else if (op < 93) {
                boolean left = r.nextBoolean();
                int count = r.nextInt(3);
                List<String> expected = new ArrayList<>();
                for (int k = 0; k < count && !model.isEmpty(); k++) {
                    expected.add(left ? model.pollFirst() : model.pollLast());
                }
                List<String> got = s.list(left ? "lpop" : "rpop", "l", Integer.toString(count));
                if (got != null) {
                    assertThat(got).isEqualTo(expected);
                } else {
                    assertThat(expected).isEmpty();
                }
            } else if (op < 97 && !model.isEmpty()) {
                int idx = r.nextInt(model.size());
                assertThat(s.str("lindex", "l", Integer.toString(idx))).isEqualTo(new ArrayList<>(model).get(idx));
            } else if (r.nextInt(4) == 0) {
                s.exec("del", "l");
                model.clear();
            }
            assertThat(s.integer("llen", "l")).isEqualTo(model.size());
            if (i % 20 == 0) {
                assertThat(s.list("lrange", "l", "0", "-1")).isEqualTo(new ArrayList<>(model));
            }
        }
    }
}
