package io.cairn.meta.map;

import static io.cairn.meta.map.MapFixtures.stores;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.meta.map.MapCommand.AbortMigration;
import io.cairn.meta.map.MapCommand.AssignSlots;
import io.cairn.meta.map.MapCommand.BeginMigration;
import io.cairn.meta.map.MapCommand.CommitMigration;
import io.cairn.meta.map.MapCommand.DestroyGroup;
import io.cairn.meta.map.MapCommand.EndMigration;
import io.cairn.meta.map.MapCommand.LeaveGroup;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Migrations in the map (docs/slot-migration.md, "The map"): begin → commit → end, or begin →
 * abort; at most one migration per slot, slots owned by the source at begin, ids never reused,
 * no AssignSlots or DestroyGroup across a migration, leaving groups take no slots.
 */
class ShardMapMigrationTest {

  /** Three groups 1..3 on stores 1..3: 0-5461, 5462-10922, 10923-16383. */
  private static ShardMap base() {
    return ShardMap.bootstrap(stores(3), 3, 3);
  }

  private static BeginMigration begin(long id, int first, int last, long source, long target) {
    return new BeginMigration(List.of(Migration.moving(id, new SlotRange(first, last), source, target)));
  }

  private static void refused(ShardMap m, MapCommand c, String message) {
    assertThatThrownBy(() -> m.apply(c)).isInstanceOf(MapException.class).hasMessageContaining(message);
  }

  @Test
  void beginCommitEndMovesTheRange() {
    ShardMap m = base().apply(begin(1, 0, 15, 1, 2));
    assertThat(m.findMigration(1)).contains(Migration.moving(1, new SlotRange(0, 15), 1, 2));
    assertThat(m.groupOf(0)).as("the source owns the range until the commit").isEqualTo(1);
    assertThat(m.migrationOf(15)).isPresent();
    assertThat(m.migrationOf(16)).isEmpty();
    assertThat(m.nextMigrationId()).isEqualTo(2);

    ShardMap c = m.apply(new CommitMigration(1));
    assertThat(c.version()).isEqualTo(m.version() + 1);
    assertThat(c.groupOf(0)).isEqualTo(2);
    assertThat(c.groupOf(15)).isEqualTo(2);
    assertThat(c.groupOf(16)).isEqualTo(1);
    assertThat(c.findMigration(1).orElseThrow().phase()).isEqualTo(Migration.Phase.COMMITTED);
    refused(c, new CommitMigration(1), "migration 1 is already COMMITTED");
    refused(c, new AbortMigration(1), "migration 1 is COMMITTED: it only goes forward now");

    ShardMap e = c.apply(new EndMigration(1));
    assertThat(e.migrations()).isEmpty();
    assertThat(e.slotRangesText(2)).isEqualTo("0-15,5462-10922");
    assertThat(e.nextMigrationId()).as("ids are never reused").isEqualTo(2);
    refused(e, begin(1, 16, 20, 1, 2), "migration id 1 is used or out of order (expected: >= 2)");
  }

  @Test
  void abortLeavesTheSourceOwner() {
    ShardMap m = base().apply(begin(1, 100, 199, 1, 3));
    refused(m, new EndMigration(1), "migration 1 is MOVING (expected: COMMITTED; abort it instead)");
    ShardMap a = m.apply(new AbortMigration(1));
    assertThat(a.migrations()).isEmpty();
    assertThat(a.groupOf(150)).isEqualTo(1);
    refused(a, new AbortMigration(1), "unknown migration: 1");
    refused(a, new CommitMigration(7), "unknown migration: 7");
  }

  @Test
  void beginRules() {
    ShardMap m = base();
    refused(m, new BeginMigration(List.of()), "no migration to begin");
    refused(m, begin(1, 0, 10, 1, 1), "source and target are both group 1");
    refused(m, begin(1, 0, 10, 9, 1), "unknown source group: 9");
    refused(m, begin(1, 0, 10, 1, 9), "unknown target group: 9");
    refused(m, begin(1, 5460, 5463, 1, 3), "slots 5460-5463 are not all owned by group 1 (owned: 0-5461)");
    refused(m, begin(0, 0, 1, 1, 2), "migration id 0 is used or out of order (expected: >= 1)");
    refused(m, new BeginMigration(List.of(Migration.moving(1, new SlotRange(0, 9), 1, 2),
        Migration.moving(2, new SlotRange(9, 12), 1, 3))), "slot 9 is already in a migration");
    refused(m, new BeginMigration(List.of(Migration.moving(2, new SlotRange(0, 9), 1, 2),
        Migration.moving(2, new SlotRange(10, 12), 1, 3))), "migration id 2 is used or out of order");
    refused(m, new BeginMigration(List.of(new Migration(1, new SlotRange(0, 9), 1, 2, Migration.Phase.COMMITTED))),
        "begins as COMMITTED");
    ShardMap two = m.apply(new BeginMigration(List.of(Migration.moving(1, new SlotRange(0, 9), 1, 2),
        Migration.moving(5, new SlotRange(6000, 6015), 2, 3))));
    assertThat(two.version()).as("one version for the whole batch").isEqualTo(m.version() + 1);
    assertThat(two.nextMigrationId()).isEqualTo(6);
    refused(two, begin(6, 5, 20, 1, 3), "slot 5 is already in a migration");
  }

  @Test
  void assignAndDestroyRespectMigrations() {
    ShardMap m = base().apply(begin(1, 0, 9, 1, 2));
    refused(m, new AssignSlots(List.of(new SlotRange(5, 30)), 3), "slots 5-30 overlap migration 1 (0-9)");
    assertThat(m.apply(new AssignSlots(List.of(new SlotRange(10, 30)), 3)).groupOf(10)).isEqualTo(3);
    ShardMap drained = m.apply(new AssignSlots(List.of(new SlotRange(5462, 10922)), 3));
    refused(drained, new DestroyGroup(2), "group 2 is in migration 1 (0-9 from group 1 to group 2)");
    ShardMap ended = drained.apply(new CommitMigration(1)).apply(new EndMigration(1))
        .apply(new AssignSlots(List.of(new SlotRange(0, 9)), 3));
    assertThat(ended.apply(new DestroyGroup(2)).findGroup(2)).isEmpty();
  }

  @Test
  void leavingGroupsTakeNoSlotsAndGoWhenDestroyed() {
    ShardMap m = base().apply(new LeaveGroup(3));
    assertThat(m.leavingGroups()).containsExactly(3L);
    assertThat(m.isLeaving(3)).isTrue();
    refused(m, new LeaveGroup(3), "group 3 is already leaving");
    refused(m, new LeaveGroup(9), "unknown group: 9");
    refused(m, begin(1, 0, 9, 1, 3), "target group 3 is leaving");
    ShardMap out = m.apply(begin(1, 10923, 16383, 3, 1));
    ShardMap gone = out.apply(new CommitMigration(1)).apply(new EndMigration(1)).apply(new DestroyGroup(3));
    assertThat(gone.leavingGroups()).isEmpty();
    assertThat(gone.slotRangesText(1)).isEqualTo("0-5461,10923-16383");
    ShardMap lastTwo = base().apply(new LeaveGroup(1)).apply(new LeaveGroup(2));
    refused(lastTwo, new LeaveGroup(3), "group 3 owns slots and no other group could take them");
  }

  @Test
  void statusTableListsMigrationsAndLeavingGroups() {
    String table = base().apply(new LeaveGroup(3)).apply(begin(4, 10923, 10938, 3, 1)).toString();
    assertThat(table).contains("leaving groups [3]\n",
        "migration 4: slots 10923-10938 from group 3 to group 1, MOVING\n");
  }
}
