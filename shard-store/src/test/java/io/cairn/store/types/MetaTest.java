package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The record layout of docs/storage-format.md, including records written before the optional tails. */
class MetaTest {
    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    @Test
    void recordsWithoutTheOptionalTailsReadAsBeforeAndAreWrittenAsBefore() {
        // type expireAt version count: what every set and sorted set record looked like before
        byte[] set = hex("04 0000000000000000 0000000000010002 0000000000000003");
        byte[] zset = hex("05 0000000000000005 0000000000010002 0000000000000003");
        Meta s = Meta.decode(set);
        assertThat(s.count).isEqualTo(3);
        assertThat(s.removed).isZero();
        assertThat(s.encode()).isEqualTo(set);
        Meta z = Meta.decode(zset);
        assertThat(z.expireAt).isEqualTo(5);
        assertThat(z.scoreLow).isNull();
        assertThat(z.scoreHigh).isNull();
        assertThat(z.encode()).isEqualTo(zset);
    }

    @Test
    void setRemovalsAndSortedSetBoundsRoundTrip() {
        Meta s = Meta.collection(TypeCode.SET, 9);
        s.count = 2;
        s.removed = 300;
        assertThat(s.encode()).hasSize(33);
        assertThat(Meta.decode(s.encode()).removed).isEqualTo(300);

        Meta z = Meta.collection(TypeCode.ZSET, 9);
        z.count = 2;
        z.scoreLow = hex("8000000000000000 61");
        assertThat(z.encode()).isEqualTo(hex("05 0000000000000000 0000000000000009 0000000000000002 09 800000000000000061 00"));
        Meta back = Meta.decode(z.encode());
        assertThat(back.scoreLow).isEqualTo(z.scoreLow);
        assertThat(back.scoreHigh).isNull();
        z.scoreLow = null;
        z.scoreHigh = hex("c000000000000000");
        back = Meta.decode(z.encode());
        assertThat(back.scoreLow).isNull();
        assertThat(back.scoreHigh).isEqualTo(z.scoreHigh);
    }
}
