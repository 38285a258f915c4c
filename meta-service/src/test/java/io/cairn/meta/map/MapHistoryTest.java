package io.cairn.meta.map;

import static io.cairn.meta.map.MapFixtures.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** eraft's {@code query [version]}: past maps by version, bounded. */
class MapHistoryTest {

  @Test
  void everyVersionWithItsCommand() {
    MapHistory h = new MapHistory(MapHistory.DEFAULT_CAPACITY);
    List<MapCommand> cmds = ShardMap.bootstrapCommands(MapFixtures.stores(3), 3, 3);
    for (MapCommand c : cmds) {
      h.apply(c);
    }
    assertThat(h.current().version()).isEqualTo(cmds.size());
    assertThat(h.at(0)).isEqualTo(ShardMap.empty());
    assertThat(h.commandAt(0)).isEmpty();
    for (int v = 1; v <= cmds.size(); v++) {
      assertThat(h.commandAt(v)).contains(cmds.get(v - 1));
      assertThat(h.at(v).version()).isEqualTo(v);
    }
    assertThat(h.at(3).stores()).hasSize(3);
    assertThat(h.at(3).groups()).isEmpty();
    assertThat(h.at(cmds.size())).isEqualTo(ShardMap.bootstrap(MapFixtures.stores(3), 3, 3));
  }

  @Test
  void refusedCommandLeavesHistoryUnchanged() {
    MapHistory h = new MapHistory(8);
    h.apply(new MapCommand.AddStore(store(1)));
    assertThatThrownBy(() -> h.apply(new MapCommand.AddStore(store(1)))).isInstanceOf(MapException.class);
    assertThat(h.current().version()).isEqualTo(1);
    assertThat(h.entries()).hasSize(2);
  }

  @Test
  void keepsOnlyTheLastCapacityVersions() {
    MapHistory h = new MapHistory(4);
    for (int i = 1; i <= 10; i++) {
      h.apply(new MapCommand.AddStore(store(i)));
    }
    assertThat(h.entries()).extracting(MapHistory.Entry::version).containsExactly(7L, 8L, 9L, 10L);
    assertThat(h.oldest().version()).isEqualTo(7);
    assertThat(h.commandAt(7)).as("the oldest kept is a base, its command is dropped").isEmpty();
    assertThat(h.commandAt(8)).contains(new MapCommand.AddStore(store(8)));
    assertThat(h.at(9).stores()).hasSize(9);
    assertThatThrownBy(() -> h.at(6)).isInstanceOf(MapException.class)
        .hasMessageContaining("map version 6 is no longer kept (oldest kept: 7");
    assertThatThrownBy(() -> h.at(11)).isInstanceOf(MapException.class)
        .hasMessageContaining("no map version 11 (current: 10)");
  }

  @Test
  void everyKeptVersionEqualsAReplayFromTheOldest() {
    java.util.Random rnd = new java.util.Random(5);
    MapHistory h = new MapHistory(32);
    for (int i = 0; i < 400; i++) {
      try {
        h.apply(MapFixtures.randomCommand(rnd, h.current()));
      } catch (MapException refused) {
        // skip
      }
    }
    assertThat(h.entries()).hasSize(32);
    ShardMap replay = h.oldest();
    for (long v = h.oldest().version() + 1; v <= h.current().version(); v++) {
      replay = replay.apply(h.commandAt(v).orElseThrow());
      assertThat(h.at(v)).as("version %d", v).isEqualTo(replay);
    }
  }

  @Test
  void startsFromAnyBase() {
    ShardMap base = ShardMap.bootstrap(MapFixtures.stores(3), 2, 3);
    MapHistory h = new MapHistory(base, 3);
    assertThat(h.at(base.version())).isEqualTo(base);
    h.apply(new MapCommand.AssignSlots(List.of(SlotRange.of(0)), 2));
    assertThat(h.current().slotRangesText(2)).isEqualTo("0,8192-16383");
    assertThat(h.at(base.version()).slotRangesText(2)).isEqualTo("8192-16383");
    assertThatThrownBy(() -> new MapHistory(0)).hasMessageContaining("invalid history capacity: 0");
  }
}
