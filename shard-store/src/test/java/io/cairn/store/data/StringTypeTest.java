package io.cairn.store.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mirrors Redis's tests/unit/type/string.tcl (test names in comments and method names). */
class StringTypeTest {
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
    }

    // "Extended SET EX option" / expiry with the store's clock
    @Test
    void extendedSetExOptionExpiresAtTheGivenTime() {
        s.exec("set", "foo", "bar", "ex", "10");
        assertThat(s.integer("ttl", "foo")).isEqualTo(10);
        s.now += 10_000;
        assertThat(s.str("get", "foo")).isNull();
        assertThat(s.integer("exists", "foo")).isZero();
    }

    // "Extended SET can detect syntax errors"
    @Test
    void extendedSetCanDetectSyntaxErrors() {
        assertThat(s.error("set", "foo", "bar", "non-existing-option")).isEqualTo("ERR syntax error");
        assertThat(s.error("set", "foo", "bar", "nx", "xx")).isEqualTo("ERR syntax error");
        assertThat(s.error("set", "foo", "bar", "ex", "0")).isEqualTo("ERR invalid expire time in 'set' command");
    }

    // "SET on a hash key" style WRONGTYPE through GET after overwrite
    @Test
    void setOverwritesAnyTypeAndDelRemoves() {
        s.exec("set", "k", "v");
        assertThat(s.integer("del", "k", "nokey")).isEqualTo(1);
        assertThat(s.str("type", "k")).isEqualTo("none");
        assertThat(s.error("frob", "a")).isEqualTo("ERR unknown command 'frob', with args beginning with: 'a' ");
        assertThat(s.error("get")).isEqualTo("ERR wrong number of arguments for 'get' command");
    }
}
