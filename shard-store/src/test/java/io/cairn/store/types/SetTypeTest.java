package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mirrors Redis 7.0's tests/unit/type/set.tcl (test names in comments; "- hashtable" and
 * "- intset" variants run with word and integer members, as the layout has one encoding), plus
 * Cairn's own checks: big sets removed by a range delete, error-before-write, SPOP determinism.
 */
class SetTypeTest {
    static final String WRONGTYPE = Errors.WRONGTYPE;

    @TempDir
    Path dir;
    TestStore s;

    @BeforeEach
    void open() {
        s = new TestStore(dir);
    }

    @AfterEach
    void close() {
        s.close();
    }

    /** proc create_set: DEL then one SADD per entry. */
    void createSet(String key, String... entries) {
        s.exec("del", key);
        for (String e : entries) {
            s.exec("sadd", key, e);
        }
    }

    Set<String> members(String key) {
        return new TreeSet<>(s.list("smembers", key));
    }

    static Set<String> setOf(String... items) {
        return new TreeSet<>(List.of(items));
    }

    long storedSubKeys() {
        String kind = String.format("%02x", KeyCodec.KIND_SUB);
        return s.rawContents().stream().filter(e -> e.substring(16, 18).equals(kind)).count();
    }

    // "SADD, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS basics - regular set" / "- intset"
    @ParameterizedTest
    @ValueSource(strings = {"foo bar bla", "17 16 18"})
    void saddScardSismemberSmismemberSmembersBasics(String words) {
        String[] w = words.split(" ");
        createSet("myset", w[0]);
        assertThat(s.integer("sadd", "myset", w[1])).isEqualTo(1);
        assertThat(s.integer("sadd", "myset", w[1])).isZero();
        assertThat(s.integer("scard", "myset")).isEqualTo(2);
        assertThat(s.integer("sismember", "myset", w[0])).isEqualTo(1);
        assertThat(s.integer("sismember", "myset", w[1])).isEqualTo(1);
        assertThat(s.integer("sismember", "myset", w[2])).isZero();
        assertThat(s.list("smismember", "myset", w[0])).containsExactly("1");
        assertThat(s.list("smismember", "myset", w[0], w[1])).containsExactly("1", "1");
        assertThat(s.list("smismember", "myset", w[0], w[2])).containsExactly("1", "0");
        assertThat(s.list("smismember", "myset", w[2], w[0])).containsExactly("0", "1");
        assertThat(s.list("smismember", "myset", w[2])).containsExactly("0");
        assertThat(members("myset")).isEqualTo(setOf(w[0], w[1]));
        assertThat(s.exec("smembers", "myset")).isInstanceOf(Reply.SetReply.class);
        assertThat(s.exec("smismember", "myset", w[0])).isInstanceOf(Reply.Arr.class);
    }

    // "SMISMEMBER against non set" / "SADD against non set" and every other set command
    @Test
    void setCommandsAgainstNonSet() {
        s.exec("set", "str", "x");
        s.exec("sadd", "set", "a");
        List<String> before = s.rawContents();
        assertThat(s.error("smismember", "str", "bar")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sadd", "str", "bar")).isEqualTo(WRONGTYPE);
        assertThat(s.error("srem", "str", "bar")).isEqualTo(WRONGTYPE);
        assertThat(s.error("smembers", "str")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sismember", "str", "a")).isEqualTo(WRONGTYPE);
        assertThat(s.error("scard", "str")).isEqualTo(WRONGTYPE);
        assertThat(s.error("spop", "str")).isEqualTo(WRONGTYPE);
        assertThat(s.error("spop", "str", "0")).isEqualTo(WRONGTYPE);
        assertThat(s.error("srandmember", "str")).isEqualTo(WRONGTYPE);
        assertThat(s.error("srandmember", "str", "0")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sinter", "str")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sunion", "set", "str")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sdiff", "set", "str")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sinterstore", "dst", "str")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sunionstore", "dst", "str")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sdiffstore", "dst", "str")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sintercard", "1", "str")).isEqualTo(WRONGTYPE);
        assertThat(s.error("smove", "str", "set", "a")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sscan", "str", "0")).isEqualTo(WRONGTYPE);
        assertThat(s.rawContents()).isEqualTo(before);
    }

    // "SMISMEMBER non existing key"
    @Test
    void smismemberNonExistingKey() {
        assertThat(s.list("smismember", "myset1", "foo")).containsExactly("0");
        assertThat(s.list("smismember", "myset1", "foo", "bar")).containsExactly("0", "0");
        assertThat(s.integer("sismember", "myset1", "foo")).isZero();
        assertThat(s.integer("scard", "myset1")).isZero();
        assertThat(s.exec("smembers", "myset1")).isEqualTo(new Reply.SetReply(List.of()));
    }

    // "SMISMEMBER requires one or more members" and the arity of every set command
    @Test
    void smismemberRequiresOneOrMoreMembers() {
        assertThat(s.error("smismember", "zmscoretest")).isEqualTo("ERR wrong number of arguments for 'smismember' command");
        assertThat(s.error("sadd", "s")).isEqualTo("ERR wrong number of arguments for 'sadd' command");
        assertThat(s.error("srem", "s")).isEqualTo("ERR wrong number of arguments for 'srem' command");
        assertThat(s.error("smembers")).isEqualTo("ERR wrong number of arguments for 'smembers' command");
        assertThat(s.error("sismember", "s")).isEqualTo("ERR wrong number of arguments for 'sismember' command");
        assertThat(s.error("scard", "s", "x")).isEqualTo("ERR wrong number of arguments for 'scard' command");
        assertThat(s.error("spop")).isEqualTo("ERR wrong number of arguments for 'spop' command");
        assertThat(s.error("srandmember")).isEqualTo("ERR wrong number of arguments for 'srandmember' command");
        assertThat(s.error("smove", "a", "b")).isEqualTo("ERR wrong number of arguments for 'smove' command");
        assertThat(s.error("sinter")).isEqualTo("ERR wrong number of arguments for 'sinter' command");
        assertThat(s.error("sunion")).isEqualTo("ERR wrong number of arguments for 'sunion' command");
        assertThat(s.error("sdiff")).isEqualTo("ERR wrong number of arguments for 'sdiff' command");
        assertThat(s.error("sinterstore", "d")).isEqualTo("ERR wrong number of arguments for 'sinterstore' command");
        assertThat(s.error("sunionstore", "d")).isEqualTo("ERR wrong number of arguments for 'sunionstore' command");
        assertThat(s.error("sdiffstore", "d")).isEqualTo("ERR wrong number of arguments for 'sdiffstore' command");
        assertThat(s.error("sscan", "s")).isEqualTo("ERR wrong number of arguments for 'sscan' command");
    }

    // "SADD an integer larger than 64 bits"
    @Test
    void saddAnIntegerLargerThan64Bits() {
        createSet("myset", "213244124402402314402033402");
        assertThat(s.integer("sismember", "myset", "213244124402402314402033402")).isEqualTo(1);
        assertThat(s.list("smismember", "myset", "213244124402402314402033402")).containsExactly("1");
    }

    // "Variadic SADD"
    @Test
    void variadicSadd() {
        assertThat(s.integer("sadd", "myset", "a", "b", "c")).isEqualTo(3);
        assertThat(s.integer("sadd", "myset", "A", "a", "b", "c", "B")).isEqualTo(2);
        assertThat(members("myset")).isEqualTo(setOf("A", "a", "b", "c", "B"));
        assertThat(s.integer("sadd", "other", "x", "x", "x")).isEqualTo(1);
        assertThat(s.integer("scard", "other")).isEqualTo(1);
    }

    // "SREM basics - regular set" / "SREM basics - intset"
    @ParameterizedTest
    @ValueSource(strings = {"foo bar ciao qux", "3 4 5 6"})
    void sremBasics(String words) {
        String[] w = words.split(" ");
        createSet("myset", w[0], w[1], w[2]);
        assertThat(s.integer("srem", "myset", w[3])).isZero();
        assertThat(s.integer("srem", "myset", w[1])).isEqualTo(1);
        assertThat(members("myset")).isEqualTo(setOf(w[0], w[2]));
        assertThat(s.integer("srem", "nokey", "a")).isZero();
    }

    // "SREM with multiple arguments"
    @Test
    void sremWithMultipleArguments() {
        s.exec("sadd", "myset", "a", "b", "c", "d");
        assertThat(s.integer("srem", "myset", "k", "k", "k")).isZero();
        assertThat(s.integer("srem", "myset", "b", "d", "x", "y")).isEqualTo(2);
        assertThat(members("myset")).isEqualTo(setOf("a", "c"));
    }

    // "SREM variadic version with more args needed to destroy the key"
    @Test
    void sremVariadicVersionWithMoreArgsNeededToDestroyTheKey() {
        s.exec("sadd", "myset", "1", "2", "3");
        assertThat(s.integer("srem", "myset", "1", "2", "3", "4", "5", "6", "7", "8")).isEqualTo(3);
        assertThat(s.integer("exists", "myset")).isZero();
        assertThat(s.rawContents()).isEmpty();
    }

    // "SINTERCARD with illegal arguments"
    @Test
    void sintercardWithIllegalArguments() {
        assertThat(s.error("sintercard")).isEqualTo("ERR wrong number of arguments for 'sintercard' command");
        assertThat(s.error("sintercard", "1")).isEqualTo("ERR wrong number of arguments for 'sintercard' command");
        assertThat(s.error("sintercard", "0", "myset{t}")).isEqualTo("ERR numkeys should be greater than 0");
        assertThat(s.error("sintercard", "a", "myset{t}")).isEqualTo("ERR numkeys should be greater than 0");
        assertThat(s.error("sintercard", "-1", "myset{t}")).isEqualTo("ERR numkeys should be greater than 0");
        assertThat(s.error("sintercard", "2", "myset{t}"))
                .isEqualTo("ERR Number of keys can't be greater than number of args");
        assertThat(s.error("sintercard", "3", "myset{t}", "myset2{t}"))
                .isEqualTo("ERR Number of keys can't be greater than number of args");
        assertThat(s.error("sintercard", "1", "myset{t}", "myset2{t}")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("sintercard", "1", "myset{t}", "bar_arg")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("sintercard", "1", "myset{t}", "LIMIT")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("sintercard", "1", "myset{t}", "LIMIT", "-1")).isEqualTo("ERR LIMIT can't be negative");
        assertThat(s.error("sintercard", "1", "myset{t}", "LIMIT", "a")).isEqualTo("ERR LIMIT can't be negative");
    }

    // COMMAND INFO sintercard: readonly movablekeys, 0 0 0; keys found through numkeys
    @Test
    void sintercardDeclaresItsMovableKeys() {
        CommandSpec spec = CommandTable.standard().lookup("sintercard");
        assertThat(spec.flags()).contains(CommandFlag.READONLY, CommandFlag.MOVABLEKEYS);
        assertThat(spec.keyPositions(new byte[][] {Args.bytes("sintercard"), Args.bytes("2"), Args.bytes("a"),
                Args.bytes("b"), Args.bytes("LIMIT"), Args.bytes("1")})).containsExactly(2, 3);
        assertThat(CommandTable.standard().lookup("sinterstore").keyPositions(4)).containsExactly(1, 2, 3);
        assertThat(CommandTable.standard().lookup("smove").keyPositions(4)).containsExactly(1, 2);
    }

    // "SINTERCARD against non-set should throw error"
    @Test
    void sintercardAgainstNonSetShouldThrowError() {
        s.exec("sadd", "set{t}", "a", "b", "c");
        s.exec("set", "key1{t}", "x");
        assertThat(s.error("sintercard", "1", "key1{t}")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sintercard", "2", "set{t}", "key1{t}")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sintercard", "2", "key1{t}", "noset{t}")).isEqualTo(WRONGTYPE);
        assertThat(s.error("sintercard", "2", "noset{t}", "key1{t}")).isEqualTo(WRONGTYPE);
    }

    // "SINTERCARD against non-existing key"
    @Test
    void sintercardAgainstNonExistingKey() {
        assertThat(s.integer("sintercard", "1", "non-existing-key")).isZero();
        assertThat(s.integer("sintercard", "1", "non-existing-key", "limit", "0")).isZero();
        assertThat(s.integer("sintercard", "1", "non-existing-key", "limit", "10")).isZero();
    }

    /** The five sets of set.tcl's algebra tests, each with the extra member {@code large}. */
    void createAlgebraSets(String large) {
        for (int i = 1; i <= 5; i++) {
            s.exec("del", "set" + i + "{t}");
        }
        List<String> a1 = new ArrayList<>(List.of("sadd", "set1{t}"));
        List<String> a2 = new ArrayList<>(List.of("sadd", "set2{t}"));
        for (int i = 0; i < 200; i++) {
            a1.add(Integer.toString(i));
            a2.add(Integer.toString(i + 195));
        }
        s.exec(a1.toArray(String[]::new));
        s.exec(a2.toArray(String[]::new));
        s.exec("sadd", "set3{t}", "199", "195", "1000", "2000");
        List<String> a4 = new ArrayList<>(List.of("sadd", "set4{t}"));
        for (int i = 5; i < 200; i++) {
            a4.add(Integer.toString(i));
        }
        s.exec(a4.toArray(String[]::new));
        s.exec("sadd", "set5{t}", "0");
        for (int i = 1; i <= 5; i++) {
            s.exec("sadd", "set" + i + "{t}", large);
        }
    }

    static Set<String> range(int from, int to) {
        Set<String> out = new TreeSet<>();
        for (int i = from; i < to; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    // "SINTER with two sets - $type" ... "SINTER/SUNION/SDIFF with three same sets - $type"
    @ParameterizedTest
    @ValueSource(strings = {"foo", "200"})
    void setAlgebra(String large) {
        createAlgebraSets(large);
        // "SINTER with two sets"
        assertThat(new TreeSet<>(s.list("sinter", "set1{t}", "set2{t}")))
                .isEqualTo(setOf("195", "196", "197", "198", "199", large));
        assertThat(s.exec("sinter", "set1{t}", "set2{t}")).isInstanceOf(Reply.SetReply.class);
        // "SINTERCARD with two sets"
        assertThat(s.integer("sintercard", "2", "set1{t}", "set2{t}")).isEqualTo(6);
        assertThat(s.integer("sintercard", "2", "set1{t}", "set2{t}", "limit", "0")).isEqualTo(6);
        assertThat(s.integer("sintercard", "2", "set1{t}", "set2{t}", "limit", "3")).isEqualTo(3);
        assertThat(s.integer("sintercard", "2", "set1{t}", "set2{t}", "LIMIT", "10")).isEqualTo(6);
        // "SINTERSTORE with two sets"
        assertThat(s.integer("sinterstore", "setres{t}", "set1{t}", "set2{t}")).isEqualTo(6);
        assertThat(members("setres{t}")).isEqualTo(setOf("195", "196", "197", "198", "199", large));
        // "SUNION with two sets" / "SUNIONSTORE with two sets"
        Set<String> union = range(0, 395);
        union.add(large);
        assertThat(new TreeSet<>(s.list("sunion", "set1{t}", "set2{t}"))).isEqualTo(union);
        assertThat(s.integer("sunionstore", "setres{t}", "set1{t}", "set2{t}")).isEqualTo(union.size());
        assertThat(members("setres{t}")).isEqualTo(union);
        // "SINTER against three sets" / "SINTERCARD against three sets" / "SINTERSTORE with three sets"
        assertThat(new TreeSet<>(s.list("sinter", "set1{t}", "set2{t}", "set3{t}"))).isEqualTo(setOf("195", "199", large));
        assertThat(s.integer("sintercard", "3", "set1{t}", "set2{t}", "set3{t}")).isEqualTo(3);
        assertThat(s.integer("sintercard", "3", "set1{t}", "set2{t}", "set3{t}", "limit", "2")).isEqualTo(2);
        assertThat(s.integer("sinterstore", "setres{t}", "set1{t}", "set2{t}", "set3{t}")).isEqualTo(3);
        assertThat(members("setres{t}")).isEqualTo(setOf("195", "199", large));
        // "SUNION with non existing keys"
        assertThat(new TreeSet<>(s.list("sunion", "nokey1{t}", "set1{t}", "set2{t}", "nokey2{t}"))).isEqualTo(union);
        // "SDIFF with two sets" / "SDIFF with three sets" / "SDIFFSTORE with three sets"
        assertThat(new TreeSet<>(s.list("sdiff", "set1{t}", "set4{t}"))).isEqualTo(range(0, 5));
        assertThat(new TreeSet<>(s.list("sdiff", "set1{t}", "set4{t}", "set5{t}"))).isEqualTo(range(1, 5));
        assertThat(s.integer("sdiffstore", "setres{t}", "set1{t}", "set4{t}", "set5{t}")).isEqualTo(4);
        assertThat(members("setres{t}")).isEqualTo(range(1, 5));
        // "SINTER/SUNION/SDIFF with three same sets"
        Set<String> set1 = members("set1{t}");
        assertThat(new TreeSet<>(s.list("sinter", "set1{t}", "set1{t}", "set1{t}"))).isEqualTo(set1);
        assertThat(new TreeSet<>(s.list("sunion", "set1{t}", "set1{t}", "set1{t}"))).isEqualTo(set1);
        assertThat(s.list("sdiff", "set1{t}", "set1{t}", "set1{t}")).isEmpty();
    }

    // "SDIFF with first set empty"
    @Test
    void sdiffWithFirstSetEmpty() {
        s.exec("sadd", "set2{t}", "1", "2", "3", "4");
        s.exec("sadd", "set3{t}", "a", "b", "c", "d");
        assertThat(s.exec("sdiff", "set1{t}", "set2{t}", "set3{t}")).isEqualTo(new Reply.SetReply(List.of()));
    }

    // "SDIFF with same set two times"
    @Test
    void sdiffWithSameSetTwoTimes() {
        s.exec("sadd", "set1", "a", "b", "c", "1", "2", "3", "4", "5", "6");
        assertThat(s.list("sdiff", "set1", "set1")).isEmpty();
    }

    // "SDIFF fuzzing" (and SINTER / SUNION against the same model)
    @Test
    void sdiffFuzzing() {
        Random r = new Random(1);
        for (int j = 0; j < 30; j++) {
            int numSets = r.nextInt(10) + 1;
            List<Set<String>> model = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < numSets; i++) {
                String key = "set_" + i + "{t}";
                s.exec("del", key);
                keys.add(key);
                Set<String> m = new HashSet<>();
                int n = r.nextInt(100);
                for (int e = 0; e < n; e++) {
                    String ele = Integer.toString(r.nextInt(150));
                    s.exec("sadd", key, ele);
                    m.add(ele);
                }
                model.add(m);
            }
            Set<String> diff = new TreeSet<>(model.get(0));
            Set<String> inter = new TreeSet<>(model.get(0));
            Set<String> union = new TreeSet<>();
            for (int i = 0; i < numSets; i++) {
                if (i > 0) {
                    diff.removeAll(model.get(i));
                }
                inter.retainAll(model.get(i));
                union.addAll(model.get(i));
            }
            List<String> args = new ArrayList<>(keys);
            args.add(0, "sdiff");
            assertThat(new TreeSet<>(s.list(args.toArray(String[]::new)))).isEqualTo(diff);
            args.set(0, "sinter");
            assertThat(new TreeSet<>(s.list(args.toArray(String[]::new)))).isEqualTo(inter);
            args.set(0, "sunion");
            assertThat(new TreeSet<>(s.list(args.toArray(String[]::new)))).isEqualTo(union);
        }
    }

    // "SDIFF against non-set should throw error" / "SINTER against non-set should throw error" /
    // "SUNION against non-set should throw error"
    @ParameterizedTest
    @ValueSource(strings = {"sdiff", "sinter", "sunion"})
    void algebraAgainstNonSetShouldThrowError(String cmd) {
        s.exec("set", "key1{t}", "x");
        assertThat(s.error(cmd, "key1{t}", "noset{t}")).isEqualTo(WRONGTYPE);
        assertThat(s.error(cmd, "noset{t}", "key1{t}")).isEqualTo(WRONGTYPE);
        s.exec("sadd", "set1{t}", "a", "b", "c");
        assertThat(s.error(cmd, "key1{t}", "set1{t}")).isEqualTo(WRONGTYPE);
        assertThat(s.error(cmd, "set1{t}", "key1{t}")).isEqualTo(WRONGTYPE);
    }

    // "SDIFF should handle non existing key as empty" / "SINTER should handle non existing key as
    // empty" / "SUNION should handle non existing key as empty"
    @Test
    void algebraShouldHandleNonExistingKeyAsEmpty() {
        s.exec("sadd", "set1{t}", "a", "b", "c");
        s.exec("sadd", "set2{t}", "b", "c", "d");
        assertThat(s.list("sdiff", "set1{t}", "set2{t}", "set3{t}")).containsExactly("a");
        assertThat(s.list("sdiff", "set3{t}", "set2{t}", "set1{t}")).isEmpty();
        assertThat(s.list("sinter", "set1{t}", "set2{t}", "set3{t}")).isEmpty();
        assertThat(new TreeSet<>(s.list("sunion", "set1{t}", "set2{t}", "set3{t}"))).isEqualTo(setOf("a", "b", "c", "d"));
    }

    // "SINTER with same integer elements but different encoding"
    @Test
    void sinterWithSameIntegerElementsButDifferentEncoding() {
        s.exec("sadd", "set1{t}", "1", "2", "3");
        s.exec("sadd", "set2{t}", "1", "2", "3", "a");
        s.exec("srem", "set2{t}", "a");
        assertThat(new TreeSet<>(s.list("sinter", "set1{t}", "set2{t}"))).isEqualTo(setOf("1", "2", "3"));
    }

    // "SDIFFSTORE against non-set should throw error" / "SINTERSTORE against non-set should throw
    // error" / "SUNIONSTORE against non-set should throw error": the destination is untouched
    @ParameterizedTest
    @ValueSource(strings = {"sdiffstore", "sinterstore", "sunionstore"})
    void storeAgainstNonSetShouldThrowError(String cmd) {
        s.exec("set", "key1{t}", "x");
        assertThat(s.error(cmd, "set3{t}", "key1{t}", "noset{t}")).isEqualTo(WRONGTYPE);
        assertThat(s.integer("exists", "set3{t}")).isZero();
        assertThat(s.error(cmd, "set3{t}", "noset{t}", "key1{t}")).isEqualTo(WRONGTYPE);
        assertThat(s.integer("exists", "set3{t}")).isZero();
        s.exec("sadd", "set1{t}", "a", "b", "c");
        s.exec("sadd", "set2{t}", "b", "c", "d");
        s.exec("sadd", "set3{t}", "e");
        assertThat(s.error(cmd, "set3{t}", "key1{t}", "set1{t}", "noset{t}")).isEqualTo(WRONGTYPE);
        assertThat(members("set3{t}")).isEqualTo(setOf("e"));
        assertThat(s.error(cmd, "set3{t}", "set1{t}", "key1{t}", "set2{t}")).isEqualTo(WRONGTYPE);
        assertThat(members("set3{t}")).isEqualTo(setOf("e"));
    }

    // "SDIFFSTORE should handle non existing key as empty" / "SINTERSTORE against non existing
    // keys should delete dstkey" / "SUNIONSTORE should handle non existing key as empty" /
    // "SUNIONSTORE against non existing keys should delete dstkey"
    @Test
    void storeWithNonExistingKeys() {
        for (String cmd : List.of("sdiffstore", "sinterstore", "sunionstore")) {
            s.exec("set", "setres{t}", "xxx");
            assertThat(s.integer(cmd, "setres{t}", "foo111{t}", "bar222{t}")).isZero();
            assertThat(s.integer("exists", "setres{t}")).isZero();
        }
        s.exec("sadd", "set3{t}", "a", "b", "c");
        assertThat(s.integer("sdiffstore", "set3{t}", "set1{t}", "set2{t}")).isZero();
        assertThat(s.integer("exists", "set3{t}")).isZero();
        s.exec("sadd", "set1{t}", "a", "b", "c");
        assertThat(s.integer("sdiffstore", "set3{t}", "set1{t}", "set2{t}")).isEqualTo(3);
        assertThat(members("set3{t}")).isEqualTo(setOf("a", "b", "c"));
        assertThat(s.integer("sinterstore", "set3{t}", "set1{t}", "set2{t}")).isZero();
        assertThat(s.integer("exists", "set3{t}")).isZero();
        s.exec("sadd", "set3{t}", "e", "f");
        assertThat(s.integer("sunionstore", "set3{t}", "set1{t}", "set2{t}")).isEqualTo(3);
        assertThat(members("set3{t}")).isEqualTo(setOf("a", "b", "c"));
        // the destination may be a source
        s.exec("sadd", "set2{t}", "c", "d");
        assertThat(s.integer("sunionstore", "set1{t}", "set1{t}", "set2{t}")).isEqualTo(4);
        assertThat(members("set1{t}")).isEqualTo(setOf("a", "b", "c", "d"));
        assertThat(s.integer("sinterstore", "set1{t}", "set1{t}", "set2{t}")).isEqualTo(2);
        assertThat(members("set1{t}")).isEqualTo(setOf("c", "d"));
    }

    // ---- SPOP / SRANDMEMBER ------------------------------------------------------------------

    // "SPOP basics - $type" / "SPOP with <count>=1 - $type"
    @ParameterizedTest
    @ValueSource(strings = {"a b c", "1 2 3"})
    void spopBasics(String words) {
        String[] w = words.split(" ");
        createSet("myset", w);
        Set<String> popped = new TreeSet<>();
        for (int i = 0; i < 3; i++) {
            popped.add(s.str("spop", "myset"));
        }
        assertThat(popped).isEqualTo(setOf(w));
        assertThat(s.integer("scard", "myset")).isZero();
        assertThat(s.exec("spop", "myset")).isEqualTo(Reply.NIL);
        createSet("myset", w);
        for (int i = 0; i < 3; i++) {
            Reply r = s.exec("spop", "myset", "1");
            assertThat(r).isInstanceOf(Reply.SetReply.class);
            popped.remove(TestStore.flat(r).get(0));
        }
        assertThat(popped).isEmpty();
        assertThat(s.integer("exists", "myset")).isZero();
    }

    // "SRANDMEMBER - $type"
    @ParameterizedTest
    @ValueSource(strings = {"a b c", "1 2 3"})
    void srandmember(String words) {
        String[] w = words.split(" ");
        createSet("myset", w);
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 100; i++) {
            seen.add(s.str("srandmember", "myset"));
        }
        assertThat(seen).isEqualTo(setOf(w));
        assertThat(s.integer("scard", "myset")).isEqualTo(3);
        assertThat(s.exec("srandmember", "nokey")).isEqualTo(Reply.NIL);
    }

    // "SPOP with <count>"
    @Test
    void spopWithCount() {
        String[] contents = "a b c d e f g h i j k l m n o p q r s t u v w x y z".split(" ");
        createSet("myset", contents);
        List<String> all = new ArrayList<>();
        for (String c : List.of("11", "9", "0", "4", "1", "0", "1", "0")) {
            List<String> got = s.list("spop", "myset", c);
            assertThat(got).hasSize(Integer.parseInt(c)).doesNotHaveDuplicates();
            all.addAll(got);
        }
        assertThat(new TreeSet<>(all)).isEqualTo(setOf(contents));
        assertThat(all).hasSize(26);
        assertThat(s.integer("scard", "myset")).isZero();
        assertThat(s.rawContents()).isEmpty();
    }

    // "SPOP using integers, testing Knuth's and Floyd's algorithm"
    @Test
    void spopUsingIntegersTestingKnuthsAndFloydsAlgorithm() {
        createSet("myset", range(1, 21).toArray(String[]::new));
        assertThat(s.integer("scard", "myset")).isEqualTo(20);
        int[][] steps = {{1, 19}, {2, 17}, {3, 14}, {10, 4}, {10, 0}, {1, 0}};
        for (int[] st : steps) {
            s.exec("spop", "myset", Integer.toString(st[0]));
            assertThat(s.integer("scard", "myset")).isEqualTo(st[1]);
        }
    }

    // "SPOP using integers with Knuth's algorithm"
    @Test
    void spopAgainstNonExistingKey() {
        assertThat(s.exec("spop", "nonexisting_key", "100")).isEqualTo(new Reply.SetReply(List.of()));
        assertThat(s.exec("spop", "nonexisting_key")).isEqualTo(Reply.NIL);
    }

    // "SPOP new implementation: code path #1" / "#2" / "#3"
    @ParameterizedTest
    @ValueSource(ints = {30, 2, 18})
    void spopNewImplementationCodePaths(int count) {
        Set<String> content = range(1, 21);
        createSet("myset", content.toArray(String[]::new));
        List<String> res = s.list("spop", "myset", Integer.toString(count));
        assertThat(res).hasSize(Math.min(count, 20)).doesNotHaveDuplicates();
        assertThat(s.integer("scard", "myset")).isEqualTo(20 - res.size());
        Set<String> union = new TreeSet<>(res);
        union.addAll(s.list("smembers", "myset"));
        assertThat(union).isEqualTo(content);
    }

    // argument errors, in Redis's order: arity/syntax, count, then the key
    @Test
    void spopAndSrandmemberArgumentErrors() {
        s.exec("sadd", "s", "a");
        s.exec("set", "str", "x");
        assertThat(s.error("spop", "s", "-1")).isEqualTo("ERR value is out of range, must be positive");
        assertThat(s.error("spop", "s", "x")).isEqualTo("ERR value is out of range, must be positive");
        assertThat(s.error("spop", "str", "-1")).isEqualTo("ERR value is out of range, must be positive");
        assertThat(s.error("spop", "s", "1", "x")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("srandmember", "s", "1", "x")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("srandmember", "s", "x")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("srandmember", "str", "x")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("srandmember", "s", "-9223372036854775808")).isEqualTo(SetCommands.COUNT_RANGE);
        assertThat(s.error("srandmember", "s", "-9223372036854775807")).isEqualTo(SetCommands.RANDOM_REPLY_TOO_BIG);
        assertThat(s.exec("srandmember", "nokey", "-9223372036854775807")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.list("srandmember", "s", "-1000000")).hasSize(1_000_000);
        assertThat(s.list("srandmember", "s", "9223372036854775807")).containsExactly("a");
        assertThat(s.list("srandmember", "s", "-3")).containsExactly("a", "a", "a");
        assertThat(s.integer("scard", "s")).isEqualTo(1);
    }

    // "SRANDMEMBER count of 0 is handled correctly" / "... - emptyarray" /
    // "SRANDMEMBER with <count> against non existing key" / "... - emptyarray"
    @Test
    void srandmemberCountOf0AndNonExistingKey() {
        s.exec("sadd", "myset", "a");
        assertThat(s.exec("srandmember", "myset", "0")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.exec("srandmember", "nonexisting_key", "100")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.exec("srandmember", "nonexisting_key", "-100")).isEqualTo(Reply.EMPTY_ARRAY);
    }

    // "SRANDMEMBER with <count> - $type" / "SRANDMEMBER histogram distribution - $type"
    @ParameterizedTest
    @ValueSource(strings = {"words", "ints"})
    void srandmemberWithCount(String type) {
        Set<String> contents = new TreeSet<>();
        for (int i = 0; i < 50; i++) {
            contents.add(type.equals("ints") ? Integer.toString(i) : "member-" + i);
        }
        createSet("myset", contents.toArray(String[]::new));
        assertThat(members("myset")).isEqualTo(contents);
        assertThat(s.list("srandmember", "myset", "0")).isEmpty();
        // PATH 1: negative count, members may repeat, every member eventually
        List<String> res = s.list("srandmember", "myset", "-100");
        assertThat(res).hasSize(100).allMatch(contents::contains);
        assertThat(s.exec("srandmember", "myset", "-100")).isInstanceOf(Reply.Arr.class);
        Map<String, Integer> hits = new HashMap<>();
        for (String m : s.list("srandmember", "myset", "-10000")) {
            hits.merge(m, 1, Integer::sum);
        }
        assertThat(hits.keySet()).isEqualTo(contents);
        assertThat(hits.values()).allMatch(n -> n > 100 && n < 300);
        // PATH 2: positive count >= size gives every member once
        for (String size : List.of("50", "100")) {
            assertThat(s.list("srandmember", "myset", size)).hasSize(50);
            assertThat(new TreeSet<>(s.list("srandmember", "myset", size))).isEqualTo(contents);
        }
        // PATH 3 / 4: fewer than the size, distinct, every member eventually
        for (int size : List.of(45, 5)) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 200 && !seen.equals(contents); i++) {
                List<String> got = s.list("srandmember", "myset", Integer.toString(size));
                assertThat(got).hasSize(size).doesNotHaveDuplicates().allMatch(contents::contains);
                seen.addAll(got);
            }
            assertThat(seen).isEqualTo(contents);
        }
    }

    // Cairn: above 128 members a single SPOP / SRANDMEMBER seeks to a random point instead of
    // counting (O(log n)); every member still comes out exactly once when popping them all
    @Test
    void spopOfABigSetSeeksAndPopsEveryMemberOnce() {
        Set<String> contents = new TreeSet<>();
        for (int i = 0; i < 1000; i++) {
            contents.add(i % 3 == 0 ? "m" + i : "element:" + i);
        }
        createSet("big", contents.toArray(String[]::new));
        for (int i = 0; i < 20; i++) {
            assertThat(contents).contains(new String(((Reply.Bulk) s.exec("srandmember", "big")).value(), java.nio.charset.StandardCharsets.UTF_8));
        }
        Set<String> popped = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String m = new String(((Reply.Bulk) s.exec("spop", "big")).value(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(popped.add(m)).as("popped twice: %s", m).isTrue();
        }
        assertThat(popped).isEqualTo(contents);
        assertThat(s.exec("exists", "big")).isEqualTo(Reply.ZERO);
    }

    // Cairn: SPOP's picks come only from the context's random source (the Raft entry's seed):
    // the same seed pops the same members, on the same data in another store too
    @Test
    void spopDeterminismSameSeedSameMembers(@TempDir Path other) {
        String[] contents = range(0, 300).toArray(String[]::new);
        try (TestStore t = new TestStore(other)) {
            List<String> a = new ArrayList<>();
            List<String> b = new ArrayList<>();
            for (TestStore store : List.of(s, t)) {
                store.exec("del", "myset");
                List<String> args = new ArrayList<>(List.of("sadd", "myset"));
                args.addAll(List.of(contents));
                store.exec(args.toArray(String[]::new));
                store.random = new Random(1234);
                List<String> out = store == s ? a : b;
                out.add(TestStore.text(store.exec("spop", "myset")));
                out.addAll(store.list("spop", "myset", "17"));
                out.addAll(store.list("srandmember", "myset", "-5"));
                out.addAll(store.list("srandmember", "myset", "5"));
            }
            assertThat(a).hasSize(28).isEqualTo(b);
            assertThat(t.rawContents()).isEqualTo(s.rawContents());
        }
    }

    // ---- SMOVE -------------------------------------------------------------------------------

    void setupMove() {
        s.exec("del", "myset3{t}", "myset4{t}");
        createSet("myset1{t}", "1", "a", "b");
        createSet("myset2{t}", "2", "3", "4");
    }

    // "SMOVE basics - from regular set to intset"
    @Test
    void smoveBasicsFromRegularSetToIntset() {
        setupMove();
        assertThat(s.integer("smove", "myset1{t}", "myset2{t}", "a")).isEqualTo(1);
        assertThat(members("myset1{t}")).isEqualTo(setOf("1", "b"));
        assertThat(members("myset2{t}")).isEqualTo(setOf("2", "3", "4", "a"));
        setupMove();
        assertThat(s.integer("smove", "myset1{t}", "myset2{t}", "1")).isEqualTo(1);
        assertThat(members("myset1{t}")).isEqualTo(setOf("a", "b"));
        assertThat(members("myset2{t}")).isEqualTo(setOf("1", "2", "3", "4"));
        assertThat(s.integer("scard", "myset2{t}")).isEqualTo(4);
    }

    // "SMOVE basics - from intset to regular set"
    @Test
    void smoveBasicsFromIntsetToRegularSet() {
        setupMove();
        assertThat(s.integer("smove", "myset2{t}", "myset1{t}", "2")).isEqualTo(1);
        assertThat(members("myset1{t}")).isEqualTo(setOf("1", "2", "a", "b"));
        assertThat(members("myset2{t}")).isEqualTo(setOf("3", "4"));
    }

    // "SMOVE non existing key" / "SMOVE non existing src set"
    @Test
    void smoveNonExistingKeyAndSrcSet() {
        setupMove();
        assertThat(s.integer("smove", "myset1{t}", "myset2{t}", "foo")).isZero();
        assertThat(s.integer("smove", "myset1{t}", "myset1{t}", "foo")).isZero();
        assertThat(members("myset1{t}")).isEqualTo(setOf("1", "a", "b"));
        assertThat(members("myset2{t}")).isEqualTo(setOf("2", "3", "4"));
        assertThat(s.integer("smove", "noset{t}", "myset2{t}", "foo")).isZero();
        assertThat(members("myset2{t}")).isEqualTo(setOf("2", "3", "4"));
    }

    // "SMOVE from regular set to non existing destination set" / "SMOVE from intset to non
    // existing destination set"
    @Test
    void smoveToNonExistingDestinationSet() {
        setupMove();
        assertThat(s.integer("smove", "myset1{t}", "myset3{t}", "a")).isEqualTo(1);
        assertThat(members("myset1{t}")).isEqualTo(setOf("1", "b"));
        assertThat(members("myset3{t}")).isEqualTo(setOf("a"));
        assertThat(s.integer("smove", "myset2{t}", "myset4{t}", "2")).isEqualTo(1);
        assertThat(members("myset2{t}")).isEqualTo(setOf("3", "4"));
        assertThat(members("myset4{t}")).isEqualTo(setOf("2"));
    }

    // "SMOVE wrong src key type" / "SMOVE wrong dst key type"
    @Test
    void smoveWrongKeyType() {
        setupMove();
        s.exec("set", "x{t}", "10");
        assertThat(s.error("smove", "x{t}", "myset2{t}", "foo")).isEqualTo(WRONGTYPE);
        assertThat(s.error("smove", "myset2{t}", "x{t}", "foo")).isEqualTo(WRONGTYPE);
        assertThat(s.error("smove", "myset2{t}", "x{t}", "2")).isEqualTo(WRONGTYPE);
        assertThat(members("myset2{t}")).isEqualTo(setOf("2", "3", "4"));
        // as Redis: a missing source answers 0 before the destination's type is checked
        assertThat(s.integer("smove", "noset{t}", "x{t}", "foo")).isZero();
    }

    // "SMOVE with identical source and destination"
    @Test
    void smoveWithIdenticalSourceAndDestination() {
        s.exec("sadd", "set{t}", "a", "b", "c");
        assertThat(s.integer("smove", "set{t}", "set{t}", "b")).isEqualTo(1);
        assertThat(members("set{t}")).isEqualTo(setOf("a", "b", "c"));
    }

    // "SMOVE only notify dstset when the addition is successful": moving a member the
    // destination already has removes it from the source only
    @Test
    void smoveMemberAlreadyInDestination() {
        s.exec("sadd", "srcset{t}", "a", "b");
        s.exec("sadd", "dstset{t}", "a");
        assertThat(s.integer("smove", "srcset{t}", "dstset{t}", "a")).isEqualTo(1);
        assertThat(members("srcset{t}")).isEqualTo(setOf("b"));
        assertThat(members("dstset{t}")).isEqualTo(setOf("a"));
        assertThat(s.integer("scard", "dstset{t}")).isEqualTo(1);
        // the last member moved away deletes the source
        assertThat(s.integer("smove", "srcset{t}", "dstset{t}", "b")).isEqualTo(1);
        assertThat(s.integer("exists", "srcset{t}")).isZero();
        assertThat(s.integer("scard", "dstset{t}")).isEqualTo(2);
    }

    // ---- SSCAN -------------------------------------------------------------------------------

    Set<String> sscanAll(String key, String... options) {
        Set<String> out = new HashSet<>();
        String cursor = "0";
        do {
            List<String> args = new ArrayList<>(List.of("sscan", key, cursor));
            args.addAll(List.of(options));
            List<Reply> items = ((Reply.Arr) s.exec(args.toArray(String[]::new))).items();
            cursor = TestStore.text(items.get(0));
            out.addAll(TestStore.flat(items.get(1)));
        } while (!cursor.equals("0"));
        return out;
    }

    // "SSCAN with encoding $enc" (scan.tcl)
    @ParameterizedTest
    @ValueSource(ints = {30, 1000})
    void sscanWithEncoding(int size) {
        Set<String> contents = range(0, size);
        List<String> args = new ArrayList<>(List.of("sadd", "set"));
        args.addAll(contents);
        s.exec(args.toArray(String[]::new));
        assertThat(new TreeSet<>(sscanAll("set"))).isEqualTo(contents);
        assertThat(new TreeSet<>(sscanAll("set", "count", "3"))).isEqualTo(contents);
        assertThat(new TreeSet<>(sscanAll("set", "match", "1*", "count", "50")))
                .isEqualTo(new TreeSet<>(contents.stream().filter(m -> m.startsWith("1")).toList()));
    }

    // "SSCAN with integer encoded object" / errors (scan.tcl)
    @Test
    void sscanErrorsAndMissingKey() {
        s.exec("sadd", "set", "1", "a");
        assertThat(s.error("sscan", "set", "x")).isEqualTo("ERR invalid cursor");
        assertThat(s.error("sscan", "set", "0", "count", "0")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("sscan", "set", "0", "match")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("sscan", "set", "0", "type", "set")).isEqualTo(Errors.SYNTAX);
        assertThat(s.list("sscan", "nokey", "0", "whatever")).containsExactly("0");
        assertThat(sscanAll("set", "match", "[0-9]")).containsExactly("1");
    }

    // ---- big sets ----------------------------------------------------------------------------

    // Cairn: a set past the point-delete limit is removed by one range delete; DEL then a new set
    // at the same key must not resurrect old members
    @Test
    void bigSetDeletedByDelDoesNotReappearAfterRecreate() {
        List<String> args = new ArrayList<>(List.of("sadd", "s"));
        args.addAll(range(0, 500));
        s.exec(args.toArray(String[]::new));
        assertThat(storedSubKeys()).isEqualTo(500);
        assertThat(s.integer("del", "s")).isEqualTo(1);
        assertThat(storedSubKeys()).isZero();
        assertThat(s.integer("sadd", "s", "7")).isEqualTo(1);
        assertThat(s.integer("scard", "s")).isEqualTo(1);
        assertThat(s.list("smembers", "s")).containsExactly("7");
        assertThat(s.integer("sismember", "s", "8")).isZero();
        // a store over a big set replaces it whole, and SPOP of everything deletes by range
        s.exec(args.toArray(String[]::new));
        assertThat(s.integer("sunionstore", "s", "nokey", "other")).isZero();
        assertThat(storedSubKeys()).isZero();
        s.exec(args.toArray(String[]::new));
        assertThat(s.list("spop", "s", "1000")).hasSize(500);
        assertThat(s.rawContents()).isEmpty();
    }

    // Cairn: an expired set is invisible to every command and replaced whole by the next write;
    // its members (a big set: one range delete) never come back
    @Test
    void expiredBigSetIsGoneForReadsAndReplacedByWrites() {
        List<String> args = new ArrayList<>(List.of("sadd", "s"));
        args.addAll(range(0, 300));
        s.exec(args.toArray(String[]::new));
        s.exec("sadd", "keep", "1", "2");
        assertThat(s.integer("pexpire", "s", "100")).isEqualTo(1);
        s.now += 200;
        assertThat(s.integer("scard", "s")).isZero();
        assertThat(s.integer("sismember", "s", "1")).isZero();
        assertThat(s.list("sinter", "s", "keep")).isEmpty();
        assertThat(s.list("sunion", "s", "keep")).containsExactly("1", "2");
        assertThat(s.integer("smove", "s", "keep", "5")).isZero();
        assertThat(s.integer("sadd", "s", "new")).isEqualTo(1);
        assertThat(s.list("smembers", "s")).containsExactly("new");
        assertThat(s.integer("ttl", "s")).isEqualTo(-1);
        assertThat(storedSubKeys()).isEqualTo(3);
    }
}
