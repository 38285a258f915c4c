package io.cairn.meta.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.SlotRange;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.meta.proto.GroupSize;
import io.cairn.meta.proto.HistoryEntry;
import io.cairn.meta.proto.StoreReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MapTablesTest {
  private static StoreInfo store(long id) {
    return new StoreInfo(id, "10.0.0." + id + ":7101", "10.0.0." + id + ":7201", StoreState.UP);
  }

  @Test
  void rendersStoresGroupsLeadersAndHeartbeats() {
    ShardMap m = ShardMap.bootstrap(List.of(store(1), store(2), store(3)), 3, 2)
        .apply(new MapCommand.SetStoreState(3, StoreState.DOWN));
    String text = MapTables.render(m, Map.of(1L, 2L, 3L, 1L),
        List.of(StoreReport.newBuilder().setStoreId(1).setLastHeartbeatMsAgo(120).build(),
            StoreReport.newBuilder().setStoreId(3).setLastHeartbeatMsAgo(-1).build()));
    assertThat(text).isEqualTo("""
        map version 10

        STORE  STATE  RAFT           SERVICE        GROUPS  LEADS  HEARTBEAT
        1      UP     10.0.0.1:7101  10.0.0.1:7201  1,2     3      120 ms ago
        2      UP     10.0.0.2:7101  10.0.0.2:7201  1,3     1      -
        3      DOWN   10.0.0.3:7101  10.0.0.3:7201  2,3     -      -

        GROUP  SLOTS  RANGES       LEADER  REPLICAS
        1      5462   0-5461       2       1:voter 2:voter*
        2      5461   5462-10922   -       1:voter 3:voter
        3      5461   10923-16383  1       2:voter 3:voter
        """);
  }

  @Test
  void statusShowsTheGroupSizes() {
    ShardMap m = ShardMap.bootstrap(List.of(store(1), store(2), store(3)), 3, 2);
    String text = MapTables.render(m, Map.of(1L, 2L), List.of(),
        Map.of(1L, GroupSize.newBuilder().setGroupId(1).setKeyCount(1234).setExpiresCount(5)
            .setSizeBytes(1536).build(), 3L, GroupSize.newBuilder().setGroupId(3).setSizeBytes(100).build()));
    assertThat(text).endsWith("""
        GROUP  SLOTS  RANGES       LEADER  REPLICAS          KEYS  EXPIRES  SIZE
        1      5462   0-5461       2       1:voter 2:voter*  1234  5        1.5 KiB
        2      5461   5462-10922   -       1:voter 3:voter   -     -        -
        3      5461   10923-16383  -       2:voter 3:voter   0     0        100 B
        """);
    assertThat(MapTables.bytes(0)).isEqualTo("0 B");
    assertThat(MapTables.bytes(1023)).isEqualTo("1023 B");
    assertThat(MapTables.bytes(5L << 30)).isEqualTo("5.0 GiB");
    assertThat(MapTables.bytes(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
  }

  @Test
  void anEmptyMapAndUnassignedSlots() {
    assertThat(MapTables.render(ShardMap.empty())).isEqualTo("map version 0\n\nno stores\n\nno groups\n\n"
        + "unassigned slots: 16384 (0-16383)\n");
  }

  @Test
  void describesEveryCommandOnOneLine() {
    assertThat(MapTables.describe(new MapCommand.AddStore(store(4))))
        .isEqualTo("add store 4 (raft 10.0.0.4:7101, service 10.0.0.4:7201, UP)");
    assertThat(MapTables.describe(new MapCommand.RemoveStore(4))).isEqualTo("remove store 4");
    assertThat(MapTables.describe(new MapCommand.SetStoreState(4, StoreState.DOWN))).isEqualTo("store 4 is DOWN");
    assertThat(MapTables.describe(new MapCommand.SetReplicaRole(2, 4, ReplicaRole.LEARNER)))
        .isEqualTo("group 2: replica on store 4 is learner");
    assertThat(MapTables.describe(new MapCommand.RemoveReplica(2, 4))).isEqualTo("group 2: remove replica on store 4");
    assertThat(MapTables.describe(new MapCommand.AssignSlots(List.of(new SlotRange(0, 9), SlotRange.of(77)), 2)))
        .isEqualTo("assign slots 0-9,77 to group 2");
    assertThat(MapTables.describe(new MapCommand.DestroyGroup(2))).isEqualTo("destroy group 2");
    assertThat(MapTables.history(List.of(HistoryEntry.newBuilder().setVersion(0).setChange("empty map").build(),
        HistoryEntry.newBuilder().setVersion(1).setChange("remove store 4").build())))
        .isEqualTo("VERSION  CHANGE\n0        empty map\n1        remove store 4\n");
  }

  @Test
  void rendersMigrationsLeavingGroupsPausesAndTheirHistoryLines() {
    MapCommand begin = new MapCommand.BeginMigration(List.of(
        io.cairn.meta.map.Migration.moving(1, new SlotRange(0, 15), 1, 2),
        io.cairn.meta.map.Migration.moving(2, SlotRange.of(16), 1, 2)));
    ShardMap m = ShardMap.bootstrap(List.of(store(1), store(2), store(3)), 3, 3).apply(new MapCommand.LeaveGroup(3))
        .apply(begin).apply(new MapCommand.CommitMigration(2));
    assertThat(MapTables.render(m)).endsWith("""

        leaving groups: 3

        MIGRATION  SLOTS  FROM  TO  PHASE
        1          0-15   1     2   MOVING
        2          16     1     2   COMMITTED
        """);
    assertThat(MapTables.describe(begin)).isEqualTo("begin migrations 1: 0-15 1->2, 2: 16 1->2");
    assertThat(MapTables.describe(new MapCommand.CommitMigration(2))).isEqualTo("commit migration 2");
    assertThat(MapTables.describe(new MapCommand.EndMigration(2))).isEqualTo("end migration 2");
    assertThat(MapTables.describe(new MapCommand.AbortMigration(1))).isEqualTo("abort migration 1");
    assertThat(MapTables.describe(new MapCommand.LeaveGroup(3))).isEqualTo("group 3 is leaving");
    assertThat(MapTables.migrations(List.of())).isEqualTo("no migrations in flight\n");
    assertThat(MapTables.pauses(io.cairn.meta.proto.MigrationPauses.newBuilder().setCount(12).setP50Ms(3.12)
        .setP99Ms(40).setMaxMs(41.24).build())).isEqualTo("pauses: 12 measured, p50 3.1 ms, p99 40.0 ms, max 41.2 ms\n");
    assertThat(MapTables.pauses(io.cairn.meta.proto.MigrationPauses.getDefaultInstance()))
        .isEqualTo("pauses: none measured by this meta leader\n");
  }
}
