package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteOptions;

/**
 * Mirrors Redis's tests/unit/keyspace.tcl and tests/unit/scan.tcl (test names in comments and
 * method names); expected replies were checked against redis-server 7.0.15. Collections are
 * written straight through {@link Keyspace} (the type families' commands are not needed).
 */
class KeyspaceTest {
    /** Versions for collections made by {@link #putCollection}, far from TestStore's own. */
    private static final AtomicLong VERSIONS = new AtomicLong(1L << 40);

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

    /** Writes {@code key} as a collection of {@code type} with the given (suffix, value) members. */
    static void putCollection(TestStore s, String key, TypeCode type, String... suffixValue) {
        try (RocksKv kv = s.writeBatch(); WriteOptions wo = new WriteOptions()) {
            ExecContext ctx = new ExecContext(TestStore.GROUP, kv, s.now, s.random, VERSIONS::getAndIncrement);
            byte[] k = Args.bytes(key);
            Meta m = ctx.keys().newCollection(type);
            byte[] prefix = ctx.keys().subPrefix(k, m);
            for (int i = 0; i < suffixValue.length; i += 2) {
                // a list's members live at its positions (head + i), whatever suffix is given
                byte[] suffix = type == TypeCode.LIST ? KeyCodec.sortableLong(m.head + m.count) : Args.bytes(suffixValue[i]);
                kv.put(KeyCodec.subKey(prefix, suffix), Args.bytes(suffixValue[i + 1]));
                m.count++;
            }
            ctx.keys().create(k, m);
            kv.commit(wo);
        }
    }

    /** The members of a live collection as "suffix=value", in key order; empty when absent. */
    static List<String> members(TestStore s, String key) {
        List<String> out = new ArrayList<>();
        try (RocksKv kv = RocksKv.snapshot(s.db())) {
            ExecContext ctx = new ExecContext(TestStore.GROUP, kv, s.now, s.random, () -> {
                throw new IllegalStateException("read");
            });
            byte[] k = Args.bytes(key);
            Meta m = ctx.keys().get(k);
            if (m == null) {
                return out;
            }
            byte[] prefix = ctx.keys().subPrefix(k, m);
            try (Kv.Cursor c = kv.scan(prefix, KeyCodec.prefixEnd(prefix))) {
                while (c.next()) {
                    byte[] ck = c.key();
                    out.add(new String(ck, prefix.length, ck.length - prefix.length, StandardCharsets.UTF_8) + "="
                            + new String(c.value(), StandardCharsets.UTF_8));
                }
            }
            assertThat((long) out.size()).isEqualTo(m.count);
        }
        return out;
    }

    // "DEL against a single item"
    @Test
    void delAgainstASingleItem() {
        s.exec("set", "x", "foo");
        assertThat(s.str("get", "x")).isEqualTo("foo");
        assertThat(s.integer("del", "x")).isEqualTo(1);
        assertThat(s.str("get", "x")).isNull();
    }

    // "Vararg DEL"
    @Test
    void varargDel() {
        s.exec("set", "foo1{t}", "a");
        s.exec("set", "foo2{t}", "b");
        s.exec("set", "foo3{t}", "c");
        assertThat(s.integer("del", "foo1{t}", "foo2{t}", "foo3{t}", "foo4{t}")).isEqualTo(3);
        assertThat(s.list("mget", "foo1{t}", "foo2{t}", "foo3{t}")).containsExactly(null, null, null);
        // a key named twice is deleted (and counted) once
        s.exec("set", "foo1{t}", "a");
        assertThat(s.integer("del", "foo1{t}", "foo1{t}")).isEqualTo(1);
    }

    // "UNLINK" (keyspace.tcl's DEL cases through UNLINK), and DEL drops a collection's members
    @Test
    void unlinkAndDelRemoveCollectionsWithTheirMembers() {
        putCollection(s, "h", TypeCode.HASH, "f1", "v1", "f2", "v2");
        s.exec("set", "x", "1");
        assertThat(s.integer("unlink", "h", "x", "nokey")).isEqualTo(2);
        assertThat(s.rawContents()).isEmpty();
        putCollection(s, "big", TypeCode.SET, manyMembers(300));
        assertThat(s.integer("del", "big")).isEqualTo(1);
        assertThat(members(s, "big")).isEmpty();
        assertThat(s.integer("dbsize")).isZero();
    }

    private static String[] manyMembers(int n) {
        String[] a = new String[2 * n];
        for (int i = 0; i < n; i++) {
            a[2 * i] = "m" + i;
            a[2 * i + 1] = "";
        }
        return a;
    }

    private void sixKeys() {
        for (String key : new String[] {"key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c"}) {
            s.exec("set", key, "hello");
        }
    }

    // "KEYS with pattern"
    @Test
    void keysWithPattern() {
        sixKeys();
        assertThat(s.list("keys", "foo*")).containsExactlyInAnyOrder("foo_a", "foo_b", "foo_c");
        assertThat(s.list("keys", "?ey_[xy]")).containsExactlyInAnyOrder("key_x", "key_y");
        assertThat(s.list("keys", "nomatch*")).isEmpty();
    }

    // "KEYS to get all keys"
    @Test
    void keysToGetAllKeys() {
        sixKeys();
        assertThat(s.list("keys", "*")).containsExactlyInAnyOrder("foo_a", "foo_b", "foo_c", "key_x", "key_y", "key_z");
        assertThat(s.error("keys")).isEqualTo("ERR wrong number of arguments for 'keys' command");
    }

    // "DBSIZE"
    @Test
    void dbsize() {
        sixKeys();
        assertThat(s.integer("dbsize")).isEqualTo(6);
        assertThat(s.error("dbsize", "x")).isEqualTo("ERR wrong number of arguments for 'dbsize' command");
    }

    // "KEYS with hashtag"
    @Test
    void keysWithHashtag() {
        for (String key : new String[] {"{a}x", "{a}y", "{a}z", "{b}a", "{b}b", "{b}c"}) {
            s.exec("set", key, "hello");
        }
        assertThat(s.list("keys", "{a}*")).containsExactlyInAnyOrder("{a}x", "{a}y", "{a}z");
        assertThat(s.list("keys", "*{b}*")).containsExactlyInAnyOrder("{b}a", "{b}b", "{b}c");
    }

    // "DEL all keys"
    @Test
    void delAllKeys() {
        sixKeys();
        for (String key : s.list("keys", "*")) {
            s.exec("del", key);
        }
        assertThat(s.integer("dbsize")).isZero();
        assertThat(s.rawContents()).isEmpty();
    }

    // "DEL against expired key"
    @Test
    void delAgainstExpiredKey() {
        s.exec("setex", "keyExpire", "1", "valExpire");
        s.now += 1100;
        assertThat(s.integer("del", "keyExpire")).isZero();
        assertThat(s.rawContents()).isEmpty(); // the record and its expiry entry are gone
    }

    // "EXISTS"
    @Test
    void exists() {
        s.exec("set", "newkey", "test");
        assertThat(s.integer("exists", "newkey")).isEqualTo(1);
        assertThat(s.integer("exists", "newkey", "newkey", "nokey")).isEqualTo(2);
        s.exec("del", "newkey");
        assertThat(s.integer("exists", "newkey")).isZero();
    }

    // "Zero length value in key. SET/GET/EXISTS"
    @Test
    void zeroLengthValueInKey() {
        s.exec("set", "emptykey", "");
        assertThat(s.str("get", "emptykey")).isEqualTo("");
        assertThat(s.integer("exists", "emptykey")).isEqualTo(1);
        s.exec("del", "emptykey");
        assertThat(s.integer("exists", "emptykey")).isZero();
    }

    // "Non existing command"
    @Test
    void nonExistingCommand() {
        assertThat(s.error("foobaredcommand")).startsWith("ERR unknown command 'foobaredcommand'");
    }

    // TOUCH counts the existing keys (it changes nothing else here: there is no LRU clock)
    @Test
    void touchCountsExistingKeys() {
        s.exec("set", "a", "1");
        putCollection(s, "h", TypeCode.HASH, "f", "v");
        assertThat(s.integer("touch", "a", "h", "nokey")).isEqualTo(2);
        assertThat(s.error("touch")).isEqualTo("ERR wrong number of arguments for 'touch' command");
    }

    // TYPE names every type; "none" for a missing or expired key
    @Test
    void typeNamesEveryType() {
        s.exec("set", "s", "v");
        putCollection(s, "h", TypeCode.HASH, "f", "v");
        putCollection(s, "l", TypeCode.LIST, "p", "v");
        putCollection(s, "st", TypeCode.SET, "m", "");
        putCollection(s, "z", TypeCode.ZSET, "m", "");
        assertThat(s.str("type", "s")).isEqualTo("string");
        assertThat(s.str("type", "h")).isEqualTo("hash");
        assertThat(s.str("type", "l")).isEqualTo("list");
        assertThat(s.str("type", "st")).isEqualTo("set");
        assertThat(s.str("type", "z")).isEqualTo("zset");
        assertThat(s.str("type", "nokey")).isEqualTo("none");
        s.exec("pexpire", "s", "1");
        s.now += 1;
        assertThat(s.str("type", "s")).isEqualTo("none");
    }

    // "RENAME basic usage"
    @Test
    void renameBasicUsage() {
        s.exec("set", "mykey{t}", "hello");
        assertThat(s.str("rename", "mykey{t}", "mykey1{t}")).isEqualTo("OK");
        assertThat(s.str("rename", "mykey1{t}", "mykey2{t}")).isEqualTo("OK");
        assertThat(s.str("get", "mykey2{t}")).isEqualTo("hello");
        // "RENAME source key should no longer exist"
        assertThat(s.integer("exists", "mykey{t}", "mykey1{t}")).isZero();
        // across slots too
        assertThat(s.str("rename", "mykey2{t}", "other")).isEqualTo("OK");
        assertThat(s.str("get", "other")).isEqualTo("hello");
        assertThat(s.rawContents()).hasSize(1);
    }

    // "RENAME against already existing key"
    @Test
    void renameAgainstAlreadyExistingKey() {
        s.exec("set", "mykey{t}", "a");
        s.exec("set", "mykey2{t}", "b");
        assertThat(s.str("rename", "mykey2{t}", "mykey{t}")).isEqualTo("OK");
        assertThat(s.str("get", "mykey{t}")).isEqualTo("b");
        assertThat(s.integer("exists", "mykey2{t}")).isZero();
    }

    // "RENAMENX basic usage"
    @Test
    void renamenxBasicUsage() {
        s.exec("set", "mykey{t}", "foobar");
        assertThat(s.integer("renamenx", "mykey{t}", "mykey2{t}")).isEqualTo(1);
        assertThat(s.str("get", "mykey2{t}")).isEqualTo("foobar");
        assertThat(s.integer("exists", "mykey{t}")).isZero();
    }

    // "RENAMENX against already existing key" / "(2)"
    @Test
    void renamenxAgainstAlreadyExistingKey() {
        s.exec("set", "mykey{t}", "foo");
        s.exec("set", "mykey2{t}", "bar");
        assertThat(s.integer("renamenx", "mykey{t}", "mykey2{t}")).isZero();
        assertThat(s.str("get", "mykey{t}")).isEqualTo("foo");
        assertThat(s.str("get", "mykey2{t}")).isEqualTo("bar");
        // an expired destination does not count as existing
        s.exec("pexpire", "mykey2{t}", "1");
        s.now += 1;
        assertThat(s.integer("renamenx", "mykey{t}", "mykey2{t}")).isEqualTo(1);
        assertThat(s.str("get", "mykey2{t}")).isEqualTo("foo");
    }

    // "RENAME against non existing source key"
    @Test
    void renameAgainstNonExistingSourceKey() {
        assertThat(s.error("rename", "nokey{t}", "foobar{t}")).isEqualTo("ERR no such key");
        assertThat(s.error("renamenx", "nokey{t}", "foobar{t}")).isEqualTo("ERR no such key");
        s.exec("set", "exp{t}", "v", "px", "1");
        s.now += 1;
        assertThat(s.error("rename", "exp{t}", "foobar{t}")).isEqualTo("ERR no such key");
    }

    // "RENAME where source and dest key are the same (existing)"
    @Test
    void renameWhereSourceAndDestKeyAreTheSameExisting() {
        s.exec("set", "mykey", "foo", "ex", "100");
        assertThat(s.str("rename", "mykey", "mykey")).isEqualTo("OK");
        assertThat(s.str("get", "mykey")).isEqualTo("foo");
        assertThat(s.integer("ttl", "mykey")).isEqualTo(100);
    }

    // "RENAMENX where source and dest key are the same (existing)"
    @Test
    void renamenxWhereSourceAndDestKeyAreTheSameExisting() {
        s.exec("set", "mykey", "foo");
        assertThat(s.integer("renamenx", "mykey", "mykey")).isZero();
        assertThat(s.str("get", "mykey")).isEqualTo("foo");
    }

    // "RENAME where source and dest key are the same (non existing)"
    @Test
    void renameWhereSourceAndDestKeyAreTheSameNonExisting() {
        assertThat(s.error("rename", "mykey", "mykey")).isEqualTo("ERR no such key");
    }

    // "RENAME with volatile key, should move the TTL as well"
    @Test
    void renameWithVolatileKeyShouldMoveTheTtlAsWell() {
        s.exec("set", "mykey{t}", "foo");
        s.exec("expire", "mykey{t}", "100");
        s.exec("rename", "mykey{t}", "mykey2{t}");
        assertThat(s.integer("ttl", "mykey2{t}")).isEqualTo(100);
        assertThat(s.integer("ttl", "mykey{t}")).isEqualTo(-2);
        s.now += 100_000;
        assertThat(s.integer("exists", "mykey2{t}")).isZero();
    }

    // "RENAME with volatile key, should not inherit TTL of target key"
    @Test
    void renameWithVolatileKeyShouldNotInheritTtlOfTargetKey() {
        s.exec("set", "mykey{t}", "foo");
        s.exec("set", "mykey2{t}", "bar");
        s.exec("expire", "mykey2{t}", "100");
        s.exec("rename", "mykey{t}", "mykey2{t}");
        assertThat(s.integer("ttl", "mykey2{t}")).isEqualTo(-1);
        assertThat(s.rawContents()).hasSize(1); // no stale expiry index entry
    }

    // RENAME of a hash keeps its fields, within a slot (O(1): the record moves) and across slots
    @Test
    void renameOfAHashKeepsItsFields() {
        putCollection(s, "h{t}", TypeCode.HASH, "f1", "v1", "f2", "v2");
        putCollection(s, "victim{t}", TypeCode.HASH, "x", "y");
        s.exec("expire", "h{t}", "50");
        assertThat(s.str("rename", "h{t}", "victim{t}")).isEqualTo("OK");
        assertThat(members(s, "victim{t}")).containsExactly("f1=v1", "f2=v2");
        assertThat(s.integer("ttl", "victim{t}")).isEqualTo(50);
        assertThat(s.integer("exists", "h{t}")).isZero();
        assertThat(s.integer("renamenx", "victim{t}", "elsewhere")).isEqualTo(1);
        assertThat(members(s, "elsewhere")).containsExactly("f1=v1", "f2=v2");
        assertThat(s.str("type", "elsewhere")).isEqualTo("hash");
        assertThat(s.integer("ttl", "elsewhere")).isEqualTo(50);
        assertThat(s.integer("dbsize")).isEqualTo(1);
        // one record, two members, one expiry entry: nothing of the old versions is left
        assertThat(s.rawContents()).hasSize(4);
    }

    // "COPY basic usage for string"
    @Test
    void copyBasicUsageForString() {
        s.exec("set", "mykey{t}", "foobar");
        assertThat(s.integer("copy", "mykey{t}", "mynewkey{t}")).isEqualTo(1);
        assertThat(s.str("get", "mynewkey{t}")).isEqualTo("foobar");
        assertThat(s.integer("dbsize")).isEqualTo(2);
        assertThat(s.integer("copy", "mykey{t}", "another{t}", "DB", "0")).isEqualTo(1);
    }

    // "COPY for string does not replace an existing key without REPLACE option"
    @Test
    void copyForStringDoesNotReplaceAnExistingKeyWithoutReplaceOption() {
        s.exec("set", "mykey{t}", "foobar");
        s.exec("set", "mykey2{t}", "hello");
        assertThat(s.integer("copy", "mykey2{t}", "mykey{t}")).isZero();
        assertThat(s.str("get", "mykey{t}")).isEqualTo("foobar");
    }

    // "COPY for string can replace an existing key with REPLACE option"
    @Test
    void copyForStringCanReplaceAnExistingKeyWithReplaceOption() {
        s.exec("set", "mykey{t}", "foobar", "ex", "10");
        s.exec("set", "mykey2{t}", "hello");
        assertThat(s.integer("copy", "mykey2{t}", "mykey{t}", "REPLACE")).isEqualTo(1);
        assertThat(s.str("get", "mykey{t}")).isEqualTo("hello");
        assertThat(s.integer("ttl", "mykey{t}")).isEqualTo(-1);
    }

    // "COPY for string ensures that copied data is independent of copying data"
    @Test
    void copyForStringEnsuresThatCopiedDataIsIndependent() {
        s.exec("set", "mykey{t}", "foobar");
        s.exec("copy", "mykey{t}", "mynewkey{t}");
        s.exec("set", "mynewkey{t}", "hoge");
        assertThat(s.str("get", "mynewkey{t}")).isEqualTo("hoge");
        assertThat(s.str("get", "mykey{t}")).isEqualTo("foobar");
    }

    // "COPY for string does not copy data to no-integer DB", and the other DB errors of
    // Redis in cluster mode (only database 0 exists)
    @Test
    void copyForStringDoesNotCopyDataToNoIntegerDb() {
        s.exec("set", "mykey{t}", "foobar");
        assertThat(s.error("copy", "mykey{t}", "mynewkey{t}", "DB", "notanumber")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("copy", "mykey{t}", "mynewkey{t}", "DB", "10"))
                .isEqualTo("ERR Copying to another database is not allowed in cluster mode");
        assertThat(s.error("copy", "mykey{t}", "mynewkey{t}", "DB", "16")).isEqualTo("ERR DB index is out of range");
        assertThat(s.error("copy", "mykey{t}", "mynewkey{t}", "DB", "-1")).isEqualTo("ERR DB index is out of range");
        assertThat(s.error("copy", "mykey{t}", "mynewkey{t}", "DB", "99999999999"))
                .isEqualTo("ERR value is out of range, value must between -2147483648 and 2147483647");
        assertThat(s.error("copy", "mykey{t}", "mynewkey{t}", "DB")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("copy", "mykey{t}", "mynewkey{t}", "foo")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("copy", "mykey{t}", "mykey{t}")).isEqualTo("ERR source and destination objects are the same");
        assertThat(s.error("copy", "mykey{t}")).isEqualTo("ERR wrong number of arguments for 'copy' command");
        assertThat(s.integer("copy", "nokey{t}", "mynewkey{t}")).isZero();
        assertThat(s.integer("exists", "mynewkey{t}")).isZero();
    }

    // "COPY can copy key expire metadata as well"
    @Test
    void copyCanCopyKeyExpireMetadataAsWell() {
        s.exec("set", "mykey{t}", "foobar", "ex", "100");
        assertThat(s.integer("copy", "mykey{t}", "mynewkey{t}", "REPLACE")).isEqualTo(1);
        assertThat(s.integer("ttl", "mynewkey{t}")).isEqualTo(100);
        assertThat(s.str("get", "mynewkey{t}")).isEqualTo("foobar");
    }

    // "COPY does not create an expire if it does not exist"
    @Test
    void copyDoesNotCreateAnExpireIfItDoesNotExist() {
        s.exec("set", "mykey{t}", "foobar");
        s.exec("copy", "mykey{t}", "mynewkey{t}", "REPLACE");
        assertThat(s.integer("ttl", "mynewkey{t}")).isEqualTo(-1);
        assertThat(s.str("get", "mynewkey{t}")).isEqualTo("foobar");
    }

    // "COPY basic usage for listpack hash" / "... hashtable hash": the members are copied and
    // independent of the source
    @Test
    void copyBasicUsageForHash() {
        putCollection(s, "hash1{t}", TypeCode.HASH, "tmp", "17179869184", "f", "v");
        assertThat(s.integer("copy", "hash1{t}", "newhash1{t}")).isEqualTo(1);
        assertThat(s.integer("copy", "hash1{t}", "newhash2")).isEqualTo(1);
        s.exec("del", "hash1{t}");
        assertThat(members(s, "newhash1{t}")).containsExactly("f=v", "tmp=17179869184");
        assertThat(members(s, "newhash2")).containsExactly("f=v", "tmp=17179869184");
        assertThat(s.str("type", "newhash2")).isEqualTo("hash");
    }

    // "KEYS * two times with long key, Github issue #1208"
    @Test
    void keysTwoTimesWithLongKey() {
        s.exec("set", "dlskeriewrioeuwqoirueioqwrueoqwrueqw", "test");
        s.list("keys", "*");
        assertThat(s.list("keys", "*")).containsExactly("dlskeriewrioeuwqoirueioqwrueoqwrueqw");
    }

    // "Regression for pattern matching long nested loops"
    @Test
    void regressionForPatternMatchingLongNestedLoops() {
        s.exec("set", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1");
        assertThat(s.list("keys", "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b")).isEmpty();
    }

    // KEYS and DBSIZE leave out expired keys (without deleting them: they are reads)
    @Test
    void keysAndDbsizeSkipExpiredKeys() {
        s.exec("set", "live", "1");
        s.exec("set", "dying", "1", "px", "5");
        assertThat(s.integer("dbsize")).isEqualTo(2);
        s.now += 5;
        assertThat(s.list("keys", "*")).containsExactly("live");
        assertThat(s.integer("dbsize")).isEqualTo(1);
    }

    // FLUSHALL / FLUSHDB [ASYNC|SYNC] remove every key of the group and keep the applied state
    @Test
    void flushallAndFlushdbRemoveEveryKeyAndKeepTheAppliedState() throws Exception {
        byte[] applied = KeyCodec.appliedKey(TestStore.GROUP);
        s.db().put(applied, new byte[16]);
        s.exec("set", "a", "1", "ex", "100");
        putCollection(s, "h", TypeCode.HASH, "f", "v");
        assertThat(s.str("flushall")).isEqualTo("OK");
        assertThat(s.integer("dbsize")).isZero();
        assertThat(s.rawContents()).hasSize(1);
        assertThat(s.db().get(applied)).hasSize(16);
        s.exec("set", "a", "1");
        assertThat(s.str("flushall", "ASYNC")).isEqualTo("OK");
        s.exec("set", "a", "1");
        assertThat(s.str("flushall", "sync")).isEqualTo("OK");
        assertThat(s.integer("exists", "a")).isZero();
        assertThat(s.error("flushall", "foo")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("flushall", "async", "sync")).isEqualTo(Errors.SYNTAX);
        s.exec("set", "b", "1");
        assertThat(s.str("flushdb")).isEqualTo("OK");
        assertThat(s.integer("exists", "b")).isZero();
        assertThat(s.error("flushdb", "foo")).isEqualTo(Errors.SYNTAX);
        assertThat(s.db().get(applied)).hasSize(16);
    }

    // the key-command table rows: arity, flags and key positions as COMMAND INFO of Redis 7.0
    @Test
    void commandTableRowsMatchRedis() {
        CommandTable t = CommandTable.standard();
        assertThat(t.lookup("rename").keyPositions(3)).containsExactly(1, 2);
        assertThat(t.lookup("del").keyPositions(4)).containsExactly(1, 2, 3);
        assertThat(t.lookup("mset").keyPositions(5)).containsExactly(1, 3);
        assertThat(t.lookup("scan").keyPositions(4)).isEmpty();
        assertThat(t.lookup("scan").flags()).contains(CommandFlag.KEYLESS, CommandFlag.READONLY);
        assertThat(t.lookup("flushall").flags()).contains(CommandFlag.KEYLESS, CommandFlag.WRITE);
        assertThat(t.lookup("getex").isWrite()).isTrue();
        assertThat(t.lookup("touch").isWrite()).isFalse();
        assertThat(t.lookup("copy").arity()).isEqualTo(-3);
    }

    // ---- scan.tcl ------------------------------------------------------------------------

    /** Runs a full SCAN with the given options; returns every key seen (with repeats). */
    private List<String> scanAll(String... options) {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        int calls = 0;
        do {
            String[] argv = new String[2 + options.length];
            argv[0] = "scan";
            argv[1] = cursor;
            System.arraycopy(options, 0, argv, 2, options.length);
            Reply.Arr r = (Reply.Arr) s.exec(argv);
            cursor = TestStore.text(r.items().get(0));
            keys.addAll(TestStore.flat(r.items().get(1)));
            calls++;
        } while (!cursor.equals("0") && calls < 100_000);
        assertThat(cursor).isEqualTo("0");
        return keys;
    }

    private void populate(int n) {
        for (int i = 0; i < n; i++) {
            s.exec("set", "key:" + i, Integer.toString(i));
        }
    }

    // "SCAN basic"
    @Test
    void scanBasic() {
        populate(1000);
        List<String> keys = scanAll();
        assertThat(new HashSet<>(keys)).hasSize(1000);
    }

    // "SCAN COUNT"
    @Test
    void scanCount() {
        populate(1000);
        for (String count : new String[] {"1", "5", "10", "100", "5000"}) {
            assertThat(new HashSet<>(scanAll("count", count))).as(count).hasSize(1000);
        }
        Reply.Arr first = (Reply.Arr) s.exec("scan", "0", "count", "5");
        assertThat(TestStore.flat(first.items().get(1))).hasSize(5);
        assertThat(TestStore.text(first.items().get(0))).isNotEqualTo("0");
    }

    // "SCAN MATCH"
    @Test
    void scanMatch() {
        populate(1000);
        List<String> keys = scanAll("match", "key:1??");
        assertThat(new HashSet<>(keys)).hasSize(100);
        assertThat(keys).allMatch(k -> k.matches("key:1.."));
    }

    // "SCAN TYPE"
    @Test
    void scanType() {
        populate(100);
        putCollection(s, "h1", TypeCode.HASH, "f", "v");
        putCollection(s, "h2", TypeCode.HASH, "f", "v");
        putCollection(s, "l1", TypeCode.LIST, "p", "v");
        assertThat(new HashSet<>(scanAll("type", "hash"))).containsExactlyInAnyOrder("h1", "h2");
        assertThat(new HashSet<>(scanAll("type", "LIST", "count", "3"))).containsExactly("l1");
        assertThat(new HashSet<>(scanAll("type", "string"))).hasSize(100);
    }

    // "SCAN unknown type"
    @Test
    void scanUnknownType() {
        populate(50);
        assertThat(scanAll("type", "string1")).isEmpty();
    }

    // "SCAN with expired keys" / "SCAN with expired keys with TYPE filter"
    @Test
    void scanWithExpiredKeys() {
        populate(100);
        for (int i = 0; i < 100; i++) {
            s.exec("set", "foo" + i, "bar", "px", "1");
        }
        putCollection(s, "h", TypeCode.HASH, "f", "v");
        s.exec("pexpire", "h", "1");
        s.now += 2;
        List<String> keys = scanAll("count", "10");
        assertThat(new HashSet<>(keys)).hasSize(100).allMatch(k -> k.startsWith("key:"));
        assertThat(scanAll("type", "hash")).isEmpty();
    }

    // "SCAN guarantees check under write load": keys present for the whole scan are returned
    @Test
    void scanGuaranteesCheckUnderWriteLoad() {
        populate(100);
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int i = 0;
        do {
            Reply.Arr r = (Reply.Arr) s.exec("scan", cursor, "count", "7");
            cursor = TestStore.text(r.items().get(0));
            seen.addAll(TestStore.flat(r.items().get(1)));
            s.exec("set", "added:" + i, "x");
            s.exec("del", "added:" + (i / 2));
            i++;
        } while (!cursor.equals("0"));
        for (int k = 0; k < 100; k++) {
            assertThat(seen).contains("key:" + k);
        }
    }

    // SCAN argument errors as Redis 7.0 gives them
    @Test
    void scanErrors() {
        assertThat(s.error("scan", "abc")).isEqualTo("ERR invalid cursor");
        assertThat(s.error("scan", "0", "count", "0")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("scan", "0", "count", "abc")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("scan", "0", "match")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("scan", "0", "foo", "bar")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("scan")).isEqualTo("ERR wrong number of arguments for 'scan' command");
        Reply.Arr empty = (Reply.Arr) s.exec("scan", "0");
        assertThat(TestStore.text(empty.items().get(0))).isEqualTo("0");
        assertThat(TestStore.flat(empty.items().get(1))).isEmpty();
    }
}
