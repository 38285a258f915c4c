package io.cairn.meta.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.proto.MigrationInfo;
import io.cairn.meta.proto.MigrationStep;
import io.cairn.meta.proto.SlotMoveResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration driver against in-memory fake stores (FakeMigratingStores): the steps of
 * docs/slot-migration.md in order at the right groups, copy rounds until few keys, one attempt per
 * (re)start growing across meta leaders, restart from the map after the meta leader is stopped
 * mid-copy, abort, and join / leave / rebalance through the MetaService calls.
 */
@Timeout(120)
class SlotMigrationsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path tmp;

  private final List<MetaNode> nodes = new ArrayList<>();
  private FakeMigratingStores stores;
  private MetaClient client;

  /** n meta replicas, 3 fake stores registered: the bootstrap makes groups 1..3 (0-5461, 5462-10922, 10923-16383). */
  private ShardMap start(int metaReplicas, String... extra) throws Exception {
    stores = new FakeMigratingStores(3);
    List<MetaConfig> cfgs = MetaNodeTest.configs(tmp, metaReplicas, extra);
    for (MetaConfig c : cfgs) {
      nodes.add(MetaNode.start(c));
    }
    client = new MetaClient(cfgs.get(0).serviceAddresses());
    for (long id = 1; id <= 3; id++) {
      assertThat(client.registerStore(id, "127.0.0.1:" + (17000 + id), stores.address(id)).getError()).isEmpty();
    }
    await().atMost(WAIT).until(() -> client.currentMap().slotCount(ShardMap.UNASSIGNED) == 0);
    return client.currentMap();
  }

  private MetaNode leader() {
    await().atMost(WAIT).until(() -> nodes.stream().filter(n -> n != null && n.isLeader()).count() == 1);
    return nodes.stream().filter(n -> n != null && n.isLeader()).findFirst().orElseThrow();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    nodes.forEach(n -> {
      if (n != null) {
        n.close();
      }
    });
    if (stores != null) {
      stores.close();
    }
  }

  @Test
  void moveRunsEveryStepInOrderAndMeasuresThePause() throws Exception {
    start(1, "migration.batch.slots", "16");
    SlotMoveResponse r = client.moveSlots("0-19", 2, true);
    assertThat(r.getError()).isEmpty();
    assertThat(r.getMigrationsList()).extracting(MigrationInfo::getId, MigrationInfo::getFirstSlot,
        MigrationInfo::getLastSlot, MigrationInfo::getPhase)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, 0, 15, "DONE"),
            org.assertj.core.groups.Tuple.tuple(2L, 16, 19, "DONE"));
    ShardMap m = client.currentMap();
    assertThat(m.migrations()).isEmpty();
    assertThat(m.slotRangesText(2)).isEqualTo("0-19,5462-10922");
    assertThat(m.slotRangesText(1)).isEqualTo("20-5461");

    // rounds: 500 keys, 100 keys (both > 64), 10 keys: then freeze and the final copy with sessions
    List<String> expected = List.of("PREPARE_TARGET", "PREPARE_SOURCE", "COPY", "COPY", "COPY", "FREEZE", "COPY",
        "FINISH_TARGET", "FINISH_SOURCE");
    assertThat(stores.steps(0)).isEqualTo(expected);
    assertThat(stores.steps(16)).isEqualTo(expected);
    List<FakeMigratingStores.Call> first = stores.calls.stream().filter(c -> c.first() == 0).toList();
    assertThat(first).allMatch(c -> c.attempt() == first.get(0).attempt());
    assertThat(first).allMatch(c -> c.group() == (isSourceStep(c.step()) ? 1 : 2));
    List<FakeMigratingStores.Call> copies = first.stream().filter(c -> c.step() == MigrationStep.COPY).toList();
    assertThat(copies.get(0).since()).isZero();
    assertThat(copies).allMatch(c -> c.sourceAddress().equals(stores.address(1)));
    // every round carries sessions: round 0 all of them, later rounds those that wrote since the previous one
    assertThat(copies).hasSize(4).allMatch(FakeMigratingStores.Call::sessions);
    assertThat(stores.calls.stream().filter(c -> c.first() == 16).findFirst().orElseThrow().attempt())
        .as("a new attempt per migration").isGreaterThan(first.get(0).attempt());

    // the target is prepared at a map version that still names the source (the migration's begin or
    // later, before its commit); the final copy names the source's freeze entry
    var prepare = stores.requests.stream().filter(e -> e.req().getFirstSlot() == 0
        && e.req().getStep() == MigrationStep.PREPARE_TARGET).findFirst().orElseThrow().req();
    long after = prepare.getServeAfterVersion();
    assertThat(past(after).findMigration(1)).isPresent();
    assertThat(past(after).groupOf(0)).as("still the source's: the commit comes later").isEqualTo(1);
    long freezeIndex = stores.requests.stream().filter(e -> e.req().getFirstSlot() == 0
        && e.req().getStep() == MigrationStep.FREEZE).findFirst().orElseThrow().index();
    assertThat(stores.requests.stream().filter(e -> e.req().getFirstSlot() == 0
        && e.req().getStep() == MigrationStep.COPY).map(e -> e.req().getFrozenIndex()).toList())
        .containsExactly(0L, 0L, 0L, freezeIndex);

    SlotMoveResponse list = client.migrations();
    assertThat(list.getMigrationsList()).isEmpty();
    assertThat(list.getPauses().getCount()).isEqualTo(2);
    assertThat(list.getPauses().getMaxMs()).isGreaterThan(0).isGreaterThanOrEqualTo(list.getPauses().getP50Ms());

    SlotMoveResponse again = client.moveSlots("0-19", 2, true);
    assertThat(again.getError()).isEmpty();
    assertThat(again.getMigrationsList()).as("owned already: nothing to do").isEmpty();
    assertThat(client.moveSlots("0-5", 9, false).getError()).isEqualTo("unknown group: 9");
    assertThat(client.moveSlots("5-x", 1, false).getError()).contains("invalid slot list: '5-x'");
  }

  private ShardMap past(long version) {
    var r = client.getMap(version);
    assertThat(r.getError()).isEmpty();
    return io.cairn.meta.map.ShardMapCodec.decodeMap(r.getMap().toByteArray());
  }

  private static boolean isSourceStep(MigrationStep s) {
    return s == MigrationStep.PREPARE_SOURCE || s == MigrationStep.FREEZE || s == MigrationStep.FINISH_SOURCE
        || s == MigrationStep.ABORT_SOURCE;
  }

  @Test
  void theGapThrottlesTheNextMigrationOfAMove() throws Exception {
    start(1, "migration.batch.slots", "16", "migration.gap.ms", "1500");
    assertThat(client.moveSlots("0-19", 2, true).getError()).isEmpty();
    long firstEnded = stores.requests.stream().filter(r -> r.req().getFirstSlot() == 0)
        .mapToLong(FakeMigratingStores.Request::arrivedNanos).max().orElseThrow();
    long secondBegan = stores.requests.stream().filter(r -> r.req().getFirstSlot() == 16)
        .mapToLong(FakeMigratingStores.Request::arrivedNanos).min().orElseThrow();
    // the second migration's first step comes at least the gap after the first one's last step
    assertThat(secondBegan - firstEnded).isGreaterThanOrEqualTo(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1500));
    assertThat(stores.steps(16)).startsWith("PREPARE_TARGET").endsWith("FINISH_SOURCE");
  }

  @Test
  void abortRollsBackBothGroupsAndTheMap() throws Exception {
    start(1);
    stores.copyGate = new CountDownLatch(1);
    SlotMoveResponse begun = client.moveSlots("100-107", 3, false);
    assertThat(begun.getError()).isEmpty();
    long id = begun.getMigrations(0).getId();
    assertThat(client.currentMap().findMigration(id)).isPresent();
    await().atMost(WAIT).until(() -> stores.calls.stream().anyMatch(c -> c.step() == MigrationStep.PREPARE_SOURCE));
    CompletableFuture<SlotMoveResponse> abort = CompletableFuture.supplyAsync(() -> client.abortMigration(id));
    MetaNode leader = leader();
    await().atMost(WAIT).until(() -> leader.migrations().abortAsked(id));
    stores.copyGate.countDown();
    SlotMoveResponse r = abort.get();
    assertThat(r.getError()).isEmpty();
    assertThat(r.getMigrations(0).getPhase()).isEqualTo("ABORTED");
    ShardMap m = client.currentMap();
    assertThat(m.migrations()).isEmpty();
    assertThat(m.groupOf(100)).isEqualTo(1);
    assertThat(stores.steps(100)).contains("ABORT_SOURCE", "ABORT_TARGET").doesNotContain("FREEZE", "FINISH_TARGET");
    assertThat(client.abortMigration(id).getError()).isEqualTo("unknown migration: " + id);
  }

  @Test
  void aNewMetaLeaderRestartsAMovingMigrationWithANewerAttempt() throws Exception {
    start(3);
    stores.copyGate = new CountDownLatch(1);
    MetaNode old = leader();
    SlotMoveResponse begun = client.moveSlots("200-215", 2, false);
    long id = begun.getMigrations(0).getId();
    await().atMost(WAIT).until(() -> stores.calls.stream().anyMatch(c -> c.step() == MigrationStep.PREPARE_SOURCE));
    long oldAttempt = stores.calls.get(0).attempt();
    nodes.set(nodes.indexOf(old), null);
    old.close();
    stores.copyGate.countDown(); // the old leader's copy call ends; the new leader starts over
    MetaNode next = leader();
    await().atMost(WAIT).until(() -> next.map().findMigration(id).isEmpty());
    assertThat(next.map().slotRangesText(2)).isEqualTo("200-215,5462-10922");
    List<FakeMigratingStores.Call> done = stores.calls.stream().filter(c -> c.outcome().equals("done")).toList();
    assertThat(done.stream().filter(c -> c.step() == MigrationStep.PREPARE_TARGET)).hasSizeGreaterThanOrEqualTo(2);
    long last = done.get(done.size() - 1).attempt();
    assertThat(last >>> 24).as("attempt term part").isGreaterThan(oldAttempt >>> 24);
    // attempts never go back at a group: each done call's attempt is >= every earlier done one's
    long max = 0;
    for (FakeMigratingStores.Call c : done) {
      assertThat(c.attempt()).as("%s", c).isGreaterThanOrEqualTo(max);
      max = Math.max(max, c.attempt());
    }
    assertThat(stores.steps(200)).endsWith("FREEZE", "COPY", "FINISH_TARGET", "FINISH_SOURCE");
  }

  @Test
  void joinRebalancesAndLeaveDrainsThenDestroys() throws Exception {
    start(1, "migration.batch.slots", "2048", "migration.concurrency", "2");
    SlotMoveResponse joined = client.joinGroup(4, 3, true);
    assertThat(joined.getError()).isEmpty();
    ShardMap m = client.currentMap();
    assertThat(m.findGroup(4)).isPresent();
    for (long g = 1; g <= 4; g++) {
      assertThat(m.slotCount(g)).as("group %d", g).isEqualTo(4096);
    }
    assertThat(client.rebalance(true).getMigrationsList()).as("balanced already").isEmpty();

    SlotMoveResponse left = client.leaveGroup(2, true);
    assertThat(left.getError()).isEmpty();
    m = client.currentMap();
    assertThat(m.findGroup(2)).isEmpty();
    assertThat(m.leavingGroups()).isEmpty();
    assertThat(m.migrations()).isEmpty();
    assertThat(m.slotCount(ShardMap.UNASSIGNED)).isZero();
    List<Integer> counts = List.of(m.slotCount(1), m.slotCount(3), m.slotCount(4));
    assertThat(counts).allMatch(c -> c == 5461 || c == 5462);
    assertThat(client.leaveGroup(2, false).getError()).isEqualTo("unknown group: 2");
  }

  @Test
  void aLeaveBegunByOneMetaLeaderIsFinishedByTheNext() throws Exception {
    start(3, "migration.batch.slots", "4096");
    stores.copyGate = new CountDownLatch(1);
    MetaNode old = leader();
    SlotMoveResponse leaving = client.leaveGroup(3, false);
    assertThat(leaving.getError()).isEmpty();
    assertThat(leaving.getMigrationsList()).isNotEmpty().allMatch(x -> x.getSourceGroup() == 3);
    await().atMost(WAIT).until(() -> stores.calls.stream().anyMatch(c -> c.step() == MigrationStep.PREPARE_SOURCE));
    nodes.set(nodes.indexOf(old), null);
    old.close();
    stores.copyGate.countDown();
    MetaNode next = leader();
    await().atMost(WAIT).until(() -> next.map().findGroup(3).isEmpty());
    ShardMap m = next.map();
    assertThat(m.migrations()).isEmpty();
    assertThat(m.leavingGroups()).isEmpty();
    assertThat(m.slotCount(1) + m.slotCount(2)).isEqualTo(ShardMap.SLOT_COUNT);
    assertThat(List.of(m.slotCount(1), m.slotCount(2))).allMatch(c -> c == 8192);
  }
}
