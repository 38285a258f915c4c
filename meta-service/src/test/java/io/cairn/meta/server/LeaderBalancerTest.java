package io.cairn.meta.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class LeaderBalancerTest {
  private static List<StoreInfo> stores(int n) {
    List<StoreInfo> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(new StoreInfo(i, "10.0.0." + i + ":7000", "10.0.0." + i + ":7100", StoreState.UP));
    }
    return out;
  }

  private static Set<Long> ids(long... ids) {
    Set<Long> out = new TreeSet<>();
    for (long id : ids) {
      out.add(id);
    }
    return out;
  }

  /** Every voter of every group follows its leader (as if every store reported the current term). */
  private static Map<Long, Set<Long>> allFollow(ShardMap map, Map<Long, Long> leaders) {
    Map<Long, Set<Long>> out = new HashMap<>();
    for (GroupInfo g : map.groups()) {
      Set<Long> f = new TreeSet<>();
      g.replicas().forEach(r -> f.add(r.storeId()));
      Long leader = leaders.get(g.id());
      if (leader != null) {
        f.remove(leader);
      }
      out.put(g.id(), f);
    }
    return out;
  }

  /** {@link LeaderBalancer#next} with every voter following its group's leader. */
  private static Optional<LeaderBalancer.Move> next(ShardMap map, Map<Long, Long> leaders, Set<Long> live) {
    return LeaderBalancer.next(map, leaders, live, allFollow(map, leaders));
  }

  /** Applies moves until none is left; returns how many it took (fails past 1000). */
  private static int balance(ShardMap map, Map<Long, Long> leaders, Set<Long> live) {
    for (int moves = 0; moves < 1000; moves++) {
      Optional<LeaderBalancer.Move> m = LeaderBalancer.next(map, leaders, live, allFollow(map, leaders));
      if (m.isEmpty()) {
        return moves;
      }
      LeaderBalancer.Move move = m.get();
      assertThat(leaders.get(move.groupId())).isEqualTo(move.from());
      assertThat(live).contains(move.to());
      GroupInfo g = map.findGroup(move.groupId()).orElseThrow();
      assertThat(g.replicaOn(move.to()).orElseThrow().role()).isEqualTo(ReplicaRole.VOTER);
      leaders.put(move.groupId(), move.to());
    }
    throw new AssertionError("the balancer did not settle within 1000 moves");
  }

  private static Map<Long, Integer> leadCounts(Map<Long, Long> leaders, Set<Long> live) {
    Map<Long, Integer> out = new TreeMap<>();
    live.forEach(s -> out.put(s, 0));
    leaders.values().forEach(s -> out.merge(s, 1, Integer::sum));
    return out;
  }

  @Test
  void threeGroupsAllLedByOneStoreEndOnePerStoreInTwoMoves() {
    ShardMap map = ShardMap.bootstrap(stores(3), 3, 3);
    Map<Long, Long> leaders = new HashMap<>(Map.of(1L, 1L, 2L, 1L, 3L, 1L));
    assertThat(next(map, leaders, ids(1, 2, 3)))
        .contains(new LeaderBalancer.Move(1, 1, 2)); // lowest group to the lowest idle store
    assertThat(balance(map, leaders, ids(1, 2, 3))).isEqualTo(2);
    assertThat(leadCounts(leaders, ids(1, 2, 3))).isEqualTo(Map.of(1L, 1, 2L, 1, 3L, 1));
  }

  @Test
  void balancedOrOneApartIsLeftAlone() {
    ShardMap map = ShardMap.bootstrap(stores(3), 3, 3);
    assertThat(next(map, Map.of(1L, 1L, 2L, 2L, 3L, 3L), ids(1, 2, 3))).isEmpty();
    // Stores 1 and 2 lead 2 groups each, store 3 leads 1: one apart.
    ShardMap five = ShardMap.bootstrap(stores(3), 5, 3);
    assertThat(next(five, Map.of(1L, 1L, 2L, 1L, 3L, 2L, 4L, 2L, 5L, 3L), ids(1, 2, 3))).isEmpty();
    // Two apart (2, 1, 0): store 1 gives one to store 3.
    assertThat(next(map, Map.of(1L, 1L, 2L, 1L, 3L, 2L), ids(1, 2, 3)))
        .contains(new LeaderBalancer.Move(1, 1, 3));
    assertThat(next(ShardMap.empty(), Map.of(), ids(1, 2, 3))).isEmpty();
  }

  @Test
  void manyGroupsOnManyStoresEndWithinOneOfEachOther() {
    Random rnd = new Random(7);
    for (int round = 0; round < 50; round++) {
      int n = 3 + rnd.nextInt(4);
      int groups = 1 + rnd.nextInt(20);
      ShardMap map = ShardMap.bootstrap(stores(n), groups, n); // every store holds a voter of every group
      Set<Long> live = new TreeSet<>();
      map.stores().forEach(s -> live.add(s.id()));
      Map<Long, Long> leaders = new HashMap<>();
      for (GroupInfo g : map.groups()) {
        leaders.put(g.id(), 1 + (long) rnd.nextInt(rnd.nextBoolean() ? 1 : n)); // often all on store 1
      }
      int moves = balance(map, leaders, live);
      assertThat(moves).isLessThanOrEqualTo(groups);
      Map<Long, Integer> counts = leadCounts(leaders, live);
      assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(groups / n, (groups + n - 1) / n));
    }
  }

  @Test
  void onlyLiveVotersTakeOver() {
    ShardMap map = ShardMap.bootstrap(stores(3), 3, 3)
        .apply(new MapCommand.AddStore(stores(4).get(3)))
        .apply(new MapCommand.SetReplicaRole(1, 4, ReplicaRole.LEARNER))
        .apply(new MapCommand.SetReplicaRole(2, 4, ReplicaRole.OBSERVER));
    Map<Long, Long> leaders = new HashMap<>(Map.of(1L, 1L, 2L, 1L, 3L, 1L));
    // Store 3 is not live, store 4 holds no voter: only store 2 may take one group.
    assertThat(balance(map, leaders, ids(1, 2, 4))).isEqualTo(1);
    assertThat(leaders).containsEntry(1L, 2L).containsEntry(2L, 1L).containsEntry(3L, 1L);
  }

  @Test
  void onlyAStoreFollowingTheCurrentLeaderTakesOver() {
    ShardMap map = ShardMap.bootstrap(stores(3), 3, 3);
    Map<Long, Long> leaders = Map.of(1L, 1L, 2L, 1L, 3L, 1L);
    // Store 2 has not reported the current term of any group (it stopped before their elections).
    Map<Long, Set<Long>> following = Map.of(1L, ids(3), 2L, ids(3), 3L, ids(3));
    assertThat(LeaderBalancer.next(map, leaders, ids(1, 2, 3), following))
        .contains(new LeaderBalancer.Move(1, 1, 3));
    assertThat(LeaderBalancer.next(map, leaders, ids(1, 2, 3), Map.of())).isEmpty();
  }

  @Test
  void groupsWithoutAKnownOrLiveLeaderAreNotCounted() {
    ShardMap map = ShardMap.bootstrap(stores(3), 3, 3);
    // Group 3 has no known leader, group 2 is led by a store that is not live.
    assertThat(next(map, Map.of(1L, 1L, 2L, 3L), ids(1, 2))).isEmpty();
    Map<Long, Long> leaders = new HashMap<>(Map.of(1L, 1L, 2L, 1L));
    assertThat(next(map, leaders, ids(1, 2, 3))).contains(new LeaderBalancer.Move(1, 1, 2));
  }
}
