package io.cairn.meta.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The planning of add-store (spread) and remove-store (drain), replayed on maps the way
 * {@link StoreChanges} makes the moves: add (a voter as LEARNER, then VOTER), then remove — so a
 * group never has fewer voters than before a move, and never two replicas on one store (the map
 * refuses that).
 */
class ReplicaPlacementTest {
  private static final int RF = 3;

  private static StoreInfo store(long id) {
    return new StoreInfo(id, "10.0.0." + id + ":7000", "10.0.0." + id + ":7100", StoreState.UP);
  }

  private static List<StoreInfo> stores(int n) {
    List<StoreInfo> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(store(i));
    }
    return out;
  }

  /** Makes the move on the map as StoreChanges does, checking the group's voters at every step. */
  private static ShardMap apply(ShardMap m, ReplicaPlacement.Move mv) {
    long votersBefore = m.findGroup(mv.groupId()).orElseThrow().voterCount();
    if (mv.to() != 0) {
      if (mv.role() == ReplicaRole.VOTER) {
        if (m.findGroup(mv.groupId()).orElseThrow().replicaOn(mv.to()).isEmpty()) {
          m = m.apply(new MapCommand.SetReplicaRole(mv.groupId(), mv.to(), ReplicaRole.LEARNER));
        }
        m = m.apply(new MapCommand.SetReplicaRole(mv.groupId(), mv.to(), ReplicaRole.VOTER));
      } else {
        m = m.apply(new MapCommand.SetReplicaRole(mv.groupId(), mv.to(), mv.role()));
      }
    }
    m = m.apply(new MapCommand.RemoveReplica(mv.groupId(), mv.from()));
    long votersAfter = m.findGroup(mv.groupId()).orElseThrow().voterCount();
    assertThat(votersAfter).as("voters of group %d after %s", mv.groupId(), mv)
        .isGreaterThanOrEqualTo(Math.min(votersBefore, RF));
    return m;
  }

  private static List<ReplicaPlacement.Move> spread(ShardMap[] map) {
    List<ReplicaPlacement.Move> moves = new ArrayList<>();
    for (Optional<ReplicaPlacement.Move> mv = ReplicaPlacement.nextSpreadMove(map[0]); mv.isPresent();
         mv = ReplicaPlacement.nextSpreadMove(map[0])) {
      assertThat(moves).as("spread ends").hasSizeLessThan(1000);
      moves.add(mv.get());
      map[0] = apply(map[0], mv.get());
    }
    return moves;
  }

  private static List<ReplicaPlacement.Move> drain(ShardMap[] map, long store) {
    List<ReplicaPlacement.Move> moves = new ArrayList<>();
    for (Optional<ReplicaPlacement.Move> mv = ReplicaPlacement.nextDrainMove(map[0], store, RF); mv.isPresent();
         mv = ReplicaPlacement.nextDrainMove(map[0], store, RF)) {
      assertThat(moves).as("drain ends").hasSizeLessThan(1000);
      assertThat(mv.get().to()).isNotEqualTo(store);
      moves.add(mv.get());
      map[0] = apply(map[0], mv.get());
    }
    return moves;
  }

  private static void assertEven(ShardMap m) {
    Map<Long, Integer> counts = ReplicaPlacement.upCounts(m);
    assertThat(Collections.max(counts.values()) - Collections.min(counts.values())).as("counts %s", counts)
        .isLessThanOrEqualTo(1);
  }

  @Test
  void aFourthStoreTakesTwoOfNineReplicasFromTheFullestStores() {
    ShardMap[] m = {ShardMap.bootstrap(stores(3), 3, RF).apply(new MapCommand.AddStore(store(4)))};
    List<ReplicaPlacement.Move> moves = spread(m);
    // 3,3,3,0: store 1 gives its first group to 4, then store 2 (most, lowest id) its first one 4 lacks.
    assertThat(moves).containsExactly(new ReplicaPlacement.Move(1, 1, 4, ReplicaRole.VOTER),
        new ReplicaPlacement.Move(2, 2, 4, ReplicaRole.VOTER));
    assertThat(ReplicaPlacement.upCounts(m[0])).isEqualTo(Map.of(1L, 2, 2L, 2, 3L, 3, 4L, 2));
    assertThat(ReplicaPlacement.nextSpreadMove(m[0])).isEmpty();
  }

  @Test
  void spreadLeavesDownStoresAloneAndKeepsRoles() {
    ShardMap m = ShardMap.bootstrap(stores(4), 2, RF) // groups {1,2,3}, {4,1,2}: counts 2,2,1,1
        .apply(new MapCommand.AddStore(store(5)))
        .apply(new MapCommand.AddStore(store(6)))
        .apply(new MapCommand.SetStoreState(6, StoreState.DOWN))
        .apply(new MapCommand.SetReplicaRole(1, 5, ReplicaRole.OBSERVER)); // counts 2,2,1,1,1 (+6 DOWN)
    assertThat(ReplicaPlacement.nextSpreadMove(m)).isEmpty();
    m = m.apply(new MapCommand.SetReplicaRole(2, 3, ReplicaRole.OBSERVER)) // 2,2,2,1,1
        .apply(new MapCommand.SetReplicaRole(2, 5, ReplicaRole.OBSERVER)); // 2,2,2,1,2
    assertThat(ReplicaPlacement.nextSpreadMove(m)).isEmpty();
    m = m.apply(new MapCommand.CreateGroup(3, List.of(Replica.voter(1), Replica.voter(2), Replica.voter(3))));
    // 3,3,3,1,2: store 1 gives group 1 (its first) to store 4? 4 hosts group 2 only: yes.
    assertThat(ReplicaPlacement.nextSpreadMove(m)).contains(new ReplicaPlacement.Move(1, 1, 4, ReplicaRole.VOTER));
    ShardMap[] box = {m};
    spread(box);
    assertEven(box[0]);
    assertThat(box[0].findGroup(2).orElseThrow().replicaOn(5)).contains(new Replica(5, ReplicaRole.OBSERVER));
    assertThat(box[0].groups()).allSatisfy(g -> assertThat(g.replicaOn(6)).isEmpty());
  }

  @Test
  void drainMovesEachReplicaToTheUpStoreWithFewestThatLacksTheGroup() {
    // 4 stores, 3 groups spread 2,2,3,2 (as after add-store); remove store 3 (groups 1, 2, 3).
    ShardMap[] m = {ShardMap.bootstrap(stores(3), 3, RF).apply(new MapCommand.AddStore(store(4)))};
    spread(m);
    assertThat(ReplicaPlacement.removalRefusal(m[0], 3, RF)).isNull();
    List<ReplicaPlacement.Move> moves = drain(m, 3);
    assertThat(moves).extracting(ReplicaPlacement.Move::from).containsOnly(3L);
    assertThat(moves).extracting(ReplicaPlacement.Move::groupId).containsExactly(1L, 2L, 3L);
    for (GroupInfo g : m[0].groups()) {
      assertThat(g.replicaOn(3)).isEmpty();
      assertThat(g.voterCount()).isEqualTo(RF);
    }
    // group 1 was on {2,3,4}: only store 1 lacks it. Group 2 on {1,3,4}: only store 2.
    assertThat(moves.get(0).to()).isEqualTo(1);
    assertThat(moves.get(1).to()).isEqualTo(2);
    assertThat(m[0].store(3).orElseThrow().state()).isEqualTo(StoreState.UP); // RemoveStore is the caller's
    assertThat(m[0].apply(new MapCommand.RemoveStore(3)).store(3).orElseThrow().state())
        .isEqualTo(StoreState.REMOVED);
  }

  @Test
  void drainTieGoesToTheLowestIdAndDownStoresTakeNothing() {
    ShardMap m = ShardMap.bootstrap(stores(5), 1, RF); // group 1 on {1,2,3}; 4 and 5 empty
    assertThat(ReplicaPlacement.nextDrainMove(m, 2, RF)).contains(new ReplicaPlacement.Move(1, 2, 4, ReplicaRole.VOTER));
    m = m.apply(new MapCommand.SetStoreState(4, StoreState.DOWN));
    assertThat(ReplicaPlacement.nextDrainMove(m, 2, RF)).contains(new ReplicaPlacement.Move(1, 2, 5, ReplicaRole.VOTER));
    ShardMap down = m.apply(new MapCommand.SetStoreState(5, StoreState.DOWN));
    assertThat(ReplicaPlacement.removalRefusal(down, 2, RF)).isNull(); // enough stores, just not UP now
    assertThatThrownBy(() -> ReplicaPlacement.nextDrainMove(down, 2, RF))
        .isInstanceOf(ReplicaChanges.Refused.class)
        .hasMessage("no UP store can take the voter replica of group 1 from store 2"
            + " (stores without a replica of it: 4 DOWN, 5 DOWN)");
  }

  @Test
  void aDrainInterruptedHalfWayCarriesOnFromTheMap() {
    ShardMap m = ShardMap.bootstrap(stores(5), 1, RF); // group 1 on {1,2,3}
    // The add began (a LEARNER on 5, not the store a fresh plan would pick): it is finished.
    ShardMap learner = m.apply(new MapCommand.SetReplicaRole(1, 5, ReplicaRole.LEARNER));
    // Not refused for its 4 replicas on 5 stores, even with the other two stores gone: the
    // replacement is there already.
    ShardMap few = learner.apply(new MapCommand.AddStore(store(6)));
    assertThat(ReplicaPlacement.removalRefusal(few.apply(new MapCommand.RemoveStore(4))
        .apply(new MapCommand.RemoveStore(6)), 1, RF)).isNull();
    assertThat(ReplicaPlacement.nextDrainMove(learner, 1, RF))
        .contains(new ReplicaPlacement.Move(1, 1, 5, ReplicaRole.VOTER));
    // The add finished (4 voters): only the removal is left.
    ShardMap added = learner.apply(new MapCommand.SetReplicaRole(1, 5, ReplicaRole.VOTER));
    assertThat(ReplicaPlacement.nextDrainMove(added, 1, RF))
        .contains(new ReplicaPlacement.Move(1, 1, 0, ReplicaRole.VOTER));
    ShardMap[] box = {added};
    drain(box, 1);
    assertThat(box[0].findGroup(1).orElseThrow().replicas())
        .containsExactly(Replica.voter(2), Replica.voter(3), Replica.voter(5));
    assertThat(ReplicaPlacement.nextDrainMove(box[0], 1, RF)).isEmpty();
  }

  @Test
  void observersAndLearnersMoveWithTheirRole() {
    ShardMap m = ShardMap.bootstrap(stores(5), 1, RF)
        .apply(new MapCommand.SetReplicaRole(1, 4, ReplicaRole.OBSERVER));
    assertThat(ReplicaPlacement.nextDrainMove(m, 4, RF))
        .contains(new ReplicaPlacement.Move(1, 4, 5, ReplicaRole.OBSERVER));
    ShardMap l = ShardMap.bootstrap(stores(5), 1, RF).apply(new MapCommand.SetReplicaRole(1, 4, ReplicaRole.LEARNER));
    assertThat(ReplicaPlacement.nextDrainMove(l, 4, RF))
        .contains(new ReplicaPlacement.Move(1, 4, 5, ReplicaRole.LEARNER));
  }

  @Test
  void removalIsRefusedWhenTooFewStoresWouldBeLeft() {
    ShardMap m = ShardMap.bootstrap(stores(3), 2, RF);
    assertThat(ReplicaPlacement.removalRefusal(m, 2, RF))
        .isEqualTo("cannot remove store 2: group 1 has 3 replicas and only 2 other stores would be left [1, 3]");
    ShardMap four = m.apply(new MapCommand.AddStore(store(4)));
    assertThat(ReplicaPlacement.removalRefusal(four, 2, RF)).isNull();
    // A REMOVED store does not count; a store without replicas is always removable.
    ShardMap five = four.apply(new MapCommand.AddStore(store(5)));
    assertThat(ReplicaPlacement.removalRefusal(five, 5, RF)).isNull();
    ShardMap removed = five.apply(new MapCommand.RemoveStore(5)).apply(new MapCommand.RemoveStore(4));
    assertThat(ReplicaPlacement.removalRefusal(removed, 1, RF)).startsWith("cannot remove store 1: group 1 has 3 replicas");
  }

  /**
   * Seeded random clusters (3-7 stores, 1-12 groups of 3 voters): a new store is spread onto
   * until the UP stores are within one of each other, then a random store is drained and left
   * without replicas; every move keeps every group at 3 voters and one replica per store.
   */
  @Test
  void randomClustersSpreadEvenlyAndDrainCompletely() {
    for (int seed = 0; seed < 100; seed++) {
      Random rnd = new Random(seed);
      int n = 3 + rnd.nextInt(5);
      ShardMap[] m = {ShardMap.bootstrap(stores(n), 1 + rnd.nextInt(12), RF)
          .apply(new MapCommand.AddStore(store(n + 1)))};
      int replicas = m[0].groups().stream().mapToInt(g -> g.replicas().size()).sum();
      spread(m);
      assertEven(m[0]);
      assertThat(m[0].groups().stream().mapToInt(g -> g.replicas().size()).sum()).isEqualTo(replicas);
      long victim = 1 + rnd.nextInt(n + 1);
      assertThat(ReplicaPlacement.removalRefusal(m[0], victim, RF)).as("seed %d", seed).isNull();
      drain(m, victim);
      for (GroupInfo g : m[0].groups()) {
        assertThat(g.replicaOn(victim)).as("seed %d", seed).isEmpty();
        assertThat(g.voterCount()).as("seed %d", seed).isEqualTo(RF);
      }
      assertThat(m[0].groups().stream().mapToInt(g -> g.replicas().size()).sum()).isEqualTo(replicas);
    }
  }
}
