package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rocksdb.WriteOptions;

/**
 * Mirrors Redis 7.0's tests/unit/type/list.tcl (test names in comments, "- $type" variants run
 * with both of list-common.tcl's values: a small one and an 8 KB one), plus Cairn's own checks
 * of the position layout: big lists (range deletes), DEL then re-create, no stray sub-keys, and a
 * randomized comparison against an in-memory model.
 */
class ListTypeTest {
    static final String WRONGTYPE = Errors.WRONGTYPE;
    static final String LARGE = "x".repeat(8192);

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

    /** list-common.tcl's largevalue(listpack) and largevalue(quicklist). */
    static Stream<String> largeValues() {
        return Stream.of("hello", LARGE);
    }

    static Stream<Arguments> directions() {
        return Stream.of(Arguments.of("left", "left"), Arguments.of("left", "right"),
                Arguments.of("right", "left"), Arguments.of("right", "right"));
    }

    static Stream<Arguments> largeValuesAndDirections() {
        return largeValues().flatMap(l -> directions().map(d -> Arguments.of(l, d.get()[0], d.get()[1])));
    }

    /** proc create_list: DEL then one RPUSH per entry. */
    void createList(String key, String... entries) {
        s.exec("del", key);
        for (String e : entries) {
            s.exec("rpush", key, e);
        }
    }

    List<String> all(String key) {
        return s.list("lrange", key, "0", "-1");
    }

    /** Sub-keys (members of collections) currently stored for the group. */
    long storedSubKeys() {
        String kind = String.format("%02x", KeyCodec.KIND_SUB);
        return s.rawContents().stream().filter(e -> e.substring(16, 18).equals(kind)).count();
    }

    // ---- LPOS ------------------------------------------------------------------------------

    void lposList() {
        createList("mylist", "a", "b", "c", "1", "2", "3", "c", "c");
    }

    // "LPOS basic usage"
    @Test
    void lposBasicUsage() {
        lposList();
        assertThat(s.integer("lpos", "mylist", "a")).isEqualTo(0);
        assertThat(s.integer("lpos", "mylist", "c")).isEqualTo(2);
    }

    // "LPOS RANK (positive, negative and zero rank) option"
    @Test
    void lposRankPositiveNegativeAndZeroRankOption() {
        lposList();
        assertThat(s.integer("lpos", "mylist", "c", "RANK", "1")).isEqualTo(2);
        assertThat(s.integer("lpos", "mylist", "c", "RANK", "2")).isEqualTo(6);
        assertThat(s.exec("lpos", "mylist", "c", "RANK", "4")).isEqualTo(Reply.NIL);
        assertThat(s.integer("lpos", "mylist", "c", "RANK", "-1")).isEqualTo(7);
        assertThat(s.integer("lpos", "mylist", "c", "RANK", "-2")).isEqualTo(6);
        assertThat(s.error("lpos", "mylist", "c", "RANK", "0")).isEqualTo(
                "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
                        + "or use negative to start from the end of the list");
    }

    // "LPOS COUNT option"
    @Test
    void lposCountOption() {
        lposList();
        assertThat(s.list("lpos", "mylist", "c", "COUNT", "0")).containsExactly("2", "6", "7");
        assertThat(s.list("lpos", "mylist", "c", "COUNT", "1")).containsExactly("2");
        assertThat(s.list("lpos", "mylist", "c", "COUNT", "2")).containsExactly("2", "6");
        assertThat(s.list("lpos", "mylist", "c", "COUNT", "100")).containsExactly("2", "6", "7");
    }

    // "LPOS COUNT + RANK option"
    @Test
    void lposCountPlusRankOption() {
        lposList();
        assertThat(s.list("lpos", "mylist", "c", "COUNT", "0", "RANK", "2")).containsExactly("6", "7");
        assertThat(s.list("lpos", "mylist", "c", "COUNT", "2", "RANK", "-1")).containsExactly("7", "6");
    }

    // "LPOS non existing key"
    @Test
    void lposNonExistingKey() {
        assertThat(s.exec("lpos", "mylistxxx", "c", "COUNT", "0", "RANK", "2")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.exec("lpos", "mylistxxx", "c")).isEqualTo(Reply.NIL);
    }

    // "LPOS no match"
    @Test
    void lposNoMatch() {
        lposList();
        assertThat(s.exec("lpos", "mylist", "x", "COUNT", "2", "RANK", "-1")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.exec("lpos", "mylist", "x", "RANK", "-1")).isEqualTo(Reply.NIL);
    }

    // "LPOS MAXLEN"
    @Test
    void lposMaxlen() {
        lposList();
        assertThat(s.list("lpos", "mylist", "a", "COUNT", "0", "MAXLEN", "1")).containsExactly("0");
        assertThat(s.list("lpos", "mylist", "c", "COUNT", "0", "MAXLEN", "1")).isEmpty();
        assertThat(s.list("lpos", "mylist", "c", "COUNT", "0", "MAXLEN", "3")).containsExactly("2");
        assertThat(s.list("lpos", "mylist", "c", "COUNT", "0", "MAXLEN", "3", "RANK", "-1")).containsExactly("7", "6");
        assertThat(s.list("lpos", "mylist", "c", "COUNT", "0", "MAXLEN", "7", "RANK", "2")).containsExactly("6");
        // MAXLEN 0 means no limit
        assertThat(s.list("lpos", "mylist", "c", "COUNT", "0", "MAXLEN", "0")).containsExactly("2", "6", "7");
        assertThat(s.list("lpos", "mylist", "c", "RANK", "-2", "COUNT", "0", "MAXLEN", "2")).containsExactly("6");
    }

    // "LPOS when RANK is greater than matches"
    @Test
    void lposWhenRankIsGreaterThanMatches() {
        s.exec("del", "mylist");
        s.exec("lpush", "mylist", "a");
        assertThat(s.exec("lpos", "mylist", "b", "COUNT", "10", "RANK", "5")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.exec("lpos", "mylist", "a", "COUNT", "10", "RANK", "5")).isEqualTo(Reply.EMPTY_ARRAY);
    }

    // Cairn: option errors as redis-server 7.0.15 replies them, checked before the key
    @Test
    void lposOptionErrorsComeBeforeTheKeyLookup() {
        lposList();
        s.exec("set", "str", "x");
        assertThat(s.error("lpos", "mylist", "c", "COUNT", "-1")).isEqualTo("ERR COUNT can't be negative");
        assertThat(s.error("lpos", "mylist", "c", "COUNT", "abc")).isEqualTo("ERR COUNT can't be negative");
        assertThat(s.error("lpos", "mylist", "c", "COUNT", "9223372036854775808")).isEqualTo("ERR COUNT can't be negative");
        assertThat(s.error("lpos", "mylist", "c", "MAXLEN", "-1")).isEqualTo("ERR MAXLEN can't be negative");
        assertThat(s.error("lpos", "mylist", "c", "MAXLEN", "x")).isEqualTo("ERR MAXLEN can't be negative");
        assertThat(s.error("lpos", "mylist", "c", "RANK", "abc")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("lpos", "mylist", "c", "foo")).isEqualTo("ERR syntax error");
        assertThat(s.error("lpos", "mylist", "c", "RANK")).isEqualTo("ERR syntax error");
        assertThat(s.error("lpos", "mylist", "c", "foo", "RANK", "0")).isEqualTo("ERR syntax error");
        assertThat(s.error("lpos", "mylist", "c", "RANK", "0", "foo")).startsWith("ERR RANK can't be zero");
        assertThat(s.error("lpos", "str", "c", "RANK", "0")).startsWith("ERR RANK can't be zero");
        assertThat(s.error("lpos", "str", "c")).isEqualTo(WRONGTYPE);
        assertThat(s.error("lpos", "mylist")).isEqualTo("ERR wrong number of arguments for 'lpos' command");
        // options are case-insensitive; the last RANK wins
        assertThat(s.integer("lpos", "mylist", "c", "rank", "2", "Rank", "3")).isEqualTo(7);
    }

    // Cairn: Redis 7.0 negates RANK in C, so -9223372036854775808 stays negative: every match
    // from the tail, and COUNT never stops it
    @Test
    void lposMostNegativeRankMatchesFromTheTailWithoutLimit() {
        lposList();
        assertThat(s.integer("lpos", "mylist", "c", "RANK", "-9223372036854775808")).isEqualTo(7);
        assertThat(s.list("lpos", "mylist", "c", "RANK", "-9223372036854775808", "COUNT", "1"))
                .containsExactly("7", "6", "2");
        assertThat(s.exec("lpos", "mylist", "c", "RANK", "9223372036854775807")).isEqualTo(Reply.NIL);
        assertThat(s.exec("lpos", "mylist", "c", "RANK", "-9223372036854775807")).isEqualTo(Reply.NIL);
    }

    // ---- push, pop, index ------------------------------------------------------------------

    // "LPUSH, RPUSH, LLENGTH, LINDEX, LPOP - ziplist" / "- regular list"
    @ParameterizedTest
    @MethodSource("largeValues")
    void lpushRpushLlengthLindexLpop(String large) {
        assertThat(s.integer("lpush", "mylist1", large)).isEqualTo(1);
        assertThat(s.integer("rpush", "mylist1", "b")).isEqualTo(2);
        assertThat(s.integer("rpush", "mylist1", "c")).isEqualTo(3);
        assertThat(s.integer("llen", "mylist1")).isEqualTo(3);
        assertThat(s.str("lindex", "mylist1", "0")).isEqualTo(large);
        assertThat(s.str("lindex", "mylist1", "1")).isEqualTo("b");
        assertThat(s.str("lindex", "mylist1", "2")).isEqualTo("c");
        assertThat(s.str("lindex", "mylist1", "3")).isNull();
        assertThat(s.str("rpop", "mylist1")).isEqualTo("c");
        assertThat(s.str("lpop", "mylist1")).isEqualTo(large);

        assertThat(s.integer("rpush", "mylist2", large)).isEqualTo(1);
        assertThat(s.integer("lpush", "mylist2", "b")).isEqualTo(2);
        assertThat(s.integer("lpush", "mylist2", "c")).isEqualTo(3);
        assertThat(s.integer("llen", "mylist2")).isEqualTo(3);
        assertThat(s.str("lindex", "mylist2", "0")).isEqualTo("c");
        assertThat(s.str("lindex", "mylist2", "1")).isEqualTo("b");
        assertThat(s.str("lindex", "mylist2", "2")).isEqualTo(large);
        assertThat(s.str("lindex", "mylist2", "3")).isNull();
        assertThat(s.str("lindex", "mylist2", "-1")).isEqualTo(large);
        assertThat(s.str("lindex", "mylist2", "-3")).isEqualTo("c");
        assertThat(s.str("lindex", "mylist2", "-4")).isNull();
        assertThat(s.str("rpop", "mylist2")).isEqualTo(large);
        assertThat(s.str("lpop", "mylist2")).isEqualTo("c");
    }

    // "LPOP/RPOP with wrong number of arguments"
    @Test
    void lpopRpopWithWrongNumberOfArguments() {
        assertThat(s.error("lpop", "key", "1", "1")).isEqualTo("ERR wrong number of arguments for 'lpop' command");
        assertThat(s.error("rpop", "key", "2", "2")).isEqualTo("ERR wrong number of arguments for 'rpop' command");
        assertThat(s.error("lpop")).isEqualTo("ERR wrong number of arguments for 'lpop' command");
    }

    // "RPOP/LPOP with the optional count argument"
    @Test
    void rpopLpopWithTheOptionalCountArgument() {
        assertThat(s.integer("lpush", "listcount", "aa", "bb", "cc", "dd", "ee", "ff", "gg")).isEqualTo(7);
        assertThat(s.list("lpop", "listcount", "1")).containsExactly("gg");
        assertThat(s.list("lpop", "listcount", "2")).containsExactly("ff", "ee");
        assertThat(s.list("rpop", "listcount", "2")).containsExactly("aa", "bb");
        assertThat(s.list("rpop", "listcount", "1")).containsExactly("cc");
        assertThat(s.list("rpop", "listcount", "123")).containsExactly("dd");
        assertThat(s.integer("exists", "listcount")).isZero();
        assertThat(s.error("lpop", "forbarqaz", "-123")).isEqualTo("ERR value is out of range, must be positive");
    }

    // Cairn: the count is checked before the key, and a non-integer gets the same text in 7.0
    @Test
    void lpopCountErrorsComeBeforeTheKeyLookup() {
        s.exec("set", "str", "x");
        s.exec("rpush", "l", "a");
        assertThat(s.error("lpop", "l", "abc")).isEqualTo(Errors.NOT_POSITIVE);
        assertThat(s.error("rpop", "l", "99999999999999999999")).isEqualTo(Errors.NOT_POSITIVE);
        assertThat(s.error("lpop", "str", "-1")).isEqualTo(Errors.NOT_POSITIVE);
        assertThat(s.error("lpop", "str", "0")).isEqualTo(WRONGTYPE);
        assertThat(all("l")).containsExactly("a");
    }

    // "LPOP/RPOP with the count 0 returns an empty array in RESP$resp"
    @Test
    void lpopRpopWithTheCount0ReturnsAnEmptyArray() {
        s.exec("lpush", "listcount", "zero");
        assertThat(s.exec("lpop", "listcount", "0")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.exec("rpop", "listcount", "0")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(all("listcount")).containsExactly("zero");
    }

    // "LPOP/RPOP against non existing key in RESP$resp": $-1 / _ (a nil bulk)
    @Test
    void lpopRpopAgainstNonExistingKey() {
        s.exec("del", "non_existing_key");
        assertThat(s.exec("lpop", "non_existing_key")).isEqualTo(Reply.Nil.BULK);
        assertThat(s.exec("rpop", "non_existing_key")).isEqualTo(Reply.Nil.BULK);
    }

    // "LPOP/RPOP with <count> against non existing key in RESP$resp": *-1 / _ (a nil array)
    @Test
    void lpopRpopWithCountAgainstNonExistingKey() {
        s.exec("del", "non_existing_key");
        assertThat(s.exec("lpop", "non_existing_key", "0")).isEqualTo(Reply.Nil.ARRAY);
        assertThat(s.exec("lpop", "non_existing_key", "1")).isEqualTo(Reply.Nil.ARRAY);
        assertThat(s.exec("rpop", "non_existing_key", "0")).isEqualTo(Reply.Nil.ARRAY);
        assertThat(s.exec("rpop", "non_existing_key", "1")).isEqualTo(Reply.Nil.ARRAY);
    }

    // "Variadic RPUSH/LPUSH"
    @Test
    void variadicRpushLpush() {
        s.exec("del", "mylist");
        assertThat(s.integer("lpush", "mylist", "a", "b", "c", "d")).isEqualTo(4);
        assertThat(s.integer("rpush", "mylist", "0", "1", "2", "3")).isEqualTo(8);
        assertThat(all("mylist")).containsExactly("d", "c", "b", "a", "0", "1", "2", "3");
        assertThat(s.error("lpush", "mylist")).isEqualTo("ERR wrong number of arguments for 'lpush' command");
        assertThat(s.error("rpush", "mylist")).isEqualTo("ERR wrong number of arguments for 'rpush' command");
    }

    // "DEL a list"
    @Test
    void delAList() {
        s.exec("rpush", "mylist2", "a", "b");
        assertThat(s.integer("del", "mylist2")).isEqualTo(1);
        assertThat(s.integer("exists", "mylist2")).isZero();
        assertThat(s.integer("llen", "mylist2")).isZero();
        assertThat(storedSubKeys()).isZero();
    }

    // "LPUSHX, RPUSHX - generic"
    @Test
    void lpushxRpushxGeneric() {
        s.exec("del", "xlist");
        assertThat(s.integer("lpushx", "xlist", "a")).isZero();
        assertThat(s.integer("llen", "xlist")).isZero();
        assertThat(s.integer("rpushx", "xlist", "a")).isZero();
        assertThat(s.integer("llen", "xlist")).isZero();
        assertThat(s.integer("exists", "xlist")).isZero();
        s.exec("set", "str", "x");
        assertThat(s.error("lpushx", "str", "a")).isEqualTo(WRONGTYPE);
        assertThat(s.error("rpushx", "str", "a")).isEqualTo(WRONGTYPE);
        assertThat(s.error("lpushx", "xlist")).isEqualTo("ERR wrong number of arguments for 'lpushx' command");
    }

    // "LPUSHX, RPUSHX - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void lpushxRpushx(String large) {
        createList("xlist", large, "c");
        assertThat(s.integer("rpushx", "xlist", "d")).isEqualTo(3);
        assertThat(s.integer("lpushx", "xlist", "a")).isEqualTo(4);
        assertThat(s.integer("rpushx", "xlist", "42", "x")).isEqualTo(6);
        assertThat(s.integer("lpushx", "xlist", "y3", "y2", "y1")).isEqualTo(9);
        assertThat(all("xlist")).containsExactly("y1", "y2", "y3", "a", large, "c", "d", "42", "x");
    }

    // "LINSERT - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void linsert(String large) {
        createList("xlist", "a", large, "c", "d");
        assertThat(s.integer("linsert", "xlist", "before", "c", "zz")).isEqualTo(5);
        assertThat(s.list("lrange", "xlist", "0", "10")).containsExactly("a", large, "zz", "c", "d");
        assertThat(s.integer("linsert", "xlist", "after", "c", "yy")).isEqualTo(6);
        assertThat(s.list("lrange", "xlist", "0", "10")).containsExactly("a", large, "zz", "c", "yy", "d");
        assertThat(s.integer("linsert", "xlist", "after", "d", "dd")).isEqualTo(7);
        assertThat(s.integer("linsert", "xlist", "after", "bad", "ddd")).isEqualTo(-1);
        assertThat(s.list("lrange", "xlist", "0", "10")).containsExactly("a", large, "zz", "c", "yy", "d", "dd");
        assertThat(s.integer("linsert", "xlist", "before", "a", "aa")).isEqualTo(8);
        assertThat(s.integer("linsert", "xlist", "before", "bad", "aaa")).isEqualTo(-1);
        assertThat(s.list("lrange", "xlist", "0", "10")).containsExactly("aa", "a", large, "zz", "c", "yy", "d", "dd");
        assertThat(s.integer("linsert", "xlist", "before", "aa", "42")).isEqualTo(9);
        assertThat(s.list("lrange", "xlist", "0", "0")).containsExactly("42");
        assertThat(s.integer("llen", "xlist")).isEqualTo(9);
        assertThat(storedSubKeys()).isEqualTo(9);
    }

    // "LINSERT raise error on bad syntax"
    @Test
    void linsertRaiseErrorOnBadSyntax() {
        createList("xlist", "a");
        s.exec("set", "str", "x");
        assertThat(s.error("linsert", "xlist", "aft3r", "aa", "42")).isEqualTo("ERR syntax error");
        // the position is checked before the key: syntax error even for a missing or wrong key
        assertThat(s.error("linsert", "nokey", "aft3r", "aa", "42")).isEqualTo("ERR syntax error");
        assertThat(s.error("linsert", "str", "aft3r", "aa", "42")).isEqualTo("ERR syntax error");
        assertThat(s.error("linsert", "str", "BEFORE", "aa", "42")).isEqualTo(WRONGTYPE);
        assertThat(s.integer("linsert", "nokey", "before", "a", "b")).isZero();
        assertThat(s.integer("exists", "nokey")).isZero();
        assertThat(s.error("linsert", "xlist", "before", "a")).isEqualTo("ERR wrong number of arguments for 'linsert' command");
    }

    // Cairn: LINSERT in a big list moves the shorter side; the result is the same from both ends
    @Test
    void linsertInABigListMovesTheShorterSide() {
        List<String> model = new ArrayList<>();
        String[] values = new String[300];
        for (int i = 0; i < 300; i++) {
            values[i] = "v" + i;
            model.add(values[i]);
        }
        s.exec(cat(new String[] {"rpush", "big"}, values));
        s.exec("linsert", "big", "after", "v10", "near-head");
        model.add(11, "near-head");
        s.exec("linsert", "big", "before", "v290", "near-tail");
        model.add(model.indexOf("v290"), "near-tail");
        s.exec("linsert", "big", "before", "v0", "first");
        model.add(0, "first");
        s.exec("linsert", "big", "after", "v299", "last");
        model.add("last");
        assertThat(all("big")).isEqualTo(model);
        assertThat(s.str("lindex", "big", "12")).isEqualTo("near-head");
        assertThat(storedSubKeys()).isEqualTo(model.size());
    }

    // "LINDEX consistency test - $type", "LINDEX random access - $type" (the DEBUG RELOAD
    // variant reopens the store instead)
    @ParameterizedTest
    @ValueSource(ints = {250, 500})
    void lindexConsistencyAndRandomAccess(int num) {
        s.exec("del", "mylist");
        for (int i = 0; i < num; i++) {
            s.exec("rpush", "mylist", Integer.toString(i));
        }
        checkNumberedListConsistency("mylist");
        checkRandomAccessConsistency("mylist", new Random(num));
        s.close();
        s = new TestStore(dir);
        checkNumberedListConsistency("mylist");
        checkRandomAccessConsistency("mylist", new Random(num + 1));
    }

    void checkNumberedListConsistency(String key) {
        long len = s.integer("llen", key);
        for (long i = 0; i < len; i++) {
            assertThat(s.str("lindex", key, Long.toString(i))).isEqualTo(Long.toString(i));
            assertThat(s.str("lindex", key, Long.toString(-i - 1))).isEqualTo(Long.toString(len - 1 - i));
        }
    }

    void checkRandomAccessConsistency(String key, Random rnd) {
        long len = s.integer("llen", key);
        for (long i = 0; i < len; i++) {
            long r = rnd.nextInt((int) len);
            assertThat(s.str("lindex", key, Long.toString(r))).isEqualTo(Long.toString(r));
            assertThat(s.str("lindex", key, Long.toString(-r - 1))).isEqualTo(Long.toString(len - 1 - r));
        }
    }

    // "LLEN against non-list value error"
    @Test
    void llenAgainstNonListValueError() {
        s.exec("del", "mylist");
        s.exec("set", "mylist", "foobar");
        assertThat(s.error("llen", "mylist")).isEqualTo(WRONGTYPE);
        assertThat(s.error("llen")).isEqualTo("ERR wrong number of arguments for 'llen' command");
    }

    // "LLEN against non existing key"
    @Test
    void llenAgainstNonExistingKey() {
        assertThat(s.integer("llen", "not-a-key")).isZero();
    }

    // "LINDEX against non-list value error"
    @Test
    void lindexAgainstNonListValueError() {
        s.exec("set", "mylist", "foobar");
        assertThat(s.error("lindex", "mylist", "0")).isEqualTo(WRONGTYPE);
        // the key is looked up before the index is parsed
        assertThat(s.error("lindex", "mylist", "abc")).isEqualTo(WRONGTYPE);
        s.exec("del", "mylist");
        s.exec("rpush", "mylist", "a");
        assertThat(s.error("lindex", "mylist", "abc")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("lindex", "mylist")).isEqualTo("ERR wrong number of arguments for 'lindex' command");
    }

    // "LINDEX against non existing key"
    @Test
    void lindexAgainstNonExistingKey() {
        assertThat(s.exec("lindex", "not-a-key", "10")).isEqualTo(Reply.NIL);
        assertThat(s.exec("lindex", "not-a-key", "abc")).isEqualTo(Reply.NIL);
    }

    // "LPUSH against non-list value error"
    @Test
    void lpushAgainstNonListValueError() {
        s.exec("set", "mylist", "foobar");
        assertThat(s.error("lpush", "mylist", "0")).isEqualTo(WRONGTYPE);
        assertThat(s.str("get", "mylist")).isEqualTo("foobar");
    }

    // "RPUSH against non-list value error"
    @Test
    void rpushAgainstNonListValueError() {
        s.exec("set", "mylist", "foobar");
        assertThat(s.error("rpush", "mylist", "0")).isEqualTo(WRONGTYPE);
        assertThat(s.str("get", "mylist")).isEqualTo("foobar");
    }

    // ---- RPOPLPUSH / LMOVE -----------------------------------------------------------------

    // "RPOPLPUSH base case - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void rpoplpushBaseCase(String large) {
        s.exec("del", "mylist1", "mylist2");
        createList("mylist1", "a", large, "c", "d");
        assertThat(s.str("rpoplpush", "mylist1", "mylist2")).isEqualTo("d");
        assertThat(s.str("rpoplpush", "mylist1", "mylist2")).isEqualTo("c");
        assertThat(all("mylist1")).containsExactly("a", large);
        assertThat(all("mylist2")).containsExactly("c", "d");
    }

    // "LMOVE $wherefrom $whereto base case - $type"
    @ParameterizedTest
    @MethodSource("largeValuesAndDirections")
    void lmoveBaseCase(String large, String wherefrom, String whereto) {
        s.exec("del", "mylist1", "mylist2");
        if (wherefrom.equals("right")) {
            createList("mylist1", "c", "d", large, "a");
        } else {
            createList("mylist1", "a", large, "c", "d");
        }
        assertThat(s.str("lmove", "mylist1", "mylist2", wherefrom, whereto)).isEqualTo("a");
        assertThat(s.str("lmove", "mylist1", "mylist2", wherefrom, whereto)).isEqualTo(large);
        assertThat(all("mylist1")).containsExactly("c", "d");
        if (whereto.equals("right")) {
            assertThat(all("mylist2")).containsExactly("a", large);
        } else {
            assertThat(all("mylist2")).containsExactly(large, "a");
        }
    }

    // "RPOPLPUSH with the same list as src and dst - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void rpoplpushWithTheSameListAsSrcAndDst(String large) {
        createList("mylist", "a", large, "c");
        assertThat(all("mylist")).containsExactly("a", large, "c");
        assertThat(s.str("rpoplpush", "mylist", "mylist")).isEqualTo("c");
        assertThat(all("mylist")).containsExactly("c", "a", large);
        assertThat(storedSubKeys()).isEqualTo(3);
    }

    // "LMOVE $wherefrom $whereto with the same list as src and dst - $type"
    @ParameterizedTest
    @MethodSource("largeValuesAndDirections")
    void lmoveWithTheSameListAsSrcAndDst(String large, String wherefrom, String whereto) {
        if (wherefrom.equals("right")) {
            createList("mylist", "a", large, "c");
            assertThat(all("mylist")).containsExactly("a", large, "c");
        } else {
            createList("mylist", "c", "a", large);
            assertThat(all("mylist")).containsExactly("c", "a", large);
        }
        assertThat(s.str("lmove", "mylist", "mylist", wherefrom, whereto)).isEqualTo("c");
        if (whereto.equals("right")) {
            assertThat(all("mylist")).containsExactly("a", large, "c");
        } else {
            assertThat(all("mylist")).containsExactly("c", "a", large);
        }
        assertThat(storedSubKeys()).isEqualTo(3);
    }

    // Cairn: rotating a one-element list and a full turn of a big list leave them unchanged
    @Test
    void lmoveRotatesSingleAndBigListsInPlace() {
        s.exec("rpush", "one", "x");
        for (String[] d : new String[][] {{"left", "right"}, {"right", "left"}, {"left", "left"}}) {
            assertThat(s.str("lmove", "one", "one", d[0], d[1])).isEqualTo("x");
            assertThat(all("one")).containsExactly("x");
        }
        String[] values = new String[200];
        for (int i = 0; i < values.length; i++) {
            values[i] = "e" + i;
        }
        s.exec(cat(new String[] {"rpush", "ring"}, values));
        for (int i = 0; i < values.length; i++) {
            assertThat(s.str("rpoplpush", "ring", "ring")).isEqualTo(values[values.length - 1 - i]);
        }
        assertThat(all("ring")).containsExactly(values);
        assertThat(s.str("lmove", "ring", "ring", "left", "right")).isEqualTo("e0");
        assertThat(s.str("lindex", "ring", "-1")).isEqualTo("e0");
        assertThat(s.str("lindex", "ring", "0")).isEqualTo("e1");
        assertThat(storedSubKeys()).isEqualTo(201);
    }

    // "RPOPLPUSH with $type source and existing target $othertype"
    @ParameterizedTest
    @MethodSource("largePairs")
    void rpoplpushWithSourceAndExistingTarget(String large, String otherLarge) {
        createList("srclist", "a", "b", "c", large);
        createList("dstlist", otherLarge);
        assertThat(s.str("rpoplpush", "srclist", "dstlist")).isEqualTo(large);
        assertThat(s.str("rpoplpush", "srclist", "dstlist")).isEqualTo("c");
        assertThat(all("srclist")).containsExactly("a", "b");
        assertThat(all("dstlist")).containsExactly("c", large, otherLarge);
    }

    static Stream<Arguments> largePairs() {
        return largeValues().flatMap(a -> largeValues().map(b -> Arguments.of(a, b)));
    }

    static Stream<Arguments> largePairsAndDirections() {
        return largePairs().flatMap(p -> directions().map(d -> Arguments.of(p.get()[0], p.get()[1], d.get()[0], d.get()[1])));
    }

    // "LMOVE $wherefrom $whereto with $type source and existing target $othertype"
    @ParameterizedTest
    @MethodSource("largePairsAndDirections")
    void lmoveWithSourceAndExistingTarget(String large, String otherLarge, String wherefrom, String whereto) {
        createList("dstlist", otherLarge);
        if (wherefrom.equals("right")) {
            createList("srclist", "a", "b", "c", large);
        } else {
            createList("srclist", large, "c", "a", "b");
        }
        assertThat(s.str("lmove", "srclist", "dstlist", wherefrom, whereto)).isEqualTo(large);
        assertThat(s.str("lmove", "srclist", "dstlist", wherefrom, whereto)).isEqualTo("c");
        assertThat(all("srclist")).containsExactly("a", "b");
        if (whereto.equals("right")) {
            assertThat(all("dstlist")).containsExactly(otherLarge, large, "c");
        } else {
            assertThat(all("dstlist")).containsExactly("c", large, otherLarge);
        }
    }

    // "RPOPLPUSH against non existing key"
    @Test
    void rpoplpushAgainstNonExistingKey() {
        s.exec("del", "srclist", "dstlist");
        assertThat(s.exec("rpoplpush", "srclist", "dstlist")).isEqualTo(Reply.NIL);
        assertThat(s.integer("exists", "srclist")).isZero();
        assertThat(s.integer("exists", "dstlist")).isZero();
    }

    // "RPOPLPUSH against non list src key"
    @Test
    void rpoplpushAgainstNonListSrcKey() {
        s.exec("del", "srclist", "dstlist");
        s.exec("set", "srclist", "x");
        assertThat(s.error("rpoplpush", "srclist", "dstlist")).isEqualTo(WRONGTYPE);
        assertThat(s.str("type", "srclist")).isEqualTo("string");
        assertThat(s.integer("exists", "newlist")).isZero();
    }

    // "RPOPLPUSH against non list dst key"
    @Test
    void rpoplpushAgainstNonListDstKey() {
        createList("srclist", "a", "b", "c", "d");
        s.exec("set", "dstlist", "x");
        assertThat(s.error("rpoplpush", "srclist", "dstlist")).isEqualTo(WRONGTYPE);
        assertThat(s.error("lmove", "srclist", "dstlist", "left", "left")).isEqualTo(WRONGTYPE);
        assertThat(s.str("type", "dstlist")).isEqualTo("string");
        assertThat(all("srclist")).containsExactly("a", "b", "c", "d");
    }

    // "RPOPLPUSH against non existing src key": the destination type is not checked then
    @Test
    void rpoplpushAgainstNonExistingSrcKey() {
        s.exec("del", "srclist", "dstlist");
        assertThat(s.exec("rpoplpush", "srclist", "dstlist")).isEqualTo(Reply.NIL);
        s.exec("set", "dstlist", "x");
        assertThat(s.exec("rpoplpush", "srclist", "dstlist")).isEqualTo(Reply.NIL);
        assertThat(s.exec("lmove", "srclist", "dstlist", "left", "right")).isEqualTo(Reply.NIL);
    }

    // Cairn: LMOVE's directions are parsed before any key is looked up
    @Test
    void lmoveDirectionSyntaxErrors() {
        s.exec("set", "str", "x");
        assertThat(s.error("lmove", "nokey", "x", "up", "right")).isEqualTo("ERR syntax error");
        assertThat(s.error("lmove", "nokey", "x", "left", "up")).isEqualTo("ERR syntax error");
        assertThat(s.error("lmove", "str", "x", "LEFT", "down")).isEqualTo("ERR syntax error");
        assertThat(s.error("lmove", "str", "x", "LEFT", "Right")).isEqualTo(WRONGTYPE);
        assertThat(s.error("lmove", "a", "b", "left")).isEqualTo("ERR wrong number of arguments for 'lmove' command");
        assertThat(s.error("rpoplpush", "a")).isEqualTo("ERR wrong number of arguments for 'rpoplpush' command");
    }

    // Cairn: moving the last element deletes the source and creates the destination
    @Test
    void lmoveOfTheLastElementDeletesTheSource() {
        s.exec("rpush", "src", "only");
        assertThat(s.str("lmove", "src", "dst", "right", "left")).isEqualTo("only");
        assertThat(s.integer("exists", "src")).isZero();
        assertThat(all("dst")).containsExactly("only");
        assertThat(storedSubKeys()).isEqualTo(1);
    }

    // ---- pops ------------------------------------------------------------------------------

    // "Basic LPOP/RPOP/LMPOP - $type" (LMPOP is not part of this family)
    @ParameterizedTest
    @MethodSource("largeValues")
    void basicLpopRpop(String large) {
        createList("mylist", large, "1", "2");
        assertThat(s.str("lpop", "mylist")).isEqualTo(large);
        assertThat(s.str("rpop", "mylist")).isEqualTo("2");
        assertThat(s.str("lpop", "mylist")).isEqualTo("1");
        assertThat(s.integer("llen", "mylist")).isZero();
        assertThat(s.exec("lpop", "mylist")).isEqualTo(Reply.NIL);
        assertThat(s.exec("rpop", "mylist")).isEqualTo(Reply.NIL);
    }

    // "LPOP/RPOP/LMPOP against empty list"
    @Test
    void lpopRpopAgainstEmptyList() {
        s.exec("del", "non-existing-list", "non-existing-list2");
        assertThat(s.exec("lpop", "non-existing-list")).isEqualTo(Reply.NIL);
        assertThat(s.exec("rpop", "non-existing-list2")).isEqualTo(Reply.NIL);
    }

    // "LPOP/RPOP/LMPOP NON-BLOCK or BLOCK against non list value"
    @Test
    void lpopRpopAgainstNonListValue() {
        s.exec("set", "notalist", "foo");
        assertThat(s.error("lpop", "notalist")).isEqualTo(WRONGTYPE);
        assertThat(s.error("rpop", "notalist")).isEqualTo(WRONGTYPE);
        assertThat(s.error("rpop", "notalist", "2")).isEqualTo(WRONGTYPE);
    }

    // "Mass RPOP/LPOP - $type"
    @ParameterizedTest
    @ValueSource(ints = {250, 500})
    void massRpopLpop(int num) {
        s.exec("del", "mylist");
        long sum1 = 0;
        for (int i = 0; i < num; i++) {
            s.exec("lpush", "mylist", Integer.toString(i));
            sum1 += i;
        }
        long sum2 = 0;
        for (int i = 0; i < num / 2; i++) {
            sum2 += Long.parseLong(s.str("lpop", "mylist"));
            sum2 += Long.parseLong(s.str("rpop", "mylist"));
        }
        assertThat(sum2).isEqualTo(sum1);
        assertThat(s.integer("exists", "mylist")).isZero();
        assertThat(storedSubKeys()).isZero();
    }

    // Cairn: popping with a count past the point-delete limit uses a range delete
    @Test
    void popWithBigCountsFromBothEnds() {
        String[] values = new String[400];
        for (int i = 0; i < values.length; i++) {
            values[i] = Integer.toString(i);
        }
        s.exec(cat(new String[] {"rpush", "big"}, values));
        List<String> left = s.list("lpop", "big", "150");
        assertThat(left).hasSize(150).startsWith("0", "1").endsWith("149");
        List<String> right = s.list("rpop", "big", "200");
        assertThat(right).hasSize(200).startsWith("399", "398").endsWith("200");
        assertThat(all("big")).hasSize(50).startsWith("150").endsWith("199");
        assertThat(storedSubKeys()).isEqualTo(50);
        assertThat(s.integer("lpush", "big", "new")).isEqualTo(51);
        assertThat(s.integer("rpush", "big", "tail")).isEqualTo(52);
        assertThat(s.str("lindex", "big", "0")).isEqualTo("new");
        assertThat(s.str("lindex", "big", "-1")).isEqualTo("tail");
    }

    // ---- LRANGE ----------------------------------------------------------------------------

    // "LRANGE basics - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void lrangeBasics(String large) {
        createList("mylist", large, "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(s.list("lrange", "mylist", "1", "-2")).containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
        assertThat(s.list("lrange", "mylist", "-3", "-1")).containsExactly("7", "8", "9");
        assertThat(s.list("lrange", "mylist", "4", "4")).containsExactly("4");
    }

    // "LRANGE inverted indexes - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void lrangeInvertedIndexes(String large) {
        createList("mylist", large, "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(s.exec("lrange", "mylist", "6", "2")).isEqualTo(Reply.EMPTY_ARRAY);
    }

    // "LRANGE out of range indexes including the full list - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void lrangeOutOfRangeIndexesIncludingTheFullList(String large) {
        createList("mylist", large, "1", "2", "3");
        assertThat(s.list("lrange", "mylist", "-1000", "1000")).containsExactly(large, "1", "2", "3");
        assertThat(s.list("lrange", "mylist", "-9223372036854775808", "9223372036854775807"))
                .containsExactly(large, "1", "2", "3");
        assertThat(s.list("lrange", "mylist", "4", "10")).isEmpty();
    }

    // "LRANGE out of range negative end index - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void lrangeOutOfRangeNegativeEndIndex(String large) {
        createList("mylist", large, "1", "2", "3");
        assertThat(s.list("lrange", "mylist", "0", "-4")).containsExactly(large);
        assertThat(s.list("lrange", "mylist", "0", "-5")).isEmpty();
    }

    // "LRANGE against non existing key"
    @Test
    void lrangeAgainstNonExistingKey() {
        assertThat(s.exec("lrange", "nosuchkey", "0", "1")).isEqualTo(Reply.EMPTY_ARRAY);
    }

    // "LRANGE with start > end yields an empty array for backward compatibility"
    @Test
    void lrangeWithStartGreaterThanEndYieldsAnEmptyArrayForBackwardCompatibility() {
        createList("mylist", "1", "2", "3");
        assertThat(s.exec("lrange", "mylist", "1", "0")).isEqualTo(Reply.EMPTY_ARRAY);
        assertThat(s.exec("lrange", "mylist", "-1", "-2")).isEqualTo(Reply.EMPTY_ARRAY);
    }

    // Cairn: the indexes are parsed before the key is looked up
    @Test
    void lrangeErrors() {
        s.exec("set", "str", "x");
        assertThat(s.error("lrange", "nokey", "a", "b")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("lrange", "str", "0", "b")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("lrange", "str", "0", "1")).isEqualTo(WRONGTYPE);
        assertThat(s.error("lrange", "str", "0")).isEqualTo("ERR wrong number of arguments for 'lrange' command");
    }

    // ---- LTRIM -----------------------------------------------------------------------------

    List<String> trimList(String large, String min, String max) {
        s.exec("del", "mylist");
        createList("mylist", "1", "2", "3", "4", large);
        assertThat(s.str("ltrim", "mylist", min, max)).isEqualTo("OK");
        return all("mylist");
    }

    // "LTRIM basics - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void ltrimBasics(String large) {
        assertThat(trimList(large, "0", "0")).containsExactly("1");
        assertThat(trimList(large, "0", "1")).containsExactly("1", "2");
        assertThat(trimList(large, "0", "2")).containsExactly("1", "2", "3");
        assertThat(trimList(large, "1", "2")).containsExactly("2", "3");
        assertThat(trimList(large, "1", "-1")).containsExactly("2", "3", "4", large);
        assertThat(trimList(large, "1", "-2")).containsExactly("2", "3", "4");
        assertThat(trimList(large, "-2", "-1")).containsExactly("4", large);
        assertThat(trimList(large, "-1", "-1")).containsExactly(large);
        assertThat(trimList(large, "-5", "-1")).containsExactly("1", "2", "3", "4", large);
        assertThat(trimList(large, "-10", "10")).containsExactly("1", "2", "3", "4", large);
        assertThat(trimList(large, "0", "5")).containsExactly("1", "2", "3", "4", large);
        assertThat(trimList(large, "0", "10")).containsExactly("1", "2", "3", "4", large);
        assertThat(storedSubKeys()).isEqualTo(5);
    }

    // "LTRIM out of range negative end index - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void ltrimOutOfRangeNegativeEndIndex(String large) {
        assertThat(trimList(large, "0", "-5")).containsExactly("1");
        assertThat(trimList(large, "0", "-6")).isEmpty();
        assertThat(s.integer("exists", "mylist")).isZero();
        assertThat(trimList(large, "9223372036854775807", "-9223372036854775808")).isEmpty();
        assertThat(storedSubKeys()).isZero();
    }

    // Cairn: LTRIM errors and a missing key (OK)
    @Test
    void ltrimErrors() {
        s.exec("set", "str", "x");
        assertThat(s.error("ltrim", "str", "a", "b")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("ltrim", "str", "0", "1")).isEqualTo(WRONGTYPE);
        assertThat(s.str("ltrim", "nokey", "0", "1")).isEqualTo("OK");
        assertThat(s.integer("exists", "nokey")).isZero();
        assertThat(s.error("ltrim", "nokey", "0")).isEqualTo("ERR wrong number of arguments for 'ltrim' command");
    }

    // Cairn: capped-list pattern on a big list (range deletes at both ends), then pushes into the
    // trimmed positions
    @Test
    void ltrimBigListWithRangeDeletes() {
        String[] values = new String[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = Integer.toString(i);
        }
        s.exec(cat(new String[] {"rpush", "big"}, values));
        assertThat(s.str("ltrim", "big", "300", "-301")).isEqualTo("OK");
        assertThat(s.integer("llen", "big")).isEqualTo(400);
        assertThat(s.str("lindex", "big", "0")).isEqualTo("300");
        assertThat(s.str("lindex", "big", "-1")).isEqualTo("699");
        assertThat(storedSubKeys()).isEqualTo(400);
        // the positions freed on the left are written again by LPUSH
        for (int i = 0; i < 200; i++) {
            s.exec("lpush", "big", "n" + i);
        }
        assertThat(s.integer("llen", "big")).isEqualTo(600);
        assertThat(s.str("lindex", "big", "0")).isEqualTo("n199");
        assertThat(s.str("lindex", "big", "200")).isEqualTo("300");
        assertThat(s.list("lrange", "big", "198", "201")).containsExactly("n1", "n0", "300", "301");
        assertThat(storedSubKeys()).isEqualTo(600);
    }

    // ---- LSET ------------------------------------------------------------------------------

    // "LSET - $type", "LSET out of range index - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void lsetAndOutOfRangeIndex(String large) {
        createList("mylist", "99", "98", large, "96", "95");
        assertThat(s.str("lset", "mylist", "1", "foo")).isEqualTo("OK");
        assertThat(s.str("lset", "mylist", "-1", "bar")).isEqualTo("OK");
        assertThat(all("mylist")).containsExactly("99", "foo", large, "96", "bar");
        assertThat(s.error("lset", "mylist", "10", "foo")).isEqualTo("ERR index out of range");
        assertThat(s.error("lset", "mylist", "-6", "foo")).isEqualTo("ERR index out of range");
        assertThat(s.error("lset", "mylist", "abc", "foo")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(all("mylist")).containsExactly("99", "foo", large, "96", "bar");
    }

    // "LSET against non existing key"
    @Test
    void lsetAgainstNonExistingKey() {
        assertThat(s.error("lset", "nosuchkey", "10", "foo")).isEqualTo("ERR no such key");
        assertThat(s.error("lset", "nosuchkey", "abc", "foo")).isEqualTo("ERR no such key");
        assertThat(s.integer("exists", "nosuchkey")).isZero();
    }

    // "LSET against non list value"
    @Test
    void lsetAgainstNonListValue() {
        s.exec("set", "nolist", "foobar");
        assertThat(s.error("lset", "nolist", "0", "foo")).isEqualTo(WRONGTYPE);
        assertThat(s.error("lset", "nolist", "abc", "foo")).isEqualTo(WRONGTYPE);
        assertThat(s.error("lset", "nolist", "0")).isEqualTo("ERR wrong number of arguments for 'lset' command");
    }

    // ---- LREM ------------------------------------------------------------------------------

    // "LREM remove all the occurrences - $type", "LREM remove the first occurrence - $type",
    // "LREM remove non existing element - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void lremRemoveAllFirstAndNonExisting(String e) {
        createList("mylist", e, "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo");
        assertThat(s.integer("lrem", "mylist", "0", "bar")).isEqualTo(2);
        assertThat(all("mylist")).containsExactly(e, "foo", "foobar", "foobared", "zap", "test", "foo");
        assertThat(s.integer("lrem", "mylist", "1", "foo")).isEqualTo(1);
        assertThat(all("mylist")).containsExactly(e, "foobar", "foobared", "zap", "test", "foo");
        assertThat(s.integer("lrem", "mylist", "1", "nosuchelement")).isZero();
        assertThat(all("mylist")).containsExactly(e, "foobar", "foobared", "zap", "test", "foo");
        assertThat(storedSubKeys()).isEqualTo(6);
    }

    // "LREM starting from tail with negative count - $type", "(2) - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void lremStartingFromTailWithNegativeCount(String e) {
        createList("mylist", e, "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo", "foo");
        assertThat(s.integer("lrem", "mylist", "-1", "bar")).isEqualTo(1);
        assertThat(all("mylist")).containsExactly(e, "foo", "bar", "foobar", "foobared", "zap", "test", "foo", "foo");
        assertThat(s.integer("lrem", "mylist", "-2", "foo")).isEqualTo(2);
        assertThat(all("mylist")).containsExactly(e, "foo", "bar", "foobar", "foobared", "zap", "test");
        assertThat(storedSubKeys()).isEqualTo(7);
    }

    // "LREM deleting objects that may be int encoded - $type"
    @ParameterizedTest
    @MethodSource("largeValues")
    void lremDeletingObjectsThatMayBeIntEncoded(String e) {
        createList("myotherlist", e, "1", "2", "3");
        assertThat(s.integer("lrem", "myotherlist", "1", "2")).isEqualTo(1);
        assertThat(s.integer("llen", "myotherlist")).isEqualTo(3);
        assertThat(all("myotherlist")).containsExactly(e, "1", "3");
    }

    // Cairn: LREM errors, removing every element, and Redis 7.0's count -9223372036854775808
    // (negated in C it stays negative, so every match goes)
    @Test
    void lremEdgeCases() {
        s.exec("set", "str", "x");
        assertThat(s.error("lrem", "nokey", "abc", "x")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("lrem", "str", "1", "x")).isEqualTo(WRONGTYPE);
        assertThat(s.integer("lrem", "nokey", "1", "x")).isZero();
        assertThat(s.error("lrem", "nokey", "1")).isEqualTo("ERR wrong number of arguments for 'lrem' command");
        createList("l", "a", "b", "c", "1", "2", "3", "c", "c");
        assertThat(s.integer("lrem", "l", "-9223372036854775808", "c")).isEqualTo(3);
        assertThat(all("l")).containsExactly("a", "b", "1", "2", "3");
        createList("same", "z", "z", "z");
        assertThat(s.integer("lrem", "same", "0", "z")).isEqualTo(3);
        assertThat(s.integer("exists", "same")).isZero();
        assertThat(storedSubKeys()).isEqualTo(5);
    }

    // Cairn: LREM in a big list packs the survivors around the longest run, from either end
    @Test
    void lremInABigList() {
        List<String> model = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            model.add(i % 7 == 0 ? "x" : "v" + i);
        }
        s.exec(cat(new String[] {"rpush", "big"}, model.toArray(new String[0])));
        assertThat(s.integer("lrem", "big", "3", "x")).isEqualTo(3);
        removeMatches(model, "x", 3);
        assertThat(s.integer("lrem", "big", "-5", "x")).isEqualTo(5);
        removeMatches(model, "x", -5);
        assertThat(all("big")).isEqualTo(model);
        long left = model.stream().filter("x"::equals).count();
        assertThat(s.integer("lrem", "big", "0", "x")).isEqualTo(left);
        removeMatches(model, "x", 0);
        assertThat(all("big")).isEqualTo(model);
        assertThat(storedSubKeys()).isEqualTo(model.size());
    }

    // ---- big lists, layout, expiry, read-only ----------------------------------------------

    // Cairn: a big list (> 128 elements, deleted by range) deleted and re-created shows none of
    // its old elements
    @Test
    void bigListDelThenRecreate() {
        String[] values = new String[300];
        for (int i = 0; i < values.length; i++) {
            values[i] = "old" + i;
        }
        s.exec(cat(new String[] {"rpush", "big"}, values));
        assertThat(s.integer("llen", "big")).isEqualTo(300);
        assertThat(s.integer("del", "big")).isEqualTo(1);
        assertThat(storedSubKeys()).isZero();
        assertThat(s.integer("llen", "big")).isZero();
        assertThat(s.integer("rpush", "big", "new1", "new2")).isEqualTo(2);
        assertThat(all("big")).containsExactly("new1", "new2");
        assertThat(s.exec("lindex", "big", "2")).isEqualTo(Reply.NIL);
        assertThat(s.exec("lpos", "big", "old5")).isEqualTo(Reply.NIL);
        assertThat(storedSubKeys()).isEqualTo(2);
    }

    // Cairn: an expired list is missing for every list command and replaced by the next push
    @Test
    void expiredListIsGone() {
        s.exec("rpush", "l", "a", "b");
        expireNow("l");
        assertThat(s.integer("llen", "l")).isZero();
        assertThat(s.exec("lpop", "l")).isEqualTo(Reply.NIL);
        assertThat(s.integer("rpushx", "l", "z")).isZero();
        assertThat(s.integer("lpush", "l", "c")).isEqualTo(1);
        assertThat(all("l")).containsExactly("c");
        assertThat(s.integer("ttl", "l")).isEqualTo(-1);
        assertThat(storedSubKeys()).isEqualTo(1);
    }

    /** Gives {@code key} an expiry of now through the framework (no EXPIRE in this family). */
    void expireNow(String key) {
        try (RocksKv kv = s.writeBatch(); WriteOptions wo = new WriteOptions()) {
            ExecContext ctx = new ExecContext(TestStore.GROUP, kv, s.now, s.random, () -> {
                throw new AssertionError("no new versions");
            });
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            ctx.keys().setExpire(k, ctx.keys().get(k), s.now);
            kv.commit(wo);
        }
    }

    // Cairn: several list commands in one write batch (as a Raft apply batch or MULTI runs them)
    // read their own writes, including pushes into positions a range delete just removed
    @Test
    void commandsInOneBatchSeeEachOthersWrites() {
        String[] values = new String[500];
        for (int i = 0; i < values.length; i++) {
            values[i] = Integer.toString(i);
        }
        s.exec(cat(new String[] {"rpush", "big"}, values));
        CommandTable table = CommandTable.standard();
        long[] version = {1_000_000};
        try (RocksKv kv = s.writeBatch(); WriteOptions wo = new WriteOptions()) {
            ExecContext ctx = new ExecContext(TestStore.GROUP, kv, s.now, s.random, () -> version[0]++);
            assertThat(table.execute(ctx, argv("ltrim", "big", "300", "-1"))).isEqualTo(Reply.OK);
            assertThat(table.execute(ctx, argv("lpush", "big", "a", "b"))).isEqualTo(Reply.integer(202));
            assertThat(TestStore.flat(table.execute(ctx, argv("lrange", "big", "0", "2")))).containsExactly("b", "a", "300");
            assertThat(table.execute(ctx, argv("linsert", "big", "after", "a", "mid"))).isEqualTo(Reply.integer(203));
            assertThat(table.execute(ctx, argv("lrem", "big", "0", "a"))).isEqualTo(Reply.integer(1));
            kv.commit(wo);
        }
        assertThat(s.list("lrange", "big", "0", "3")).containsExactly("b", "mid", "300", "301");
        assertThat(s.integer("llen", "big")).isEqualTo(202);
        assertThat(storedSubKeys()).isEqualTo(202);
    }

    // Cairn: read commands run on a read-only snapshot (TestStore runs READONLY commands there);
    // the table's flags match redis-server's COMMAND INFO
    @Test
    void commandTableRowsMatchRedis() {
        CommandTable t = CommandTable.standard();
        Object[][] rows = {
            {"lpush", -3, true, 1, 1}, {"rpush", -3, true, 1, 1}, {"lpushx", -3, true, 1, 1},
            {"rpushx", -3, true, 1, 1}, {"lpop", -2, true, 1, 1}, {"rpop", -2, true, 1, 1},
            {"llen", 2, false, 1, 1}, {"lrange", 4, false, 1, 1}, {"lindex", 3, false, 1, 1},
            {"lset", 4, true, 1, 1}, {"linsert", 5, true, 1, 1}, {"lrem", 4, true, 1, 1},
            {"ltrim", 4, true, 1, 1}, {"lpos", -3, false, 1, 1}, {"lmove", 5, true, 1, 2},
            {"rpoplpush", 3, true, 1, 2},
        };
        for (Object[] r : rows) {
            CommandSpec spec = t.lookup((String) r[0]);
            assertThat(spec).as((String) r[0]).isNotNull();
            assertThat(spec.arity()).as(spec.name()).isEqualTo(r[1]);
            assertThat(spec.isWrite()).as(spec.name()).isEqualTo(r[2]);
            assertThat(spec.flags().contains(CommandFlag.READONLY)).as(spec.name()).isEqualTo(!(Boolean) r[2]);
            assertThat(spec.firstKey()).as(spec.name()).isEqualTo(r[3]);
            assertThat(spec.lastKey()).as(spec.name()).isEqualTo(r[4]);
            assertThat(spec.step()).as(spec.name()).isEqualTo(1);
        }
        assertThat(t.lookup("lpush").flags()).contains(CommandFlag.DENYOOM, CommandFlag.FAST);
        assertThat(t.lookup("llen").flags()).contains(CommandFlag.FAST);
        assertThat(t.lookup("lmove").keyPositions(5)).containsExactly(1, 2);
    }

    // Cairn: random operations against an in-memory model; every reply and the stored sub-key
    // count must match after each step
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void randomOperationsMatchAModel(int seed) {
        Random rnd = new Random(seed);
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (int step = 0; step < 1500; step++) {
            String v = "v" + rnd.nextInt(12);
            String key = rnd.nextBoolean() ? "a" : "b";
            List<String> m = key.equals("a") ? a : b;
            int op = rnd.nextInt(10);
            switch (op) {
                case 0 -> {
                    int k = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 200 : 4);
                    String[] vs = new String[k];
                    for (int i = 0; i < k; i++) {
                        vs[i] = "v" + rnd.nextInt(12);
                    }
                    boolean left = rnd.nextBoolean();
                    s.exec(cat(new String[] {left ? "lpush" : "rpush", key}, vs));
                    for (String x : vs) {
                        if (left) {
                            m.add(0, x);
                        } else {
                            m.add(x);
                        }
                    }
                }
                case 1 -> {
                    int k = rnd.nextInt(rnd.nextInt(8) == 0 ? 300 : 4);
                    boolean left = rnd.nextBoolean();
                    Reply r = s.exec(left ? "lpop" : "rpop", key, Integer.toString(k));
                    if (m.isEmpty()) {
                        assertThat(r).isEqualTo(Reply.NIL_ARRAY);
                    } else {
                        List<String> want = new ArrayList<>();
                        for (int i = 0; i < k && !m.isEmpty(); i++) {
                            want.add(left ? m.remove(0) : m.remove(m.size() - 1));
                        }
                        assertThat(TestStore.flat(r)).isEqualTo(want);
                    }
                }
                case 2 -> {
                    boolean after = rnd.nextBoolean();
                    long got = s.integer("linsert", key, after ? "after" : "before", v, "ins");
                    int p = m.indexOf(v);
                    if (m.isEmpty()) {
                        assertThat(got).isZero();
                    } else if (p < 0) {
                        assertThat(got).isEqualTo(-1);
                    } else {
                        m.add(after ? p + 1 : p, "ins");
                        assertThat(got).isEqualTo(m.size());
                    }
                }
                case 3 -> {
                    int c = rnd.nextInt(7) - 3;
                    String target = rnd.nextBoolean() ? "ins" : v;
                    long got = s.integer("lrem", key, Integer.toString(c), target);
                    assertThat(got).isEqualTo(removeMatches(m, target, c));
                }
                case 4 -> {
                    int n = m.size() + 2;
                    long start = rnd.nextInt(2 * n) - n;
                    long end = rnd.nextInt(2 * n) - n;
                    s.exec("ltrim", key, Long.toString(start), Long.toString(end));
                    trimModel(m, start, end);
                }
                case 5 -> {
                    String dst = rnd.nextBoolean() ? "a" : "b";
                    List<String> dm = dst.equals("a") ? a : b;
                    boolean fromLeft = rnd.nextBoolean();
                    boolean toLeft = rnd.nextBoolean();
                    Reply r = s.exec("lmove", key, dst, fromLeft ? "left" : "right", toLeft ? "left" : "right");
                    if (m.isEmpty()) {
                        assertThat(r).isEqualTo(Reply.NIL);
                    } else {
                        String x = fromLeft ? m.remove(0) : m.remove(m.size() - 1);
                        if (toLeft) {
                            dm.add(0, x);
                        } else {
                            dm.add(x);
                        }
                        assertThat(TestStore.text(r)).isEqualTo(x);
                    }
                }
                case 6 -> {
                    if (!m.isEmpty()) {
                        int i = rnd.nextInt(m.size());
                        long idx = rnd.nextBoolean() ? i : i - m.size();
                        s.exec("lset", key, Long.toString(idx), "set" + step);
                        m.set(i, "set" + step);
                    }
                }
                case 7 -> {
                    List<Reply> want = new ArrayList<>();
                    for (int i = 0; i < m.size(); i++) {
                        if (m.get(i).equals(v)) {
                            want.add(Reply.integer(i));
                        }
                    }
                    assertThat(s.exec("lpos", key, v, "COUNT", "0")).isEqualTo(m.isEmpty() ? Reply.EMPTY_ARRAY : Reply.array(want));
                    Collections.reverse(want);
                    assertThat(s.exec("lpos", key, v, "COUNT", "0", "RANK", "-1"))
                            .isEqualTo(m.isEmpty() ? Reply.EMPTY_ARRAY : Reply.array(want));
                }
                case 8 -> {
                    if (rnd.nextInt(20) == 0) {
                        s.exec("del", key);
                        m.clear();
                    }
                }
                default -> {
                    int n = m.size() + 2;
                    int start = rnd.nextInt(2 * n) - n;
                    int end = rnd.nextInt(2 * n) - n;
                    assertThat(s.list("lrange", key, Integer.toString(start), Integer.toString(end)))
                            .isEqualTo(rangeModel(m, start, end));
                }
            }
            assertThat(all("a")).as("step %d op %d", step, op).isEqualTo(a);
            assertThat(all("b")).as("step %d op %d", step, op).isEqualTo(b);
            assertThat(s.integer("llen", "a")).isEqualTo(a.size());
            assertThat(storedSubKeys()).as("step %d op %d", step, op).isEqualTo(a.size() + b.size());
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** LREM on the model: count > 0 from the head, < 0 from the tail, 0 all; returns the number removed. */
    int removeMatches(List<String> m, String v, long count) {
        int removed = 0;
        if (count >= 0) {
            for (int i = 0; i < m.size() && (count == 0 || removed < count); ) {
                if (m.get(i).equals(v)) {
                    m.remove(i);
                    removed++;
                } else {
                    i++;
                }
            }
        } else {
            for (int i = m.size() - 1; i >= 0 && removed < -count; i--) {
                if (m.get(i).equals(v)) {
                    m.remove(i);
                    removed++;
                }
            }
        }
        return removed;
    }

    static void trimModel(List<String> m, long start, long end) {
        List<String> keep = rangeModel(m, start, end);
        m.clear();
        m.addAll(keep);
    }

    static List<String> rangeModel(List<String> m, long start, long end) {
        long n = m.size();
        if (start < 0) {
            start += n;
        }
        if (end < 0) {
            end += n;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= n) {
            return new ArrayList<>();
        }
        if (end >= n) {
            end = n - 1;
        }
        return new ArrayList<>(m.subList((int) start, (int) end + 1));
    }

    static String[] cat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
