package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirrors Redis's tests/unit/expire.tcl (test names in comments and method names); time passes
 * by moving {@link TestStore#now}. Expected replies were checked against redis-server 7.0.15.
 */
class ExpireTest {
    static final String NX_INCOMPATIBLE = "ERR NX and XX, GT or LT options at the same time are not compatible";
    static final String GT_LT_INCOMPATIBLE = "ERR GT and LT options at the same time are not compatible";

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

    /** Entries of the expiry index (kind 0x12) in the raw store. */
    private long expiryIndexEntries() {
        String kind = String.format("%016x12", TestStore.GROUP);
        List<String> raw = s.rawContents();
        return raw.stream().filter(e -> e.startsWith(kind)).count();
    }

    // "EXPIRE - set timeouts multiple times"
    @Test
    void expireSetTimeoutsMultipleTimes() {
        s.exec("set", "x", "foobar");
        assertThat(s.integer("expire", "x", "5")).isEqualTo(1);
        assertThat(s.integer("ttl", "x")).isEqualTo(5);
        assertThat(s.integer("expire", "x", "10")).isEqualTo(1);
        assertThat(s.integer("ttl", "x")).isEqualTo(10);
        s.exec("expire", "x", "2");
        assertThat(expiryIndexEntries()).isEqualTo(1);
        // "EXPIRE - It should be still possible to read 'x'"
        assertThat(s.str("get", "x")).isEqualTo("foobar");
        // "EXPIRE - After 2.1 seconds the key should no longer be here"
        s.now += 2100;
        assertThat(s.str("get", "x")).isNull();
        assertThat(s.integer("exists", "x")).isZero();
    }

    // "EXPIRE - write on expire should work" (APPEND in place of LPUSH: the key stays volatile)
    @Test
    void expireWriteOnExpireShouldWork() {
        s.exec("set", "x", "foo");
        s.exec("expire", "x", "1000");
        s.exec("append", "x", "bar");
        assertThat(s.str("get", "x")).isEqualTo("foobar");
        assertThat(s.integer("ttl", "x")).isEqualTo(1000);
    }

    // "EXPIREAT - Check for EXPIRE alike behavior"
    @Test
    void expireatCheckForExpireAlikeBehavior() {
        s.exec("set", "x", "foo");
        assertThat(s.integer("expireat", "x", Long.toString(s.now / 1000 + 15))).isEqualTo(1);
        assertThat(s.integer("ttl", "x")).isEqualTo(15);
        assertThat(s.integer("pexpireat", "x", Long.toString(s.now + 1234))).isEqualTo(1);
        assertThat(s.integer("pttl", "x")).isEqualTo(1234);
    }

    // "SETEX - Set + Expire combo operation. Check for TTL" / "SETEX - Check value" /
    // "SETEX - Overwrite old key" / "SETEX - Wait for the key to expire" / "SETEX - Wrong time parameter"
    @Test
    void setexSetPlusExpireCombo() {
        s.exec("setex", "x", "12", "test");
        assertThat(s.integer("ttl", "x")).isEqualTo(12);
        assertThat(s.str("get", "x")).isEqualTo("test");
        s.exec("set", "y", "old");
        s.exec("setex", "y", "1", "foo");
        assertThat(s.str("get", "y")).isEqualTo("foo");
        s.now += 1100;
        assertThat(s.str("get", "y")).isNull();
        assertThat(s.error("setex", "z", "-10", "foo")).isEqualTo("ERR invalid expire time in 'setex' command");
    }

    // "PERSIST can undo an EXPIRE"
    @Test
    void persistCanUndoAnExpire() {
        s.exec("set", "x", "foo");
        s.exec("expire", "x", "50");
        assertThat(s.integer("ttl", "x")).isEqualTo(50);
        assertThat(s.integer("persist", "x")).isEqualTo(1);
        assertThat(s.integer("ttl", "x")).isEqualTo(-1);
        assertThat(s.str("get", "x")).isEqualTo("foo");
        assertThat(expiryIndexEntries()).isZero();
        s.now += 100_000;
        assertThat(s.str("get", "x")).isEqualTo("foo");
    }

    // "PERSIST returns 0 against non existing or non volatile keys"
    @Test
    void persistReturns0AgainstNonExistingOrNonVolatileKeys() {
        s.exec("set", "x", "foo");
        assertThat(s.integer("persist", "x")).isZero();
        assertThat(s.integer("persist", "nokeyatall")).isZero();
        assertThat(s.error("persist")).isEqualTo("ERR wrong number of arguments for 'persist' command");
    }

    // "EXPIRE precision is now the millisecond"
    @Test
    void expirePrecisionIsNowTheMillisecond() {
        s.exec("setex", "x", "1", "somevalue");
        s.now += 999;
        assertThat(s.str("get", "x")).isEqualTo("somevalue");
        s.now += 1;
        assertThat(s.str("get", "x")).isNull();
    }

    // "PEXPIRE/PSETEX/PEXPIREAT can set sub-second expires"
    @Test
    void pexpirePsetexPexpireatCanSetSubSecondExpires() {
        s.exec("psetex", "x", "100", "somevalue");
        s.now += 80;
        assertThat(s.str("get", "x")).isEqualTo("somevalue");
        s.now += 20;
        assertThat(s.str("get", "x")).isNull();

        s.exec("set", "x", "somevalue");
        s.exec("pexpire", "x", "100");
        s.now += 99;
        assertThat(s.str("get", "x")).isEqualTo("somevalue");
        s.now += 1;
        assertThat(s.str("get", "x")).isNull();

        s.exec("set", "x", "somevalue");
        s.exec("pexpireat", "x", Long.toString(s.now + 200));
        s.now += 20;
        assertThat(s.str("get", "x")).isEqualTo("somevalue");
        s.now += 180;
        assertThat(s.str("get", "x")).isNull();
    }

    // "TTL returns time to live in seconds" (rounded to the nearest second)
    @Test
    void ttlReturnsTimeToLiveInSeconds() {
        s.exec("setex", "x", "10", "somevalue");
        assertThat(s.integer("ttl", "x")).isEqualTo(10);
        s.now += 4499;
        assertThat(s.integer("ttl", "x")).isEqualTo(6);
        s.now += 2;
        assertThat(s.integer("ttl", "x")).isEqualTo(5);
    }

    // "PTTL returns time to live in milliseconds"
    @Test
    void pttlReturnsTimeToLiveInMilliseconds() {
        s.exec("setex", "x", "1", "somevalue");
        s.now += 37;
        assertThat(s.integer("pttl", "x")).isEqualTo(963);
    }

    // "TTL / PTTL / EXPIRETIME / PEXPIRETIME return -1 if key has no expire"
    @Test
    void ttlPttlReturnMinus1IfKeyHasNoExpire() {
        s.exec("set", "x", "hello");
        assertThat(s.integer("ttl", "x")).isEqualTo(-1);
        assertThat(s.integer("pttl", "x")).isEqualTo(-1);
        assertThat(s.integer("expiretime", "x")).isEqualTo(-1);
        assertThat(s.integer("pexpiretime", "x")).isEqualTo(-1);
    }

    // "TTL / PTTL / EXPIRETIME / PEXPIRETIME return -2 if key does not exit"
    @Test
    void ttlPttlReturnMinus2IfKeyDoesNotExist() {
        assertThat(s.integer("ttl", "x")).isEqualTo(-2);
        assertThat(s.integer("pttl", "x")).isEqualTo(-2);
        assertThat(s.integer("expiretime", "x")).isEqualTo(-2);
        assertThat(s.integer("pexpiretime", "x")).isEqualTo(-2);
    }

    // "EXPIRETIME returns absolute expiration time in seconds" / "PEXPIRETIME ... milliseconds"
    @Test
    void expiretimeReturnsAbsoluteExpirationTime() {
        long abs = s.now / 1000 + 100;
        s.exec("set", "foo", "bar");
        s.exec("expireat", "foo", Long.toString(abs));
        assertThat(s.integer("expiretime", "foo")).isEqualTo(abs);
        assertThat(s.integer("pexpiretime", "foo")).isEqualTo(abs * 1000);
        s.exec("pexpireat", "foo", Long.toString(abs * 1000 + 499));
        assertThat(s.integer("expiretime", "foo")).isEqualTo(abs);
        s.exec("pexpireat", "foo", Long.toString(abs * 1000 + 500));
        assertThat(s.integer("expiretime", "foo")).isEqualTo(abs + 1);
    }

    // "Redis should lazy expire keys": reads do not delete, DBSIZE counts live keys only
    @Test
    void redisShouldLazyExpireKeys() {
        s.exec("psetex", "key1", "500", "a");
        s.exec("psetex", "key2", "500", "a");
        s.exec("psetex", "key3", "500", "a");
        assertThat(s.integer("dbsize")).isEqualTo(3);
        s.now += 1000;
        assertThat(s.list("mget", "key1", "key2", "key3")).containsExactly(null, null, null);
        assertThat(s.integer("dbsize")).isZero();
        assertThat(s.rawContents()).hasSize(6); // records and index entries stay until a write
    }

    // "EXPIRE should not resurrect keys (issue #1026)"
    @Test
    void expireShouldNotResurrectKeys() {
        s.exec("set", "foo", "bar");
        s.exec("pexpire", "foo", "500");
        s.now += 1000;
        assertThat(s.integer("expire", "foo", "10")).isZero();
        assertThat(s.integer("exists", "foo")).isZero();
    }

    // "5 keys in, 5 keys out"
    @Test
    void fiveKeysInFiveKeysOut() {
        s.exec("set", "a", "c");
        s.exec("expire", "a", "5");
        s.exec("set", "t", "c");
        s.exec("set", "e", "c");
        s.exec("set", "s", "c");
        s.exec("set", "foo", "b");
        assertThat(s.list("keys", "*")).containsExactlyInAnyOrder("a", "e", "foo", "s", "t");
    }

    // "EXPIRE with empty string as TTL should report an error"
    @Test
    void expireWithEmptyStringAsTtlShouldReportAnError() {
        s.exec("set", "foo", "bar");
        assertThat(s.error("expire", "foo", "")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("expire", "foo", "1.5")).isEqualTo(Errors.NOT_INTEGER);
        assertThat(s.error("expire", "foo")).isEqualTo("ERR wrong number of arguments for 'expire' command");
    }

    // "SET command will remove expire"
    @Test
    void setCommandWillRemoveExpire() {
        s.exec("set", "foo", "bar", "EX", "100");
        s.exec("set", "foo", "bar");
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
        assertThat(expiryIndexEntries()).isZero();
    }

    // "SET - use KEEPTTL option, TTL should not be removed"
    @Test
    void setUseKeepttlOptionTtlShouldNotBeRemoved() {
        s.exec("set", "foo", "bar", "EX", "100");
        s.exec("set", "foo", "bar", "KEEPTTL");
        assertThat(s.integer("ttl", "foo")).isEqualTo(100);
        assertThat(expiryIndexEntries()).isEqualTo(1);
    }

    // "GETEX use of PERSIST option should remove TTL"
    @Test
    void getexUseOfPersistOptionShouldRemoveTtl() {
        s.exec("set", "foo", "bar", "EX", "100");
        s.exec("getex", "foo", "PERSIST");
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
        assertThat(expiryIndexEntries()).isZero();
    }

    // "EXPIRE with NX option on a key with ttl" / "... without ttl"
    @Test
    void expireWithNxOption() {
        s.exec("set", "foo", "bar", "EX", "100");
        assertThat(s.integer("expire", "foo", "200", "NX")).isZero();
        assertThat(s.integer("ttl", "foo")).isEqualTo(100);
        s.exec("set", "foo", "bar");
        assertThat(s.integer("expire", "foo", "200", "nx")).isEqualTo(1);
        assertThat(s.integer("ttl", "foo")).isEqualTo(200);
    }

    // "EXPIRE with XX option on a key with ttl" / "... without ttl"
    @Test
    void expireWithXxOption() {
        s.exec("set", "foo", "bar", "EX", "100");
        assertThat(s.integer("expire", "foo", "200", "XX")).isEqualTo(1);
        assertThat(s.integer("ttl", "foo")).isEqualTo(200);
        s.exec("set", "foo", "bar");
        assertThat(s.integer("expire", "foo", "200", "XX")).isZero();
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
    }

    // "EXPIRE with GT option on a key with lower ttl" / "... higher ttl" / "... without ttl"
    @Test
    void expireWithGtOption() {
        s.exec("set", "foo", "bar", "EX", "100");
        assertThat(s.integer("expire", "foo", "200", "GT")).isEqualTo(1);
        assertThat(s.integer("ttl", "foo")).isEqualTo(200);
        assertThat(s.integer("expire", "foo", "100", "GT")).isZero();
        assertThat(s.integer("expire", "foo", "200", "GT")).isZero(); // not strictly greater
        assertThat(s.integer("ttl", "foo")).isEqualTo(200);
        s.exec("set", "foo", "bar");
        assertThat(s.integer("expire", "foo", "200", "GT")).isZero(); // no TTL = infinite
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
    }

    // "EXPIRE with LT option on a key with higher ttl" / "... lower ttl" / "... without ttl"
    @Test
    void expireWithLtOption() {
        s.exec("set", "foo", "bar", "EX", "100");
        assertThat(s.integer("expire", "foo", "200", "LT")).isZero();
        assertThat(s.integer("ttl", "foo")).isEqualTo(100);
        assertThat(s.integer("expire", "foo", "50", "LT")).isEqualTo(1);
        assertThat(s.integer("ttl", "foo")).isEqualTo(50);
        s.exec("set", "foo", "bar");
        assertThat(s.integer("expire", "foo", "100", "LT")).isEqualTo(1);
        assertThat(s.integer("ttl", "foo")).isEqualTo(100);
    }

    // "EXPIRE with LT and XX option on a key with ttl" / "... without ttl"
    @Test
    void expireWithLtAndXxOption() {
        s.exec("set", "foo", "bar", "EX", "200");
        assertThat(s.integer("expire", "foo", "100", "LT", "XX")).isEqualTo(1);
        assertThat(s.integer("ttl", "foo")).isEqualTo(100);
        s.exec("set", "foo", "bar");
        assertThat(s.integer("expire", "foo", "200", "LT", "XX")).isZero();
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
    }

    // "EXPIRE with conflicting options: LT GT" / "NX GT" / "NX LT" / "NX XX" / "LT GT NX"
    @Test
    void expireWithConflictingOptions() {
        s.exec("set", "foo", "bar");
        assertThat(s.error("expire", "foo", "200", "LT", "GT")).isEqualTo(GT_LT_INCOMPATIBLE);
        assertThat(s.error("expire", "foo", "200", "NX", "GT")).isEqualTo(NX_INCOMPATIBLE);
        assertThat(s.error("expire", "foo", "200", "NX", "LT")).isEqualTo(NX_INCOMPATIBLE);
        assertThat(s.error("expire", "foo", "200", "NX", "XX")).isEqualTo(NX_INCOMPATIBLE);
        assertThat(s.error("pexpire", "foo", "200", "LT", "GT", "NX")).isEqualTo(NX_INCOMPATIBLE);
        // options are checked before the time value
        assertThat(s.error("expire", "foo", "abc", "GT", "LT")).isEqualTo(GT_LT_INCOMPATIBLE);
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
    }

    // "EXPIRE with unsupported options"
    @Test
    void expireWithUnsupportedOptions() {
        s.exec("set", "foo", "bar");
        assertThat(s.error("expire", "foo", "200", "AB")).isEqualTo("ERR Unsupported option AB");
        assertThat(s.error("expire", "foo", "200", "XX", "AB")).isEqualTo("ERR Unsupported option AB");
        assertThat(s.error("expireat", "foo", "abc", "ab")).isEqualTo("ERR Unsupported option ab");
    }

    // "EXPIRE with negative expiry" / "EXPIRE with negative expiry on a non-valitale key":
    // a time not after now deletes the key and answers 1
    @Test
    void expireWithNegativeExpiry() {
        s.exec("set", "foo", "bar", "EX", "100");
        assertThat(s.integer("expire", "foo", "-10", "LT")).isEqualTo(1);
        assertThat(s.integer("ttl", "foo")).isEqualTo(-2);
        s.exec("set", "foo", "bar");
        assertThat(s.integer("expire", "foo", "-10")).isEqualTo(1);
        assertThat(s.integer("exists", "foo")).isZero();
        s.exec("set", "foo", "bar");
        assertThat(s.integer("pexpireat", "foo", Long.toString(s.now))).isEqualTo(1);
        assertThat(s.integer("exists", "foo")).isZero();
        s.exec("set", "foo", "bar");
        assertThat(s.integer("expireat", "foo", "0")).isEqualTo(1);
        assertThat(s.rawContents()).isEmpty();
    }

    // "EXPIRE with non-existed key"
    @Test
    void expireWithNonExistedKey() {
        assertThat(s.integer("expire", "none", "100", "NX")).isZero();
        assertThat(s.integer("expire", "none", "100", "XX")).isZero();
        assertThat(s.integer("expire", "none", "100", "GT")).isZero();
        assertThat(s.integer("expire", "none", "100", "LT")).isZero();
        assertThat(s.integer("pexpire", "none", "-100")).isZero();
        assertThat(s.rawContents()).isEmpty();
    }

    // "EXPIRE with big integer overflows when converted to milliseconds"
    @Test
    void expireWithBigIntegerOverflowsWhenConvertedToMilliseconds() {
        s.exec("set", "foo", "bar");
        assertThat(s.error("expire", "foo", "9223370399119966")).isEqualTo("ERR invalid expire time in 'expire' command");
        assertThat(s.error("expire", "foo", "9223372036854775807"))
                .isEqualTo("ERR invalid expire time in 'expire' command");
        assertThat(s.error("expireat", "foo", "9223372036854775807"))
                .isEqualTo("ERR invalid expire time in 'expireat' command");
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
    }

    // "PEXPIRE with big integer overflow when basetime is added"
    @Test
    void pexpireWithBigIntegerOverflowWhenBasetimeIsAdded() {
        s.exec("set", "foo", "bar");
        assertThat(s.error("pexpire", "foo", "9223372036854770000"))
                .isEqualTo("ERR invalid expire time in 'pexpire' command");
        assertThat(s.error("pexpire", "nokey", "9223372036854775807"))
                .isEqualTo("ERR invalid expire time in 'pexpire' command");
    }

    // "EXPIRE with big negative integer"
    @Test
    void expireWithBigNegativeInteger() {
        s.exec("set", "foo", "bar");
        assertThat(s.error("expire", "foo", "-9223372036854775808"))
                .isEqualTo("ERR invalid expire time in 'expire' command");
        assertThat(s.error("expireat", "foo", "-9223372036854775807"))
                .isEqualTo("ERR invalid expire time in 'expireat' command");
        assertThat(s.integer("ttl", "foo")).isEqualTo(-1);
        assertThat(s.integer("expire", "foo", "-9223372036854775")).isEqualTo(1);
        assertThat(s.integer("exists", "foo")).isZero();
    }

    // "PEXPIREAT with big integer works"
    @Test
    void pexpireatWithBigIntegerWorks() {
        s.exec("set", "foo", "bar");
        assertThat(s.integer("pexpireat", "foo", "9223372036854775807")).isEqualTo(1);
        assertThat(s.integer("pttl", "foo")).isEqualTo(Long.MAX_VALUE - s.now);
        assertThat(s.integer("pexpiretime", "foo")).isEqualTo(Long.MAX_VALUE);
        // (t + 500) / 1000 as Redis prints it, without overflowing
        assertThat(s.integer("expiretime", "foo")).isEqualTo(9223372036854776L);
        assertThat(s.integer("ttl", "foo")).isEqualTo((Long.MAX_VALUE - s.now + 500) / 1000);
    }

    // "PEXPIREAT with big negative integer works"
    @Test
    void pexpireatWithBigNegativeIntegerWorks() {
        s.exec("set", "foo", "bar");
        assertThat(s.integer("pexpireat", "foo", "-9223372036854775808")).isEqualTo(1);
        assertThat(s.integer("ttl", "foo")).isEqualTo(-2);
    }

    // expiry commands on collections move the record's expiry and keep the members
    @Test
    void expireOnACollectionKeepsItsMembers() {
        KeyspaceTest.putCollection(s, "h", TypeCode.HASH, "f", "v");
        assertThat(s.integer("expire", "h", "10")).isEqualTo(1);
        assertThat(s.integer("ttl", "h")).isEqualTo(10);
        assertThat(s.integer("persist", "h")).isEqualTo(1);
        assertThat(KeyspaceTest.members(s, "h")).containsExactly("f=v");
        s.exec("pexpire", "h", "1");
        s.now += 1;
        assertThat(s.str("type", "h")).isEqualTo("none");
        assertThat(KeyspaceTest.members(s, "h")).isEmpty();
    }
}
