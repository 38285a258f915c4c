package io.cairn.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import io.cairn.raft.core.HardState;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.storage.LogStoreCodec.LogStart;
import io.cairn.raft.storage.LogStoreCodec.MetaKind;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The persisted layout is frozen: these golden bytes must never change (a new layout needs a new
 * version byte or kind code, and code that still reads the old one).
 */
class LogStoreCodecTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void logKeysSortByGroupThenIndexAsUnsignedBigEndian() {
        assertThat(HEX.formatHex(LogStoreCodec.logKey(0x0102, 0x0A0B)))
                .isEqualTo("0000000000000102" + "0000000000000a0b");
        byte[] a = LogStoreCodec.logKey(1, Long.MAX_VALUE - 1);
        byte[] b = LogStoreCodec.logKey(2, 1);
        assertThat(java.util.Arrays.compareUnsigned(a, b)).isNegative();
        assertThat(java.util.Arrays.compareUnsigned(LogStoreCodec.logKey(7, 9), LogStoreCodec.logKey(7, 10))).isNegative();
        // the end of a group's range is above every real index of it and below the next group
        assertThat(java.util.Arrays.compareUnsigned(LogStoreCodec.logKey(7, Long.MAX_VALUE),
                LogStoreCodec.logKey(7, LogStoreCodec.INDEX_END))).isNegative();
        assertThat(java.util.Arrays.compareUnsigned(LogStoreCodec.logKey(7, LogStoreCodec.INDEX_END),
                LogStoreCodec.logKey(8, 0))).isNegative();
        assertThat(LogStoreCodec.logKeyGroup(a)).isEqualTo(1);
        assertThat(LogStoreCodec.logKeyIndex(a)).isEqualTo(Long.MAX_VALUE - 1);
    }

    @Test
    void metaKeys() {
        assertThat(HEX.formatHex(LogStoreCodec.metaKey(5, MetaKind.HARD_STATE))).isEqualTo("000000000000000501");
        assertThat(HEX.formatHex(LogStoreCodec.metaKey(5, MetaKind.SNAPSHOT))).isEqualTo("000000000000000502");
        assertThat(HEX.formatHex(LogStoreCodec.metaKey(5, MetaKind.LOG_START))).isEqualTo("000000000000000503");
        assertThat(HEX.formatHex(LogStoreCodec.metaKeyStart(5))).isEqualTo("000000000000000500");
        assertThat(HEX.formatHex(LogStoreCodec.metaKeyEnd(5))).isEqualTo("0000000000000005ff");
        byte[] key = LogStoreCodec.metaKey(-2, MetaKind.LOG_START);
        assertThat(LogStoreCodec.metaKeyGroup(key)).isEqualTo(-2);
        assertThat(LogStoreCodec.metaKeyKind(key)).isEqualTo(MetaKind.LOG_START);
        assertThatThrownBy(() -> LogStoreCodec.metaKeyKind(HEX.parseHex("000000000000000509")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("unknown meta record kind: 9");
    }

    @Test
    void entryValueIsTermTypeData() {
        Entry e = new Entry(3, 42, EntryType.CONF_CHANGE, new byte[] {(byte) 0xAB, (byte) 0xCD});
        byte[] value = LogStoreCodec.encodeEntryValue(e);
        assertThat(HEX.formatHex(value)).isEqualTo("0000000000000003" + "01" + "abcd");
        assertThat(LogStoreCodec.decodeEntry(42, value)).isEqualTo(e);
        assertThat(LogStoreCodec.decodeEntryTerm(42, value)).isEqualTo(3);
        Entry empty = Entry.normal(1, 1, null);
        assertThat(HEX.formatHex(LogStoreCodec.encodeEntryValue(empty))).isEqualTo("000000000000000100");
        assertThat(LogStoreCodec.decodeEntry(1, LogStoreCodec.encodeEntryValue(empty))).isEqualTo(empty);
        assertThatThrownBy(() -> LogStoreCodec.decodeEntry(1, new byte[3])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LogStoreCodec.decodeEntry(1, HEX.parseHex("000000000000000107")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown entry type code: 7");
    }

    @Test
    void hardState() {
        HardState hs = new HardState(5, 2, 17);
        byte[] value = LogStoreCodec.encodeHardState(hs);
        assertThat(HEX.formatHex(value)).isEqualTo("01" + "0000000000000005" + "0000000000000002" + "0000000000000011");
        assertThat(LogStoreCodec.decodeHardState(value)).isEqualTo(hs);
        value[0] = 2;
        assertThatThrownBy(() -> LogStoreCodec.decodeHardState(value)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown hard state version: 2 (expected: 1)");
        assertThatThrownBy(() -> LogStoreCodec.decodeHardState(HEX.parseHex("0100"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void logStart() {
        byte[] value = LogStoreCodec.encodeLogStart(new LogStart(9, 4));
        assertThat(HEX.formatHex(value)).isEqualTo("01" + "0000000000000009" + "0000000000000004");
        assertThat(LogStoreCodec.decodeLogStart(value)).isEqualTo(new LogStart(9, 4));
    }

    @Test
    void snapshotMetadataWithJointMembership() {
        ConfState cs = new ConfState(Set.of(3L, 1L), Set.of(2L), Set.of(7L), Set.of(2L), Set.of(7L), true);
        SnapshotMetadata m = new SnapshotMetadata(100, 6, cs);
        byte[] value = LogStoreCodec.encodeSnapshotMetadata(m);
        assertThat(HEX.formatHex(value)).isEqualTo("01"
                + "0000000000000064" + "0000000000000006"
                + "00000002" + "0000000000000001" + "0000000000000003" // voters, ascending
                + "00000001" + "0000000000000002" // voters outgoing
                + "00000001" + "0000000000000007" // learners
                + "00000001" + "0000000000000002" // learners next
                + "00000001" + "0000000000000007" // observers
                + "01"); // auto leave
        assertThat(LogStoreCodec.decodeSnapshotMetadata(value)).isEqualTo(m);
        assertThat(LogStoreCodec.decodeSnapshotMetadata(LogStoreCodec.encodeSnapshotMetadata(SnapshotMetadata.EMPTY)))
                .isEqualTo(SnapshotMetadata.EMPTY);
        byte[] truncated = java.util.Arrays.copyOf(value, value.length - 9);
        assertThatThrownBy(() -> LogStoreCodec.decodeSnapshotMetadata(truncated)).isInstanceOf(IllegalStateException.class);
        byte[] badCount = value.clone();
        badCount[20] = 0x7F;
        assertThatThrownBy(() -> LogStoreCodec.decodeSnapshotMetadata(badCount))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("id count");
    }
}
