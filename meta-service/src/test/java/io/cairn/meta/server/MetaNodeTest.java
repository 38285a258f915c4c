package io.cairn.meta.server;

import static io.cairn.testing.Ports.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.admin.MapTables;
import io.cairn.meta.client.GroupSize;
import io.cairn.meta.client.MetaClient;
import io.cairn.meta.client.MetaClusterView;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.ShardMapCodec;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.meta.proto.GetMapResponse;
import io.cairn.meta.proto.GroupReport;
import io.cairn.meta.proto.HeartbeatRequest;
import io.cairn.meta.proto.HeartbeatResponse;
import io.cairn.meta.proto.HistoryEntry;
import io.cairn.meta.proto.MapUpdate;
import io.cairn.meta.proto.MetaServiceGrpc;
import io.cairn.meta.proto.MetaStatusResponse;
import io.cairn.meta.proto.RegisterStoreResponse;
import io.cairn.meta.proto.WatchMapRequest;
import io.cairn.testing.FreezingProxy;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Meta replicas in this process with real gRPC and on-disk Raft: registration, bootstrap (once),
 * GetMap / History / WatchMap, heartbeats and leader hints, failover of the meta leader.
 */
@Timeout(120)
class MetaNodeTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path tmp;

  private final List<MetaNode> nodes = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  /** Configs of {@code n} replicas on free ports; extra keys apply to all. */
  static List<MetaConfig> configs(Path dir, int n, String... extra) throws IOException {
    List<String> peers = new ArrayList<>();
    int[][] ports = new int[n][];
    for (int i = 0; i < n; i++) {
      ports[i] = new int[] {freePort(), freePort()};
      peers.add((i + 1) + "@127.0.0.1:" + ports[i][0] + ":" + ports[i][1]);
    }
    List<MetaConfig> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Properties p = new Properties();
      p.setProperty("node.id", Integer.toString(i + 1));
      p.setProperty("data.dir", dir.resolve("meta-" + (i + 1)).toString());
      p.setProperty("raft.port", Integer.toString(ports[i][0]));
      p.setProperty("service.port", Integer.toString(ports[i][1]));
      p.setProperty("peers", String.join(",", peers));
      p.setProperty("raft.tick.ms", "20");
      p.setProperty("leader.task.ms", "50");
      p.setProperty("store.heartbeat.timeout.ms", "0");
      for (int k = 0; k + 1 < extra.length; k += 2) {
        p.setProperty(extra[k], extra[k + 1]);
      }
      out.add(MetaConfig.from(p));
    }
    return out;
  }

  private static StoreInfo store(long id) {
    return new StoreInfo(id, "127.0.0.1:" + (17000 + id), "127.0.0.1:" + (18000 + id), StoreState.UP);
  }

  private MetaNode leader() {
    await().atMost(WAIT).until(() -> nodes.stream().filter(n -> n != null && n.isLeader()).count() == 1);
    return nodes.stream().filter(n -> n != null && n.isLeader()).findFirst().orElseThrow();
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    closeables.add(0, c);
    return c;
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    for (MetaNode n : nodes) {
      if (n != null) {
        n.close();
      }
    }
  }

  @Test
  void threeReplicasBootstrapOnceServeTheMapAndSurviveTheLeadersLoss() throws Exception {
    List<MetaConfig> cfgs = configs(tmp, 3);
    for (MetaConfig c : cfgs) {
      nodes.add(MetaNode.start(c));
    }
    MetaNode first = leader();
    MetaClient client = closeLater(new MetaClient(cfgs.get(0).serviceAddresses()));
    MetaClusterView view = closeLater(MetaClusterView.start(client));
    List<Long> seen = new CopyOnWriteArrayList<>();
    view.addListener(m -> seen.add(m.version()));
    // The view's watch must be on a replica before the first change, or (a loaded machine taking the
    // call up late) it starts, correctly, at a later version and versions 1.. are never seen one by one.
    await().atMost(WAIT).until(() -> nodes.stream().anyMatch(n -> n.watchers().size() >= 1));

    for (long id = 1; id <= 3; id++) {
      StoreInfo s = store(id);
      RegisterStoreResponse r = client.registerStore(id, s.raftAddress(), s.serviceAddress());
      assertThat(r.getError()).isEmpty();
      assertThat(r.hasRedirect()).isFalse();
    }
    // Registering again with the same addresses is a no-op; other addresses are refused.
    assertThat(client.registerStore(1, store(1).raftAddress(), store(1).serviceAddress()).getError()).isEmpty();
    assertThat(client.registerStore(1, "127.0.0.1:1", "127.0.0.1:2").getError())
        .contains("store 1 is registered with raft " + store(1).raftAddress());

    // 3 AddStore, then the bootstrap: 3 CreateGroup + 3 AssignSlots = version 9, and only once.
    ShardMap expected = ShardMap.bootstrap(List.of(store(1), store(2), store(3)), 3, 3);
    await().atMost(WAIT).until(() -> view.map().version() == 9);
    assertThat(view.map()).isEqualTo(expected);
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> nodes.stream()
        .allMatch(n -> n.map().version() == 9));
    assertThat(nodes.stream().mapToInt(MetaNode::bootstrapProposals).sum()).isEqualTo(6);
    await().atMost(WAIT).until(() -> seen.size() == 9);
    assertThat(seen).containsExactlyElementsOf(LongStream.rangeClosed(1, 9).boxed().toList());

    // GetMap of the current and of a past version, from a follower too; History.
    assertThat(ShardMapCodec.decodeMap(client.getMap(0).getMap().toByteArray())).isEqualTo(expected);
    MetaNode follower = nodes.stream().filter(n -> !n.isLeader()).findFirst().orElseThrow();
    try (MetaClient direct = new MetaClient(List.of("127.0.0.1:" + follower.servicePort()))) {
      GetMapResponse v3 = direct.getMap(3);
      assertThat(v3.getVersion()).isEqualTo(3);
      assertThat(ShardMapCodec.decodeMap(v3.getMap().toByteArray()).stores()).hasSize(3);
      assertThat(direct.getMap(42).getError()).contains("no map version 42");
      // Status is leader-only: the follower redirects and the client follows.
      MetaStatusResponse st = direct.status();
      assertThat(st.getReplicasList()).hasSize(3);
      assertThat(st.getVersion()).isEqualTo(9);
    }
    List<HistoryEntry> history = client.history().getEntriesList();
    assertThat(history).extracting(HistoryEntry::getVersion)
        .containsExactlyElementsOf(LongStream.rangeClosed(0, 9).boxed().toList());
    assertThat(history.get(4).getChange()).isEqualTo("create group 1 on 1:voter 2:voter 3:voter");
    assertThat(history.get(9).getChange()).isEqualTo("assign slots 10923-16383 to group 3");

    // Heartbeats: leader hints reach GetMap, Status and the watchers.
    HeartbeatResponse hb = client.heartbeat(HeartbeatRequest.newBuilder().setStoreId(2).setMapVersion(9)
        .addGroups(GroupReport.newBuilder().setGroupId(1).setRole("LEADER").setLeaderId(2).setTerm(3))
        .addGroups(GroupReport.newBuilder().setGroupId(2).setRole("FOLLOWER").setLeaderId(3).setTerm(3))
        .build());
    assertThat(hb.getError()).isEmpty();
    assertThat(hb.getMapVersion()).isEqualTo(9);
    assertThat(client.heartbeat(HeartbeatRequest.newBuilder().setStoreId(77).build()).getError())
        .isEqualTo("unknown store 77: register first");
    assertThat(MapTables.leaders(client.getMap(0).getLeadersList())).containsEntry(1L, 2L);
    await().atMost(WAIT).until(() -> view.leaderHint(1) == 2);
    String table = MapTables.render(client.status());
    assertThat(table).contains("1      5462   0-5461").contains("2:voter*");

    // Group sizes (issue 5: heartbeats carry the sizes of the groups): the leader's measurement
    // reaches Status and the watchers; an older one (lower term) does not replace it.
    client.heartbeat(HeartbeatRequest.newBuilder().setStoreId(2).setMapVersion(9)
        .addGroups(GroupReport.newBuilder().setGroupId(1).setRole("LEADER").setLeaderId(2).setTerm(3)
            .setSized(true).setKeyCount(1200).setExpiresCount(30).setSizeBytes(3 << 20).setSizedIndex(40))
        .build());
    client.heartbeat(HeartbeatRequest.newBuilder().setStoreId(1).setMapVersion(9)
        .addGroups(GroupReport.newBuilder().setGroupId(1).setRole("LEADER").setLeaderId(1).setTerm(2)
            .setSized(true).setKeyCount(5).setSizedIndex(90))
        .build());
    MetaStatusResponse withSizes = client.status();
    assertThat(withSizes.getSizesList()).singleElement().satisfies(z -> {
      assertThat(z.getGroupId()).isEqualTo(1);
      assertThat(z.getKeyCount()).isEqualTo(1200);
      assertThat(z.getExpiresCount()).isEqualTo(30);
      assertThat(z.getStoreId()).isEqualTo(2);
    });
    assertThat(MapTables.render(withSizes)).containsPattern("(?m)^1 .*2:voter\\* .*  1200 +30 +3\\.0 MiB$")
        .containsPattern("(?m)^2 .* -  +-  +-$");
    await().atMost(WAIT).until(() -> view.groupSizes().containsKey(1L));
    assertThat(view.groupSizes().get(1L)).isEqualTo(new GroupSize(1, 1200, 30, 3 << 20));

    // A raw watcher that already has version 9 gets no map until the next version.
    ManagedChannel ch = closeLater(new ClosingChannel(NettyChannelBuilder
        .forAddress("127.0.0.1", first.servicePort()).usePlaintext().build())).channel;
    Context.CancellableContext ctx = Context.current().withCancellation();
    closeLater(() -> ctx.cancel(null));
    Iterator<MapUpdate> raw = ctx.call(() -> MetaServiceGrpc.newBlockingStub(ch)
        .watchMap(WatchMapRequest.newBuilder().setKnownVersion(9).build()));

    // Lose the meta leader: another replica leads, the client fails over, the view follows.
    first.close();
    nodes.set(nodes.indexOf(first), null);
    MetaNode second = leader();
    assertThat(second).isNotSameAs(first);
    RegisterStoreResponse r4 = client.registerStore(4, store(4).raftAddress(), store(4).serviceAddress());
    assertThat(r4.getError()).isEmpty();
    assertThat(r4.getMapVersion()).isEqualTo(10);
    await().atMost(WAIT).until(() -> view.map().version() == 10);
    assertThat(view.map().store(4)).contains(store(4));
    assertThat(seen).containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
    // the raw stream on the closed replica ends (its watcher would reconnect elsewhere with known_version)
    MapUpdate firstUpdate = null;
    try {
      while (raw.hasNext()) {
        MapUpdate u = raw.next();
        if (firstUpdate == null) {
          firstUpdate = u;
        }
      }
    } catch (io.grpc.StatusRuntimeException expectedEnd) {
      // UNAVAILABLE: the replica closed
    }
    if (firstUpdate != null) {
      assertThat(firstUpdate.getMap().isEmpty()).isTrue(); // hints only: it knew version 9
    }
    // No bootstrap ran again under the new leader.
    assertThat(second.map().groups()).hasSize(3);
    assertThat(second.map().version()).isEqualTo(10);
  }

  /** One meta replica, leading, that bootstraps once five stores registered (so not in these tests). */
  private MetaConfig startWaitingForFiveStores() throws IOException {
    MetaConfig cfg = configs(tmp, 1, "bootstrap.stores", "5", "replication.factor", "1").get(0);
    nodes.add(MetaNode.start(cfg));
    leader();
    return cfg;
  }

  @Test
  void aWatcherResumesFromItsKnownVersionAndGetsEveryLaterVersionInOrder() throws Exception {
    MetaClient client = closeLater(new MetaClient(startWaitingForFiveStores().serviceAddresses()));
    client.registerStore(1, store(1).raftAddress(), store(1).serviceAddress());
    client.registerStore(2, store(2).raftAddress(), store(2).serviceAddress());

    ManagedChannel ch = closeLater(new ClosingChannel(NettyChannelBuilder
        .forAddress("127.0.0.1", nodes.get(0).servicePort()).usePlaintext().build())).channel;
    Context.CancellableContext ctx = Context.current().withCancellation();
    closeLater(() -> ctx.cancel(null));
    Iterator<MapUpdate> it = ctx.call(() -> MetaServiceGrpc.newBlockingStub(ch)
        .watchMap(WatchMapRequest.newBuilder().setKnownVersion(1).build()));
    MapUpdate u = it.next();
    assertThat(u.getVersion()).isEqualTo(2); // the current map, as it is newer than known
    assertThat(ShardMapCodec.decodeMap(u.getMap().toByteArray()).stores()).hasSize(2);
    client.registerStore(3, store(3).raftAddress(), store(3).serviceAddress());
    client.registerStore(4, store(4).raftAddress(), store(4).serviceAddress());
    assertThat(it.next().getVersion()).isEqualTo(3);
    assertThat(it.next().getVersion()).isEqualTo(4);
  }

  @Test
  void aWatchOnAReplicaThatVanishedFailsByKeepAliveAndResumes() throws Exception {
    // The view watches through a proxy that then freezes the connection, as a replica whose
    // machine lost power would (nothing closed, nothing answered): the watch's pings go
    // unanswered, the stream fails, and the view watches again on a new connection and gets the
    // map changed meanwhile. Without the keep-alive it would wait on the dead stream for ever.
    MetaConfig cfg = startWaitingForFiveStores();
    FreezingProxy proxy = closeLater(new FreezingProxy(nodes.get(0).servicePort()));
    MetaClient direct = closeLater(new MetaClient(cfg.serviceAddresses()));
    MetaClient proxied = closeLater(new MetaClient(List.of("127.0.0.1:" + proxy.port()),
        MetaClient.Options.defaults().withKeepAlive(Duration.ofSeconds(1), Duration.ofSeconds(1))));
    direct.registerStore(1, store(1).raftAddress(), store(1).serviceAddress());
    MetaClusterView view = closeLater(MetaClusterView.start(proxied));
    await().atMost(WAIT).until(() -> view.map().version() == 1);

    proxy.freezeOpenConnections();
    int before = proxy.accepted();
    direct.registerStore(2, store(2).raftAddress(), store(2).serviceAddress());
    // gRPC raises the 1 s ping time to 10 s; 1 s for the answer, then a new watch
    await().atMost(Duration.ofSeconds(40)).until(() -> view.map().version() == 2);
    assertThat(view.map().stores()).hasSize(2);
    assertThat(proxy.accepted()).isGreaterThan(before);
  }

  @Test
  void aSingleReplicaMetaBootstrapsOnItsOwn() throws Exception {
    List<MetaConfig> cfgs = configs(tmp, 1, "bootstrap.stores", "1", "bootstrap.groups", "2",
        "replication.factor", "1");
    nodes.add(MetaNode.start(cfgs.get(0)));
    leader();
    MetaClient client = closeLater(new MetaClient(cfgs.get(0).serviceAddresses()));
    assertThat(client.registerStore(7, store(7).raftAddress(), store(7).serviceAddress()).getError()).isEmpty();
    await().atMost(WAIT).until(() -> nodes.get(0).map().version() == 5);
    ShardMap m = client.currentMap();
    assertThat(m).isEqualTo(ShardMap.bootstrap(List.of(store(7)), 2, 1));
    assertThat(MapTables.render(m)).contains("1      8192   0-8191      -       7:voter");

    // restart: the map comes back from disk, the meta group keeps serving
    nodes.get(0).close();
    nodes.set(0, MetaNode.start(cfgs.get(0)));
    leader();
    assertThat(nodes.get(0).map()).isEqualTo(m);
    assertThat(client.registerStore(8, store(8).raftAddress(), store(8).serviceAddress()).getMapVersion())
        .isEqualTo(6);
  }

  @Test
  void aWatcherThatDoesNotReadHoldsNoOneBackAndCatchesUpInOrderLater() throws Exception {
    List<MetaConfig> cfgs = configs(tmp, 1, "bootstrap.stores", "100", "replication.factor", "1");
    nodes.add(MetaNode.start(cfgs.get(0)));
    leader();
    MetaClient client = closeLater(new MetaClient(cfgs.get(0).serviceAddresses()));
    ManagedChannel ch = closeLater(new ClosingChannel(NettyChannelBuilder
        .forAddress("127.0.0.1", nodes.get(0).servicePort()).usePlaintext().build())).channel;

    // A stream that asks for nothing until told to (manual flow control), next to a normal view.
    List<Long> slow = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicReference<io.grpc.stub.ClientCallStreamObserver<WatchMapRequest>> call =
        new java.util.concurrent.atomic.AtomicReference<>();
    MetaServiceGrpc.newStub(ch).watchMap(WatchMapRequest.getDefaultInstance(),
        new io.grpc.stub.ClientResponseObserver<WatchMapRequest, MapUpdate>() {
          @Override
          public void beforeStart(io.grpc.stub.ClientCallStreamObserver<WatchMapRequest> requestStream) {
            call.set(requestStream);
            requestStream.disableAutoRequestWithInitial(0);
          }

          @Override
          public void onNext(MapUpdate u) {
            slow.add(u.getVersion());
          }

          @Override
          public void onError(Throwable t) {
          }

          @Override
          public void onCompleted() {
          }
        });
    closeLater(() -> call.get().cancel("test over", null));
    MetaClusterView view = closeLater(MetaClusterView.start(client));
    List<Long> fast = new CopyOnWriteArrayList<>();
    view.addListener(m -> fast.add(m.version()));
    // A stream's first message is the map current when the server first drains it: register the
    // first store only once both streams are there (their first drains are then queued on the
    // one watch thread ahead of the new version's), and the others once version 1 went out —
    // else a watch call the server takes up late starts at a later version (correct, not this test).
    await().atMost(WAIT).until(() -> nodes.get(0).watchers().size() == 2);
    for (long id = 1; id <= 40; id++) {
      if (id == 2) {
        await().atMost(WAIT).until(() -> fast.size() == 1);
      }
      assertThat(client.registerStore(id, store(id).raftAddress(), store(id).serviceAddress()).getError()).isEmpty();
    }
    await().atMost(WAIT).until(() -> fast.size() == 40);
    assertThat(fast).containsExactlyElementsOf(LongStream.rangeClosed(1, 40).boxed().toList());
    assertThat(slow).isEmpty();

    call.get().request(1000);
    await().atMost(WAIT).until(() -> slow.size() == 40);
    assertThat(slow).containsExactlyElementsOf(LongStream.rangeClosed(1, 40).boxed().toList());
  }

  /** Shuts a channel down when the test ends. */
  private record ClosingChannel(ManagedChannel channel) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
