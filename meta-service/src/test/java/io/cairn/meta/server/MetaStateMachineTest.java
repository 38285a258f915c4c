package io.cairn.meta.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.MapException;
import io.cairn.meta.map.MapHistory;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.ShardMapCodec;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import io.cairn.raft.core.SnapshotMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetaStateMachineTest {
  @TempDir
  Path tmp;

  private static StoreInfo store(long id) {
    return new StoreInfo(id, "10.0.0." + id + ":7000", "10.0.0." + id + ":7100", StoreState.UP);
  }

  private static List<MapCommand> bootstrap() {
    return ShardMap.bootstrapCommands(List.of(store(1), store(2), store(3)), 3, 3);
  }

  private static List<Entry> entries(long firstIndex, List<MapCommand> commands) {
    List<Entry> out = new ArrayList<>();
    long i = firstIndex;
    for (MapCommand c : commands) {
      out.add(Entry.normal(1, i++, ShardMapCodec.encode(c)));
    }
    return out;
  }

  @Test
  void applyReturnsEachNewMapAndTellsListenersInOrder() {
    MetaStateMachine sm = new MetaStateMachine(tmp.resolve("a"), 256);
    List<Long> seen = new ArrayList<>();
    sm.addListener(m -> seen.add(m.version()));
    List<Object> results = sm.apply(entries(1, bootstrap()));

    assertThat(results).hasSize(9).allMatch(r -> r instanceof ShardMap);
    assertThat(((ShardMap) results.get(8)).version()).isEqualTo(9);
    assertThat(sm.current()).isEqualTo(ShardMap.bootstrap(List.of(store(1), store(2), store(3)), 3, 3));
    assertThat(sm.appliedIndex()).isEqualTo(9);
    assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    assertThat(sm.at(3).stores()).hasSize(3);
    assertThat(sm.history()).hasSize(10);
  }

  @Test
  void anInvalidCommandIsARefusalResultAndChangesNothing() {
    MetaStateMachine sm = new MetaStateMachine(tmp.resolve("a"), 256);
    sm.apply(entries(1, List.of(new MapCommand.AddStore(store(1)))));
    List<Entry> batch = new ArrayList<>(entries(2, List.of(new MapCommand.AddStore(store(1)))));
    batch.add(Entry.normal(1, 3, new byte[] {1, 2, 3})); // not a command at all
    batch.add(new Entry(1, 4, EntryType.NORMAL, new byte[0])); // a new leader's empty entry
    batch.add(Entry.normal(1, 5, ShardMapCodec.encode(new MapCommand.AddStore(store(2)))));

    List<Object> results = sm.apply(batch);

    assertThat((Throwable) results.get(0)).isInstanceOf(MapException.class)
        .hasMessageContaining("duplicate store id: 1");
    assertThat(results.get(1)).isInstanceOf(MapException.class);
    assertThat(results.get(2)).isNull();
    assertThat(results.get(3)).isInstanceOf(ShardMap.class);
    assertThat(sm.current().version()).isEqualTo(2);
    assertThat(sm.appliedIndex()).isEqualTo(5);
  }

  @Test
  void snapshotInstalledElsewhereGivesTheSameMapAndHistory() throws Exception {
    MetaStateMachine a = new MetaStateMachine(tmp.resolve("a"), 256);
    a.apply(entries(1, bootstrap()));
    Path snap = Files.createDirectories(tmp.resolve("snap"));
    assertThat(a.snapshot(snap)).isEqualTo(9);

    MetaStateMachine b = new MetaStateMachine(tmp.resolve("b"), 256);
    List<ShardMap> told = new ArrayList<>();
    b.addListener(told::add);
    b.installSnapshot(snap, new SnapshotMetadata(9, 1, ConfState.ofVoters(1L)));

    assertThat(b.current()).isEqualTo(a.current());
    assertThat(b.appliedIndex()).isEqualTo(9);
    assertThat(b.history()).hasSameSizeAs(a.history());
    for (int i = 0; i < a.history().size(); i++) {
      MapHistory.Entry x = a.history().get(i);
      MapHistory.Entry y = b.history().get(i);
      assertThat(y.version()).isEqualTo(x.version());
      assertThat(y.command()).isEqualTo(x.command());
      assertThat(y.map()).isEqualTo(x.map());
    }
    assertThat(told).containsExactly(a.current());
    // and it survives a restart of b
    assertThat(new MetaStateMachine(tmp.resolve("b"), 256).current()).isEqualTo(a.current());
  }

  @Test
  void restartResumesFromThePersistedStateAndIndex() {
    MetaStateMachine a = new MetaStateMachine(tmp.resolve("a"), 256);
    a.apply(entries(1, bootstrap().subList(0, 4)));
    a.apply(entries(5, bootstrap().subList(4, 9)));
    // no checkpoint yet (the entries are in the Raft log, which a restart replays from index 1)
    assertThat(new MetaStateMachine(tmp.resolve("a"), 256).appliedIndex()).isZero();
    a.close();

    MetaStateMachine reopened = new MetaStateMachine(tmp.resolve("a"), 256);
    assertThat(reopened.appliedIndex()).isEqualTo(9);
    assertThat(reopened.current()).isEqualTo(a.current());
    assertThat(reopened.history()).hasSize(10);
    assertThat(Files.exists(tmp.resolve("a").resolve("state.tmp"))).isFalse();

    // the next entry continues from there
    List<Object> r = reopened.apply(entries(10, List.of(new MapCommand.SetStoreState(2, StoreState.DOWN))));
    assertThat(((ShardMap) r.get(0)).version()).isEqualTo(10);
  }

  @Test
  void theStateFileIsACheckpointEveryFewHundredEntries() {
    MetaStateMachine a = new MetaStateMachine(tmp.resolve("a"), 256);
    List<MapCommand> boot = bootstrap();
    long index = 0;
    for (MapCommand c : boot) {
      a.apply(entries(++index, List.of(c)));
    }
    while (index < MetaStateMachine.PERSIST_EVERY_ENTRIES + 40) {
      StoreState st = index % 2 == 0 ? StoreState.DOWN : StoreState.UP;
      a.apply(entries(++index, List.of(new MapCommand.SetStoreState(2, st))));
    }
    MetaStateMachine reopened = new MetaStateMachine(tmp.resolve("a"), 256);
    assertThat(reopened.appliedIndex()).isEqualTo(MetaStateMachine.PERSIST_EVERY_ENTRIES);
    assertThat(reopened.current()).isEqualTo(a.at(reopened.current().version()));
    assertThat(reopened.current().version()).isLessThan(a.current().version());
  }

  @Test
  void aSmallerHistoryCapacityKeepsTheNewestVersions() {
    MetaStateMachine a = new MetaStateMachine(tmp.resolve("a"), 256);
    a.apply(entries(1, bootstrap()));
    a.close();
    MetaStateMachine reopened = new MetaStateMachine(tmp.resolve("a"), 4);
    assertThat(reopened.current()).isEqualTo(a.current());
    assertThat(reopened.history()).extracting(MapHistory.Entry::version).containsExactly(6L, 7L, 8L, 9L);
  }
}
