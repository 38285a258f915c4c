package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirrors Redis's tests/unit/type/zset.tcl (test names in comments; method names follow them).
 * Expected replies were checked against redis-server 7.0.15.
 */
class ZSetTypeTest {
    private static final String WRONGTYPE = Errors.WRONGTYPE;

    @TempDir
    Path dir;
    TestStore s;
    /** Versions for sets written directly by {@link #sadd} (far from TestStore's counter). */
    private long setVersion = 1_000_000;

    @BeforeEach
    void open() {
        s = new TestStore(dir);
    }

    @AfterEach
    void close() {
        s.close();
    }

    /** Writes a plain set (the sets family's layout: subPrefix + member -> empty) for ZUNIONSTORE etc. */
    private void sadd(String key, String... members) {
        try (RocksKv kv = s.writeBatch()) {
            ExecContext ctx = new ExecContext(TestStore.GROUP, kv, s.now, new Random(1), () -> setVersion++);
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            Meta m = ctx.keys().newCollection(TypeCode.SET);
            byte[] prefix = ctx.keys().subPrefix(k, m);
            for (String member : members) {
                kv.put(KeyCodec.subKey(prefix, member.getBytes(StandardCharsets.UTF_8)), new byte[0]);
            }
            m.count = members.length;
            ctx.keys().create(k, m);
            kv.commit(new org.rocksdb.WriteOptions());
        }
    }

    /** Sets the expiry of a live key to {@code s.now + ms} (the keys family owns EXPIRE). */
    private void expireIn(String key, long ms) {
        try (RocksKv kv = s.writeBatch()) {
            ExecContext ctx = new ExecContext(TestStore.GROUP, kv, s.now, new Random(1), () -> setVersion++);
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            ctx.keys().setExpire(k, ctx.keys().get(k), s.now + ms);
            kv.commit(new org.rocksdb.WriteOptions());
        }
    }

    private void createDefaultZset() {
        s.exec("del", "zset");
        s.exec("zadd", "zset", "-inf", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "+inf", "g");
    }

    private void createZset(String key, String... scoreMember) {
        s.exec("del", key);
        String[] args = new String[scoreMember.length + 2];
        args[0] = "zadd";
        args[1] = key;
        System.arraycopy(scoreMember, 0, args, 2, scoreMember.length);
        s.exec(args);
    }

    // ---- ZADD ---------------------------------------------------------------------------------

    // "ZSET basic ZADD and score update"
    @Test
    void zsetBasicZaddAndScoreUpdate() {
        s.exec("zadd", "ztmp", "10", "x");
        s.exec("zadd", "ztmp", "20", "y");
        s.exec("zadd", "ztmp", "30", "z");
        assertThat(s.list("zrange", "ztmp", "0", "-1")).containsExactly("x", "y", "z");
        s.exec("zadd", "ztmp", "1", "y");
        assertThat(s.list("zrange", "ztmp", "0", "-1")).containsExactly("y", "x", "z");
        assertThat(s.integer("zcard", "ztmp")).isEqualTo(3);
    }

    // "ZSET element can't be set to NaN with ZADD" / "... with ZINCRBY"
    @Test
    void zsetElementCantBeSetToNanWithZaddOrZincrby() {
        assertThat(s.error("zadd", "myzset", "nan", "abc")).isEqualTo("ERR value is not a valid float");
        assertThat(s.error("zincrby", "myzset", "nan", "abc")).isEqualTo("ERR value is not a valid float");
        assertThat(s.error("zadd", "myzset", "1e400", "abc")).isEqualTo("ERR value is not a valid float");
        assertThat(s.integer("exists", "myzset")).isZero();
    }

    // "ZINCRBY calls leading to NaN result in error"
    @Test
    void zincrbyCallsLeadingToNanResultInError() {
        s.exec("zincrby", "myzset", "+inf", "abc");
        assertThat(s.error("zincrby", "myzset", "-inf", "abc")).isEqualTo("ERR resulting score is not a number (NaN)");
        assertThat(s.error("zadd", "myzset", "incr", "-inf", "abc")).isEqualTo("ERR resulting score is not a number (NaN)");
        assertThat(s.str("zscore", "myzset", "abc")).isEqualTo("inf");
    }

    // "ZADD XX option without key"
    @Test
    void zaddXxOptionWithoutKey() {
        assertThat(s.integer("zadd", "ztmp", "xx", "10", "x")).isZero();
        assertThat(s.str("type", "ztmp")).isEqualTo("none");
        assertThat(s.str("zadd", "ztmp", "xx", "incr", "10", "x")).isNull();
    }

    // "ZADD XX existing key" / "ZADD XX returns the number of elements actually added"
    // / "ZADD XX updates existing elements score"
    @Test
    void zaddXxUpdatesExistingElementsOnly() {
        s.exec("zadd", "ztmp", "10", "x", "20", "y", "30", "z");
        assertThat(s.integer("zadd", "ztmp", "xx", "5", "foo", "11", "x", "21", "y", "40", "zap")).isZero();
        assertThat(s.integer("zcard", "ztmp")).isEqualTo(3);
        assertThat(s.str("zscore", "ztmp", "x")).isEqualTo("11");
        assertThat(s.str("zscore", "ztmp", "y")).isEqualTo("21");
        assertThat(s.str("zscore", "ztmp", "foo")).isNull();
    }

    // "ZADD GT updates existing elements when new scores are greater"
    // / "ZADD LT updates existing elements when new scores are lower"
    // / "ZADD GT XX updates existing elements when new scores are greater and skips new elements"
    // / "ZADD LT XX updates existing elements when new scores are lower and skips new elements"
    @Test
    void zaddGtLtUpdateOnlyInTheirDirection() {
        s.exec("zadd", "ztmp", "10", "x", "20", "y", "30", "z");
        assertThat(s.integer("zadd", "ztmp", "gt", "ch", "5", "foo", "11", "x", "21", "y", "29", "z")).isEqualTo(3);
        assertThat(s.list("zrange", "ztmp", "0", "-1", "withscores"))
                .containsExactly("foo", "5", "x", "11", "y", "21", "z", "30");
        assertThat(s.integer("zadd", "ztmp", "lt", "ch", "6", "foo", "1", "x", "22", "y", "29", "z", "7", "new"))
                .isEqualTo(3);
        assertThat(s.list("zrange", "ztmp", "0", "-1", "withscores"))
                .containsExactly("x", "1", "foo", "5", "new", "7", "y", "21", "z", "29");
        assertThat(s.integer("zadd", "ztmp", "gt", "xx", "ch", "100", "x", "50", "nope")).isEqualTo(1);
        assertThat(s.integer("zadd", "ztmp", "lt", "xx", "ch", "0", "z", "50", "nope")).isEqualTo(1);
        assertThat(s.str("zscore", "ztmp", "nope")).isNull();
        assertThat(s.list("zrange", "ztmp", "0", "-1", "withscores"))
                .containsExactly("z", "0", "foo", "5", "new", "7", "y", "21", "x", "100");
    }

    // "ZADD NX with non existing key" / "ZADD NX only add new elements without updating old ones"
    @Test
    void zaddNxOnlyAddsNewElementsWithoutUpdatingOldOnes() {
        assertThat(s.integer("zadd", "ztmp", "nx", "10", "x", "20", "y", "30", "z")).isEqualTo(3);
        assertThat(s.integer("zadd", "ztmp", "nx", "11", "x", "21", "y", "100", "a", "200", "b")).isEqualTo(2);
        assertThat(s.str("zscore", "ztmp", "x")).isEqualTo("10");
        assertThat(s.str("zscore", "ztmp", "y")).isEqualTo("20");
        assertThat(s.str("zscore", "ztmp", "a")).isEqualTo("100");
        assertThat(s.str("zadd", "ztmp", "nx", "incr", "5", "x")).isNull();
    }

    // "ZADD XX and NX are not compatible" / "ZADD GT and NX are not compatible"
    // / "ZADD LT and NX are not compatible" / "ZADD LT and GT are not compatible"
    // / "ZADD INCR works with a single score-elemenet pair"
    @Test
    void zaddIncompatibleOptions() {
        assertThat(s.error("zadd", "ztmp", "xx", "nx", "10", "x")).isEqualTo("ERR XX and NX options at the same time are not compatible");
        assertThat(s.error("zadd", "ztmp", "gt", "nx", "10", "x")).isEqualTo("ERR GT, LT, and/or NX options at the same time are not compatible");
        assertThat(s.error("zadd", "ztmp", "lt", "nx", "10", "x")).isEqualTo("ERR GT, LT, and/or NX options at the same time are not compatible");
        assertThat(s.error("zadd", "ztmp", "lt", "gt", "10", "x")).isEqualTo("ERR GT, LT, and/or NX options at the same time are not compatible");
        assertThat(s.error("zadd", "ztmp", "incr", "10", "x", "20", "y")).isEqualTo("ERR INCR option supports a single increment-element pair");
        assertThat(s.integer("exists", "ztmp")).isZero();
    }

    // "ZADD INCR LT/GT replies with nill if score not updated"
    // / "ZADD INCR LT/GT with inf"
    @Test
    void zaddIncrLtGtRepliesWithNilIfScoreNotUpdated() {
        s.exec("zadd", "ztmp", "28", "x");
        assertThat(s.str("zadd", "ztmp", "lt", "incr", "1", "x")).isNull();
        assertThat(s.str("zscore", "ztmp", "x")).isEqualTo("28");
        assertThat(s.str("zadd", "ztmp", "gt", "incr", "-1", "x")).isNull();
        assertThat(s.str("zadd", "ztmp", "gt", "incr", "-1", "x")).isNull();
        assertThat(s.str("zadd", "ztmp", "gt", "incr", "2", "x")).isEqualTo("30");
        s.exec("del", "ztmp");
        s.exec("zadd", "ztmp", "+inf", "x", "-inf", "y");
        assertThat(s.str("zadd", "ztmp", "lt", "incr", "1", "x")).isNull();
        assertThat(s.str("zadd", "ztmp", "gt", "incr", "-1", "y")).isNull();
        assertThat(s.str("zadd", "ztmp", "incr", "1", "x")).isEqualTo("inf");
    }

    // "ZADD INCR works like ZINCRBY" / "ZADD INCR works with a single score-elemenet pair"
    @Test
    void zaddIncrWorksLikeZincrby() {
        s.exec("zadd", "ztmp", "10", "x", "20", "y", "30", "z");
        Reply r = s.exec("zadd", "ztmp", "incr", "15", "x");
        assertThat(r).isEqualTo(new Reply.Dbl(25));
        assertThat(s.str("zscore", "ztmp", "x")).isEqualTo("25");
        assertThat(s.list("zrange", "ztmp", "0", "-1")).containsExactly("y", "x", "z");
    }

    // "ZADD CH option changes return value to all changed elements"
    @Test
    void zaddChOptionChangesReturnValueToAllChangedElements() {
        s.exec("zadd", "ztmp", "10", "x", "20", "y", "30", "z");
        assertThat(s.integer("zadd", "ztmp", "11", "x", "21", "y", "30", "z")).isZero();
        assertThat(s.integer("zadd", "ztmp", "ch", "12", "x", "22", "y", "30", "z")).isEqualTo(2);
    }

    // "ZADD - Variadic version base case" / "ZADD - Return value is the number of actually added items"
    @Test
    void zaddVariadicVersionBaseCaseAndReturnValue() {
        assertThat(s.integer("zadd", "myzset", "10", "a", "20", "b", "30", "c")).isEqualTo(3);
        assertThat(s.list("zrange", "myzset", "0", "-1", "withscores")).containsExactly("a", "10", "b", "20", "c", "30");
        assertThat(s.integer("zadd", "myzset", "5", "x", "20", "b", "30", "c")).isEqualTo(1);
        assertThat(s.list("zrange", "myzset", "0", "-1", "withscores"))
                .containsExactly("x", "5", "a", "10", "b", "20", "c", "30");
        // the same member twice in one call: added once, the last score wins
        assertThat(s.integer("zadd", "dup", "1", "m", "2", "m")).isEqualTo(1);
        assertThat(s.str("zscore", "dup", "m")).isEqualTo("2");
        assertThat(s.integer("zcard", "dup")).isEqualTo(1);
    }

    // "ZADD - Variadic version does not add nothing on single parsing err"
    // / "ZADD - Variadic version will raise error on missing arg"
    // / "ZINCRBY does not work variadic even if shares ZADD implementation"
    @Test
    void zaddVariadicErrors() {
        assertThat(s.error("zadd", "myzset", "10", "a", "20", "b", "30.badscore", "c")).isEqualTo("ERR value is not a valid float");
        assertThat(s.integer("exists", "myzset")).isZero();
        assertThat(s.error("zadd", "myzset", "10", "a", "20", "b", "30", "c", "40")).isEqualTo("ERR syntax error");
        assertThat(s.error("zadd", "myzset", "nx", "1")).isEqualTo("ERR syntax error");
        assertThat(s.error("zadd", "myzset", "xx")).isEqualTo("ERR wrong number of arguments for 'zadd' command");
        assertThat(s.error("zincrby", "myzset", "10", "a", "20", "b", "30", "c"))
                .isEqualTo("ERR wrong number of arguments for 'zincrby' command");
        assertThat(s.error("zincrby", "myzset", "x", "a")).isEqualTo("ERR value is not a valid float");
    }

    // "ZSCORE/ZADD/... against wrong type" (WRONGTYPE for every command on a string key)
    @Test
    void everyCommandAgainstAWrongTypeKey() {
        s.exec("set", "str", "v");
        String[][] calls = {
                {"zadd", "str", "1", "a"}, {"zincrby", "str", "1", "a"}, {"zrem", "str", "a"},
                {"zscore", "str", "a"}, {"zmscore", "str", "a"}, {"zcard", "str"}, {"zcount", "str", "0", "1"},
                {"zlexcount", "str", "-", "+"}, {"zrange", "str", "0", "-1"}, {"zrangestore", "d", "str", "0", "-1"},
                {"zrevrange", "str", "0", "-1"}, {"zrangebyscore", "str", "0", "1"},
                {"zrevrangebyscore", "str", "1", "0"}, {"zrangebylex", "str", "-", "+"},
                {"zrevrangebylex", "str", "+", "-"}, {"zrank", "str", "a"}, {"zrevrank", "str", "a"},
                {"zpopmin", "str"}, {"zpopmax", "str", "0"}, {"zremrangebyrank", "str", "0", "1"},
                {"zremrangebyscore", "str", "0", "1"}, {"zremrangebylex", "str", "-", "+"},
                {"zunionstore", "d", "1", "str"}, {"zinterstore", "d", "1", "str"}, {"zdiffstore", "d", "1", "str"},
                {"zunion", "1", "str"}, {"zinter", "1", "str"}, {"zdiff", "1", "str"}, {"zintercard", "1", "str"},
                {"zrandmember", "str"}, {"zrandmember", "str", "2"},
        };
        for (String[] call : calls) {
            assertThat(s.error(call)).as(String.join(" ", call)).isEqualTo(WRONGTYPE);
        }
        assertThat(s.str("get", "str")).isEqualTo("v");
    }

    // "ZCARD basics"
    @Test
    void zcardBasics() {
        s.exec("zadd", "ztmp", "10", "a", "20", "b", "30", "c");
        assertThat(s.integer("zcard", "ztmp")).isEqualTo(3);
        assertThat(s.integer("zcard", "zdoesntexist")).isZero();
        assertThat(s.error("zcard")).isEqualTo("ERR wrong number of arguments for 'zcard' command");
    }

    // "ZREM removes key after last element is removed"
    @Test
    void zremRemovesKeyAfterLastElementIsRemoved() {
        s.exec("zadd", "ztmp", "10", "x");
        s.exec("zadd", "ztmp", "20", "y");
        assertThat(s.integer("exists", "ztmp")).isEqualTo(1);
        assertThat(s.integer("zrem", "ztmp", "z")).isZero();
        assertThat(s.integer("zrem", "ztmp", "y")).isEqualTo(1);
        assertThat(s.integer("zrem", "ztmp", "x")).isEqualTo(1);
        assertThat(s.integer("exists", "ztmp")).isZero();
        assertThat(s.rawContents()).isEmpty();
    }

    // "ZREM variadic version" / "ZREM variadic version -- remove elements after key deletion"
    @Test
    void zremVariadicVersion() {
        s.exec("zadd", "ztmp", "10", "a", "20", "b", "30", "c");
        assertThat(s.integer("zrem", "ztmp", "x", "y", "a", "b", "k")).isEqualTo(2);
        assertThat(s.integer("zrem", "ztmp", "foo", "bar")).isZero();
        assertThat(s.integer("zrem", "ztmp", "c")).isEqualTo(1);
        assertThat(s.integer("exists", "ztmp")).isZero();
        s.exec("zadd", "ztmp", "10", "a", "20", "b", "30", "c");
        assertThat(s.integer("zrem", "ztmp", "a", "b", "c", "d", "e", "f", "g")).isEqualTo(3);
        assertThat(s.integer("zrem", "nokey", "a")).isZero();
        assertThat(s.error("zrem", "ztmp")).isEqualTo("ERR wrong number of arguments for 'zrem' command");
    }

    // ---- ZRANGE / ZREVRANGE by rank ---------------------------------------------------------

    // "ZRANGE basics"
    @Test
    void zrangeBasics() {
        s.exec("zadd", "ztmp", "1", "a", "2", "b", "3", "c", "4", "d");
        assertThat(s.list("zrange", "ztmp", "0", "-1")).containsExactly("a", "b", "c", "d");
        assertThat(s.list("zrange", "ztmp", "0", "-2")).containsExactly("a", "b", "c");
        assertThat(s.list("zrange", "ztmp", "1", "-1")).containsExactly("b", "c", "d");
        assertThat(s.list("zrange", "ztmp", "1", "-2")).containsExactly("b", "c");
        assertThat(s.list("zrange", "ztmp", "-2", "-1")).containsExactly("c", "d");
        assertThat(s.list("zrange", "ztmp", "-2", "-2")).containsExactly("c");
        // out of range start index
        assertThat(s.list("zrange", "ztmp", "-5", "2")).containsExactly("a", "b", "c");
        assertThat(s.list("zrange", "ztmp", "-5", "1")).containsExactly("a", "b");
        assertThat(s.list("zrange", "ztmp", "5", "-1")).isEmpty();
        assertThat(s.list("zrange", "ztmp", "5", "-2")).isEmpty();
        // out of range end index
        assertThat(s.list("zrange", "ztmp", "0", "5")).containsExactly("a", "b", "c", "d");
        assertThat(s.list("zrange", "ztmp", "1", "5")).containsExactly("b", "c", "d");
        assertThat(s.list("zrange", "ztmp", "0", "-5")).isEmpty();
        assertThat(s.list("zrange", "ztmp", "1", "-5")).isEmpty();
        // withscores
        assertThat(s.list("zrange", "ztmp", "0", "-1", "withscores")).containsExactly("a", "1", "b", "2", "c", "3", "d", "4");
        assertThat(s.list("zrange", "nokey", "0", "-1")).isEmpty();
        assertThat(s.error("zrange", "ztmp", "x", "1")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("zrange", "ztmp", "0")).isEqualTo("ERR wrong number of arguments for 'zrange' command");
    }

    // "ZREVRANGE basics"
    @Test
    void zrevrangeBasics() {
        s.exec("zadd", "ztmp", "1", "a", "2", "b", "3", "c", "4", "d");
        assertThat(s.list("zrevrange", "ztmp", "0", "-1")).containsExactly("d", "c", "b", "a");
        assertThat(s.list("zrevrange", "ztmp", "0", "-2")).containsExactly("d", "c", "b");
        assertThat(s.list("zrevrange", "ztmp", "1", "-1")).containsExactly("c", "b", "a");
        assertThat(s.list("zrevrange", "ztmp", "1", "-2")).containsExactly("c", "b");
        assertThat(s.list("zrevrange", "ztmp", "-2", "-1")).containsExactly("b", "a");
        assertThat(s.list("zrevrange", "ztmp", "-2", "-2")).containsExactly("b");
        assertThat(s.list("zrevrange", "ztmp", "-5", "2")).containsExactly("d", "c", "b");
        assertThat(s.list("zrevrange", "ztmp", "-5", "1")).containsExactly("d", "c");
        assertThat(s.list("zrevrange", "ztmp", "5", "-1")).isEmpty();
        assertThat(s.list("zrevrange", "ztmp", "0", "5")).containsExactly("d", "c", "b", "a");
        assertThat(s.list("zrevrange", "ztmp", "1", "5")).containsExactly("c", "b", "a");
        assertThat(s.list("zrevrange", "ztmp", "0", "-5")).isEmpty();
        assertThat(s.list("zrevrange", "ztmp", "0", "-1", "withscores")).containsExactly("d", "4", "c", "3", "b", "2", "a", "1");
        assertThat(s.list("zrange", "ztmp", "0", "1", "rev")).containsExactly("d", "c");
        assertThat(s.list("zrange", "ztmp", "3", "1", "rev")).isEmpty();
        assertThat(s.error("zrevrange", "ztmp", "0", "1", "rev")).isEqualTo("ERR syntax error");
        assertThat(s.error("zrevrange", "ztmp", "0", "1", "limit", "0", "1"))
                .isEqualTo("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    }

    // Replies in both protocols: WITHSCORES are pairs of (bulk, double)
    @Test
    void zrangeWithscoresRepliesArePairsOfDoubles() {
        s.exec("zadd", "ztmp", "1.5", "a", "2", "b");
        Reply r = s.exec("zrange", "ztmp", "0", "-1", "withscores");
        assertThat(r).isInstanceOf(Reply.Pairs.class);
        assertThat(((Reply.Pairs) r).flat().get(1)).isEqualTo(new Reply.Dbl(1.5));
        assertThat(s.exec("zrange", "ztmp", "0", "-1")).isInstanceOf(Reply.Arr.class);
        assertThat(s.exec("zscore", "ztmp", "a")).isEqualTo(new Reply.Dbl(1.5));
        assertThat(s.str("zscore", "ztmp", "a")).isEqualTo("1.5");
        s.exec("zadd", "ztmp", "0.1", "c");
        assertThat(s.str("zscore", "ztmp", "c")).isEqualTo("0.10000000000000001");
    }

    // "ZRANK/ZREVRANK basics" / "ZRANK - after deletion"
    @Test
    void zrankZrevrankBasicsAndAfterDeletion() {
        s.exec("zadd", "zranktmp", "10", "x", "20", "y", "30", "z");
        assertThat(s.integer("zrank", "zranktmp", "x")).isZero();
        assertThat(s.integer("zrank", "zranktmp", "y")).isEqualTo(1);
        assertThat(s.integer("zrank", "zranktmp", "z")).isEqualTo(2);
        assertThat(s.str("zrank", "zranktmp", "foo")).isNull();
        assertThat(s.integer("zrevrank", "zranktmp", "x")).isEqualTo(2);
        assertThat(s.integer("zrevrank", "zranktmp", "y")).isEqualTo(1);
        assertThat(s.integer("zrevrank", "zranktmp", "z")).isZero();
        assertThat(s.str("zrevrank", "zranktmp", "foo")).isNull();
        assertThat(s.str("zrank", "nokey", "foo")).isNull();
        s.exec("zrem", "zranktmp", "y");
        assertThat(s.integer("zrank", "zranktmp", "x")).isZero();
        assertThat(s.integer("zrank", "zranktmp", "z")).isEqualTo(1);
        assertThat(s.error("zrank", "zranktmp", "x", "withscore")).isEqualTo("ERR wrong number of arguments for 'zrank' command");
    }

    // "ZINCRBY - can create a new sorted set" / "ZINCRBY - increment and decrement"
    @Test
    void zincrbyCreatesIncrementsAndDecrements() {
        s.exec("zincrby", "zset", "1", "foo");
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("foo");
        assertThat(s.str("zscore", "zset", "foo")).isEqualTo("1");
        s.exec("zincrby", "zset", "2", "foo");
        s.exec("zincrby", "zset", "1", "bar");
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("bar", "foo");
        s.exec("zincrby", "zset", "10", "bar");
        s.exec("zincrby", "zset", "-5", "foo");
        s.exec("zincrby", "zset", "-5", "bar");
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("foo", "bar");
        assertThat(s.str("zscore", "zset", "foo")).isEqualTo("-2");
        assertThat(s.str("zscore", "zset", "bar")).isEqualTo("6");
        assertThat(s.exec("zincrby", "zset", "0.5", "bar")).isEqualTo(new Reply.Dbl(6.5));
    }

    // "ZSCORE" / "ZMSCORE basics" / "ZMSCORE retrieve from empty set" / "ZMSCORE retrieve with missing member"
    @Test
    void zscoreAndZmscore() {
        s.exec("zadd", "zscoretest", "10", "x", "20", "y");
        assertThat(s.str("zscore", "zscoretest", "x")).isEqualTo("10");
        assertThat(s.str("zscore", "zscoretest", "nope")).isNull();
        assertThat(s.str("zscore", "nokey", "x")).isNull();
        assertThat(s.list("zmscore", "zscoretest", "x", "y")).containsExactly("10", "20");
        assertThat(s.list("zmscore", "zscoretest", "x", "nope")).containsExactly("10", null);
        assertThat(s.list("zmscore", "nokey", "a", "b")).containsExactly(null, null);
        Reply r = s.exec("zmscore", "zscoretest", "y");
        assertThat(((Reply.Arr) r).items().get(0)).isEqualTo(new Reply.Dbl(20));
        assertThat(s.error("zmscore", "zscoretest")).isEqualTo("ERR wrong number of arguments for 'zmscore' command");
        assertThat(s.error("zscore", "zscoretest")).isEqualTo("ERR wrong number of arguments for 'zscore' command");
    }

    // ---- score ranges ----------------------------------------------------------------------

    // "ZRANGEBYSCORE/ZREVRANGEBYSCORE/ZCOUNT basics"
    @Test
    void zrangebyscoreZrevrangebyscoreZcountBasics() {
        createDefaultZset();
        // inclusive range
        assertThat(s.list("zrangebyscore", "zset", "-inf", "2")).containsExactly("a", "b", "c");
        assertThat(s.list("zrangebyscore", "zset", "0", "3")).containsExactly("b", "c", "d");
        assertThat(s.list("zrangebyscore", "zset", "3", "6")).containsExactly("d", "e", "f");
        assertThat(s.list("zrangebyscore", "zset", "4", "+inf")).containsExactly("e", "f", "g");
        assertThat(s.list("zrevrangebyscore", "zset", "2", "-inf")).containsExactly("c", "b", "a");
        assertThat(s.list("zrevrangebyscore", "zset", "3", "0")).containsExactly("d", "c", "b");
        assertThat(s.list("zrevrangebyscore", "zset", "6", "3")).containsExactly("f", "e", "d");
        assertThat(s.list("zrevrangebyscore", "zset", "+inf", "4")).containsExactly("g", "f", "e");
        assertThat(s.integer("zcount", "zset", "0", "3")).isEqualTo(3);
        // exclusive range
        assertThat(s.list("zrangebyscore", "zset", "(-inf", "(2")).containsExactly("b");
        assertThat(s.list("zrangebyscore", "zset", "(0", "(3")).containsExactly("b", "c");
        assertThat(s.list("zrangebyscore", "zset", "(3", "(6")).containsExactly("e", "f");
        assertThat(s.list("zrangebyscore", "zset", "(4", "(+inf")).containsExactly("f");
        assertThat(s.list("zrevrangebyscore", "zset", "(2", "(-inf")).containsExactly("b");
        assertThat(s.list("zrevrangebyscore", "zset", "(3", "(0")).containsExactly("c", "b");
        assertThat(s.list("zrevrangebyscore", "zset", "(6", "(3")).containsExactly("f", "e");
        assertThat(s.list("zrevrangebyscore", "zset", "(+inf", "(4")).containsExactly("f");
        assertThat(s.integer("zcount", "zset", "(0", "(3")).isEqualTo(2);
        // test empty ranges
        s.exec("zrem", "zset", "a");
        s.exec("zrem", "zset", "g");
        assertThat(s.list("zrangebyscore", "zset", "4", "2")).isEmpty();
        assertThat(s.list("zrangebyscore", "zset", "6", "+inf")).isEmpty();
        assertThat(s.list("zrangebyscore", "zset", "-inf", "-6")).isEmpty();
        assertThat(s.list("zrevrangebyscore", "zset", "+inf", "6")).isEmpty();
        assertThat(s.list("zrevrangebyscore", "zset", "-6", "-inf")).isEmpty();
        assertThat(s.list("zrangebyscore", "zset", "(4", "(2")).isEmpty();
        assertThat(s.list("zrangebyscore", "zset", "2", "(2")).isEmpty();
        assertThat(s.list("zrangebyscore", "zset", "(2", "2")).isEmpty();
        assertThat(s.list("zrangebyscore", "zset", "(6", "(+inf")).isEmpty();
        assertThat(s.list("zrangebyscore", "zset", "(-inf", "(-6")).isEmpty();
        assertThat(s.list("zrevrangebyscore", "zset", "(+inf", "(6")).isEmpty();
        assertThat(s.list("zrevrangebyscore", "zset", "(-6", "(-inf")).isEmpty();
        // empty inner range
        assertThat(s.list("zrangebyscore", "zset", "2.4", "2.6")).isEmpty();
        assertThat(s.list("zrangebyscore", "zset", "(2.4", "2.6")).isEmpty();
        assertThat(s.list("zrangebyscore", "zset", "2.4", "(2.6")).isEmpty();
        assertThat(s.list("zrangebyscore", "zset", "(2.4", "(2.6")).isEmpty();
        assertThat(s.integer("zcount", "zset", "(2.4", "(2.6")).isZero();
        assertThat(s.integer("zcount", "nokey", "-inf", "+inf")).isZero();
    }

    // "ZRANGEBYSCORE with WITHSCORES"
    @Test
    void zrangebyscoreWithWithscores() {
        createDefaultZset();
        assertThat(s.list("zrangebyscore", "zset", "0", "3", "withscores")).containsExactly("b", "1", "c", "2", "d", "3");
        assertThat(s.list("zrevrangebyscore", "zset", "3", "0", "withscores")).containsExactly("d", "3", "c", "2", "b", "1");
        assertThat(s.list("zrangebyscore", "zset", "-inf", "-inf", "withscores")).containsExactly("a", "-inf");
        assertThat(s.list("zrangebyscore", "zset", "+inf", "+inf", "withscores")).containsExactly("g", "inf");
    }

    // "ZRANGEBYSCORE with LIMIT"
    @Test
    void zrangebyscoreWithLimit() {
        createDefaultZset();
        assertThat(s.list("zrangebyscore", "zset", "0", "10", "LIMIT", "0", "2")).containsExactly("b", "c");
        assertThat(s.list("zrangebyscore", "zset", "0", "10", "LIMIT", "2", "3")).containsExactly("d", "e", "f");
        assertThat(s.list("zrangebyscore", "zset", "0", "10", "LIMIT", "2", "10")).containsExactly("d", "e", "f");
        assertThat(s.list("zrangebyscore", "zset", "0", "10", "LIMIT", "20", "10")).isEmpty();
        assertThat(s.list("zrevrangebyscore", "zset", "10", "0", "LIMIT", "0", "2")).containsExactly("f", "e");
        assertThat(s.list("zrevrangebyscore", "zset", "10", "0", "LIMIT", "2", "3")).containsExactly("d", "c", "b");
        assertThat(s.list("zrevrangebyscore", "zset", "10", "0", "LIMIT", "2", "10")).containsExactly("d", "c", "b");
        assertThat(s.list("zrevrangebyscore", "zset", "10", "0", "LIMIT", "20", "10")).isEmpty();
        // negative offset: empty; negative count: all the rest; count 0: nothing
        assertThat(s.list("zrangebyscore", "zset", "1", "5", "LIMIT", "-1", "2")).isEmpty();
        assertThat(s.list("zrangebyscore", "zset", "1", "5", "LIMIT", "1", "-5")).containsExactly("c", "d", "e", "f");
        assertThat(s.list("zrangebyscore", "zset", "1", "5", "LIMIT", "1", "0")).isEmpty();
        assertThat(s.error("zrangebyscore", "zset", "1", "5", "LIMIT", "x", "0")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("zrangebyscore", "zset", "1", "5", "LIMIT", "1")).isEqualTo("ERR syntax error");
        assertThat(s.error("zrangebyscore", "zset", "1", "5", "rev")).isEqualTo("ERR syntax error");
        assertThat(s.error("zrangebyscore", "zset", "1", "5", "bylex")).isEqualTo("ERR syntax error");
    }

    // "ZRANGEBYSCORE with LIMIT and WITHSCORES"
    @Test
    void zrangebyscoreWithLimitAndWithscores() {
        createDefaultZset();
        assertThat(s.list("zrangebyscore", "zset", "2", "5", "LIMIT", "2", "3", "WITHSCORES")).containsExactly("e", "4", "f", "5");
        assertThat(s.list("zrevrangebyscore", "zset", "5", "2", "LIMIT", "2", "3", "WITHSCORES")).containsExactly("d", "3", "c", "2");
        assertThat(s.list("zrange", "zset", "(4", "2", "byscore", "rev", "limit", "1", "5", "withscores"))
                .containsExactly("c", "2");
    }

    // "ZRANGEBYSCORE with non-value min or max"
    @Test
    void zrangebyscoreWithNonValueMinOrMax() {
        assertThat(s.error("zrangebyscore", "fooz", "str", "1")).isEqualTo("ERR min or max is not a float");
        assertThat(s.error("zrangebyscore", "fooz", "1", "str")).isEqualTo("ERR min or max is not a float");
        assertThat(s.error("zrangebyscore", "fooz", "1", "NaN")).isEqualTo("ERR min or max is not a float");
        assertThat(s.error("zcount", "fooz", "1 ", "2")).isEqualTo("ERR min or max is not a float");
        assertThat(s.error("zcount", "fooz", "[1", "2")).isEqualTo("ERR min or max is not a float");
        // strtod as Redis uses it: an empty bound is 0, leading space and hex are fine, overflow is inf
        s.exec("zadd", "z", "0", "a", "1", "b", "16", "c");
        assertThat(s.list("zrangebyscore", "z", "", "1")).containsExactly("a", "b");
        assertThat(s.list("zrangebyscore", "z", "(", "1")).containsExactly("b");
        assertThat(s.list("zrangebyscore", "z", " 1", "100")).containsExactly("b", "c");
        assertThat(s.list("zrangebyscore", "z", "0x10", "100")).containsExactly("c");
        assertThat(s.list("zrangebyscore", "z", "1e400", "100")).isEmpty();
        assertThat(s.list("zrangebyscore", "z", "-1e400", "(1")).containsExactly("a");
    }

    // "ZRANGEBYLEX/ZREVRANGEBYLEX/ZLEXCOUNT basics"
    @Test
    void zrangebylexZrevrangebylexZlexcountBasics() {
        createZset("zset", "0", "alpha", "0", "bar", "0", "cool", "0", "down", "0", "elephant", "0", "foo",
                "0", "great", "0", "hill", "0", "omega");
        // inclusive range
        assertThat(s.list("zrangebylex", "zset", "-", "[cool")).containsExactly("alpha", "bar", "cool");
        assertThat(s.list("zrangebylex", "zset", "[bar", "[down")).containsExactly("bar", "cool", "down");
        assertThat(s.list("zrangebylex", "zset", "[g", "+")).containsExactly("great", "hill", "omega");
        assertThat(s.list("zrevrangebylex", "zset", "[cool", "-")).containsExactly("cool", "bar", "alpha");
        assertThat(s.list("zrevrangebylex", "zset", "[down", "[bar")).containsExactly("down", "cool", "bar");
        assertThat(s.list("zrevrangebylex", "zset", "+", "[g")).containsExactly("omega", "hill", "great");
        assertThat(s.integer("zlexcount", "zset", "[ele", "[h")).isEqualTo(3);
        // exclusive range
        assertThat(s.list("zrangebylex", "zset", "-", "(cool")).containsExactly("alpha", "bar");
        assertThat(s.list("zrangebylex", "zset", "(bar", "(down")).containsExactly("cool");
        assertThat(s.list("zrangebylex", "zset", "(great", "+")).containsExactly("hill", "omega");
        assertThat(s.list("zrevrangebylex", "zset", "(cool", "-")).containsExactly("bar", "alpha");
        assertThat(s.list("zrevrangebylex", "zset", "(down", "(bar")).containsExactly("cool");
        assertThat(s.list("zrevrangebylex", "zset", "+", "(great")).containsExactly("omega", "hill");
        assertThat(s.integer("zlexcount", "zset", "(ele", "(great")).isEqualTo(2);
        // inclusive and exclusive
        assertThat(s.list("zrangebylex", "zset", "(az", "(b")).isEmpty();
        assertThat(s.list("zrangebylex", "zset", "(z", "+")).isEmpty();
        assertThat(s.list("zrangebylex", "zset", "-", "[aaaa")).isEmpty();
        assertThat(s.list("zrevrangebylex", "zset", "[elez", "[elex")).isEmpty();
        assertThat(s.list("zrevrangebylex", "zset", "(hill", "(omega")).isEmpty();
        // the special bounds
        assertThat(s.integer("zlexcount", "zset", "-", "+")).isEqualTo(9);
        assertThat(s.integer("zlexcount", "zset", "+", "-")).isZero();
        assertThat(s.integer("zlexcount", "zset", "-", "-")).isZero();
        assertThat(s.integer("zlexcount", "zset", "+", "+")).isZero();
        assertThat(s.integer("zlexcount", "zset", "[bar", "[bar")).isEqualTo(1);
        assertThat(s.integer("zlexcount", "zset", "(bar", "[bar")).isZero();
        assertThat(s.integer("zlexcount", "nokey", "-", "+")).isZero();
    }

    // "ZLEXCOUNT advanced" (equal scores that are not 0)
    @Test
    void zlexcountAdvancedWithEqualNonZeroScores() {
        createZset("zset", "5", "a", "5", "b", "5", "c", "5", "d");
        assertThat(s.integer("zlexcount", "zset", "[b", "[c")).isEqualTo(2);
        assertThat(s.list("zrevrangebylex", "zset", "(d", "(a")).containsExactly("c", "b");
        assertThat(s.list("zrange", "zset", "[b", "(d", "bylex", "limit", "1", "1")).containsExactly("c");
        assertThat(s.list("zrange", "zset", "[d", "[b", "bylex", "rev")).containsExactly("d", "c", "b");
    }

    // Lex ranges over mixed scores are unspecified in Redis; small sets answer as Redis's listpack
    // does: empty unless first <= max and last >= min, else the run from the first member >= min
    @Test
    void lexRangesOverMixedScoresAnswerAsRedisListpack() {
        createZset("z", "1", "d", "2", "a", "3", "c");
        assertThat(s.list("zrangebylex", "z", "[b", "+")).containsExactly("d", "a", "c");
        assertThat(s.list("zrangebylex", "z", "-", "[b")).isEmpty(); // the first member, d, is > max
        assertThat(s.list("zrangebylex", "z", "[b", "[e")).containsExactly("d", "a", "c");
        assertThat(s.list("zrevrangebylex", "z", "+", "[b")).containsExactly("c");
        s.exec("zadd", "z", "4", "b");
        assertThat(s.list("zrangebylex", "z", "[c", "+")).isEmpty(); // the last member, b, is < min
        assertThat(s.integer("zlexcount", "z", "[c", "+")).isZero();
    }

    // "ZRANGEBYLEX with LIMIT"
    @Test
    void zrangebylexWithLimit() {
        createZset("zset", "0", "alpha", "0", "bar", "0", "cool", "0", "down", "0", "elephant", "0", "foo",
                "0", "great", "0", "hill", "0", "omega");
        assertThat(s.list("zrangebylex", "zset", "-", "[cool", "LIMIT", "0", "2")).containsExactly("alpha", "bar");
        assertThat(s.list("zrangebylex", "zset", "-", "[cool", "LIMIT", "1", "2")).containsExactly("bar", "cool");
        assertThat(s.list("zrangebylex", "zset", "[bar", "[down", "LIMIT", "0", "0")).isEmpty();
        assertThat(s.list("zrangebylex", "zset", "[bar", "[down", "LIMIT", "2", "0")).isEmpty();
        assertThat(s.list("zrangebylex", "zset", "[bar", "[down", "LIMIT", "0", "1")).containsExactly("bar");
        assertThat(s.list("zrangebylex", "zset", "[bar", "[down", "LIMIT", "1", "1")).containsExactly("cool");
        assertThat(s.list("zrangebylex", "zset", "[bar", "[down", "LIMIT", "0", "100")).containsExactly("bar", "cool", "down");
        assertThat(s.list("zrevrangebylex", "zset", "[down", "-", "LIMIT", "0", "2")).containsExactly("down", "cool");
        assertThat(s.list("zrevrangebylex", "zset", "[down", "-", "LIMIT", "1", "2")).containsExactly("cool", "bar");
        assertThat(s.list("zrangebylex", "zset", "-", "+", "LIMIT", "2", "1")).containsExactly("cool");
    }

    // "ZRANGEBYLEX with invalid lex range specifiers"
    @Test
    void zrangebylexWithInvalidLexRangeSpecifiers() {
        String err = "ERR min or max not valid string range item";
        assertThat(s.error("zrangebylex", "fooz", "foo", "bar")).isEqualTo(err);
        assertThat(s.error("zrangebylex", "fooz", "[foo", "bar")).isEqualTo(err);
        assertThat(s.error("zrangebylex", "fooz", "foo", "[bar")).isEqualTo(err);
        assertThat(s.error("zrangebylex", "fooz", "+x", "[bar")).isEqualTo(err);
        assertThat(s.error("zrangebylex", "fooz", "-x", "[bar")).isEqualTo(err);
        assertThat(s.error("zrangebylex", "fooz", "", "+")).isEqualTo(err);
        assertThat(s.error("zlexcount", "fooz", "a", "+")).isEqualTo(err);
        assertThat(s.error("zremrangebylex", "fooz", "-", "b")).isEqualTo(err);
        assertThat(s.error("zrangebylex", "fooz", "-", "+", "withscores"))
                .isEqualTo("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        assertThat(s.error("zrange", "fooz", "-", "+", "bylex", "withscores"))
                .isEqualTo("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    }

    // "ZRANGE invalid syntax" / "ZRANGE BYSCORE REV LIMIT" / "ZRANGE BYLEX"
    @Test
    void zrangeInvalidSyntaxAndOptionCombos() {
        createDefaultZset();
        assertThat(s.error("zrange", "zset", "0", "-1", "limit", "1", "2"))
                .isEqualTo("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        // LIMIT offset -1 is taken as "no LIMIT", as in Redis
        assertThat(s.list("zrange", "zset", "0", "1", "limit", "0", "-1")).containsExactly("a", "b");
        assertThat(s.error("zrange", "zset", "0", "-1", "byscore", "bylex")).isEqualTo("ERR syntax error");
        assertThat(s.error("zrange", "zset", "0", "-1", "rev", "rev")).isEqualTo("ERR syntax error");
        assertThat(s.error("zrange", "zset", "0", "-1", "foo")).isEqualTo("ERR syntax error");
        assertThat(s.error("zrange", "zset", "a", "b", "byscore")).isEqualTo("ERR min or max is not a float");
        assertThat(s.list("zrange", "zset", "0", "3", "byscore", "limit", "1", "2")).containsExactly("c", "d");
        assertThat(s.list("zrange", "zset", "+inf", "3", "byscore", "rev", "limit", "0", "2", "withscores"))
                .containsExactly("g", "inf", "f", "5");
        assertThat(s.list("zrange", "zset", "-", "+", "bylex", "limit", "0", "1")).containsExactly("a");
        assertThat(s.list("zrange", "nokey", "0", "1", "byscore")).isEmpty();
    }

    // "ZRANGESTORE basic" / "ZRANGESTORE RESP3" / "ZRANGESTORE range" / "ZRANGESTORE BYLEX"
    // / "ZRANGESTORE BYSCORE" / "ZRANGESTORE BYSCORE LIMIT" / "ZRANGESTORE BYSCORE REV LIMIT"
    // / "ZRANGESTORE - src key missing" / "ZRANGESTORE - src key wrong type" / "ZRANGESTORE - empty range"
    // / "ZRANGESTORE invalid syntax"
    @Test
    void zrangestore() {
        s.exec("zadd", "z1", "1", "a", "2", "b", "3", "c", "4", "d");
        assertThat(s.integer("zrangestore", "z2", "z1", "0", "-1")).isEqualTo(4);
        assertThat(s.list("zrange", "z2", "0", "-1", "withscores")).containsExactly("a", "1", "b", "2", "c", "3", "d", "4");
        assertThat(s.integer("zrangestore", "z2", "z1", "1", "2")).isEqualTo(2);
        assertThat(s.list("zrange", "z2", "0", "-1", "withscores")).containsExactly("b", "2", "c", "3");
        assertThat(s.integer("zrangestore", "z2", "z1", "[b", "[c", "bylex")).isEqualTo(2);
        assertThat(s.list("zrange", "z2", "0", "-1")).containsExactly("b", "c");
        assertThat(s.integer("zrangestore", "z2", "z1", "1", "2", "byscore")).isEqualTo(2);
        assertThat(s.integer("zrangestore", "z2", "z1", "1", "3", "byscore", "limit", "0", "1")).isEqualTo(1);
        assertThat(s.list("zrange", "z2", "0", "-1", "withscores")).containsExactly("a", "1");
        assertThat(s.integer("zrangestore", "z2", "z1", "4", "1", "byscore", "rev", "limit", "0", "1")).isEqualTo(1);
        assertThat(s.list("zrange", "z2", "0", "-1", "withscores")).containsExactly("d", "4");
        assertThat(s.integer("zrangestore", "z2", "z1", "0", "1", "rev")).isEqualTo(2);
        assertThat(s.list("zrange", "z2", "0", "-1")).containsExactly("c", "d");
        // the destination is overwritten whatever it held, and deleted by an empty result
        s.exec("set", "z2", "str");
        assertThat(s.integer("zrangestore", "z2", "z1", "0", "0")).isEqualTo(1);
        assertThat(s.str("type", "z2")).isEqualTo("zset");
        assertThat(s.integer("zrangestore", "z2", "z1", "5", "-1")).isZero();
        assertThat(s.integer("exists", "z2")).isZero();
        s.exec("zadd", "z2", "1", "x");
        assertThat(s.integer("zrangestore", "z2", "missing", "0", "-1")).isZero();
        assertThat(s.integer("exists", "z2")).isZero();
        s.exec("set", "str", "v");
        assertThat(s.error("zrangestore", "z2", "str", "0", "-1")).isEqualTo(WRONGTYPE);
        assertThat(s.error("zrangestore", "z2", "z1", "0", "-1", "withscores")).isEqualTo("ERR syntax error");
        assertThat(s.error("zrangestore", "z2", "z1", "0", "-1", "limit", "1", "2"))
                .isEqualTo("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        assertThat(s.error("zrangestore", "z2", "z1", "0")).isEqualTo("ERR wrong number of arguments for 'zrangestore' command");
    }

    // "ZREMRANGEBYSCORE basics"
    @Test
    void zremrangebyscoreBasics() {
        assertThat(remrange("zremrangebyscore", "2", "4")).isEqualTo(3);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("a", "e");
        assertThat(remrange("zremrangebyscore", "-10", "1")).isEqualTo(1);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("b", "c", "d", "e");
        assertThat(remrange("zremrangebyscore", "5", "10")).isEqualTo(1);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("a", "b", "c", "d");
        assertThat(remrange("zremrangebyscore", "4", "2")).isZero();
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("a", "b", "c", "d", "e");
        assertThat(remrange("zremrangebyscore", "-inf", "3")).isEqualTo(3);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("d", "e");
        assertThat(remrange("zremrangebyscore", "3", "+inf")).isEqualTo(3);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("a", "b");
        assertThat(remrange("zremrangebyscore", "-inf", "+inf")).isEqualTo(5);
        assertThat(s.list("zrange", "zset", "0", "-1")).isEmpty();
        assertThat(remrange("zremrangebyscore", "(1", "5")).isEqualTo(4);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("a");
        assertThat(remrange("zremrangebyscore", "(2", "5")).isEqualTo(3);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("a", "b");
        assertThat(remrange("zremrangebyscore", "1", "(5")).isEqualTo(4);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("e");
        assertThat(remrange("zremrangebyscore", "1", "(4")).isEqualTo(3);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("d", "e");
        assertThat(remrange("zremrangebyscore", "(1", "(5")).isEqualTo(3);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("a", "e");
        // destroy when empty
        assertThat(remrange("zremrangebyscore", "1", "5")).isEqualTo(5);
        assertThat(s.integer("exists", "zset")).isZero();
        assertThat(s.integer("zremrangebyscore", "nokey", "1", "5")).isZero();
    }

    private long remrange(String cmd, String min, String max) {
        createZset("zset", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
        assertThat(s.integer("exists", "zset")).isEqualTo(1);
        return s.integer(cmd, "zset", min, max);
    }

    // "ZREMRANGEBYSCORE with non-value min or max"
    @Test
    void zremrangebyscoreWithNonValueMinOrMax() {
        s.exec("zadd", "fooz", "1", "a");
        assertThat(s.error("zremrangebyscore", "fooz", "str", "1")).isEqualTo("ERR min or max is not a float");
        assertThat(s.error("zremrangebyscore", "fooz", "1", "str")).isEqualTo("ERR min or max is not a float");
        assertThat(s.error("zremrangebyscore", "fooz", "1", "NaN")).isEqualTo("ERR min or max is not a float");
        assertThat(s.integer("zcard", "fooz")).isEqualTo(1);
    }

    // "ZREMRANGEBYRANK basics"
    @Test
    void zremrangebyrankBasics() {
        assertThat(remrange("zremrangebyrank", "1", "3")).isEqualTo(3);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("a", "e");
        assertThat(remrange("zremrangebyrank", "-10", "0")).isEqualTo(1);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("b", "c", "d", "e");
        assertThat(remrange("zremrangebyrank", "10", "-1")).isZero();
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("a", "b", "c", "d", "e");
        assertThat(remrange("zremrangebyrank", "0", "-10")).isZero();
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("a", "b", "c", "d", "e");
        assertThat(remrange("zremrangebyrank", "0", "10")).isEqualTo(5);
        assertThat(s.list("zrange", "zset", "0", "-1")).isEmpty();
        assertThat(remrange("zremrangebyrank", "-2", "-1")).isEqualTo(2);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("a", "b", "c");
        // destroy when empty
        assertThat(remrange("zremrangebyrank", "0", "4")).isEqualTo(5);
        assertThat(s.integer("exists", "zset")).isZero();
        assertThat(s.error("zremrangebyrank", "zset", "a", "1")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.integer("zremrangebyrank", "nokey", "0", "1")).isZero();
    }

    // "ZREMRANGEBYLEX basics"
    @Test
    void zremrangebylexBasics() {
        createZset("zset", "0", "alpha", "0", "bar", "0", "cool", "0", "down", "0", "elephant", "0", "foo");
        assertThat(s.integer("zremrangebylex", "zset", "[bar", "[down")).isEqualTo(3);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("alpha", "elephant", "foo");
        assertThat(s.integer("zremrangebylex", "zset", "(alpha", "(foo")).isEqualTo(1);
        assertThat(s.list("zrange", "zset", "0", "-1")).containsExactly("alpha", "foo");
        assertThat(s.integer("zremrangebylex", "zset", "+", "-")).isZero();
        assertThat(s.integer("zremrangebylex", "zset", "-", "+")).isEqualTo(2);
        assertThat(s.integer("exists", "zset")).isZero();
        assertThat(s.integer("zremrangebylex", "nokey", "-", "+")).isZero();
    }

    // ---- ZPOPMIN / ZPOPMAX ---------------------------------------------------------------------

    // "ZPOPMIN basics" / "ZPOPMAX basics" / "ZPOPMIN/ZPOPMAX with count" / "ZPOP/ZMPOP against wrong type"
    @Test
    void zpopminZpopmaxBasicsAndWithCount() {
        s.exec("zadd", "zset", "-1", "a", "1", "b", "2", "c", "3", "d", "4", "e");
        // without count: a flat [member, score] in both protocols
        Reply one = s.exec("zpopmin", "zset");
        assertThat(one).isInstanceOf(Reply.Arr.class);
        assertThat(((Reply.Arr) one).items().get(1)).isEqualTo(new Reply.Dbl(-1));
        assertThat(TestStore.flat(one)).containsExactly("a", "-1");
        assertThat(s.list("zpopmin", "zset")).containsExactly("b", "1");
        assertThat(s.list("zpopmax", "zset")).containsExactly("e", "4");
        Reply two = s.exec("zpopmax", "zset", "2");
        assertThat(two).isInstanceOf(Reply.Pairs.class);
        assertThat(TestStore.flat(two)).containsExactly("d", "3", "c", "2");
        assertThat(s.integer("exists", "zset")).isZero();
        assertThat(s.list("zpopmin", "zset")).isEmpty();
        assertThat(s.list("zpopmin", "zset", "2")).isEmpty();

        s.exec("zadd", "zset", "1", "a", "2", "b", "3", "c");
        assertThat(s.list("zpopmin", "zset", "0")).isEmpty();
        assertThat(s.list("zpopmin", "zset", "1")).containsExactly("a", "1");
        assertThat(s.list("zpopmax", "zset", "10")).containsExactly("c", "3", "b", "2");
        assertThat(s.integer("exists", "zset")).isZero();
        assertThat(s.error("zpopmin", "zset", "-1")).isEqualTo("ERR value is out of range, must be positive");
        assertThat(s.error("zpopmin", "zset", "a")).isEqualTo("ERR value is out of range, must be positive");
        assertThat(s.error("zpopmin", "zset", "1", "2")).isEqualTo("ERR syntax error");
        assertThat(s.error("zpopmax")).isEqualTo("ERR wrong number of arguments for 'zpopmax' command");
    }

    // ---- ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE and the non-store forms ---------------------------

    // "ZUNIONSTORE against non-existing key doesn't set destination" / "ZUNIONSTORE with empty set"
    @Test
    void zunionstoreAgainstNonExistingKeyAndWithEmptySet() {
        assertThat(s.integer("zunionstore", "dst_key", "1", "zseta")).isZero();
        assertThat(s.integer("exists", "dst_key")).isZero();
        s.exec("zadd", "zseta", "1", "a", "2", "b");
        s.exec("zunionstore", "zsetc", "2", "zseta", "zsetb");
        assertThat(s.list("zrange", "zsetc", "0", "-1", "withscores")).containsExactly("a", "1", "b", "2");
    }

    // "ZUNIONSTORE basics" / "ZUNIONSTORE with weights" / "ZUNIONSTORE with AGGREGATE MIN"
    // / "ZUNIONSTORE with AGGREGATE MAX" / "ZUNION/ZINTER/ZINTERCARD/ZDIFF against non-existing key"
    @Test
    void zunionstoreBasicsWeightsAndAggregate() {
        s.exec("zadd", "zseta", "1", "a", "2", "b", "3", "c");
        s.exec("zadd", "zsetb", "1", "b", "2", "c", "3", "d");
        assertThat(s.integer("zunionstore", "zsetc", "2", "zseta", "zsetb")).isEqualTo(4);
        assertThat(s.list("zrange", "zsetc", "0", "-1", "withscores")).containsExactly("a", "1", "b", "3", "d", "3", "c", "5");
        assertThat(s.integer("zunionstore", "zsetc", "2", "zseta", "zsetb", "weights", "2", "3")).isEqualTo(4);
        assertThat(s.list("zrange", "zsetc", "0", "-1", "withscores")).containsExactly("a", "2", "b", "7", "d", "9", "c", "12");
        assertThat(s.integer("zunionstore", "zsetc", "2", "zseta", "zsetb", "aggregate", "min")).isEqualTo(4);
        assertThat(s.list("zrange", "zsetc", "0", "-1", "withscores")).containsExactly("a", "1", "b", "1", "c", "2", "d", "3");
        assertThat(s.integer("zunionstore", "zsetc", "2", "zseta", "zsetb", "aggregate", "max")).isEqualTo(4);
        assertThat(s.list("zrange", "zsetc", "0", "-1", "withscores")).containsExactly("a", "1", "b", "2", "c", "3", "d", "3");
        // the non-store form, with and without scores
        assertThat(s.list("zunion", "2", "zseta", "zsetb")).containsExactly("a", "b", "d", "c");
        Reply r = s.exec("zunion", "2", "zseta", "zsetb", "withscores");
        assertThat(r).isInstanceOf(Reply.Pairs.class);
        assertThat(TestStore.flat(r)).containsExactly("a", "1", "b", "3", "d", "3", "c", "5");
        assertThat(s.list("zunion", "1", "nokey")).isEmpty();
        assertThat(s.list("zinter", "1", "nokey")).isEmpty();
        assertThat(s.integer("zintercard", "1", "nokey")).isZero();
        assertThat(s.list("zdiff", "1", "nokey")).isEmpty();
    }

    // "ZUNIONSTORE with a regular set and weights" / "ZINTERSTORE with a regular set and weights"
    // / "ZINTERSTORE #516 regression, mixed sets and ziplist zsets"
    // / "ZINTERSTORE regression with two sets, intset+hashtable"
    @Test
    void setOperationsAcceptRegularSets() {
        s.exec("zadd", "zsetb", "1", "b", "2", "c", "3", "d");
        sadd("seta", "a", "b", "c");
        assertThat(s.integer("zunionstore", "zsetc", "2", "seta", "zsetb", "weights", "2", "3")).isEqualTo(4);
        assertThat(s.list("zrange", "zsetc", "0", "-1", "withscores")).containsExactly("a", "2", "b", "5", "c", "8", "d", "9");
        assertThat(s.integer("zinterstore", "zsetc", "2", "seta", "zsetb", "weights", "2", "3")).isEqualTo(2);
        assertThat(s.list("zrange", "zsetc", "0", "-1", "withscores")).containsExactly("b", "5", "c", "8");

        sadd("one", "100", "101", "102", "103");
        sadd("two", "100", "200", "201", "202");
        s.exec("zadd", "three", "1", "500", "1", "501", "1", "502", "1", "503", "1", "100");
        s.exec("zinterstore", "to_here", "3", "one", "two", "three", "WEIGHTS", "0", "0", "1");
        assertThat(s.list("zrange", "to_here", "0", "-1")).containsExactly("100");

        sadd("set1", "a");
        sadd("set2", "10");
        assertThat(s.integer("zinterstore", "set3", "2", "set1", "set2")).isZero();
        assertThat(s.list("zdiff", "2", "seta", "zsetb", "withscores")).containsExactly("a", "1");
    }

    // "ZINTERSTORE basics" / "ZINTERSTORE with weights" / "ZINTERSTORE with AGGREGATE MIN"
    // / "ZINTERSTORE with AGGREGATE MAX" / "ZINTER basics" / "ZINTERCARD basics"
    @Test
    void zinterstoreBasicsWeightsAndAggregate() {
        s.exec("zadd", "zseta", "1", "a", "2", "b", "3", "c");
        s.exec("zadd", "zsetb", "1", "b", "2", "c", "3", "d");
        assertThat(s.integer("zinterstore", "zsetc", "2", "zseta", "zsetb")).isEqualTo(2);
        assertThat(s.list("zrange", "zsetc", "0", "-1", "withscores")).containsExactly("b", "3", "c", "5");
        assertThat(s.integer("zinterstore", "zsetc", "2", "zseta", "zsetb", "weights", "2", "3")).isEqualTo(2);
        assertThat(s.list("zrange", "zsetc", "0", "-1", "withscores")).containsExactly("b", "7", "c", "12");
        assertThat(s.integer("zinterstore", "zsetc", "2", "zseta", "zsetb", "aggregate", "min")).isEqualTo(2);
        assertThat(s.list("zrange", "zsetc", "0", "-1", "withscores")).containsExactly("b", "1", "c", "2");
        assertThat(s.integer("zinterstore", "zsetc", "2", "zseta", "zsetb", "aggregate", "max")).isEqualTo(2);
        assertThat(s.list("zrange", "zsetc", "0", "-1", "withscores")).containsExactly("b", "2", "c", "3");
        assertThat(s.list("zinter", "2", "zseta", "zsetb", "withscores")).containsExactly("b", "3", "c", "5");
        assertThat(s.integer("zintercard", "2", "zseta", "zsetb")).isEqualTo(2);
        assertThat(s.integer("zintercard", "2", "zseta", "zsetb", "limit", "0")).isEqualTo(2);
        assertThat(s.integer("zintercard", "2", "zseta", "zsetb", "limit", "1")).isEqualTo(1);
        assertThat(s.integer("zintercard", "2", "zseta", "zsetb", "limit", "10")).isEqualTo(2);
        // an empty intersection deletes the destination
        assertThat(s.integer("zinterstore", "zsetc", "2", "zseta", "nokey")).isZero();
        assertThat(s.integer("exists", "zsetc")).isZero();
    }

    // "ZDIFFSTORE basics" / "ZDIFF basics" / "ZDIFFSTORE with a regular set" / "ZDIFF subtracting set from itself"
    // / "ZDIFF algorithm 1" / "ZDIFF algorithm 2"
    @Test
    void zdiffstoreAndZdiff() {
        s.exec("zadd", "zseta", "1", "a", "2", "b", "3", "c");
        s.exec("zadd", "zsetb", "1", "b", "2", "c", "3", "d");
        assertThat(s.integer("zdiffstore", "zsetc", "2", "zseta", "zsetb")).isEqualTo(1);
        assertThat(s.list("zrange", "zsetc", "0", "-1", "withscores")).containsExactly("a", "1");
        assertThat(s.list("zdiff", "2", "zseta", "zsetb", "withscores")).containsExactly("a", "1");
        assertThat(s.list("zdiff", "1", "zseta")).containsExactly("a", "b", "c");
        assertThat(s.integer("zdiffstore", "zsetc", "2", "zseta", "zseta")).isZero();
        assertThat(s.integer("exists", "zsetc")).isZero();
        s.exec("zadd", "z1", "0", "a", "1", "b", "2", "c", "3", "d");
        s.exec("zadd", "z2", "1", "b", "3", "d");
        s.exec("zadd", "z3", "2", "c", "7", "e");
        assertThat(s.list("zdiff", "3", "z1", "z2", "z3", "withscores")).containsExactly("a", "0");
        assertThat(s.error("zdiff", "2", "zseta", "zsetb", "weights", "1", "1")).isEqualTo("ERR syntax error");
        assertThat(s.error("zdiffstore", "d", "1", "zseta", "aggregate", "sum")).isEqualTo("ERR syntax error");
    }

    // "$cmd with +inf/-inf scores"
    @Test
    void zunionstoreAndZinterstoreWithInfScores() {
        for (String cmd : new String[] {"zunionstore", "zinterstore"}) {
            s.exec("del", "zsetinf1", "zsetinf2");
            s.exec("zadd", "zsetinf1", "+inf", "key");
            s.exec("zadd", "zsetinf2", "+inf", "key");
            s.exec(cmd, "zsetinf3", "2", "zsetinf1", "zsetinf2");
            assertThat(s.str("zscore", "zsetinf3", "key")).as(cmd).isEqualTo("inf");
            s.exec("zadd", "zsetinf1", "-inf", "key");
            s.exec("zadd", "zsetinf2", "+inf", "key");
            s.exec(cmd, "zsetinf3", "2", "zsetinf1", "zsetinf2");
            assertThat(s.str("zscore", "zsetinf3", "key")).as(cmd).isEqualTo("0");
            s.exec("zadd", "zsetinf1", "+inf", "key");
            s.exec("zadd", "zsetinf2", "-inf", "key");
            s.exec(cmd, "zsetinf3", "2", "zsetinf1", "zsetinf2");
            assertThat(s.str("zscore", "zsetinf3", "key")).as(cmd).isEqualTo("0");
            s.exec("zadd", "zsetinf1", "-inf", "key");
            s.exec("zadd", "zsetinf2", "-inf", "key");
            s.exec(cmd, "zsetinf3", "2", "zsetinf1", "zsetinf2");
            assertThat(s.str("zscore", "zsetinf3", "key")).as(cmd).isEqualTo("-inf");
        }
    }

    // ZINTER weighs the other inputs without cleaning 0 * inf of NaN: SUM turns it into 0 and
    // MIN/MAX ignore it (C comparisons), as redis-server 7.0 does; ZUNION cleans it to 0
    @Test
    void zinterWeightedNanFollowsRedisArithmetic() {
        s.exec("zadd", "za", "1", "a");
        s.exec("zadd", "zb", "0", "a");
        assertThat(s.list("zinter", "2", "za", "zb", "weights", "1.5", "inf", "withscores")).containsExactly("a", "0");
        assertThat(s.list("zinter", "2", "za", "zb", "weights", "1.5", "inf", "aggregate", "min", "withscores"))
                .containsExactly("a", "1.5");
        assertThat(s.list("zinter", "2", "za", "zb", "weights", "1.5", "inf", "aggregate", "max", "withscores"))
                .containsExactly("a", "1.5");
        assertThat(s.list("zunion", "2", "za", "zb", "weights", "1.5", "inf", "withscores")).containsExactly("a", "1.5");
        // a -0 result is replied as -0 and sorts as 0 (ties by member)
        s.exec("zadd", "zc", "0", "b", "0", "c");
        assertThat(s.list("zunion", "1", "zc", "weights", "-1", "withscores")).containsExactly("b", "-0", "c", "-0");
    }

    // "$cmd with NaN weights" / "ZUNIONSTORE regression, should not create NaN in scores"
    @Test
    void nanWeightsAreRefusedAndZeroTimesInfIsZero() {
        s.exec("zadd", "zsetinf1", "1.0", "key");
        s.exec("zadd", "zsetinf2", "1.0", "key");
        for (String cmd : new String[] {"zunionstore", "zinterstore"}) {
            assertThat(s.error(cmd, "zsetinf3", "2", "zsetinf1", "zsetinf2", "weights", "nan", "nan"))
                    .isEqualTo("ERR weight value is not a float");
        }
        assertThat(s.error("zunion", "2", "zsetinf1", "zsetinf2", "weights", "1", "x"))
                .isEqualTo("ERR weight value is not a float");
        s.exec("zadd", "z", "-inf", "neginf");
        s.exec("zunionstore", "out", "1", "z", "weights", "0");
        assertThat(s.list("zrange", "out", "0", "-1", "withscores")).containsExactly("neginf", "0");
    }

    // "ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE error if using WITHSCORES" / "ZINTERCARD with illegal arguments"
    // / "ZUNION/ZINTER with illegal arguments" (numkeys, syntax)
    @Test
    void setOperationArgumentErrors() {
        s.exec("zadd", "zseta", "1", "a");
        assertThat(s.error("zunionstore", "foo", "2", "zseta", "zseta", "withscores")).isEqualTo("ERR syntax error");
        assertThat(s.error("zinterstore", "foo", "2", "zseta", "zseta", "withscores")).isEqualTo("ERR syntax error");
        assertThat(s.error("zdiffstore", "foo", "2", "zseta", "zseta", "withscores")).isEqualTo("ERR syntax error");
        assertThat(s.error("zunionstore", "foo", "0", "zseta")).isEqualTo("ERR at least 1 input key is needed for 'zunionstore' command");
        assertThat(s.error("zunion", "0", "zseta")).isEqualTo("ERR at least 1 input key is needed for 'zunion' command");
        assertThat(s.error("zintercard", "0", "zseta")).isEqualTo("ERR at least 1 input key is needed for 'zintercard' command");
        assertThat(s.error("zunion", "3", "zseta", "zseta")).isEqualTo("ERR syntax error");
        assertThat(s.error("zunion", "x", "zseta")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("zunion", "1", "zseta", "aggregate", "avg")).isEqualTo("ERR syntax error");
        assertThat(s.error("zunion", "1", "zseta", "aggregate")).isEqualTo("ERR syntax error");
        assertThat(s.error("zunion", "2", "zseta", "zseta", "weights", "1")).isEqualTo("ERR syntax error");
        assertThat(s.error("zintercard", "1", "zseta", "limit", "-1")).isEqualTo("ERR LIMIT can't be negative");
        assertThat(s.error("zintercard", "1", "zseta", "limit", "x")).isEqualTo("ERR LIMIT can't be negative");
        assertThat(s.error("zintercard", "1", "zseta", "withscores")).isEqualTo("ERR syntax error");
        assertThat(s.error("zintercard", "1", "zseta", "weights", "1")).isEqualTo("ERR syntax error");
        assertThat(s.error("zunion", "1")).isEqualTo("ERR wrong number of arguments for 'zunion' command");
        // options may repeat
        assertThat(s.list("zunion", "1", "zseta", "withscores", "withscores")).containsExactly("a", "1");
        // a wrong-type source is reported before a bad option
        s.exec("set", "str", "v");
        assertThat(s.error("zunion", "2", "zseta", "str", "aggregate", "avg")).isEqualTo(WRONGTYPE);
        assertThat(s.integer("exists", "foo")).isZero();
    }

    // "ZUNIONSTORE result is sorted" / the destination may be one of the sources
    @Test
    void zunionstoreDestinationMayBeASource() {
        s.exec("zadd", "z", "1", "a", "2", "b");
        s.exec("zadd", "y", "5", "a");
        assertThat(s.integer("zunionstore", "z", "2", "z", "y")).isEqualTo(2);
        assertThat(s.list("zrange", "z", "0", "-1", "withscores")).containsExactly("b", "2", "a", "6");
        expireIn("z", 100_000);
        assertThat(s.integer("ttl", "z")).isEqualTo(100);
        assertThat(s.integer("zinterstore", "z", "2", "z", "y")).isEqualTo(1);
        assertThat(s.integer("ttl", "z")).isEqualTo(-1);
        assertThat(s.list("zrange", "z", "0", "-1", "withscores")).containsExactly("a", "11");
    }

    // ---- ZRANDMEMBER ---------------------------------------------------------------------------

    // "ZRANDMEMBER" / "ZRANDMEMBER count of 0 is handled correctly" / "ZRANDMEMBER with <count> against non existing key"
    // / "ZRANDMEMBER count overflow" / "ZRANDMEMBER with <count> - $type"
    @Test
    void zrandmember() {
        s.exec("zadd", "myzset", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
        Set<String> all = Set.of("a", "b", "c", "d", "e");
        for (int i = 0; i < 20; i++) {
            assertThat(all).contains(s.str("zrandmember", "myzset"));
        }
        assertThat(s.str("zrandmember", "nokey")).isNull();
        assertThat(s.list("zrandmember", "nokey", "5")).isEmpty();
        assertThat(s.list("zrandmember", "myzset", "0")).isEmpty();
        assertThat(s.list("zrandmember", "myzset", "0", "withscores")).isEmpty();
        // positive count: distinct members; count >= size: all of them in score order
        List<String> three = s.list("zrandmember", "myzset", "3");
        assertThat(three).hasSize(3).doesNotHaveDuplicates();
        assertThat(all).containsAll(three);
        assertThat(s.list("zrandmember", "myzset", "5")).containsExactly("a", "b", "c", "d", "e");
        assertThat(s.list("zrandmember", "myzset", "100", "withscores"))
                .containsExactly("a", "1", "b", "2", "c", "3", "d", "4", "e", "5");
        // negative count: exactly |count| picks, repeats allowed
        List<String> many = s.list("zrandmember", "myzset", "-100");
        assertThat(many).hasSize(100);
        assertThat(all).containsAll(new HashSet<>(many));
        Reply withScores = s.exec("zrandmember", "myzset", "-3", "withscores");
        assertThat(withScores).isInstanceOf(Reply.Pairs.class);
        List<String> flat = TestStore.flat(withScores);
        assertThat(flat).hasSize(6);
        for (int i = 0; i < 6; i += 2) {
            assertThat(s.str("zscore", "myzset", flat.get(i))).isEqualTo(flat.get(i + 1));
        }
        assertThat(s.error("zrandmember", "myzset", "-9223372036854775808"))
                .isEqualTo("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        assertThat(s.error("zrandmember", "myzset", "9223372036854775807", "withscores")).isEqualTo("ERR value is out of range");
        assertThat(s.error("zrandmember", "myzset", "-9223372036854775807", "withscores")).isEqualTo("ERR value is out of range");
        assertThat(s.error("zrandmember", "myzset", "5", "withscor")).isEqualTo("ERR syntax error");
        assertThat(s.error("zrandmember", "myzset", "5", "withscores", "x")).isEqualTo("ERR syntax error");
        assertThat(s.error("zrandmember", "myzset", "x")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(CommandTable.standard().lookup("zrandmember").flags()).contains(CommandFlag.RANDOM, CommandFlag.READONLY);
    }

    // ---- scores, ordering, sizes --------------------------------------------------------------

    // "ZSET sorting stresser" (ties ordered by member bytes) / "ZSETs skiplist implementation backlink consistency test"
    @Test
    void tiesAreOrderedByMemberBytesAndInfScoresSortAtTheEnds() {
        s.exec("zadd", "z", "1", "b", "1", "a", "1", "\u00ff", "1", "A", "+inf", "top", "-inf", "bottom", "1", "");
        assertThat(s.list("zrange", "z", "0", "-1"))
                .containsExactly("bottom", "", "A", "a", "b", "\u00ff", "top");
        assertThat(s.list("zrevrange", "z", "0", "-1"))
                .containsExactly("top", "\u00ff", "b", "a", "A", "", "bottom");
        assertThat(s.integer("zrank", "z", "a")).isEqualTo(3);
        assertThat(s.integer("zrevrank", "z", "a")).isEqualTo(3);
        // negative, zero and fractional scores keep numeric order in the score family
        s.exec("zadd", "n", "-2.5", "a", "-0", "b", "0.000001", "c", "-1e300", "d", "1e300", "e", "-0.5", "f");
        assertThat(s.list("zrange", "n", "0", "-1", "withscores"))
                .containsExactly("d", "-1.0000000000000001e+300", "a", "-2.5", "f", "-0.5", "b", "0",
                        "c", "9.9999999999999995e-07", "e", "1.0000000000000001e+300");
        assertThat(s.list("zrangebyscore", "n", "-0", "0")).containsExactly("b");
    }

    // "ZRANGEBYSCORE fuzzy test, 100 ranges in $elements element sorted set"
    // / "ZSETs ZRANK augmented skip list stress testing" / "ZSCORE - $encoding"
    @Test
    void fuzzyRangesRanksAndScoresAgainstAModel() {
        Random rnd = new Random(7);
        TreeMap<String, Double> model = new TreeMap<>();
        for (int i = 0; i < 300; i++) {
            String member = Integer.toString(rnd.nextInt(200));
            if (rnd.nextInt(5) == 0) {
                s.exec("zrem", "zset", member);
                model.remove(member);
            } else {
                double score = rnd.nextInt(3) == 0 ? rnd.nextInt(10) : rnd.nextDouble();
                s.exec("zadd", "zset", Double.toString(score), member);
                model.put(member, score);
            }
        }
        List<String> expected = new ArrayList<>(model.keySet());
        expected.sort((x, y) -> {
            int c = Double.compare(model.get(x), model.get(y));
            return c != 0 ? c : x.compareTo(y);
        });
        assertThat(s.integer("zcard", "zset")).isEqualTo(model.size());
        assertThat(s.list("zrange", "zset", "0", "-1")).isEqualTo(expected);
        for (int i = 0; i < expected.size(); i += 7) {
            assertThat(s.integer("zrank", "zset", expected.get(i))).isEqualTo(i);
            assertThat(s.integer("zrevrank", "zset", expected.get(i))).isEqualTo(expected.size() - 1 - i);
            assertThat(s.list("zrange", "zset", Integer.toString(i), Integer.toString(i))).containsExactly(expected.get(i));
            assertThat(Double.parseDouble(s.str("zscore", "zset", expected.get(i)))).isEqualTo(model.get(expected.get(i)));
        }
        for (int i = 0; i < 100; i++) {
            double a = rnd.nextDouble();
            double b = rnd.nextDouble();
            double min = Math.min(a, b);
            double max = Math.max(a, b);
            List<String> ok = s.list("zrangebyscore", "zset", Double.toString(min), Double.toString(max));
            List<String> okx = s.list("zrangebyscore", "zset", "(" + min, "(" + max);
            assertThat(s.integer("zcount", "zset", Double.toString(min), Double.toString(max))).isEqualTo(ok.size());
            List<String> want = new ArrayList<>();
            List<String> wantx = new ArrayList<>();
            for (String m : expected) {
                double sc = model.get(m);
                if (sc >= min && sc <= max) {
                    want.add(m);
                }
                if (sc > min && sc < max) {
                    wantx.add(m);
                }
            }
            assertThat(ok).isEqualTo(want);
            assertThat(okx).isEqualTo(wantx);
        }
    }

    // "ZSCORE after a DEBUG RELOAD" counterpart: big zsets (more than the point-delete limit of 128)
    // are deleted by range and re-created cleanly
    @Test
    void bigZsetsAreDeletedAndRecreated() {
        List<String> args = new ArrayList<>(List.of("zadd", "big"));
        for (int i = 0; i < 300; i++) {
            args.add(Integer.toString(i));
            args.add("m" + i);
        }
        assertThat(s.integer(args.toArray(new String[0]))).isEqualTo(300);
        assertThat(s.integer("zcard", "big")).isEqualTo(300);
        assertThat(s.list("zrange", "big", "150", "151", "withscores")).containsExactly("m150", "150", "m151", "151");
        assertThat(s.integer("zrank", "big", "m299")).isEqualTo(299);
        assertThat(s.integer("del", "big")).isEqualTo(1);
        assertThat(s.integer("zcard", "big")).isZero();
        assertThat(s.str("zscore", "big", "m1")).isNull();
        s.exec("zadd", "big", "7", "x");
        assertThat(s.list("zrange", "big", "0", "-1", "withscores")).containsExactly("x", "7");
        assertThat(s.integer("zremrangebyrank", "big", "0", "-1")).isEqualTo(1);
        assertThat(s.rawContents()).isEmpty();

        // ZUNIONSTORE over a big destination replaces it wholesale
        assertThat(s.integer(args.toArray(new String[0]))).isEqualTo(300);
        s.exec("zadd", "small", "1", "only");
        assertThat(s.integer("zunionstore", "big", "1", "small")).isEqualTo(1);
        assertThat(s.list("zrange", "big", "0", "-1")).containsExactly("only");
        assertThat(s.integer("zremrangebyscore", "big", "-inf", "+inf")).isEqualTo(1);
        assertThat(s.integer("del", "small")).isEqualTo(1);
        assertThat(s.rawContents()).isEmpty();
    }

    // An expired zset is invisible to reads and replaced by the next write
    @Test
    void expiredZsetIsGone() {
        s.exec("zadd", "z", "1", "a", "2", "b");
        expireIn("z", 10_000);
        s.now += 10_000;
        assertThat(s.integer("zcard", "z")).isZero();
        assertThat(s.list("zrange", "z", "0", "-1")).isEmpty();
        assertThat(s.integer("zadd", "z", "3", "c")).isEqualTo(1);
        assertThat(s.list("zrange", "z", "0", "-1")).containsExactly("c");
    }

    // The command table rows match COMMAND INFO of Redis 7.0
    @Test
    void commandTableRowsMatchRedis() {
        CommandTable t = CommandTable.standard();
        assertThat(t.lookup("zadd").arity()).isEqualTo(-4);
        assertThat(t.lookup("zadd").flags()).contains(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST);
        assertThat(t.lookup("zrangestore").keyPositions(5)).containsExactly(1, 2);
        assertThat(t.lookup("zrange").flags()).containsExactly(CommandFlag.READONLY);
        assertThat(t.lookup("zunion").keyPositions(4)).isEmpty();
        // movable keys: the sources follow numkeys
        assertThat(t.lookup("zunionstore").keyPositions(
                new byte[][] {"zunionstore".getBytes(), "d".getBytes(), "2".getBytes(), "a".getBytes(),
                    "b".getBytes(), "weights".getBytes(), "1".getBytes(), "2".getBytes()})).containsExactly(1, 3, 4);
        assertThat(t.lookup("zinter").keyPositions(
                new byte[][] {"zinter".getBytes(), "2".getBytes(), "a".getBytes(), "b".getBytes()})).containsExactly(2, 3);
        assertThat(t.lookup("zdiff").keyPositions(
                new byte[][] {"zdiff".getBytes(), "x".getBytes(), "a".getBytes()})).isEmpty();
        assertThat(t.lookup("zpopmin").isWrite()).isTrue();
        assertThat(t.lookup("zintercard").arity()).isEqualTo(-3);
    }

    // ---- ZSCAN (tests/unit/scan.tcl) -----------------------------------------------------------

    // "ZSCAN with encoding $enc": every member comes back exactly with its score over the cursor chain
    @Test
    void zscanWalksEveryMemberWithItsScore() {
        List<String> args = new ArrayList<>(List.of("zadd", "zset"));
        for (int i = 0; i < 300; i++) {
            args.add(Integer.toString(i));
            args.add("ele:" + i);
        }
        s.exec(args.toArray(new String[0]));
        TreeMap<String, String> seen = new TreeMap<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<Reply> r = ((Reply.Arr) s.exec("zscan", "zset", cursor, "count", "17")).items();
            cursor = TestStore.text(r.get(0));
            List<String> items = TestStore.flat(r.get(1));
            for (int i = 0; i < items.size(); i += 2) {
                seen.put(items.get(i), items.get(i + 1));
            }
            calls++;
        } while (!cursor.equals("0"));
        assertThat(seen).hasSize(300);
        assertThat(seen).containsEntry("ele:42", "42").containsEntry("ele:299", "299");
        assertThat(calls).isGreaterThan(1);
    }

    // "SCAN MATCH" for ZSCAN / "ZSCAN scores: regression test for issue #2175"
    @Test
    void zscanMatchAndScoreFormat() {
        s.exec("zadd", "z", "0.1", "a", "1e20", "b", "-inf", "c", "2", "ab");
        List<Reply> r = ((Reply.Arr) s.exec("zscan", "z", "0")).items();
        assertThat(TestStore.text(r.get(0))).isEqualTo("0");
        assertThat(TestStore.flat(r.get(1)))
                .containsExactly("a", "0.10000000000000001", "ab", "2", "b", "1e+20", "c", "-inf");
        assertThat(((Reply.Arr) r.get(1)).items().get(1)).isInstanceOf(Reply.Bulk.class);
        assertThat(TestStore.flat(((Reply.Arr) s.exec("zscan", "z", "0", "match", "a*")).items().get(1)))
                .containsExactly("a", "0.10000000000000001", "ab", "2");
        assertThat(TestStore.flat(((Reply.Arr) s.exec("zscan", "z", "0", "match", "[a")).items().get(1)))
                .containsExactly("a", "0.10000000000000001");
    }

    // "SCAN guarantees check under write load" (errors) / "SCAN with expired keys": ZSCAN argument errors
    @Test
    void zscanErrors() {
        s.exec("zadd", "z", "1", "a");
        assertThat(s.error("zscan", "z", "x")).isEqualTo("ERR invalid cursor");
        assertThat(s.error("zscan", "z", "0", "count", "0")).isEqualTo("ERR syntax error");
        assertThat(s.error("zscan", "z", "0", "count", "x")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("zscan", "z", "0", "match")).isEqualTo("ERR syntax error");
        assertThat(s.error("zscan", "z", "0", "type", "zset")).isEqualTo("ERR syntax error");
        assertThat(s.error("zscan", "z")).isEqualTo("ERR wrong number of arguments for 'zscan' command");
        s.exec("set", "str", "v");
        assertThat(s.error("zscan", "str", "0")).isEqualTo(WRONGTYPE);
        // a missing key answers an empty scan without looking at the options, as Redis
        assertThat(TestStore.flat(s.exec("zscan", "nokey", "0", "count", "0"))).containsExactly("0");
    }

    // strtod in Redis 7.0 accepts C99 hex floats for scores: ZADD z 0x10 a 0x1p3 b 0x.8 c
    @Test
    void zaddAcceptsHexFloatScoresLikeStrtod() {
        assertThat(s.integer("zadd", "hz", "0x10", "a", "0x1p3", "b", "0x.8", "c")).isEqualTo(3);
        assertThat(s.list("zrange", "hz", "0", "-1", "withscores")).containsExactly("c", "0.5", "b", "8", "a", "16");
        assertThat(s.error("zadd", "hz", "0xg", "d")).isEqualTo("ERR value is not a valid float");
    }
}
