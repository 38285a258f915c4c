package io.cairn.meta.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** docs/meta-service.md "Encoding": round trips are exact and bad input is refused, never trusted. */
class ShardMapCodecTest {

  @Test
  void randomMapsRoundTripExactly() {
    Random rnd = new Random(20261129);
    for (int i = 0; i < 300; i++) {
      ShardMap m = MapFixtures.randomMap(rnd, rnd.nextInt(200));
      byte[] bytes = ShardMapCodec.encode(m);
      ShardMap back = ShardMapCodec.decodeMap(bytes);
      assertThat(back).as("seed 20261129 map #%d", i).isEqualTo(m);
      assertThat(back.version()).isEqualTo(m.version());
      assertThat(ShardMapCodec.encode(back)).isEqualTo(bytes);
    }
  }

  @Test
  void randomCommandsRoundTripExactly() {
    Random rnd = new Random(7);
    ShardMap m = ShardMap.empty();
    for (int i = 0; i < 3000; i++) {
      MapCommand c = MapFixtures.randomCommand(rnd, m);
      byte[] bytes = ShardMapCodec.encode(c);
      assertThat(ShardMapCodec.decodeCommand(bytes)).as("seed 7 command #%d", i).isEqualTo(c);
      try {
        m = m.apply(c);
      } catch (MapException refused) {
        // keep building from the last valid map
      }
    }
  }

  @Test
  void bootstrappedMapIsCompact() {
    ShardMap m = ShardMap.bootstrap(MapFixtures.stores(3), 3, 3);
    // header 10, stores 3*(8+1+2*(2+13)), groups 4 + 3*(8+2+3*9 + founders 2+3*8), runs 4 + 3*12,
    // no migrations 4, next migration id 8, no leaving groups 4
    assertThat(ShardMapCodec.encode(m)).hasSize(10 + 4 + 3 * 39 + 4 + 3 * (37 + 26) + 4 + 3 * 12 + 4 + 8 + 4);
  }

  /** Frozen bytes: a change here breaks every meta log and snapshot written before. */
  @Test
  void commandBytesAreFrozen() {
    HexFormat hex = HexFormat.of();
    assertThat(hex.formatHex(ShardMapCodec.encode(new MapCommand.AddStore(
        new StoreInfo(1, "a:1", "b:2", StoreState.UP)))))
        .isEqualTo("4301" + "01" + "0000000000000001" + "01" + "0003" + "613a31" + "0003" + "623a32");
    assertThat(hex.formatHex(ShardMapCodec.encode(new MapCommand.AssignSlots(
        List.of(new SlotRange(0, 5460), SlotRange.of(16000)), 2))))
        .isEqualTo("4301" + "07" + "0000000000000002" + "0002" + "0000" + "1554" + "3e80" + "3e80");
    assertThat(hex.formatHex(ShardMapCodec.encode(new MapCommand.SetReplicaRole(3, 4, ReplicaRole.OBSERVER))))
        .isEqualTo("4301" + "05" + "0000000000000003" + "0000000000000004" + "03");
    assertThat(hex.formatHex(ShardMapCodec.encode(new MapCommand.DestroyGroup(9))))
        .isEqualTo("4301" + "08" + "0000000000000009");
    assertThat(hex.formatHex(ShardMapCodec.encode(new MapCommand.BeginMigration(List.of(
        Migration.moving(3, new SlotRange(5, 9), 7, 8), Migration.moving(4, SlotRange.of(16000), 1, 2))))))
        .isEqualTo("4301" + "09" + "0002" + "0000000000000003" + "0005" + "0009" + "0000000000000007"
            + "0000000000000008" + "0000000000000004" + "3e80" + "3e80" + "0000000000000001" + "0000000000000002");
    assertThat(hex.formatHex(ShardMapCodec.encode(new MapCommand.CommitMigration(3))))
        .isEqualTo("4301" + "0a" + "0000000000000003");
    assertThat(hex.formatHex(ShardMapCodec.encode(new MapCommand.EndMigration(3))))
        .isEqualTo("4301" + "0b" + "0000000000000003");
    assertThat(hex.formatHex(ShardMapCodec.encode(new MapCommand.AbortMigration(3))))
        .isEqualTo("4301" + "0c" + "0000000000000003");
    assertThat(hex.formatHex(ShardMapCodec.encode(new MapCommand.LeaveGroup(7))))
        .isEqualTo("4301" + "0d" + "0000000000000007");
  }

  /** A small map: stores 1 and 2, group 7 founded by store 1 with a learner on 2, slots 0-9. */
  private static ShardMap smallMap() {
    return ShardMap.empty().apply(new MapCommand.AddStore(new StoreInfo(1, "a:1", "b:2", StoreState.UP)))
        .apply(new MapCommand.AddStore(new StoreInfo(2, "a:3", "b:4", StoreState.UP)))
        .apply(new MapCommand.CreateGroup(7, List.of(Replica.voter(1))))
        .apply(new MapCommand.SetReplicaRole(7, 2, ReplicaRole.LEARNER))
        .apply(new MapCommand.AssignSlots(List.of(new SlotRange(0, 9)), 7));
  }

  private static final String SMALL_MAP_STORES = "00000002"
      + "0000000000000001" + "01" + "0003613a31" + "0003623a32"
      + "0000000000000002" + "01" + "0003613a33" + "0003623a34";
  private static final String SMALL_MAP_REPLICAS = "00000001" + "0000000000000007"
      + "0002" + "0000000000000001" + "01" + "0000000000000002" + "02";
  private static final String SMALL_MAP_RUNS = "00000001" + "0000" + "0009" + "0000000000000007";

  /**
   * Frozen bytes of map format 3: groups carry their founders after their replicas; migrations in
   * flight, the next migration id and the leaving groups follow the slot runs.
   */
  @Test
  void mapBytesAreFrozen() {
    HexFormat hex = HexFormat.of();
    assertThat(hex.formatHex(ShardMapCodec.encode(smallMap()))).isEqualTo("4d03" + "0000000000000005"
        + SMALL_MAP_STORES + SMALL_MAP_REPLICAS + "0001" + "0000000000000001" + SMALL_MAP_RUNS
        + "00000000" + "0000000000000001" + "00000000");
    ShardMap moving = smallMap().apply(new MapCommand.CreateGroup(8, List.of(Replica.voter(2))))
        .apply(new MapCommand.BeginMigration(List.of(Migration.moving(3, new SlotRange(5, 9), 7, 8))))
        .apply(new MapCommand.LeaveGroup(7));
    assertThat(hex.formatHex(ShardMapCodec.encode(moving))).isEqualTo("4d03" + "0000000000000008"
        + SMALL_MAP_STORES
        + "00000002" + "0000000000000007" + "0002" + "0000000000000001" + "01" + "0000000000000002" + "02"
        + "0001" + "0000000000000001"
        + "0000000000000008" + "0001" + "0000000000000002" + "01" + "0001" + "0000000000000002"
        + SMALL_MAP_RUNS
        + "00000001" + "0000000000000003" + "0005" + "0009" + "0000000000000007" + "0000000000000008" + "01"
        + "0000000000000004" + "00000001" + "0000000000000007");
    assertThat(ShardMapCodec.decodeMap(ShardMapCodec.encode(moving))).isEqualTo(moving);
    ShardMap committed = moving.apply(new MapCommand.CommitMigration(3));
    assertThat(ShardMapCodec.decodeMap(ShardMapCodec.encode(committed))).isEqualTo(committed);
  }

  /** Maps written before migrations existed (format 2): none in flight, next id 1, none leaving. */
  @Test
  void format2MapsStillDecode() {
    byte[] v2 = HexFormat.of().parseHex("4d02" + "0000000000000005" + SMALL_MAP_STORES + SMALL_MAP_REPLICAS
        + "0001" + "0000000000000001" + SMALL_MAP_RUNS);
    ShardMap m = ShardMapCodec.decodeMap(v2);
    assertThat(m).isEqualTo(smallMap());
    assertThat(m.migrations()).isEmpty();
    assertThat(m.nextMigrationId()).isEqualTo(1);
    byte[] h2 = new byte[2 + 4 + 4 + v2.length + 4];
    java.nio.ByteBuffer.wrap(h2).put((byte) 'H').put((byte) 2).putInt(8).putInt(v2.length).put(v2).putInt(0);
    assertThat(ShardMapCodec.decodeHistory(h2).current()).isEqualTo(smallMap());
  }

  /** Maps (and histories) written before founders existed: the founders are the voters as encoded. */
  @Test
  void format1MapsAndHistoriesStillDecode() {
    byte[] v1 = HexFormat.of().parseHex("4d01" + "0000000000000005" + SMALL_MAP_STORES + SMALL_MAP_REPLICAS
        + SMALL_MAP_RUNS);
    ShardMap m = ShardMapCodec.decodeMap(v1);
    assertThat(m).isEqualTo(smallMap());
    assertThat(m.findGroup(7).orElseThrow().founders()).containsExactly(1L);
    byte[] h1 = new byte[2 + 4 + 4 + v1.length + 4];
    java.nio.ByteBuffer.wrap(h1).put((byte) 'H').put((byte) 1).putInt(8).putInt(v1.length).put(v1).putInt(0);
    MapHistory h = ShardMapCodec.decodeHistory(h1);
    assertThat(h.current()).isEqualTo(smallMap());
    assertThat(ShardMapCodec.encode(h)[1]).as("written again as format 3").isEqualTo((byte) 3);
  }

  @Test
  void refusesMapFormatsItDoesNotKnow() {
    byte[] m = ShardMapCodec.encode(smallMap());
    m[1] = 4;
    assertThatThrownBy(() -> ShardMapCodec.decodeMap(m)).hasMessageContaining("unsupported map format: 4 (expected: 1..3)");
  }

  @Test
  void refusesTruncatedInputAtEveryLength() {
    byte[] full = ShardMapCodec.encode(ShardMap.bootstrap(MapFixtures.stores(4), 5, 3));
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> ShardMapCodec.decodeMap(cut)).as("cut at %d", n).isInstanceOf(MapException.class);
    }
    byte[] cmd = ShardMapCodec.encode(new MapCommand.CreateGroup(1, List.of(Replica.voter(1))));
    for (int n = 0; n < cmd.length; n++) {
      byte[] cut = Arrays.copyOf(cmd, n);
      assertThatThrownBy(() -> ShardMapCodec.decodeCommand(cut)).isInstanceOf(MapException.class);
    }
  }

  @Test
  void refusesBadCodesAndTrailingBytes() {
    byte[] cmd = ShardMapCodec.encode(new MapCommand.DestroyGroup(9));
    byte[] badType = cmd.clone();
    badType[2] = 42;
    assertThatThrownBy(() -> ShardMapCodec.decodeCommand(badType)).hasMessageContaining("unknown command type code: 42");
    byte[] badFormat = cmd.clone();
    badFormat[1] = 2;
    assertThatThrownBy(() -> ShardMapCodec.decodeCommand(badFormat)).hasMessageContaining("unsupported command format: 2");
    assertThatThrownBy(() -> ShardMapCodec.decodeMap(cmd)).hasMessageContaining("not an encoded map");
    byte[] trailing = Arrays.copyOf(cmd, cmd.length + 1);
    assertThatThrownBy(() -> ShardMapCodec.decodeCommand(trailing)).hasMessageContaining("trailing bytes: 1");
    byte[] role = ShardMapCodec.encode(new MapCommand.SetReplicaRole(1, 1, ReplicaRole.VOTER));
    role[role.length - 1] = 9;
    assertThatThrownBy(() -> ShardMapCodec.decodeCommand(role)).hasMessageContaining("unknown replica role code: 9");
  }

  @Test
  void refusesHugeCountsWithoutAllocating() {
    byte[] m = ShardMapCodec.encode(ShardMap.empty());
    // store count sits after tag(1) format(1) version(8)
    m[10] = 0x7f;
    assertThatThrownBy(() -> ShardMapCodec.decodeMap(m)).hasMessageContaining("invalid count of stores");
  }

  @Test
  void refusesMapsBreakingInvariants() {
    // a slot owned by a group that is not in the map
    ShardMap ok = ShardMap.bootstrap(MapFixtures.stores(1), 1, 1);
    byte[] bytes = ShardMapCodec.encode(ok);
    bytes[bytes.length - 1 - 16] = 5; // the only run's group id (before migrations, next id, leaving): 1 -> 5
    assertThatThrownBy(() -> ShardMapCodec.decodeMap(bytes)).hasMessageContaining("owned by unknown group 5");
  }

  @Test
  void historyRoundTripsByReplay() {
    Random rnd = new Random(99);
    MapHistory h = new MapHistory(16);
    for (int i = 0; i < 100; i++) {
      try {
        h.apply(MapFixtures.randomCommand(rnd, h.current()));
      } catch (MapException refused) {
        // skip
      }
    }
    MapHistory back = ShardMapCodec.decodeHistory(ShardMapCodec.encode(h));
    assertThat(back.capacity()).isEqualTo(16);
    assertThat(back.entries()).isEqualTo(h.entries());
  }

  @Test
  void refusesMapsWithInconsistentMigrations() {
    ShardMap moving = smallMap().apply(new MapCommand.CreateGroup(8, List.of(Replica.voter(2))))
        .apply(new MapCommand.BeginMigration(List.of(Migration.moving(3, new SlotRange(5, 9), 7, 8))));
    byte[] bytes = ShardMapCodec.encode(moving);
    // migration record: ... phase(1), then next id(8) and leaving count(4) end the map
    byte[] committed = bytes.clone();
    committed[bytes.length - 13] = 2; // COMMITTED while the slots are still the source's
    assertThatThrownBy(() -> ShardMapCodec.decodeMap(committed)).hasMessageContaining("are not all owned by group 8");
    byte[] lowNext = bytes.clone();
    lowNext[bytes.length - 5] = 3; // next id 3: migration 3 would be reused
    assertThatThrownBy(() -> ShardMapCodec.decodeMap(lowNext)).hasMessageContaining("invalid migration id: 3");
  }
}
