package io.cairn.meta.map;

import static io.cairn.meta.map.MapFixtures.stores;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Issue 5: "a new cluster creates its initial groups on the registered stores and spreads the slots evenly". */
class ShardMapBootstrapTest {

  @ParameterizedTest(name = "{0} stores, {1} groups, rf {2}")
  @CsvSource({"3,3,3", "3,1,3", "3,7,3", "5,3,3", "5,16,3", "7,10,2", "1,1,1", "4,5,1", "9,1000,3"})
  void everySlotOwnedOnceAndGroupsBalanced(int storeCount, int groupCount, int rf) {
    ShardMap m = ShardMap.bootstrap(stores(storeCount), groupCount, rf);

    assertThat(m.groups()).hasSize(groupCount);
    // every slot owned by exactly one existing group
    for (int slot = 0; slot < ShardMap.SLOT_COUNT; slot++) {
      assertThat(m.findGroup(m.groupOf(slot))).as("owner of slot %d", slot).isPresent();
    }
    int total = 0;
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (GroupInfo g : m.groups()) {
      int n = m.slotCount(g.id());
      total += n;
      min = Math.min(min, n);
      max = Math.max(max, n);
      // one contiguous range per group
      assertThat(m.slotRanges(g.id())).hasSize(1);
    }
    assertThat(total).isEqualTo(ShardMap.SLOT_COUNT);
    assertThat(max - min).isLessThanOrEqualTo(1);
  }

  @ParameterizedTest(name = "{0} stores, {1} groups, rf {2}")
  @CsvSource({"3,3,3", "5,3,3", "5,16,3", "7,10,2", "4,5,1", "9,1000,3", "6,4,6"})
  void replicasOnDistinctStoresAndSpreadEvenly(int storeCount, int groupCount, int rf) {
    ShardMap m = ShardMap.bootstrap(stores(storeCount), groupCount, rf);

    Map<Long, Integer> perStore = new HashMap<>();
    for (GroupInfo g : m.groups()) {
      Set<Long> distinct = new HashSet<>();
      for (Replica r : g.replicas()) {
        assertThat(r.role()).isEqualTo(ReplicaRole.VOTER);
        distinct.add(r.storeId());
        perStore.merge(r.storeId(), 1, Integer::sum);
      }
      assertThat(distinct).as("stores of group %d", g.id()).hasSize(rf);
    }
    List<Integer> counts = new ArrayList<>(perStore.values());
    while (counts.size() < storeCount) {
      counts.add(0);
    }
    assertThat(counts.stream().mapToInt(i -> i).max().getAsInt()
        - counts.stream().mapToInt(i -> i).min().getAsInt()).isLessThanOrEqualTo(1);
  }

  @Test
  void threeGroupsGetTheRedisClusterRanges() {
    ShardMap m = ShardMap.bootstrap(stores(3), 3, 3);
    assertThat(m.slotRangesText(1)).isEqualTo("0-5461");
    assertThat(m.slotRangesText(2)).isEqualTo("5462-10922");
    assertThat(m.slotRangesText(3)).isEqualTo("10923-16383");
  }

  @Test
  void versionCountsTheBootstrapCommands() {
    List<MapCommand> cmds = ShardMap.bootstrapCommands(stores(3), 4, 3);
    assertThat(cmds).hasSize(3 + 4 + 4);
    assertThat(ShardMap.bootstrap(stores(3), 4, 3).version()).isEqualTo(11);
  }

  @Test
  void deterministicWhateverTheStoreOrder() {
    List<StoreInfo> reversed = new ArrayList<>(stores(5));
    java.util.Collections.reverse(reversed);
    assertThat(ShardMap.bootstrap(reversed, 7, 3)).isEqualTo(ShardMap.bootstrap(stores(5), 7, 3));
  }

  @Test
  void refusesBadParameters() {
    assertThatThrownBy(() -> ShardMap.bootstrap(stores(2), 3, 3))
        .isInstanceOf(MapException.class).hasMessageContaining("replication factor: 3");
    assertThatThrownBy(() -> ShardMap.bootstrap(stores(3), 0, 3))
        .isInstanceOf(MapException.class).hasMessageContaining("group count: 0");
    assertThatThrownBy(() -> ShardMap.bootstrap(stores(3), 16385, 1))
        .isInstanceOf(MapException.class).hasMessageContaining("group count: 16385");
    assertThatThrownBy(() -> ShardMap.bootstrap(List.of(MapFixtures.store(1), MapFixtures.store(1)), 1, 1))
        .isInstanceOf(MapException.class).hasMessageContaining("duplicate store id: 1");
  }
}
