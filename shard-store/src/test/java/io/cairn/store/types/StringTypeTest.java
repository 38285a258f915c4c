package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirrors Redis's tests/unit/type/string.tcl and tests/unit/type/incr.tcl (test names in comments
 * and method names); expected replies were checked against redis-server 7.0.15.
 */
class StringTypeTest {
    static final String WRONGTYPE = Errors.WRONGTYPE;
    static final String NOT_INTEGER = Errors.NOT_INTEGER;
    static final String NOT_FLOAT = Errors.NOT_FLOAT;

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

    /** A list key (for WRONGTYPE checks) written through the keyspace, as the list family would. */
    private void makeList(String key) {
        KeyspaceTest.putCollection(s, key, TypeCode.LIST, "m1", "v1");
    }

    // ---- string.tcl ----------------------------------------------------------------------

    // "SET and GET an item"
    @Test
    void setAndGetAnItem() {
        assertThat(s.str("set", "x", "foobar")).isEqualTo("OK");
        assertThat(s.str("get", "x")).isEqualTo("foobar");
    }

    // "SET and GET an empty item"
    @Test
    void setAndGetAnEmptyItem() {
        s.exec("set", "x", "");
        assertThat(s.str("get", "x")).isEqualTo("");
        assertThat(s.integer("exists", "x")).isEqualTo(1);
    }

    // "Very big payload in GET/SET"
    @Test
    void veryBigPayloadInGetSet() {
        String buf = "abcd".repeat(1_000_000);
        s.exec("set", "foo", buf);
        assertThat(s.str("get", "foo")).isEqualTo(buf);
    }

    // "SET 10000 numeric keys and access all them in reverse order" + "DBSIZE should be 10000 now"
    @Test
    void set10000NumericKeysAndAccessAllThemInReverseOrder() {
        for (int x = 0; x < 10000; x++) {
            s.exec("set", Integer.toString(x), Integer.toString(x));
        }
        for (int x = 9999; x >= 0; x--) {
            assertThat(s.str("get", Integer.toString(x))).isEqualTo(Integer.toString(x));
        }
        assertThat(s.integer("dbsize")).isEqualTo(10000);
    }

    // "SETNX target key missing"
    @Test
    void setnxTargetKeyMissing() {
        assertThat(s.integer("setnx", "novar", "foobared")).isEqualTo(1);
        assertThat(s.str("get", "novar")).isEqualTo("foobared");
    }

    // "SETNX target key exists"
    @Test
    void setnxTargetKeyExists() {
        s.exec("set", "novar", "foobared");
        assertThat(s.integer("setnx", "novar", "blabla")).isZero();
        assertThat(s.str("get", "novar")).isEqualTo("foobared");
    }

    // "SETNX against not-expired volatile key"
    @Test
    void setnxAgainstNotExpiredVolatileKey() {
        s.exec("set", "x", "10");
        s.exec("expire", "x", "10000");
        assertThat(s.integer("setnx", "x", "20")).isZero();
        assertThat(s.str("get", "x")).isEqualTo("10");
    }

    // "SETNX against expired volatile key"
    @Test
    void setnxAgainstExpiredVolatileKey() {
        s.exec("set", "x", "10");
        s.exec("expire", "x", "1");
        s.now += 2000;
        assertThat(s.integer("setnx", "x", "20")).isEqualTo(1);
        assertThat(s.str("get", "x")).isEqualTo("20");
        assertThat(s.integer("ttl", "x")).isEqualTo(-1);
    }

    // Redis: SETNX on a key of another type answers 0, not WRONGTYPE
    @Test
    void setnxAgainstKeyOfAnotherTypeReturnsZero() {
        makeList("l");
        assertThat(s.integer("setnx", "l", "v")).isZero();
        assertThat(s.str("type", "l")).isEqualTo("list");
        assertThat(s.error("setnx", "l")).isEqualTo("ERR wrong number of arguments for 'setnx' command");
    }

    // "GETEX EX option"
    @Test
    void getexExOption() {
        s.exec("set", "foo", "bar");
        assertThat(s.str("getex", "foo", "ex", "10")).isEqualTo("bar");
        assertThat(s.integer("ttl", "foo")).isEqualTo(10);
    }

    // "GETEX PX option"
    @Test
    void getexPxOption() {
        s.exec("set", "foo", "bar");
        s.exec("getex", "foo", "px", "10000");
        assertThat(s.integer("pttl", "foo")).isEqualTo(10000);
    }

    // "GETEX EXAT option"
    @Test
    void getexExatOption() {
        s.exec("set", "foo", "bar");
        s.exec("getex", "foo", "exat", Long.toString(s.now / 1000 + 10));
        assertThat(s.integer("ttl", "foo")).isEqualTo(10);
    }

    // "GETEX PXAT option"
    @Test
    void getexPxatOption() {
        s.exec("set", "foo", "bar");
        s.exec("getex", "foo", "pxat", Long.toString(s.now + 10000));
        assertThat(s.integer("pttl", "foo")).isEqualTo(10000);
    }

    // "GETEX PERSIST option"
    @Test
    void getexPersistOption() {
        s.exec("set", "foo", "bar", "ex", "10");
        assertThat(s.integer("ttl", "foo")).isEqualTo(10);
        assertThat(s.str("getex", "foo", "persist")).isEqualTo("bar");
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
        // PERSIST on a key without expiry (and a repeated PERSIST) is accepted
        assertThat(s.str("getex", "foo", "persist", "PERSIST")).isEqualTo("bar");
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
    }

    // "GETEX no option"
    @Test
    void getexNoOption() {
        s.exec("set", "foo", "bar", "ex", "10");
        assertThat(s.str("getex", "foo")).isEqualTo("bar");
        assertThat(s.integer("ttl", "foo")).isEqualTo(10);
    }

    // "GETEX syntax errors"
    @Test
    void getexSyntaxErrors() {
        assertThat(s.error("getex", "foo", "non-existent-option")).isEqualTo(Errors.SYNTAX);
        s.exec("set", "foo", "bar");
        assertThat(s.error("getex", "foo", "keepttl")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("getex", "foo", "nx")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("getex", "foo", "ex")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("getex", "foo", "ex", "10", "px", "100")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("getex", "foo", "ex", "10", "persist")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("getex", "foo", "persist", "ex", "10")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("getex", "foo", "ex", "abc")).isEqualTo(NOT_INTEGER);
        assertThat(s.error("getex", "foo", "ex", "0")).isEqualTo("ERR invalid expire time in 'getex' command");
        assertThat(s.error("getex", "foo", "px", "-5")).isEqualTo("ERR invalid expire time in 'getex' command");
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
        // a missing key answers nil before the expiry value is looked at
        assertThat(s.str("getex", "nokey", "ex", "abc")).isNull();
        makeList("l");
        assertThat(s.error("getex", "l", "ex", "10")).isEqualTo(WRONGTYPE);
    }

    // "GETEX and GET expired key or not exist"
    @Test
    void getexAndGetExpiredKeyOrNotExist() {
        s.exec("set", "foo", "bar", "px", "1");
        s.now += 2;
        assertThat(s.str("getex", "foo")).isNull();
        assertThat(s.str("get", "foo")).isNull();
    }

    // "GETEX no arguments"
    @Test
    void getexNoArguments() {
        assertThat(s.error("getex")).isEqualTo("ERR wrong number of arguments for 'getex' command");
    }

    // GETEX EXAT/PXAT in the past deletes the key and still returns the value
    @Test
    void getexWithATimeInThePastDeletesTheKey() {
        s.exec("set", "foo", "bar");
        assertThat(s.str("getex", "foo", "exat", "1")).isEqualTo("bar");
        assertThat(s.integer("exists", "foo")).isZero();
        s.exec("set", "foo", "bar");
        assertThat(s.str("getex", "foo", "pxat", Long.toString(s.now))).isEqualTo("bar");
        assertThat(s.integer("exists", "foo")).isZero();
        assertThat(s.rawContents()).isEmpty();
    }

    // "GETDEL command"
    @Test
    void getdelCommand() {
        s.exec("set", "foo", "bar", "ex", "100");
        assertThat(s.str("getdel", "foo")).isEqualTo("bar");
        assertThat(s.str("getdel", "foo")).isNull();
        assertThat(s.rawContents()).isEmpty();
        makeList("l");
        assertThat(s.error("getdel", "l")).isEqualTo(WRONGTYPE);
        assertThat(s.str("type", "l")).isEqualTo("list");
    }

    // "MGET"
    @Test
    void mget() {
        s.exec("set", "foo{t}", "BAR");
        s.exec("set", "bar{t}", "FOO");
        assertThat(s.list("mget", "foo{t}", "bar{t}")).containsExactly("BAR", "FOO");
    }

    // "MGET against non existing key"
    @Test
    void mgetAgainstNonExistingKey() {
        s.exec("set", "foo{t}", "BAR");
        s.exec("set", "bar{t}", "FOO");
        assertThat(s.list("mget", "foo{t}", "baazz{t}", "bar{t}")).containsExactly("BAR", null, "FOO");
    }

    // "MGET against non-string key"
    @Test
    void mgetAgainstNonStringKey() {
        s.exec("set", "foo{t}", "BAR");
        s.exec("set", "bar{t}", "FOO");
        makeList("myset{t}");
        assertThat(s.list("mget", "foo{t}", "baazz{t}", "bar{t}", "myset{t}")).containsExactly("BAR", null, "FOO", null);
    }

    // "GETSET (set new value)"
    @Test
    void getsetSetNewValue() {
        assertThat(s.str("getset", "foo", "xyz")).isNull();
        assertThat(s.str("get", "foo")).isEqualTo("xyz");
    }

    // "GETSET (replace old value)"
    @Test
    void getsetReplaceOldValue() {
        s.exec("set", "foo", "bar", "ex", "100");
        assertThat(s.str("getset", "foo", "xyz")).isEqualTo("bar");
        assertThat(s.str("get", "foo")).isEqualTo("xyz");
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
        makeList("l");
        assertThat(s.error("getset", "l", "x")).isEqualTo(WRONGTYPE);
    }

    // "MSET base case"
    @Test
    void msetBaseCase() {
        assertThat(s.str("mset", "x{t}", "10", "y{t}", "foo bar", "z{t}", "x x x x x x x\n\n\r\n")).isEqualTo("OK");
        assertThat(s.list("mget", "x{t}", "y{t}", "z{t}")).containsExactly("10", "foo bar", "x x x x x x x\n\n\r\n");
    }

    // "MSET/MSETNX wrong number of args"
    @Test
    void msetMsetnxWrongNumberOfArgs() {
        assertThat(s.error("mset", "x{t}", "10", "y{t}", "foo bar", "z{t}"))
                .isEqualTo("ERR wrong number of arguments for 'mset' command");
        assertThat(s.error("msetnx", "x{t}", "20", "y{t}", "foo bar", "z{t}"))
                .isEqualTo("ERR wrong number of arguments for 'msetnx' command");
        assertThat(s.error("mset", "x{t}")).isEqualTo("ERR wrong number of arguments for 'mset' command");
        assertThat(s.integer("exists", "x{t}", "y{t}")).isZero();
    }

    // "MSET with already existing - same key twice"
    @Test
    void msetWithAlreadyExistingSameKeyTwice() {
        s.exec("set", "x{t}", "x", "ex", "100");
        assertThat(s.str("mset", "x{t}", "xxx", "x{t}", "yyy")).isEqualTo("OK");
        assertThat(s.str("get", "x{t}")).isEqualTo("yyy");
        assertThat(s.integer("ttl", "x{t}")).isEqualTo(-1);
    }

    // "MSETNX with already existent key"
    @Test
    void msetnxWithAlreadyExistentKey() {
        s.exec("set", "x{t}", "x");
        assertThat(s.integer("msetnx", "x1{t}", "xxx", "y2{t}", "yyy", "x{t}", "20")).isZero();
        assertThat(s.integer("exists", "x1{t}")).isZero();
        assertThat(s.integer("exists", "y2{t}")).isZero();
        makeList("l{t}");
        assertThat(s.integer("msetnx", "x1{t}", "xxx", "l{t}", "v")).isZero();
    }

    // "MSETNX with not existing keys"
    @Test
    void msetnxWithNotExistingKeys() {
        assertThat(s.integer("msetnx", "x1{t}", "xxx", "y2{t}", "yyy")).isEqualTo(1);
        assertThat(s.str("get", "x1{t}")).isEqualTo("xxx");
        assertThat(s.str("get", "y2{t}")).isEqualTo("yyy");
    }

    // "MSETNX with not existing keys - same key twice"
    @Test
    void msetnxWithNotExistingKeysSameKeyTwice() {
        assertThat(s.integer("msetnx", "x1{t}", "xxx", "x1{t}", "yyy")).isEqualTo(1);
        assertThat(s.str("get", "x1{t}")).isEqualTo("yyy");
    }

    // "MSETNX with already existing keys - same key twice"
    @Test
    void msetnxWithAlreadyExistingKeysSameKeyTwice() {
        s.exec("set", "x1{t}", "yyy");
        assertThat(s.integer("msetnx", "x1{t}", "xxx", "x1{t}", "zzz")).isZero();
        assertThat(s.str("get", "x1{t}")).isEqualTo("yyy");
    }

    // "STRLEN against non-existing key"
    @Test
    void strlenAgainstNonExistingKey() {
        assertThat(s.integer("strlen", "notakey")).isZero();
    }

    // "STRLEN against integer-encoded value"
    @Test
    void strlenAgainstIntegerEncodedValue() {
        s.exec("set", "myinteger", "-555");
        assertThat(s.integer("strlen", "myinteger")).isEqualTo(4);
    }

    // "STRLEN against plain string"
    @Test
    void strlenAgainstPlainString() {
        s.exec("set", "mystring", "foozzz0123456789 baz");
        assertThat(s.integer("strlen", "mystring")).isEqualTo(20);
        makeList("l");
        assertThat(s.error("strlen", "l")).isEqualTo(WRONGTYPE);
    }

    // "SETRANGE against non-existing key"
    @Test
    void setrangeAgainstNonExistingKey() {
        assertThat(s.integer("setrange", "mykey", "0", "foo")).isEqualTo(3);
        assertThat(s.str("get", "mykey")).isEqualTo("foo");
        s.exec("del", "mykey");
        assertThat(s.integer("setrange", "mykey", "0", "")).isZero();
        assertThat(s.integer("exists", "mykey")).isZero();
        assertThat(s.integer("setrange", "mykey", "1", "foo")).isEqualTo(4);
        assertThat(s.str("get", "mykey")).isEqualTo("\0foo");
    }

    // "SETRANGE against string-encoded key"
    @Test
    void setrangeAgainstStringEncodedKey() {
        s.exec("set", "mykey", "foo");
        assertThat(s.integer("setrange", "mykey", "0", "b")).isEqualTo(3);
        assertThat(s.str("get", "mykey")).isEqualTo("boo");
        s.exec("set", "mykey", "foo");
        assertThat(s.integer("setrange", "mykey", "0", "")).isEqualTo(3);
        assertThat(s.str("get", "mykey")).isEqualTo("foo");
        s.exec("set", "mykey", "foo");
        assertThat(s.integer("setrange", "mykey", "1", "b")).isEqualTo(3);
        assertThat(s.str("get", "mykey")).isEqualTo("fbo");
        s.exec("set", "mykey", "foo");
        assertThat(s.integer("setrange", "mykey", "4", "bar")).isEqualTo(7);
        assertThat(s.str("get", "mykey")).isEqualTo("foo\0bar");
    }

    // "SETRANGE against integer-encoded key"
    @Test
    void setrangeAgainstIntegerEncodedKey() {
        s.exec("set", "mykey", "1234");
        assertThat(s.integer("setrange", "mykey", "0", "2")).isEqualTo(4);
        assertThat(s.str("get", "mykey")).isEqualTo("2234");
        s.exec("set", "mykey", "1234");
        assertThat(s.integer("setrange", "mykey", "0", "")).isEqualTo(4);
        assertThat(s.str("get", "mykey")).isEqualTo("1234");
        assertThat(s.integer("setrange", "mykey", "1", "3")).isEqualTo(4);
        assertThat(s.str("get", "mykey")).isEqualTo("1334");
        s.exec("set", "mykey", "1234");
        assertThat(s.integer("setrange", "mykey", "5", "2")).isEqualTo(6);
        assertThat(s.str("get", "mykey")).isEqualTo("1234\0002");
    }

    // "SETRANGE against key with wrong type"
    @Test
    void setrangeAgainstKeyWithWrongType() {
        makeList("mykey");
        assertThat(s.error("setrange", "mykey", "0", "bar")).isEqualTo(WRONGTYPE);
        assertThat(s.error("setrange", "mykey", "0", "")).isEqualTo(WRONGTYPE);
    }

    // "SETRANGE with out of range offset"
    @Test
    void setrangeWithOutOfRangeOffset() {
        String max = Long.toString(512L * 1024 * 1024 - 4);
        assertThat(s.error("setrange", "mykey", max, "world")).isEqualTo(Errors.STRING_TOO_LONG);
        assertThat(s.integer("exists", "mykey")).isZero();
        s.exec("set", "mykey", "hello");
        assertThat(s.error("setrange", "mykey", "-1", "world")).isEqualTo("ERR offset is out of range");
        assertThat(s.error("setrange", "mykey", max, "world")).isEqualTo(Errors.STRING_TOO_LONG);
        assertThat(s.error("setrange", "mykey", "x", "world")).isEqualTo(NOT_INTEGER);
        assertThat(s.str("get", "mykey")).isEqualTo("hello");
    }

    // "SETRANGE with huge offset"
    @Test
    void setrangeWithHugeOffset() {
        for (String value : new String[] {"9223372036854775807", "2147483647"}) {
            assertThat(s.error("setrange", "K", value, "A")).isEqualTo(Errors.STRING_TOO_LONG);
        }
    }

    // SETRANGE and APPEND modify the value in place: the expiry stays
    @Test
    void setrangeAndAppendKeepTheExpiry() {
        s.exec("set", "k", "hello", "ex", "100");
        s.exec("setrange", "k", "0", "J");
        s.exec("append", "k", "!");
        assertThat(s.str("get", "k")).isEqualTo("Jello!");
        assertThat(s.integer("ttl", "k")).isEqualTo(100);
    }

    // "GETRANGE against non-existing key"
    @Test
    void getrangeAgainstNonExistingKey() {
        assertThat(s.str("getrange", "mykey", "0", "-1")).isEqualTo("");
    }

    // "GETRANGE against wrong key type"
    @Test
    void getrangeAgainstWrongKeyType() {
        makeList("lkey1");
        assertThat(s.error("getrange", "lkey1", "0", "-1")).isEqualTo(WRONGTYPE);
        // the indexes are parsed before the key is looked at
        assertThat(s.error("getrange", "lkey1", "x", "-1")).isEqualTo(NOT_INTEGER);
        assertThat(s.error("getrange", "nokey", "0", "1.5")).isEqualTo(NOT_INTEGER);
    }

    // "GETRANGE against string value"
    @Test
    void getrangeAgainstStringValue() {
        s.exec("set", "mykey", "Hello World");
        assertThat(s.str("getrange", "mykey", "0", "3")).isEqualTo("Hell");
        assertThat(s.str("getrange", "mykey", "0", "-1")).isEqualTo("Hello World");
        assertThat(s.str("getrange", "mykey", "-4", "-1")).isEqualTo("orld");
        assertThat(s.str("getrange", "mykey", "5", "3")).isEqualTo("");
        assertThat(s.str("getrange", "mykey", "5", "5000")).isEqualTo(" World");
        assertThat(s.str("getrange", "mykey", "-5000", "10000")).isEqualTo("Hello World");
        assertThat(s.str("getrange", "mykey", "0", "-100")).isEqualTo("H");
        assertThat(s.str("getrange", "mykey", "1", "-100")).isEqualTo("");
        assertThat(s.str("getrange", "mykey", "-1", "-100")).isEqualTo("");
        assertThat(s.str("getrange", "mykey", "-100", "-99")).isEqualTo("H");
        assertThat(s.str("getrange", "mykey", "-100", "-100")).isEqualTo("H");
        assertThat(s.str("getrange", "mykey", "-100", "-101")).isEqualTo("");
    }

    // "GETRANGE against integer-encoded value"
    @Test
    void getrangeAgainstIntegerEncodedValue() {
        s.exec("set", "mykey", "1234");
        assertThat(s.str("getrange", "mykey", "0", "2")).isEqualTo("123");
        assertThat(s.str("getrange", "mykey", "0", "-1")).isEqualTo("1234");
        assertThat(s.str("getrange", "mykey", "-3", "-1")).isEqualTo("234");
        assertThat(s.str("getrange", "mykey", "5", "3")).isEqualTo("");
        assertThat(s.str("getrange", "mykey", "3", "5000")).isEqualTo("4");
        assertThat(s.str("getrange", "mykey", "-5000", "10000")).isEqualTo("1234");
        assertThat(s.str("getrange", "mykey", "0", "-100")).isEqualTo("1");
        assertThat(s.str("getrange", "mykey", "-100", "-101")).isEqualTo("");
    }

    // "GETRANGE fuzzing": compared with Tcl's [string range] semantics (clamped, inclusive)
    @Test
    void getrangeFuzzing() {
        Random r = new Random(1);
        for (int i = 0; i < 300; i++) {
            byte[] bin = new byte[r.nextInt(1025)];
            r.nextBytes(bin);
            s.exec(new byte[][] {Args.bytes("set"), Args.bytes("bin"), bin});
            int start = r.nextInt(1500);
            int end = r.nextInt(1500);
            byte[] expected = start > end || start >= bin.length ? new byte[0]
                    : Arrays.copyOfRange(bin, start, Math.min(end, bin.length - 1) + 1);
            Reply got = s.exec("getrange", "bin", Integer.toString(start), Integer.toString(end));
            assertThat(((Reply.Bulk) got).value()).isEqualTo(expected);
        }
    }

    // "Coverage: SUBSTR"
    @Test
    void coverageSubstr() {
        s.exec("set", "key", "abcde");
        assertThat(s.str("substr", "key", "0", "0")).isEqualTo("a");
        assertThat(s.str("substr", "key", "0", "3")).isEqualTo("abcd");
        assertThat(s.str("substr", "key", "-4", "-1")).isEqualTo("bcde");
        assertThat(s.str("substr", "key", "-1", "-3")).isEqualTo("");
        assertThat(s.str("substr", "key", "7", "8")).isEqualTo("");
        assertThat(s.str("substr", "nokey", "0", "1")).isEqualTo("");
    }

    // "GETRANGE with huge ranges, Github issue #1844"
    @Test
    void getrangeWithHugeRanges() {
        s.exec("set", "foo", "bar");
        assertThat(s.str("getrange", "foo", "0", "4294967297")).isEqualTo("bar");
        assertThat(s.str("getrange", "foo", "-9223372036854775808", "9223372036854775807")).isEqualTo("bar");
    }

    // "Extended SET can detect syntax errors"
    @Test
    void extendedSetCanDetectSyntaxErrors() {
        assertThat(s.error("set", "foo", "bar", "non-existing-option")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("set", "foo", "bar", "nx", "xx")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("set", "foo", "bar", "xx", "nx")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("set", "foo", "bar", "ex", "10", "px", "100")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("set", "foo", "bar", "ex", "10", "keepttl")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("set", "foo", "bar", "keepttl", "pxat", "10")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("set", "foo", "bar", "ex")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("set", "foo", "bar", "persist")).isEqualTo(Errors.SYNTAX);
        // every option parses before the expiry value is checked
        assertThat(s.error("set", "foo", "bar", "ex", "abc", "nx", "xx")).isEqualTo(Errors.SYNTAX);
        assertThat(s.error("set", "foo", "bar", "ex", "abc")).isEqualTo(NOT_INTEGER);
        assertThat(s.error("set", "foo", "bar", "ex", "0")).isEqualTo("ERR invalid expire time in 'set' command");
        assertThat(s.error("set", "foo", "bar", "px", "-1")).isEqualTo("ERR invalid expire time in 'set' command");
        assertThat(s.error("set", "foo", "bar", "ex", "9223372036854775807"))
                .isEqualTo("ERR invalid expire time in 'set' command");
        assertThat(s.error("set", "foo", "bar", "px", "9223372036854775807"))
                .isEqualTo("ERR invalid expire time in 'set' command");
        assertThat(s.error("set", "foo")).isEqualTo("ERR wrong number of arguments for 'set' command");
        assertThat(s.integer("exists", "foo")).isZero();
    }

    // "Extended SET NX option"
    @Test
    void extendedSetNxOption() {
        assertThat(s.str("set", "foo", "1", "nx")).isEqualTo("OK");
        assertThat(s.exec("set", "foo", "2", "nx")).isEqualTo(Reply.NIL);
        assertThat(s.str("get", "foo")).isEqualTo("1");
        // a repeated NX is accepted
        assertThat(s.exec("set", "foo", "2", "NX", "nx")).isEqualTo(Reply.NIL);
    }

    // "Extended SET XX option"
    @Test
    void extendedSetXxOption() {
        assertThat(s.exec("set", "foo", "1", "xx")).isEqualTo(Reply.NIL);
        s.exec("set", "foo", "bar");
        assertThat(s.str("set", "foo", "2", "xx")).isEqualTo("OK");
        assertThat(s.str("get", "foo")).isEqualTo("2");
    }

    // "Extended SET GET option"
    @Test
    void extendedSetGetOption() {
        s.exec("set", "foo", "bar");
        assertThat(s.str("set", "foo", "bar2", "GET")).isEqualTo("bar");
        assertThat(s.str("get", "foo")).isEqualTo("bar2");
    }

    // "Extended SET GET option with no previous value"
    @Test
    void extendedSetGetOptionWithNoPreviousValue() {
        assertThat(s.str("set", "foo", "bar", "GET")).isNull();
        assertThat(s.str("get", "foo")).isEqualTo("bar");
    }

    // "Extended SET GET option with XX"
    @Test
    void extendedSetGetOptionWithXx() {
        s.exec("set", "foo", "bar");
        assertThat(s.str("set", "foo", "baz", "GET", "XX")).isEqualTo("bar");
        assertThat(s.str("get", "foo")).isEqualTo("baz");
    }

    // "Extended SET GET option with XX and no previous value"
    @Test
    void extendedSetGetOptionWithXxAndNoPreviousValue() {
        assertThat(s.str("set", "foo", "bar", "GET", "XX")).isNull();
        assertThat(s.str("get", "foo")).isNull();
    }

    // "Extended SET GET option with NX"
    @Test
    void extendedSetGetOptionWithNx() {
        assertThat(s.str("set", "foo", "bar", "GET", "NX")).isNull();
        assertThat(s.str("get", "foo")).isEqualTo("bar");
    }

    // "Extended SET GET option with NX and previous value"
    @Test
    void extendedSetGetOptionWithNxAndPreviousValue() {
        s.exec("set", "foo", "bar");
        assertThat(s.str("set", "foo", "baz", "GET", "NX")).isEqualTo("bar");
        assertThat(s.str("get", "foo")).isEqualTo("bar");
    }

    // "Extended SET GET with incorrect type should result in wrong type error"
    @Test
    void extendedSetGetWithIncorrectTypeShouldResultInWrongTypeError() {
        makeList("foo");
        assertThat(s.error("set", "foo", "bar", "GET")).isEqualTo(WRONGTYPE);
        assertThat(s.str("type", "foo")).isEqualTo("list");
        // without GET, SET replaces a key of any type
        assertThat(s.str("set", "foo", "bar")).isEqualTo("OK");
        assertThat(s.str("get", "foo")).isEqualTo("bar");
        assertThat(s.rawContents()).hasSize(1);
    }

    // "Extended SET EX option"
    @Test
    void extendedSetExOption() {
        s.exec("set", "foo", "bar", "ex", "10");
        assertThat(s.integer("ttl", "foo")).isEqualTo(10);
        s.now += 10_000;
        assertThat(s.str("get", "foo")).isNull();
        assertThat(s.integer("exists", "foo")).isZero();
    }

    // "Extended SET PX option"
    @Test
    void extendedSetPxOption() {
        s.exec("set", "foo", "bar", "px", "10000");
        assertThat(s.integer("ttl", "foo")).isEqualTo(10);
        assertThat(s.integer("pttl", "foo")).isEqualTo(10000);
    }

    // "Extended SET EXAT option"
    @Test
    void extendedSetExatOption() {
        s.exec("set", "foo", "bar", "exat", Long.toString(s.now / 1000 + 10));
        assertThat(s.integer("ttl", "foo")).isEqualTo(10);
    }

    // "Extended SET PXAT option"
    @Test
    void extendedSetPxatOption() {
        s.exec("set", "foo", "bar", "pxat", Long.toString(s.now + 10000));
        assertThat(s.integer("ttl", "foo")).isEqualTo(10);
        // a time in the past makes the key invisible at once
        assertThat(s.str("set", "foo", "bar", "pxat", "1")).isEqualTo("OK");
        assertThat(s.integer("exists", "foo")).isZero();
    }

    // "Extended SET using multiple options at once"
    @Test
    void extendedSetUsingMultipleOptionsAtOnce() {
        s.exec("set", "foo", "val");
        assertThat(s.str("set", "foo", "bar", "xx", "px", "10000")).isEqualTo("OK");
        assertThat(s.integer("ttl", "foo")).isEqualTo(10);
        // a repeated expiry option is accepted, the last one wins
        assertThat(s.str("set", "foo", "bar", "ex", "10", "EX", "20")).isEqualTo("OK");
        assertThat(s.integer("ttl", "foo")).isEqualTo(20);
    }

    // expire.tcl "SET - use KEEPTTL option, TTL should not be removed"
    @Test
    void setKeepttlKeepsTheTtlOfALiveKeyOnly() {
        s.exec("set", "foo", "bar", "ex", "100");
        assertThat(s.str("set", "foo", "bar2", "keepttl")).isEqualTo("OK");
        assertThat(s.integer("ttl", "foo")).isEqualTo(100);
        s.now += 100_000;
        s.exec("set", "foo", "bar3", "keepttl");
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
        assertThat(s.str("get", "foo")).isEqualTo("bar3");
    }

    // "APPEND basics" (tests/unit/basic.tcl era) and "APPEND modifies the encoding from int to raw"
    @Test
    void appendModifiesTheEncodingFromIntToRaw() {
        assertThat(s.integer("append", "foo", "1")).isEqualTo(1);
        assertThat(s.integer("append", "foo", "2")).isEqualTo(2);
        assertThat(s.str("get", "foo")).isEqualTo("12");
        assertThat(s.integer("append", "foo", "")).isEqualTo(2);
        makeList("l");
        assertThat(s.error("append", "l", "x")).isEqualTo(WRONGTYPE);
    }

    // ---- incr.tcl ------------------------------------------------------------------------

    // "INCR against non existing key"
    @Test
    void incrAgainstNonExistingKey() {
        assertThat(s.integer("incr", "novar")).isEqualTo(1);
        assertThat(s.str("get", "novar")).isEqualTo("1");
    }

    // "INCR against key created by incr itself"
    @Test
    void incrAgainstKeyCreatedByIncrItself() {
        s.exec("incr", "novar");
        assertThat(s.integer("incr", "novar")).isEqualTo(2);
    }

    // "INCR against key originally set with SET"
    @Test
    void incrAgainstKeyOriginallySetWithSet() {
        s.exec("set", "novar", "100");
        assertThat(s.integer("incr", "novar")).isEqualTo(101);
    }

    // "INCR over 32bit value"
    @Test
    void incrOver32bitValue() {
        s.exec("set", "novar", "17179869184");
        assertThat(s.integer("incr", "novar")).isEqualTo(17179869185L);
    }

    // "INCRBY over 32bit value with over 32bit increment"
    @Test
    void incrbyOver32bitValueWithOver32bitIncrement() {
        s.exec("set", "novar", "17179869184");
        assertThat(s.integer("incrby", "novar", "17179869184")).isEqualTo(34359738368L);
    }

    // "INCR fails against key with spaces (left)" / "(right)" / "(both)", and leading zeros
    @Test
    void incrFailsAgainstKeyWithSpacesOrLeadingZeros() {
        for (String v : new String[] {"    11", "11    ", "    11    ", "011", "+1", "1.0", "", "-0"}) {
            s.exec("set", "novar", v);
            assertThat(s.error("incr", "novar")).as(v).isEqualTo(NOT_INTEGER);
            assertThat(s.str("get", "novar")).isEqualTo(v);
        }
    }

    // "DECRBY negation overflow"
    @Test
    void decrbyNegationOverflow() {
        s.exec("set", "x", "0");
        assertThat(s.error("decrby", "x", "-9223372036854775808")).isEqualTo("ERR decrement would overflow");
        assertThat(s.str("get", "x")).isEqualTo("0");
    }

    // "INCR fails against a key holding a list"
    @Test
    void incrFailsAgainstAKeyHoldingAList() {
        makeList("mylist");
        assertThat(s.error("incr", "mylist")).isEqualTo(WRONGTYPE);
        assertThat(s.error("decr", "mylist")).isEqualTo(WRONGTYPE);
        assertThat(s.error("incrby", "mylist", "2")).isEqualTo(WRONGTYPE);
        assertThat(s.error("decrby", "mylist", "2")).isEqualTo(WRONGTYPE);
    }

    // "DECRBY over 32bit value with over 32bit increment, negative res"
    @Test
    void decrbyOver32bitValueWithOver32bitIncrementNegativeRes() {
        s.exec("set", "novar", "17179869184");
        assertThat(s.integer("decrby", "novar", "17179869185")).isEqualTo(-1);
        assertThat(s.integer("decr", "novar")).isEqualTo(-2);
    }

    // overflow in both directions ("ERR increment or decrement would overflow")
    @Test
    void incrAndDecrRefuseToOverflow() {
        s.exec("set", "n", "9223372036854775807");
        assertThat(s.error("incr", "n")).isEqualTo(Errors.OVERFLOW);
        assertThat(s.error("incrby", "n", "1")).isEqualTo(Errors.OVERFLOW);
        assertThat(s.integer("decrby", "n", "9223372036854775807")).isZero();
        s.exec("set", "n", "-9223372036854775808");
        assertThat(s.error("decr", "n")).isEqualTo(Errors.OVERFLOW);
        assertThat(s.error("incrby", "n", "-1")).isEqualTo(Errors.OVERFLOW);
        assertThat(s.str("get", "n")).isEqualTo("-9223372036854775808");
        assertThat(s.error("incrby", "n", "abc")).isEqualTo(NOT_INTEGER);
        assertThat(s.error("decrby", "n", "9223372036854775808")).isEqualTo(NOT_INTEGER);
        s.exec("set", "n", "99999999999999999999");
        assertThat(s.error("incr", "n")).isEqualTo(NOT_INTEGER);
    }

    // INCR changes the value in place: the expiry stays
    @Test
    void incrKeepsTheExpiry() {
        s.exec("set", "n", "5", "px", "5000");
        assertThat(s.integer("incrby", "n", "5")).isEqualTo(10);
        assertThat(s.integer("pttl", "n")).isEqualTo(5000);
        assertThat(s.str("incrbyfloat", "n", "0.5")).isEqualTo("10.5");
        assertThat(s.integer("pttl", "n")).isEqualTo(5000);
    }

    // "INCRBYFLOAT against non existing key"
    @Test
    void incrbyfloatAgainstNonExistingKey() {
        assertThat(s.str("incrbyfloat", "novar", "1")).isEqualTo("1");
        assertThat(s.str("get", "novar")).isEqualTo("1");
        assertThat(s.str("incrbyfloat", "novar", "0.25")).isEqualTo("1.25");
        assertThat(s.str("get", "novar")).isEqualTo("1.25");
    }

    // "INCRBYFLOAT against key originally set with SET"
    @Test
    void incrbyfloatAgainstKeyOriginallySetWithSet() {
        s.exec("set", "novar", "1.5");
        assertThat(s.str("incrbyfloat", "novar", "1.5")).isEqualTo("3");
    }

    // "INCRBYFLOAT over 32bit value"
    @Test
    void incrbyfloatOver32bitValue() {
        s.exec("set", "novar", "17179869184");
        assertThat(s.str("incrbyfloat", "novar", "1.5")).isEqualTo("17179869185.5");
    }

    // "INCRBYFLOAT over 32bit value with over 32bit increment"
    @Test
    void incrbyfloatOver32bitValueWithOver32bitIncrement() {
        s.exec("set", "novar", "17179869184");
        assertThat(s.str("incrbyfloat", "novar", "17179869184")).isEqualTo("34359738368");
    }

    // "INCRBYFLOAT fails against key with spaces (left)" / "(right)" / "(both)"
    @Test
    void incrbyfloatFailsAgainstKeyWithSpaces() {
        for (String v : new String[] {"    11", "11    ", " 11 "}) {
            s.exec("set", "novar", v);
            assertThat(s.error("incrbyfloat", "novar", "1.0")).isEqualTo(NOT_FLOAT);
        }
        s.exec("set", "novar", "1");
        for (String bad : new String[] {"abc", " 1", "1 ", "nan", "", "1e", "0x", "1e5000"}) {
            assertThat(s.error("incrbyfloat", "novar", bad)).as(bad).isEqualTo(NOT_FLOAT);
        }
        assertThat(s.str("get", "novar")).isEqualTo("1");
    }

    // "INCRBYFLOAT fails against a key holding a list"
    @Test
    void incrbyfloatFailsAgainstAKeyHoldingAList() {
        makeList("mylist");
        assertThat(s.error("incrbyfloat", "mylist", "1.0")).isEqualTo(WRONGTYPE);
    }

    // "INCRBYFLOAT does not allow NaN or Infinity"
    @Test
    void incrbyfloatDoesNotAllowNanOrInfinity() {
        s.exec("set", "foo", "0");
        assertThat(s.error("incrbyfloat", "foo", "+inf")).isEqualTo(Errors.NAN_OR_INF);
        s.exec("set", "foo", "inf");
        assertThat(s.error("incrbyfloat", "foo", "1")).isEqualTo(Errors.NAN_OR_INF);
        s.exec("set", "foo", "1.18973149535723176502e+4932");
        assertThat(s.error("incrbyfloat", "foo", "1.18973149535723176502e+4932")).isEqualTo(Errors.NAN_OR_INF);
    }

    // "INCRBYFLOAT decrement"
    @Test
    void incrbyfloatDecrement() {
        s.exec("set", "foo", "1");
        assertThat(s.str("incrbyfloat", "foo", "-1.1")).isEqualTo("-0.1");
    }

    // "string to double with null terminator"
    @Test
    void stringToDoubleWithNullTerminator() {
        s.exec("set", "foo", "1");
        s.exec("setrange", "foo", "2", "2");
        assertThat(s.error("incrbyfloat", "foo", "1")).isEqualTo(NOT_FLOAT);
    }

    // "No negative zero"
    @Test
    void noNegativeZero() {
        s.exec("incrbyfloat", "foo", Double.toString(1.0 / 41));
        s.exec("incrbyfloat", "foo", Double.toString(-1.0 / 41));
        assertThat(s.str("get", "foo")).isEqualTo("0");
    }

    // INCRBYFLOAT computes in x87 long double and prints %.17Lf trimmed: the digits of
    // redis-server 7.0.15, including its binary rounding, hex input and the long double range
    @Test
    void incrbyfloatPrintsRedisLongDoubleDigits() {
        String[][] cases = {
            {"10.5", "0.1", "10.6"},
            {"10000", "0.1", "10000.09999999999999964"},
            {"-2103.5301", "642548.5839826167", "640445.05388261669997974"},
            {"1", "0.000000000000000005", "1"},
            {"1", "0.000000000000000006", "1.00000000000000001"},
            {"0.000003814697265625", "0", "0.00000381469726562"},
            {"0x1.8p1", "0", "3"},
            {"0xA", "0.5", "10.5"},
            {"5.", "1", "6"},
            {"+.5e1", "0", "5"},
            {"1.5e3", "1.25", "1501.25"},
            {"1e-4940", "0", "0"},
            {"-0", "0", "0"},
        };
        for (String[] c : cases) {
            s.exec("set", "x", c[0]);
            assertThat(s.str("incrbyfloat", "x", c[1])).as(c[0] + " + " + c[1]).isEqualTo(c[2]);
            assertThat(s.str("get", "x")).isEqualTo(c[2]);
        }
        s.exec("set", "x", "1e300");
        assertThat(s.str("incrbyfloat", "x", "1")).startsWith("1000000000000000000008997324079559193870523944")
                .hasSize(301);
    }

    // every string command checks its arity like Redis
    @Test
    void stringCommandsCheckTheirArity() {
        for (String[] c : new String[][] {{"get"}, {"set", "k"}, {"setnx", "k"}, {"setex", "k", "1"},
            {"psetex", "k", "1"}, {"getset", "k"}, {"getdel"}, {"getex"}, {"mget"}, {"mset", "k"}, {"msetnx", "k"},
            {"append", "k"}, {"strlen"}, {"incr"}, {"decr"}, {"incrby", "k"}, {"decrby", "k"},
            {"incrbyfloat", "k"}, {"getrange", "k", "0"}, {"substr", "k", "0"}, {"setrange", "k", "0"}}) {
            assertThat(s.error(c)).isEqualTo("ERR wrong number of arguments for '" + c[0] + "' command");
        }
        assertThat(s.error("frob", "a")).isEqualTo("ERR unknown command 'frob', with args beginning with: 'a' ");
    }

    // expire.tcl "SETEX - Set + Expire combo operation. Check for TTL" / "SETEX - Wrong time parameter"
    @Test
    void setexAndPsetex() {
        assertThat(s.str("setex", "x", "12", "test")).isEqualTo("OK");
        assertThat(s.integer("ttl", "x")).isEqualTo(12);
        assertThat(s.str("get", "x")).isEqualTo("test");
        assertThat(s.str("psetex", "x", "1500", "test2")).isEqualTo("OK");
        assertThat(s.integer("pttl", "x")).isEqualTo(1500);
        assertThat(s.error("setex", "z", "-10", "foo")).isEqualTo("ERR invalid expire time in 'setex' command");
        assertThat(s.error("psetex", "z", "0", "foo")).isEqualTo("ERR invalid expire time in 'psetex' command");
        assertThat(s.error("setex", "z", "ten", "foo")).isEqualTo(NOT_INTEGER);
        assertThat(s.integer("exists", "z")).isZero();
        makeList("l");
        assertThat(s.str("setex", "l", "10", "v")).isEqualTo("OK");
        assertThat(s.str("get", "l")).isEqualTo("v");
    }

    // writes must not touch the store when they fail; reads run on a read-only snapshot
    @Test
    void failedWritesLeaveNoTrace() {
        s.exec("set", "n", "abc");
        java.util.List<String> before = s.rawContents();
        s.error("incr", "n");
        s.error("incrbyfloat", "n", "1");
        s.error("set", "n", "v", "ex", "0");
        s.error("setrange", "n", "-1", "x");
        s.error("getex", "n", "ex", "-1");
        assertThat(s.rawContents()).isEqualTo(before);
        assertThat(new String(((Reply.Bulk) s.exec("get", "n")).value(), StandardCharsets.UTF_8)).isEqualTo("abc");
    }
}
