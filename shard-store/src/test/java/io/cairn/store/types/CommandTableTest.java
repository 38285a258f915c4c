package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class CommandTableTest {

    private final CommandTable table = CommandTable.standard();

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Upper-cases every other letter: "zRaNgEbYsCoRe". */
    private static String mixed(String name) {
        StringBuilder sb = new StringBuilder(name);
        for (int i = 1; i < sb.length(); i += 2) {
            sb.setCharAt(i, Character.toUpperCase(sb.charAt(i)));
        }
        return sb.toString();
    }

    @Test
    void everyCommandIsFoundByItsNameInAnyCase() {
        assertThat(table.all()).hasSizeGreaterThan(100);
        for (CommandSpec spec : table.all()) {
            String name = spec.name();
            assertThat(table.lookup(ascii(name))).as(name).isSameAs(spec);
            assertThat(table.lookup(ascii(name.toUpperCase(Locale.ROOT)))).as(name).isSameAs(spec);
            assertThat(table.lookup(ascii(mixed(name)))).as(name).isSameAs(spec);
            assertThat(table.lookup(name.toUpperCase(Locale.ROOT))).as(name).isSameAs(spec);
        }
    }

    @Test
    void otherNamesAreNotFound() {
        for (CommandSpec spec : table.all()) {
            String name = spec.name();
            assertThat(table.lookup(ascii(name + "#"))).as(name + "#").isNull();
            assertThat(table.lookup(ascii(name.substring(0, name.length() - 1)))).isNotSameAs(spec);
        }
        assertThat(table.lookup(new byte[0])).isNull();
        assertThat(table.lookup(ascii("nosuchcommand"))).isNull();
        // Non-ASCII bytes match nothing: no case folding outside A-Z ("get" with a Latin-1 'É').
        assertThat(table.lookup(new byte[] {'g', (byte) 0xC9, 't'})).isNull();
        assertThat(table.lookup(new byte[] {'G', 'E', 'T', 0})).isNull();
        // '@' and '[' are next to 'A' and 'Z' but are not letters.
        assertThat(table.lookup(ascii("@ET"))).isNull();
        assertThat(table.lookup(ascii("GE["))).isNull();
    }
}
