package io.cairn.meta.map;

import static io.cairn.meta.map.MapFixtures.store;
import static io.cairn.meta.map.MapFixtures.stores;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.meta.map.MapCommand.AddStore;
import io.cairn.meta.map.MapCommand.AssignSlots;
import io.cairn.meta.map.MapCommand.CreateGroup;
import io.cairn.meta.map.MapCommand.DestroyGroup;
import io.cairn.meta.map.MapCommand.RemoveReplica;
import io.cairn.meta.map.MapCommand.RemoveStore;
import io.cairn.meta.map.MapCommand.SetReplicaRole;
import io.cairn.meta.map.MapCommand.SetStoreState;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each command: what it changes, and every refusal with its message; version +1 per change. */
class ShardMapCommandTest {

  /** 4 stores; group 1 on stores 1,2,3 owning every slot. Version 6. */
  private static ShardMap base() {
    return ShardMap.bootstrap(stores(4), 1, 3);
  }

  private static void refused(ShardMap m, MapCommand c, String message) {
    assertThatThrownBy(() -> m.apply(c)).isInstanceOf(MapException.class).hasMessageContaining(message);
  }

  @Test
  void emptyMapHasVersionZeroAndNoOwner() {
    ShardMap m = ShardMap.empty();
    assertThat(m.version()).isZero();
    assertThat(m.groupOf(0)).isEqualTo(ShardMap.UNASSIGNED);
    assertThat(m.slotRangesText(ShardMap.UNASSIGNED)).isEqualTo("0-16383");
  }

  @Test
  void everyAcceptedChangeAddsExactlyOneToTheVersion() {
    Random rnd = new Random(42);
    ShardMap m = ShardMap.empty();
    for (int i = 0; i < 2000; i++) {
      MapCommand c = MapFixtures.randomCommand(rnd, m);
      try {
        ShardMap next = m.apply(c);
        assertThat(next.version()).as("after %s", c).isEqualTo(m.version() + 1);
        assertInvariants(next);
        m = next;
      } catch (MapException refused) {
        // a refused command changes nothing: m is immutable and stays as it was
      }
    }
    assertThat(m.version()).isGreaterThan(100);
  }

  /** The invariants of ShardMap's class comment. */
  private static void assertInvariants(ShardMap m) {
    for (GroupInfo g : m.groups()) {
      assertThat(g.voterCount()).as("voters of group %d", g.id()).isPositive();
      assertThat(g.replicas().stream().map(Replica::storeId).distinct().count()).isEqualTo(g.replicas().size());
      for (Replica r : g.replicas()) {
        assertThat(m.store(r.storeId()).get().state()).isNotEqualTo(StoreState.REMOVED);
      }
    }
    for (int slot = 0; slot < ShardMap.SLOT_COUNT; slot++) {
      long owner = m.groupOf(slot);
      assertThat(owner == ShardMap.UNASSIGNED || m.findGroup(owner).isPresent()).as("slot %d", slot).isTrue();
    }
  }

  @Test
  void applyDoesNotChangeTheOriginal() {
    ShardMap m = base();
    ShardMap copy = ShardMapCodec.decodeMap(ShardMapCodec.encode(m));
    m.apply(new AssignSlots(List.of(new SlotRange(0, 99)), 1));
    m.apply(new RemoveReplica(1, 3));
    assertThat(m).isEqualTo(copy);
  }

  @Test
  void addStore() {
    ShardMap m = base().apply(new AddStore(store(9)));
    assertThat(m.store(9)).contains(store(9));
    refused(m, new AddStore(store(9)), "duplicate store id: 9");
    refused(m, new AddStore(new StoreInfo(0, "a:1", "a:2", StoreState.UP)), "invalid store id: 0");
    refused(m, new AddStore(new StoreInfo(10, "10.0.0.9:7000", "x:2", StoreState.UP)), "address of store 9");
    refused(m, new AddStore(new StoreInfo(10, "y:1", "10.0.0.9:7100", StoreState.UP)), "address of store 9");
    refused(m, new AddStore(new StoreInfo(10, "y:1", "y:2", StoreState.REMOVED)), "in state REMOVED");
  }

  @Test
  void removedStoreIdIsNeverReused() {
    ShardMap m = base().apply(new RemoveStore(4));
    assertThat(m.store(4).get().state()).isEqualTo(StoreState.REMOVED);
    refused(m, new AddStore(store(4)), "duplicate store id: 4 (used by a removed store");
    // its addresses are free again
    assertThat(m.apply(new AddStore(new StoreInfo(5, "10.0.0.4:7000", "10.0.0.4:7100", StoreState.UP)))
        .store(5)).isPresent();
  }

  @Test
  void removeStore() {
    ShardMap m = base();
    refused(m, new RemoveStore(1), "store 1 still hosts a replica of group 1");
    refused(m, new RemoveStore(77), "unknown store: 77");
    refused(m.apply(new RemoveStore(4)), new RemoveStore(4), "store 4 is REMOVED");
  }

  @Test
  void setStoreState() {
    ShardMap m = base().apply(new SetStoreState(2, StoreState.DOWN));
    assertThat(m.store(2).get().state()).isEqualTo(StoreState.DOWN);
    refused(m, new SetStoreState(2, StoreState.DOWN), "store 2 is already DOWN");
    refused(m, new SetStoreState(2, StoreState.REMOVED), "set by RemoveStore");
    refused(m, new SetStoreState(5, StoreState.UP), "unknown store: 5");
    assertThat(m.apply(new SetStoreState(2, StoreState.UP)).store(2).get().state()).isEqualTo(StoreState.UP);
  }

  @Test
  void createGroup() {
    ShardMap m = base().apply(new CreateGroup(2, List.of(
        new Replica(4, ReplicaRole.VOTER), new Replica(2, ReplicaRole.OBSERVER), Replica.voter(3))));
    GroupInfo g = m.findGroup(2).get();
    assertThat(g.replicas()).as("kept sorted by store id").containsExactly(
        new Replica(2, ReplicaRole.OBSERVER), Replica.voter(3), Replica.voter(4));
    assertThat(m.slotCount(2)).isZero();
    assertThat(m.slotRangesText(2)).isEqualTo("-");

    refused(m, new CreateGroup(2, List.of(Replica.voter(1))), "duplicate group id: 2");
    refused(m, new CreateGroup(0, List.of(Replica.voter(1))), "invalid group id: 0");
    refused(m, new CreateGroup(1L << 31, List.of(Replica.voter(1))), "invalid group id: 2147483648");
    refused(m, new CreateGroup(3, List.of()), "group 3 has no replica");
    refused(m, new CreateGroup(3, List.of(Replica.voter(8))), "unknown store: 8");
    refused(m, new CreateGroup(3, List.of(Replica.voter(1), Replica.voter(1))), "two replicas on store 1");
    refused(m, new CreateGroup(3, List.of(new Replica(1, ReplicaRole.LEARNER))), "group 3 has no voter");
    ShardMap down = m.apply(new SetStoreState(4, StoreState.DOWN));
    refused(down, new CreateGroup(3, List.of(Replica.voter(4))), "store 4: it is DOWN (expected: UP)");
    ShardMap removed = m.apply(new AddStore(store(5))).apply(new RemoveStore(5));
    refused(removed, new CreateGroup(3, List.of(Replica.voter(5))), "store 5 is REMOVED");
  }

  @Test
  void setReplicaRoleAddsThenPromotes() {
    // issue 6: add learner -> catch up -> promote -> remove the old replica
    ShardMap m = base()
        .apply(new SetReplicaRole(1, 4, ReplicaRole.LEARNER));
    assertThat(m.findGroup(1).get().replicaOn(4)).contains(new Replica(4, ReplicaRole.LEARNER));
    m = m.apply(new SetReplicaRole(1, 4, ReplicaRole.VOTER)).apply(new RemoveReplica(1, 1));
    assertThat(m.findGroup(1).get().replicas())
        .containsExactly(Replica.voter(2), Replica.voter(3), Replica.voter(4));
    assertThat(m.version()).isEqualTo(base().version() + 3);
  }

  @Test
  void setReplicaRoleRefusals() {
    ShardMap m = base();
    refused(m, new SetReplicaRole(9, 1, ReplicaRole.VOTER), "unknown group: 9");
    refused(m, new SetReplicaRole(1, 9, ReplicaRole.VOTER), "unknown store: 9");
    refused(m, new SetReplicaRole(1, 1, ReplicaRole.VOTER), "already VOTER");
    refused(m.apply(new SetStoreState(4, StoreState.DOWN)), new SetReplicaRole(1, 4, ReplicaRole.LEARNER),
        "on store 4: it is DOWN");
    ShardMap single = m.apply(new RemoveReplica(1, 2)).apply(new RemoveReplica(1, 3));
    refused(single, new SetReplicaRole(1, 1, ReplicaRole.OBSERVER), "group 1 would have no voter left");
  }

  @Test
  void removeReplicaRefusals() {
    ShardMap m = base();
    refused(m, new RemoveReplica(1, 4), "group 1 has no replica on store 4");
    refused(m, new RemoveReplica(2, 1), "unknown group: 2");
    ShardMap single = m.apply(new SetReplicaRole(1, 2, ReplicaRole.OBSERVER)).apply(new RemoveReplica(1, 3));
    refused(single, new RemoveReplica(1, 1), "cannot remove the last voter of group 1");
    assertThat(single.apply(new RemoveReplica(1, 2)).findGroup(1).get().replicas())
        .containsExactly(Replica.voter(1));
  }

  @Test
  void assignSlotsMovesOwnership() {
    ShardMap m = base().apply(new CreateGroup(2, List.of(Replica.voter(4))))
        .apply(new AssignSlots(List.of(new SlotRange(100, 199), SlotRange.of(16000)), 2));
    assertThat(m.slotRangesText(2)).isEqualTo("100-199,16000");
    assertThat(m.slotRangesText(1)).isEqualTo("0-99,200-15999,16001-16383");
    assertThat(m.groupOf(150)).isEqualTo(2);
    assertThat(m.slotCount(2)).isEqualTo(101);

    refused(m, new AssignSlots(List.of(SlotRange.of(1)), 7), "unknown group: 7");
    refused(m, new AssignSlots(List.of(), 2), "no slots to assign to group 2");
    assertThatThrownBy(() -> new SlotRange(16000, 16384)).isInstanceOf(MapException.class)
        .hasMessageContaining("invalid slot range: 16000-16384");
    assertThatThrownBy(() -> new SlotRange(-1, 3)).isInstanceOf(MapException.class);
    assertThatThrownBy(() -> new SlotRange(5, 4)).isInstanceOf(MapException.class);
    assertThatThrownBy(() -> m.groupOf(16384)).isInstanceOf(MapException.class)
        .hasMessageContaining("slot out of range: 16384");
  }

  @Test
  void destroyGroupOnlyWhenItOwnsNoSlot() {
    ShardMap m = base().apply(new CreateGroup(2, List.of(Replica.voter(4))))
        .apply(new AssignSlots(List.of(new SlotRange(0, 9), SlotRange.of(20)), 2));
    refused(m, new DestroyGroup(2), "group 2 still owns slots 0-9,20");
    refused(m, new DestroyGroup(3), "unknown group: 3");
    ShardMap drained = m.apply(new AssignSlots(List.of(new SlotRange(0, 9), SlotRange.of(20)), 1));
    ShardMap gone = drained.apply(new DestroyGroup(2));
    assertThat(gone.findGroup(2)).isEmpty();
    // the store is free to go once its replicas are gone
    assertThat(gone.apply(new RemoveStore(4)).store(4).get().state()).isEqualTo(StoreState.REMOVED);
  }

  @Test
  void slotRangesParseAndRender() {
    assertThat(SlotRange.parse("0-4095, 8000")).containsExactly(new SlotRange(0, 4095), SlotRange.of(8000));
    assertThat(SlotRange.render(SlotRange.parse("5461-10922,16000"))).isEqualTo("5461-10922,16000");
    assertThatThrownBy(() -> SlotRange.parse("1,,2")).hasMessageContaining("empty element");
    assertThatThrownBy(() -> SlotRange.parse("a-3")).hasMessageContaining("not a number: 'a-3'");
    assertThatThrownBy(() -> SlotRange.parse("0-20000")).hasMessageContaining("invalid slot range: 0-20000");
  }

  @Test
  void foundersStayWhileReplicasMove() {
    ShardMap m = ShardMap.bootstrap(MapFixtures.stores(4), 1, 3);
    assertThat(m.findGroup(1).orElseThrow().founders()).containsExactly(1L, 2L, 3L);
    m = m.apply(new MapCommand.SetReplicaRole(1, 4, ReplicaRole.LEARNER))
        .apply(new MapCommand.SetReplicaRole(1, 4, ReplicaRole.VOTER))
        .apply(new MapCommand.RemoveReplica(1, 1));
    GroupInfo g = m.findGroup(1).orElseThrow();
    assertThat(g.founders()).as("the group's founding membership never changes").containsExactly(1L, 2L, 3L);
    assertThat(g.isFounder(1)).isTrue();
    assertThat(g.isFounder(4)).isFalse();
    assertThat(ShardMapCodec.decodeMap(ShardMapCodec.encode(m))).isEqualTo(m);
  }
}
