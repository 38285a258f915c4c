package io.cairn.meta.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.Migration;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.SlotRange;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Planning of move / rebalance / leave / join (SlotPlans): splits, even counts, fewest moves, placement. */
class SlotPlansTest {

  private static List<StoreInfo> stores(int n) {
    List<StoreInfo> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(new StoreInfo(i, "h:" + i, "h:" + (100 + i), StoreState.UP));
    }
    return out;
  }

  /** Three groups 1..3: 0-5461, 5462-10922, 10923-16383. */
  private static ShardMap three() {
    return ShardMap.bootstrap(stores(3), 3, 3);
  }

  private static ShardMap apply(ShardMap m, List<Migration> ms) {
    m = m.apply(new MapCommand.BeginMigration(ms));
    for (Migration x : ms) {
      m = m.apply(new MapCommand.CommitMigration(x.id())).apply(new MapCommand.EndMigration(x.id()));
    }
    return m;
  }

  @Test
  void moveSplitsByOwnerAndBatch() {
    ShardMap m = three();
    SlotPlans.Split s = SlotPlans.split(m, SlotRange.parse("5450-5470,0"), 3, 8);
    assertThat(s.begin()).containsExactly(
        Migration.moving(1, new SlotRange(5450, 5457), 1, 3),
        Migration.moving(2, new SlotRange(5458, 5461), 1, 3),
        Migration.moving(3, new SlotRange(5462, 5469), 2, 3),
        Migration.moving(4, SlotRange.of(5470), 2, 3),
        Migration.moving(5, SlotRange.of(0), 1, 3));
    assertThat(s.awaiting()).isEmpty();
    assertThat(SlotPlans.split(m, SlotRange.parse("10923-10999"), 3, 16).begin())
        .as("slots the target owns are skipped").isEmpty();
  }

  @Test
  void moveAwaitsMigrationsToTheSameTargetAndRefusesOthers() {
    ShardMap m = three().apply(new MapCommand.BeginMigration(List.of(Migration.moving(1, new SlotRange(0, 15), 1, 3))));
    SlotPlans.Split again = SlotPlans.split(m, SlotRange.parse("0-20"), 3, 16);
    assertThat(again.awaiting()).containsExactly(1L);
    assertThat(again.begin()).containsExactly(Migration.moving(2, new SlotRange(16, 20), 1, 3));
    assertThatThrownBy(() -> SlotPlans.split(m, SlotRange.parse("10"), 2, 16))
        .hasMessage("slot 10 is in migration 1 (0-15 to group 3)");
    assertThatThrownBy(() -> SlotPlans.split(m, SlotRange.parse("10"), 9, 16)).hasMessage("unknown group: 9");
    ShardMap partial = ShardMap.empty().apply(new MapCommand.AddStore(stores(1).get(0)))
        .apply(new MapCommand.CreateGroup(1, List.of(Replica.voter(1))))
        .apply(new MapCommand.CreateGroup(2, List.of(Replica.voter(1))))
        .apply(new MapCommand.AssignSlots(List.of(new SlotRange(0, 99)), 1));
    assertThatThrownBy(() -> SlotPlans.split(partial, SlotRange.parse("90-110"), 2, 16))
        .hasMessage("slot 100 is not assigned to any group");
    ShardMap leaving = three().apply(new MapCommand.LeaveGroup(3));
    assertThatThrownBy(() -> SlotPlans.split(leaving, SlotRange.parse("0"), 3, 16))
        .hasMessage("group 3 is leaving: it takes no slots");
  }

  @Test
  void joinOfAFourthGroupTakesAQuarterWithFewestMoves() {
    ShardMap m = three().apply(new MapCommand.CreateGroup(4, List.of(Replica.voter(1))));
    List<SlotPlans.Move> moves = SlotPlans.rebalance(m);
    // 16384 / 4 = 4096 each: groups 1 and 2 (5462, 5461) and 3 (5461) give 1366, 1365, 1365 from their ends
    assertThat(moves).containsExactly(
        new SlotPlans.Move(new SlotRange(4096, 5461), 4),
        new SlotPlans.Move(new SlotRange(9558, 10922), 4),
        new SlotPlans.Move(new SlotRange(15019, 16383), 4));
    ShardMap after = apply(m, SlotPlans.migrations(m, moves, 16));
    for (long g = 1; g <= 4; g++) {
      assertThat(after.slotCount(g)).isEqualTo(4096);
    }
    assertThat(SlotPlans.rebalance(after)).as("balanced: nothing to do").isEmpty();
    assertThat(SlotPlans.migrations(m, moves, 16)).hasSize(86 + 86 + 86)
        .allMatch(x -> x.range().size() <= 16);
  }

  @Test
  void leaveMovesEverySlotOfTheLeavingGroupEvenly() {
    ShardMap m = three().apply(new MapCommand.LeaveGroup(2));
    List<SlotPlans.Move> moves = SlotPlans.rebalance(m);
    assertThat(moves).allMatch(mv -> mv.target() != 2);
    ShardMap after = apply(m, SlotPlans.migrations(m, moves, 64));
    assertThat(after.slotCount(2)).isZero();
    assertThat(after.slotCount(1)).isEqualTo(8192);
    assertThat(after.slotCount(3)).isEqualTo(8192);
    assertThat(moves.stream().mapToInt(mv -> mv.range().size()).sum()).as("only group 2's slots move").isEqualTo(5461);
  }

  @Test
  void slotsInFlightCountForTheirTargetAndStayPut() {
    ShardMap m = three().apply(new MapCommand.CreateGroup(4, List.of(Replica.voter(2))))
        .apply(new MapCommand.BeginMigration(List.of(Migration.moving(1, new SlotRange(5000, 5461), 1, 4))));
    assertThat(SlotPlans.futureCounts(m)).isEqualTo(Map.of(1L, 5000, 2L, 5461, 3L, 5461, 4L, 462));
    List<SlotPlans.Move> moves = SlotPlans.rebalance(m);
    assertThat(moves).noneMatch(mv -> mv.range().first() <= 5461 && mv.range().last() >= 5000);
    ShardMap after = apply(m.apply(new MapCommand.CommitMigration(1)).apply(new MapCommand.EndMigration(1)),
        SlotPlans.migrations(m, moves, 16).stream()
            .map(x -> Migration.moving(x.id() + 1, x.range(), x.source(), x.target())).toList());
    for (long g = 1; g <= 4; g++) {
      assertThat(after.slotCount(g)).isEqualTo(4096);
    }
  }

  @Test
  void randomLayoutsSettleWithinOneSlotMovingOnlyTheExcess() {
    Random rnd = new Random(61);
    for (int round = 0; round < 40; round++) {
      int groups = 2 + rnd.nextInt(6);
      ShardMap m = ShardMap.bootstrap(stores(3), groups, 3);
      for (int i = 0; i < 5; i++) { // scramble with random reassignments
        int first = rnd.nextInt(ShardMap.SLOT_COUNT);
        int last = Math.min(ShardMap.SLOT_COUNT - 1, first + rnd.nextInt(4000));
        m = m.apply(new MapCommand.AssignSlots(List.of(new SlotRange(first, last)), 1 + rnd.nextInt(groups)));
      }
      int even = ShardMap.SLOT_COUNT / groups;
      int excess = 0;
      for (long g = 1; g <= groups; g++) {
        excess += Math.max(0, m.slotCount(g) - (even + 1));
      }
      List<SlotPlans.Move> moves = SlotPlans.rebalance(m);
      int moved = moves.stream().mapToInt(mv -> mv.range().size()).sum();
      ShardMap after = apply(m, SlotPlans.migrations(m, moves, 16));
      for (long g = 1; g <= groups; g++) {
        assertThat(after.slotCount(g)).as("round %d group %d", round, g).isBetween(even, even + 1);
      }
      assertThat(moved).as("round %d: slots moved", round).isLessThanOrEqualTo(excess + groups);
    }
  }

  @Test
  void placementPicksTheLeastLoadedUpStores() {
    ShardMap m = ShardMap.bootstrap(stores(5), 2, 3); // group 1 on 1,2,3; group 2 on 4,5,1
    assertThat(SlotPlans.placement(m, 3)).containsExactly(2L, 3L, 4L);
    ShardMap down = m.apply(new MapCommand.SetStoreState(2, StoreState.DOWN));
    assertThat(SlotPlans.placement(down, 3)).containsExactly(3L, 4L, 5L);
    assertThatThrownBy(() -> SlotPlans.placement(down, 5)).hasMessage("cannot place 5 replicas: 4 stores are UP (expected: >= 5)");
  }
}
