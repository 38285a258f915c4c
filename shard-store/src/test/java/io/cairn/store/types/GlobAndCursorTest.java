package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlobAndCursorTest {
    @TempDir
    Path dir;

    private static boolean m(String p, String s) {
        return Glob.match(p.getBytes(StandardCharsets.UTF_8), s.getBytes(StandardCharsets.UTF_8));
    }

    // tests/unit/keyspace.tcl "KEYS with pattern" and util.c stringmatchlen cases
    @Test
    void globMatchesLikeRedisStringmatchlen() {
        assertThat(m("*", "")).isFalse(); // as stringmatchlen; KEYS and SCAN special-case a lone "*"
        assertThat(m("foo*", "foo_a")).isTrue();
        assertThat(m("foo*", "fo")).isFalse();
        assertThat(m("h?llo", "hello")).isTrue();
        assertThat(m("h[ae]llo", "hallo")).isTrue();
        assertThat(m("h[^e]llo", "hello")).isFalse();
        assertThat(m("h[a-b]llo", "hbllo")).isTrue();
        assertThat(m("h[b-a]llo", "hallo")).isTrue();
        assertThat(m("h\\*llo", "h*llo")).isTrue();
        assertThat(m("h\\*llo", "hallo")).isFalse();
        assertThat(m("a*b*c", "axxbyyc")).isTrue();
        assertThat(m("a*b*c", "axxbyy")).isFalse();
        assertThat(m("[abc", "a")).isTrue();
        assertThat(m("**a", "ba")).isTrue();
        assertThat(m("*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")).isFalse();
    }

    @Test
    void cursorEncodingRoundTripsAndIsPositive() {
        byte[] suffix = {(byte) 0xFF, 1, 2, 3, 4, 5, 6, 7, 8};
        long c = ScanCursor.encode(suffix);
        assertThat(c).isPositive();
        assertThat(ScanCursor.resumeBytes(c)).containsExactly((byte) 0xFF, 1, 2, 3, 4, 5, 6);
        assertThat(ScanCursor.resumeBytes(ScanCursor.encode(new byte[0]))).isEmpty();
        assertThat(ScanCursor.encode(new byte[0])).isPositive();
        // strtoul, as Redis 7.0: sign allowed, empty is 0, beyond 2^64 - 1 or junk is invalid
        assertThat(ScanCursor.parseCursor("-1".getBytes())).isEqualTo(-1L);
        assertThat(ScanCursor.parseCursor("+5".getBytes())).isEqualTo(5L);
        assertThat(ScanCursor.parseCursor(new byte[0])).isZero();
        assertThat(ScanCursor.parseCursor("18446744073709551615".getBytes())).isEqualTo(-1L);
        assertThatThrownBy(() -> ScanCursor.parseCursor("18446744073709551616".getBytes()))
                .hasMessage("ERR invalid cursor");
        assertThatThrownBy(() -> ScanCursor.parseCursor(" 5".getBytes())).hasMessage("ERR invalid cursor");
        assertThatThrownBy(() -> ScanCursor.parseCursor("-".getBytes())).hasMessage("ERR invalid cursor");
    }

    // the walk visits every item exactly once over a stable range, even when many items share
    // their first 7 bytes (progress guarantee), and returns 0 at the end
    @Test
    void walkVisitsEveryItemAndAlwaysProgresses() {
        try (TestStore s = new TestStore(dir); RocksKv kv = s.writeBatch()) {
            byte[] prefix = {9, 9};
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                String item = (i % 2 == 0 ? "samesamesame-" : "x") + i;
                expected.add(item);
                kv.put(KeyCodec.subKey(prefix, item.getBytes(StandardCharsets.UTF_8)), new byte[0]);
            }
            List<String> seen = new ArrayList<>();
            long cursor = 0;
            int calls = 0;
            do {
                cursor = ScanCursor.walk(kv, prefix, cursor, 7,
                        (suffix, v) -> seen.add(new String(suffix, StandardCharsets.UTF_8)));
                calls++;
            } while (cursor != 0 && calls < 1000);
            assertThat(cursor).isZero();
            assertThat(new HashSet<>(seen)).isEqualTo(expected);
        }
    }
}
