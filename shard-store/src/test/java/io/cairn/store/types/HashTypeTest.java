package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mirrors Redis 7.0's tests/unit/type/hash.tcl (test names in comments; the "small hash" and
 * "big hash" variants both run, as the layout has one encoding), plus Cairn's own checks: big
 * hashes removed by a range delete, error-before-write, determinism of HRANDFIELD picks and HSCAN
 * cursors.
 */
class HashTypeTest {
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

    /** Creates {@code key} with {@code n} fields f0..f(n-1) → v0..v(n-1), one HSET per field. */
    Map<String, String> createHash(String key, int n) {
        s.exec("del", key);
        Map<String, String> model = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            assertThat(s.integer("hset", key, "f" + i, "v" + i)).isEqualTo(1);
            model.put("f" + i, "v" + i);
        }
        return model;
    }

    static List<String> sorted(List<String> l) {
        List<String> c = new ArrayList<>(l);
        c.sort(null);
        return c;
    }

    static Map<String, String> pairs(List<String> flat) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < flat.size(); i += 2) {
            m.put(flat.get(i), flat.get(i + 1));
        }
        return m;
    }

    long storedSubKeys() {
        String kind = String.format("%02x", KeyCodec.KIND_SUB);
        return s.rawContents().stream().filter(e -> e.substring(16, 18).equals(kind)).count();
    }

    // "HSET/HLEN - Small hash creation" / "HSET/HLEN - Big hash creation"
    @ParameterizedTest
    @ValueSource(ints = {8, 1024})
    void hsetHlenHashCreation(int size) {
        createHash("h", size);
        assertThat(s.integer("hlen", "h")).isEqualTo(size);
        assertThat(s.str("type", "h")).isEqualTo("hash");
        assertThat(storedSubKeys()).isEqualTo(size);
    }

    // "HGET against the small hash" / "HGET against the big hash" / "HGET against non existing key"
    @ParameterizedTest
    @ValueSource(ints = {8, 1024})
    void hgetAgainstTheHash(int size) {
        Map<String, String> model = createHash("h", size);
        for (Map.Entry<String, String> e : model.entrySet()) {
            assertThat(s.str("hget", "h", e.getKey())).isEqualTo(e.getValue());
        }
        assertThat(s.str("hget", "h", "__123123123__")).isNull();
        assertThat(s.exec("hget", "nokey", "f")).isEqualTo(Reply.NIL);
    }

    // "HSET in update and insert mode"
    @Test
    void hsetInUpdateAndInsertMode() {
        createHash("h", 8);
        assertThat(s.integer("hset", "h", "f0", "newval1")).isZero();
        assertThat(s.str("hget", "h", "f0")).isEqualTo("newval1");
        assertThat(s.integer("hset", "h", "__foobar123__", "newval")).isEqualTo(1);
        assertThat(s.integer("hdel", "h", "__foobar123__")).isEqualTo(1);
        // several pairs at once, a field repeated within one call counts once, the last value wins
        assertThat(s.integer("hset", "h", "a", "1", "f1", "x", "a", "2", "b", "3")).isEqualTo(2);
        assertThat(s.str("hget", "h", "a")).isEqualTo("2");
        assertThat(s.integer("hlen", "h")).isEqualTo(10);
    }

    // "HSETNX target key missing - small hash" / "HSETNX target key exists - small hash" (and big)
    @ParameterizedTest
    @ValueSource(ints = {8, 1024})
    void hsetnxTargetKeyMissingAndExists(int size) {
        createHash("h", size);
        assertThat(s.integer("hsetnx", "h", "__123123123__", "foo")).isEqualTo(1);
        assertThat(s.str("hget", "h", "__123123123__")).isEqualTo("foo");
        assertThat(s.integer("hsetnx", "h", "__123123123__", "bar")).isZero();
        assertThat(s.str("hget", "h", "__123123123__")).isEqualTo("foo");
        assertThat(s.integer("hlen", "h")).isEqualTo(size + 1);
        assertThat(s.integer("hsetnx", "newhash", "f", "v")).isEqualTo(1);
        assertThat(s.integer("hlen", "newhash")).isEqualTo(1);
    }

    // "HSET/HMSET wrong number of args"
    @Test
    void hsetHmsetWrongNumberOfArgs() {
        assertThat(s.error("hset", "h", "key1", "val1", "key2"))
                .isEqualTo("ERR wrong number of arguments for 'hset' command");
        assertThat(s.error("hmset", "h", "key1", "val1", "key2"))
                .isEqualTo("ERR wrong number of arguments for 'hmset' command");
        assertThat(s.error("hset", "h", "key1")).isEqualTo("ERR wrong number of arguments for 'hset' command");
        assertThat(s.error("hsetnx", "h", "f")).isEqualTo("ERR wrong number of arguments for 'hsetnx' command");
        assertThat(s.error("hget", "h")).isEqualTo("ERR wrong number of arguments for 'hget' command");
        assertThat(s.error("hmget", "h")).isEqualTo("ERR wrong number of arguments for 'hmget' command");
        assertThat(s.error("hdel", "h")).isEqualTo("ERR wrong number of arguments for 'hdel' command");
        assertThat(s.error("hlen")).isEqualTo("ERR wrong number of arguments for 'hlen' command");
        assertThat(s.error("hexists", "h")).isEqualTo("ERR wrong number of arguments for 'hexists' command");
        assertThat(s.error("hstrlen", "h")).isEqualTo("ERR wrong number of arguments for 'hstrlen' command");
        assertThat(s.error("hgetall", "h", "x")).isEqualTo("ERR wrong number of arguments for 'hgetall' command");
        assertThat(s.error("hkeys")).isEqualTo("ERR wrong number of arguments for 'hkeys' command");
        assertThat(s.error("hvals")).isEqualTo("ERR wrong number of arguments for 'hvals' command");
        assertThat(s.error("hincrby", "h", "f")).isEqualTo("ERR wrong number of arguments for 'hincrby' command");
        assertThat(s.error("hincrbyfloat", "h", "f"))
                .isEqualTo("ERR wrong number of arguments for 'hincrbyfloat' command");
        assertThat(s.error("hrandfield")).isEqualTo("ERR wrong number of arguments for 'hrandfield' command");
        assertThat(s.error("hscan", "h")).isEqualTo("ERR wrong number of arguments for 'hscan' command");
        assertThat(s.integer("exists", "h")).isZero();
    }

    // "HMSET - small hash" / "HMSET - big hash"
    @ParameterizedTest
    @ValueSource(ints = {8, 1024})
    void hmset(int size) {
        Map<String, String> model = createHash("h", size);
        List<String> args = new ArrayList<>(List.of("hmset", "h"));
        for (String k : model.keySet()) {
            model.put(k, "new-" + k);
            args.add(k);
            args.add("new-" + k);
        }
        assertThat(s.str(args.toArray(String[]::new))).isEqualTo("OK");
        assertThat(s.integer("hlen", "h")).isEqualTo(size);
        assertThat(pairs(s.list("hgetall", "h"))).isEqualTo(model);
    }

    // "HMGET against non existing key and fields"
    @Test
    void hmgetAgainstNonExistingKeyAndFields() {
        createHash("h", 8);
        assertThat(s.list("hmget", "doesntexist", "__123123123__", "__456456456__")).containsExactly(null, null);
        assertThat(s.list("hmget", "h", "__123123123__", "__456456456__")).containsExactly(null, null);
    }

    // "Hash commands against wrong type"
    @Test
    void hashCommandsAgainstWrongType() {
        s.exec("set", "wrongtype", "somevalue");
        List<String> before = s.rawContents();
        assertThat(s.error("hmget", "wrongtype", "field1", "field2")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hrandfield", "wrongtype")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hrandfield", "wrongtype", "2")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hget", "wrongtype", "field1")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hgetall", "wrongtype")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hdel", "wrongtype", "field1")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hincrby", "wrongtype", "field1", "2")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hincrbyfloat", "wrongtype", "field1", "2.5")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hstrlen", "wrongtype", "field1")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hvals", "wrongtype")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hkeys", "wrongtype")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hexists", "wrongtype", "field1")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hset", "wrongtype", "field1", "val1")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hmset", "wrongtype", "field1", "val1", "field2", "val2")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hsetnx", "wrongtype", "field1", "val1")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hlen", "wrongtype")).isEqualTo(WRONGTYPE);
        assertThat(s.error("hscan", "wrongtype", "0")).isEqualTo(WRONGTYPE);
        // a failed write leaves nothing behind
        assertThat(s.rawContents()).isEqualTo(before);
        assertThat(s.str("get", "wrongtype")).isEqualTo("somevalue");
    }

    // "HMGET - small hash" / "HMGET - big hash"
    @ParameterizedTest
    @ValueSource(ints = {8, 1024})
    void hmgetHash(int size) {
        Map<String, String> model = createHash("h", size);
        List<String> args = new ArrayList<>(List.of("hmget", "h"));
        args.addAll(model.keySet());
        assertThat(s.list(args.toArray(String[]::new))).containsExactlyElementsOf(model.values());
    }

    // "HKEYS - small hash" / "HKEYS - big hash" / "HVALS - ..." / "HGETALL - ..."
    @ParameterizedTest
    @ValueSource(ints = {8, 1024})
    void hkeysHvalsHgetall(int size) {
        Map<String, String> model = createHash("h", size);
        assertThat(sorted(s.list("hkeys", "h"))).isEqualTo(sorted(new ArrayList<>(model.keySet())));
        assertThat(sorted(s.list("hvals", "h"))).isEqualTo(sorted(new ArrayList<>(model.values())));
        Reply all = s.exec("hgetall", "h");
        assertThat(all).isInstanceOf(Reply.MapReply.class);
        assertThat(pairs(TestStore.flat(all))).isEqualTo(model);
        assertThat(s.exec("hkeys", "h")).isInstanceOf(Reply.Arr.class);
        assertThat(s.exec("hvals", "h")).isInstanceOf(Reply.Arr.class);
    }

    // "HGETALL against non-existing key"
    @Test
    void hgetallAgainstNonExistingKey() {
        assertThat(s.exec("hgetall", "htest")).isEqualTo(new Reply.MapReply(List.of()));
        assertThat(s.exec("hkeys", "htest")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.exec("hvals", "htest")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.integer("hlen", "htest")).isZero();
    }

    // "HDEL and return value"
    @ParameterizedTest
    @ValueSource(ints = {8, 1024})
    void hdelAndReturnValue(int size) {
        createHash("h", size);
        assertThat(s.integer("hdel", "h", "nokey")).isZero();
        assertThat(s.integer("hdel", "h", "f0")).isEqualTo(1);
        assertThat(s.integer("hdel", "h", "f0")).isZero();
        assertThat(s.str("hget", "h", "f0")).isNull();
        assertThat(s.integer("hlen", "h")).isEqualTo(size - 1);
        assertThat(s.integer("hdel", "nosuchhash", "f0")).isZero();
    }

    // "HDEL - more than a single value"
    @Test
    void hdelMoreThanASingleValue() {
        s.exec("hmset", "myhash", "a", "1", "b", "2", "c", "3");
        assertThat(s.integer("hdel", "myhash", "x", "y")).isZero();
        assertThat(s.integer("hdel", "myhash", "a", "c", "f")).isEqualTo(2);
        assertThat(s.list("hgetall", "myhash")).containsExactly("b", "2");
    }

    // "HDEL - hash becomes empty before deleting all specified fields"
    @Test
    void hdelHashBecomesEmptyBeforeDeletingAllSpecifiedFields() {
        s.exec("hmset", "myhash", "a", "1", "b", "2", "c", "3");
        assertThat(s.integer("hdel", "myhash", "a", "b", "c", "d", "e")).isEqualTo(3);
        assertThat(s.integer("exists", "myhash")).isZero();
        assertThat(s.rawContents()).isEmpty();
    }

    // "HEXISTS"
    @ParameterizedTest
    @ValueSource(ints = {8, 1024})
    void hexists(int size) {
        createHash("h", size);
        assertThat(s.integer("hexists", "h", "f1")).isEqualTo(1);
        assertThat(s.integer("hexists", "h", "nokey")).isZero();
        assertThat(s.integer("hexists", "nosuchhash", "f1")).isZero();
    }

    // "HINCRBY against non existing database key"
    @Test
    void hincrbyAgainstNonExistingDatabaseKey() {
        assertThat(s.integer("hincrby", "htest", "foo", "2")).isEqualTo(2);
        assertThat(s.str("hget", "htest", "foo")).isEqualTo("2");
        assertThat(s.integer("hlen", "htest")).isEqualTo(1);
    }

    // "HINCRBY against non existing hash key" / "HINCRBY against hash key created by hincrby
    // itself" / "HINCRBY against hash key originally set with HSET"
    @ParameterizedTest
    @ValueSource(ints = {8, 1024})
    void hincrbyAgainstHashKey(int size) {
        createHash("h", size);
        assertThat(s.integer("hincrby", "h", "tmp", "2")).isEqualTo(2);
        assertThat(s.str("hget", "h", "tmp")).isEqualTo("2");
        assertThat(s.integer("hincrby", "h", "tmp", "3")).isEqualTo(5);
        assertThat(s.str("hget", "h", "tmp")).isEqualTo("5");
        s.exec("hset", "h", "tmp", "100");
        assertThat(s.integer("hincrby", "h", "tmp", "2")).isEqualTo(102);
        assertThat(s.integer("hlen", "h")).isEqualTo(size + 1);
    }

    // "HINCRBY over 32bit value" / "HINCRBY over 32bit value with over 32bit increment"
    @Test
    void hincrbyOver32bitValue() {
        s.exec("hset", "h", "tmp", "17179869184");
        assertThat(s.integer("hincrby", "h", "tmp", "1")).isEqualTo(17179869185L);
        s.exec("hset", "h", "tmp", "17179869184");
        assertThat(s.integer("hincrby", "h", "tmp", "17179869184")).isEqualTo(34359738368L);
    }

    // "HINCRBY fails against hash value with spaces (left)" / "(right)"
    @Test
    void hincrbyFailsAgainstHashValueWithSpaces() {
        s.exec("hset", "h", "str", " 11");
        assertThat(s.error("hincrby", "h", "str", "1")).isEqualTo("ERR hash value is not an integer");
        s.exec("hset", "h", "str", "11 ");
        assertThat(s.error("hincrby", "h", "str", "1")).isEqualTo("ERR hash value is not an integer");
        s.exec("hset", "h", "str", "1.5");
        assertThat(s.error("hincrby", "h", "str", "1")).isEqualTo("ERR hash value is not an integer");
        assertThat(s.str("hget", "h", "str")).isEqualTo("1.5");
        assertThat(s.error("hincrby", "h", "str", "x")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("hincrby", "h", "str", "1.0")).isEqualTo(Errors.NOT_INTEGER);
    }

    // "HINCRBY can detect overflows"
    @Test
    void hincrbyCanDetectOverflows() {
        s.exec("hset", "hash", "n", "-9223372036854775484");
        assertThat(s.integer("hincrby", "hash", "n", "-1")).isEqualTo(-9223372036854775485L);
        assertThat(s.error("hincrby", "hash", "n", "-10000")).isEqualTo("ERR increment or decrement would overflow");
        s.exec("hset", "hash", "m", "9223372036854775807");
        assertThat(s.error("hincrby", "hash", "m", "1")).isEqualTo("ERR increment or decrement would overflow");
        assertThat(s.str("hget", "hash", "m")).isEqualTo("9223372036854775807");
        assertThat(s.error("hincrby", "hash", "new", "9223372036854775808")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.str("hget", "hash", "new")).isNull();
    }

    // "HINCRBYFLOAT against non existing database key"
    @Test
    void hincrbyfloatAgainstNonExistingDatabaseKey() {
        assertThat(s.str("hincrbyfloat", "htest", "foo", "2.5")).isEqualTo("2.5");
        assertThat(s.str("hget", "htest", "foo")).isEqualTo("2.5");
    }

    // "HINCRBYFLOAT against non existing hash key" / "... created by hincrby itself" /
    // "... originally set with HSET" / "HINCRBYFLOAT over 32bit value" (and with over 32bit
    // increment)
    @ParameterizedTest
    @ValueSource(ints = {8, 1024})
    void hincrbyfloatAgainstHashKey(int size) {
        createHash("h", size);
        assertThat(s.str("hincrbyfloat", "h", "tmp", "2.5")).isEqualTo("2.5");
        assertThat(s.str("hincrbyfloat", "h", "tmp", "3.5")).isEqualTo("6");
        assertThat(s.str("hget", "h", "tmp")).isEqualTo("6");
        s.exec("hset", "h", "tmp", "100");
        assertThat(s.str("hincrbyfloat", "h", "tmp", "2.5")).isEqualTo("102.5");
        s.exec("hset", "h", "tmp", "17179869184");
        assertThat(s.str("hincrbyfloat", "h", "tmp", "1")).isEqualTo("17179869185");
        s.exec("hset", "h", "tmp", "17179869184");
        assertThat(s.str("hincrbyfloat", "h", "tmp", "17179869184")).isEqualTo("34359738368");
        assertThat(s.integer("hlen", "h")).isEqualTo(size + 1);
    }

    // the long double sum printed with %.17Lf, trailing zeros trimmed (checked on redis 7.0.15)
    @Test
    void hincrbyfloatPrintsTheSumLikeRedis() {
        s.exec("hset", "h", "f", "10.5");
        assertThat(s.str("hincrbyfloat", "h", "f", "0.1")).isEqualTo("10.6");
        assertThat(s.str("hincrbyfloat", "h", "f", "-10.6")).isEqualTo("0");
        assertThat(s.str("hincrbyfloat", "h", "g", "1.0e1")).isEqualTo("10");
        assertThat(s.str("hincrbyfloat", "h", "g", "5.0e3")).isEqualTo("5010");
        assertThat(s.str("hincrbyfloat", "h", "g", "-0.25")).isEqualTo("5009.75");
        assertThat(s.exec("hincrbyfloat", "h", "g", "1")).isInstanceOf(Reply.Bulk.class);
    }

    // Redis adds x87 long doubles: the rounding shows in the 17 printed decimals (every expected
    // text below is redis-server 7.0.15's reply to the same sequence)
    @Test
    void hincrbyfloatUsesLongDoubleArithmeticLikeRedis() {
        String[][] steps = {
            {"12345.6", "12345.59999999999999964"},
            {"0.1", "12345.69999999999999929"},
            {"0.2", "12345.89999999999999947"},
            {"1e15", "1000000000012345.9000244140625"},
            {"0.3", "1000000000012346.20001220703125"},
            {"3.3333333333333333", "1000000000012349.5333251953125"},
            {"100000000000000000000", "100001000000000012352"},
            {"-1e20", "1000000000012352"},
            {"0.1", "1000000000012352.0999755859375"},
        };
        for (String[] st : steps) {
            assertThat(s.str("hincrbyfloat", "fx", "f", st[0])).as(st[0]).isEqualTo(st[1]);
        }
        assertThat(s.str("hget", "fx", "f")).isEqualTo("1000000000012352.0999755859375");
        assertThat(s.str("hincrbyfloat", "fx", "g", "1.1")).isEqualTo("1.1");
        assertThat(s.str("hincrbyfloat", "fx", "g", "2.2")).isEqualTo("3.3");
        assertThat(s.str("hincrbyfloat", "fx", "h", "0.3333333333333333333333")).isEqualTo("0.33333333333333333");
        assertThat(s.str("hincrbyfloat", "fx", "h", "0.3333333333333333333333")).isEqualTo("0.66666666666666666");
        s.exec("hset", "fx", "i", "-9223372036854775808");
        assertThat(s.str("hincrbyfloat", "fx", "i", "0.1")).isEqualTo("-9223372036854775808");
        // strtold syntax: hexadecimal operands, long-double range beyond double's
        s.exec("hset", "fx", "hex", "0x10");
        assertThat(s.str("hincrbyfloat", "fx", "hex", "1")).isEqualTo("17");
        assertThat(s.str("hincrbyfloat", "fx", "big", "1e400")).isEqualTo(
                "100000000000000000002818806839475865145864534336290520386259106935396855340086298620393639"
                + "948483241605220940539273176162002958227772592557340238289765933406610177974474345461739178"
                + "624481166749717237789438243915933380474706750262466844013592375136038303437354855052449559"
                + "649790218250382800910684149474024568986530409510175126580926158275889201834725116433165913"
                + "62664138176309734806343732497430221946880");
    }

    // "HINCRBYFLOAT fails against hash value with spaces (left)" / "(right)"
    @Test
    void hincrbyfloatFailsAgainstHashValueWithSpaces() {
        s.exec("hset", "h", "str", " 11");
        assertThat(s.error("hincrbyfloat", "h", "str", "1")).isEqualTo("ERR hash value is not a float");
        s.exec("hset", "h", "str", "11 ");
        assertThat(s.error("hincrbyfloat", "h", "str", "1")).isEqualTo("ERR hash value is not a float");
        s.exec("hset", "h", "str", "nan");
        assertThat(s.error("hincrbyfloat", "h", "str", "1")).isEqualTo("ERR hash value is not a float");
        assertThat(s.error("hincrbyfloat", "h", "str", "abc")).isEqualTo("ERR value is not a valid float");
        assertThat(s.str("hget", "h", "str")).isEqualTo("nan");
    }

    // "HINCRBYFLOAT does not allow NaN or Infinity"
    @Test
    void hincrbyfloatDoesNotAllowNaNOrInfinity() {
        assertThat(s.error("hincrbyfloat", "hfoo", "field", "+inf")).isEqualTo("ERR value is NaN or Infinity");
        assertThat(s.error("hincrbyfloat", "hfoo", "field", "-inf")).isEqualTo("ERR value is NaN or Infinity");
        assertThat(s.integer("exists", "hfoo")).isZero();
        // an infinite stored value makes the sum infinite
        s.exec("hset", "hfoo", "inf", "inf");
        assertThat(s.error("hincrbyfloat", "hfoo", "inf", "1")).isEqualTo("ERR increment would produce NaN or Infinity");
        // the argument is checked before the key's type
        s.exec("set", "str", "x");
        assertThat(s.error("hincrbyfloat", "str", "f", "inf")).isEqualTo("ERR value is NaN or Infinity");
        assertThat(s.error("hincrby", "str", "f", "x")).isEqualTo(Errors.NOT_INTEGER);
    }

    // "HSTRLEN against the small hash" / "... big hash" / "HSTRLEN against non existing field"
    @ParameterizedTest
    @ValueSource(ints = {8, 1024})
    void hstrlenAgainstTheHash(int size) {
        Map<String, String> model = createHash("h", size);
        for (Map.Entry<String, String> e : model.entrySet()) {
            assertThat(s.integer("hstrlen", "h", e.getKey())).isEqualTo(e.getValue().length());
        }
        assertThat(s.integer("hstrlen", "h", "__123123123__")).isZero();
        assertThat(s.integer("hstrlen", "nokey", "f")).isZero();
    }

    // "HSTRLEN corner cases"
    @Test
    void hstrlenCornerCases() {
        for (String v : List.of("-9223372036854775808", "9223372036854775807", "9223372036854775808", "", "0",
                "-1", "x")) {
            s.exec("hmset", "h", "field", v);
            assertThat(s.integer("hstrlen", "h", "field")).isEqualTo(v.length());
        }
    }

    // "Hash ziplist regression test for large keys"
    @Test
    void hashRegressionTestForLargeKeys() {
        String k = "k".repeat(500);
        s.exec("hset", "hash", k, "a");
        s.exec("hset", "hash", k, "b");
        assertThat(s.str("hget", "hash", k)).isEqualTo("b");
        assertThat(s.integer("hlen", "hash")).isEqualTo(1);
    }

    // "Hash fuzzing #1 - $size fields" / "Hash fuzzing #2 - $size fields"
    @ParameterizedTest
    @ValueSource(ints = {10, 512})
    void hashFuzzing(int size) {
        Random r = new Random(size);
        for (int times = 0; times < 3; times++) {
            Map<String, String> model = new HashMap<>();
            s.exec("del", "hash");
            for (int j = 0; j < size; j++) {
                String field = Integer.toString(r.nextInt(1024) - 512);
                String value = Long.toString(r.nextLong());
                if (r.nextInt(3) == 0) {
                    s.exec("hdel", "hash", field);
                    model.remove(field);
                } else {
                    s.exec("hset", "hash", field, value);
                    model.put(field, value);
                }
            }
            for (Map.Entry<String, String> e : model.entrySet()) {
                assertThat(s.str("hget", "hash", e.getKey())).isEqualTo(e.getValue());
            }
            assertThat(s.integer("hlen", "hash")).isEqualTo(model.size());
            assertThat(pairs(s.list("hgetall", "hash"))).isEqualTo(model);
        }
    }

    // ---- HRANDFIELD --------------------------------------------------------------------------

    // "HRANDFIELD - $type": every field comes back eventually
    @Test
    void hrandfield() {
        s.exec("hset", "myhash", "a", "1", "b", "2", "c", "3");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            seen.add(s.str("hrandfield", "myhash"));
        }
        assertThat(seen).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(s.exec("hrandfield", "nokey")).isEqualTo(Reply.NIL);
    }

    // "HRANDFIELD with RESP3": WITHVALUES gives pairs (arrays of two in RESP3), else an array
    @Test
    void hrandfieldWithResp3() {
        s.exec("hset", "myhash", "a", "1", "b", "2", "c", "3");
        Reply withValues = s.exec("hrandfield", "myhash", "3", "withvalues");
        assertThat(withValues).isInstanceOf(Reply.Pairs.class);
        assertThat(pairs(TestStore.flat(withValues))).containsOnly(Map.entry("a", "1"), Map.entry("b", "2"),
                Map.entry("c", "3"));
        assertThat(s.exec("hrandfield", "myhash", "3")).isInstanceOf(Reply.Arr.class);
        assertThat(s.exec("hrandfield", "myhash", "3", "WITHVALUES")).isInstanceOf(Reply.Pairs.class);
    }

    // "HRANDFIELD count of 0 is handled correctly" / "... - emptyarray"
    // "HRANDFIELD with <count> against non existing key" / "... - emptyarray"
    @Test
    void hrandfieldCountOf0AndNonExistingKey() {
        s.exec("hset", "myhash", "a", "1");
        assertThat(s.exec("hrandfield", "myhash", "0")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.exec("hrandfield", "myhash", "0", "withvalues")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.exec("hrandfield", "nonexisting_key", "100")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.exec("hrandfield", "nonexisting_key", "-100", "withvalues")).isEqualTo(Reply.EMPTY_ARRAY);
    }

    // "HRANDFIELD count overflow"
    @Test
    void hrandfieldCountOverflow() {
        s.exec("hmset", "myhash", "a", "1");
        assertThat(s.error("hrandfield", "myhash", "-9223372036854770000", "withvalues"))
                .isEqualTo("ERR value is out of range");
        assertThat(s.error("hrandfield", "myhash", "-9223372036854775808", "withvalues"))
                .isEqualTo(SetCommands.COUNT_RANGE);
        assertThat(s.error("hrandfield", "myhash", "-9223372036854775808")).isEqualTo(SetCommands.COUNT_RANGE);
        assertThat(s.error("hrandfield", "myhash", "4611686018427387904", "withvalues"))
                .isEqualTo("ERR value is out of range");
        // beyond Redis: a negative count is bounded by the reply limit
        assertThat(s.error("hrandfield", "myhash", "-9223372036854775807")).isEqualTo(SetCommands.RANDOM_REPLY_TOO_BIG);
        assertThat(s.error("hrandfield", "myhash", "-1000001", "withvalues")).isEqualTo(SetCommands.RANDOM_REPLY_TOO_BIG);
        assertThat(s.exec("hrandfield", "nokey", "-9223372036854775807")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.list("hrandfield", "myhash", "9223372036854775807")).containsExactly("a");
    }

    // argument errors, in Redis's order: count, then syntax, then the key
    @Test
    void hrandfieldArgumentErrors() {
        s.exec("set", "str", "x");
        assertThat(s.error("hrandfield", "h", "x")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("hrandfield", "h", "x", "foo")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("hrandfield", "h", "1", "withvalue")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("hrandfield", "h", "1", "withvalues", "x")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("hrandfield", "str", "1", "foo")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("hrandfield", "str", "0")).isEqualTo(WRONGTYPE);
    }

    // "HRANDFIELD with <count> - $type"
    @Test
    void hrandfieldWithCount() {
        Map<String, String> model = new TreeMap<>();
        for (String kv : List.of("a 1", "b 2", "c 3", "d 4", "e 5", "6 f", "7 g", "8 h", "9 i", "10 j")) {
            String[] p = kv.split(" ");
            s.exec("hset", "myhash", p[0], p[1]);
            model.put(p[0], p[1]);
        }
        // PATH 1: negative count, fields may repeat
        assertThat(s.list("hrandfield", "myhash", "-20")).hasSize(20).allMatch(model::containsKey);
        assertThat(s.list("hrandfield", "myhash", "-1001")).hasSize(1001);
        List<String> wv = s.list("hrandfield", "myhash", "-20", "withvalues");
        assertThat(wv).hasSize(40);
        for (int i = 0; i < wv.size(); i += 2) {
            assertThat(model.get(wv.get(i))).isEqualTo(wv.get(i + 1));
        }
        Map<String, Integer> hits = new HashMap<>();
        for (String f : s.list("hrandfield", "myhash", "-1000")) {
            hits.merge(f, 1, Integer::sum);
        }
        assertThat(hits.keySet()).isEqualTo(model.keySet());
        assertThat(hits.values()).allMatch(n -> n > 50 && n < 150);
        // PATH 2: positive count >= size gives every field once
        for (String size : List.of("10", "20")) {
            assertThat(sorted(s.list("hrandfield", "myhash", size))).isEqualTo(sorted(new ArrayList<>(model.keySet())));
            assertThat(pairs(s.list("hrandfield", "myhash", size, "withvalues"))).isEqualTo(model);
        }
        // PATH 3 / 4: fewer than the size, distinct, every field eventually
        for (int size : List.of(8, 2)) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                List<String> res = s.list("hrandfield", "myhash", Integer.toString(size));
                assertThat(res).hasSize(size).doesNotHaveDuplicates().allMatch(model::containsKey);
                seen.addAll(res);
                Map<String, String> p = pairs(s.list("hrandfield", "myhash", Integer.toString(size), "withvalues"));
                assertThat(p).hasSize(size);
                p.forEach((k, v) -> assertThat(model.get(k)).isEqualTo(v));
            }
            assertThat(seen).isEqualTo(model.keySet());
        }
    }

    // Cairn: picks come only from the context's random source
    @Test
    void hrandfieldPicksFollowTheSeed() {
        createHash("h", 300);
        s.random = new Random(5);
        List<String> first = s.list("hrandfield", "h", "7", "withvalues");
        List<String> firstNeg = s.list("hrandfield", "h", "-7");
        s.random = new Random(5);
        assertThat(s.list("hrandfield", "h", "7", "withvalues")).isEqualTo(first);
        assertThat(s.list("hrandfield", "h", "-7")).isEqualTo(firstNeg);
    }

    // ---- HSCAN -------------------------------------------------------------------------------

    /** Every field and value an HSCAN walk returns, following cursors until 0. */
    Map<String, String> hscanAll(String key, String... options) {
        Map<String, String> out = new HashMap<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<String> args = new ArrayList<>(List.of("hscan", key, cursor));
            args.addAll(List.of(options));
            Reply r = s.exec(args.toArray(String[]::new));
            List<Reply> items = ((Reply.Arr) r).items();
            cursor = TestStore.text(items.get(0));
            out.putAll(pairs(TestStore.flat(items.get(1))));
            calls++;
        } while (!cursor.equals("0"));
        assertThat(calls).isLessThan(10_000);
        return out;
    }

    // "HSCAN with encoding $enc" (scan.tcl)
    @ParameterizedTest
    @ValueSource(ints = {30, 1000})
    void hscanWithEncoding(int size) {
        Map<String, String> model = createHash("hash", size);
        assertThat(hscanAll("hash")).isEqualTo(model);
        assertThat(hscanAll("hash", "count", "100")).isEqualTo(model);
        // a small COUNT takes several calls
        List<Reply> first = ((Reply.Arr) s.exec("hscan", "hash", "0", "count", "5")).items();
        assertThat(TestStore.text(first.get(0))).isNotEqualTo("0");
        assertThat(TestStore.flat(first.get(1))).hasSize(10);
    }

    // "SCAN MATCH" (scan.tcl, on HSCAN)
    @Test
    void hscanMatch() {
        s.exec("hset", "h", "foo", "1", "fab", "2", "fiz", "3", "bar", "4");
        assertThat(hscanAll("h", "match", "f*")).containsOnlyKeys("foo", "fab", "fiz");
        assertThat(hscanAll("h", "match", "f?z", "count", "1")).containsOnlyKeys("fiz");
        assertThat(hscanAll("h", "match", "*")).hasSize(4);
    }

    // "SCAN guarantees check under write load" style: fields present for the whole scan are seen
    @Test
    void hscanSeesFieldsPresentDuringTheWholeScan() {
        Map<String, String> model = createHash("h", 200);
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int i = 0;
        do {
            List<Reply> items = ((Reply.Arr) s.exec("hscan", "h", cursor, "count", "7")).items();
            cursor = TestStore.text(items.get(0));
            seen.addAll(pairs(TestStore.flat(items.get(1))).keySet());
            s.exec("hset", "h", "added" + i++, "x");
        } while (!cursor.equals("0"));
        assertThat(seen).containsAll(model.keySet());
    }

    // "SCAN unknown type", "SCAN with invalid cursor", "SCAN COUNT 0": errors on HSCAN
    @Test
    void hscanErrors() {
        s.exec("hset", "h", "a", "1");
        assertThat(s.error("hscan", "h", "x")).isEqualTo("ERR invalid cursor");
        assertThat(s.error("hscan", "nokey", "1x")).isEqualTo("ERR invalid cursor");
        assertThat(s.error("hscan", "h", "0", "count", "0")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("hscan", "h", "0", "count", "x")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("hscan", "h", "0", "match")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("hscan", "h", "0", "novalues")).isEqualTo(Errors.SYNTAX);
        // as Redis: a missing key answers an empty scan before the options are parsed
        assertThat(s.list("hscan", "nokey", "0", "foo")).containsExactly("0");
        assertThat(((Reply.Arr) s.exec("hscan", "nokey", "0")).items()).containsExactly(Reply.bulk("0"),
                Reply.EMPTY_ARRAY);
    }

    // ---- big hashes --------------------------------------------------------------------------

    // Cairn: a hash past the point-delete limit is removed by one range delete; DEL then a new hash
    // at the same key must not resurrect old fields
    @Test
    void bigHashDeletedByDelDoesNotReappearAfterRecreate() {
        createHash("h", 300);
        assertThat(s.integer("del", "h")).isEqualTo(1);
        assertThat(storedSubKeys()).isZero();
        assertThat(s.integer("hset", "h", "f1", "new")).isEqualTo(1);
        assertThat(s.integer("hlen", "h")).isEqualTo(1);
        assertThat(s.list("hgetall", "h")).containsExactly("f1", "new");
        assertThat(s.str("hget", "h", "f2")).isNull();
        assertThat(storedSubKeys()).isEqualTo(1);
    }

    // Cairn: HSET over a string replaces nothing; SET over a big hash drops its fields
    @Test
    void setOverABigHashDropsItsFields() {
        createHash("h", 200);
        s.exec("set", "h", "v");
        assertThat(storedSubKeys()).isZero();
        assertThat(s.error("hget", "h", "f1")).isEqualTo(WRONGTYPE);
        s.exec("del", "h");
        assertThat(s.integer("hincrby", "h", "f1", "1")).isEqualTo(1);
        assertThat(s.list("hkeys", "h")).containsExactly("f1");
    }

    // Cairn: an expired hash is invisible to every command and replaced whole by the next write
    @Test
    void expiredHashIsGoneForReadsAndReplacedByWrites() {
        createHash("h", 200);
        assertThat(s.integer("pexpire", "h", "100")).isEqualTo(1);
        s.now += 200;
        assertThat(s.integer("hlen", "h")).isZero();
        assertThat(s.str("hget", "h", "f1")).isNull();
        assertThat(s.list("hgetall", "h")).isEmpty();
        assertThat(s.exec("hrandfield", "h")).isEqualTo(Reply.NIL);
        assertThat(s.integer("hincrby", "h", "f1", "5")).isEqualTo(5);
        assertThat(s.list("hgetall", "h")).containsExactly("f1", "5");
        assertThat(s.integer("ttl", "h")).isEqualTo(-1);
        assertThat(storedSubKeys()).isEqualTo(1);
    }
}
