package io.cairn.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.cairn.gateway.route.RouteConfig;
import io.cairn.meta.client.ClusterView;
import io.cairn.meta.client.StaticClusterView;
import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.SlotRange;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.store.node.proto.Command;
import io.cairn.store.node.proto.ExecuteRequest;
import io.cairn.store.node.proto.ExecuteResponse;
import io.cairn.store.node.proto.NotLeader;
import io.cairn.store.node.proto.Result;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.cairn.store.node.proto.WrongGroup;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A group that refuses a slot because it is moving (WRONG_GROUP with {@code moving}, see
 * docs/slot-migration.md) while the gateway's map never changes: the gateway retries on its own
 * after a short backoff instead of waiting for a newer map version, and answers {@code -TRYAGAIN}
 * when the slot keeps moving past {@code route.timeout.ms}. The store is a fake StoreService on a
 * real port that refuses the first N attempts of every command.
 */
class GatewaySlotMovingTest {
  private Server store;
  private final AtomicInteger calls = new AtomicInteger();
  private volatile int refusals;
  /** Refuse as a store whose map is older than the gateway's (WRONG_GROUP, not moving). */
  private volatile boolean behind;
  /** Answer the first call NOT_LEADER, naming a leader outside the map at this address. */
  private volatile String badLeaderAddress;
  /** With {@link #badLeaderAddress}: answer the first call's first command, then NOT_LEADER. */
  private volatile boolean firstAnswered;
  /** Each write's exactly-once fields as it arrived, per attempt: {session, seq, acked}. */
  private final java.util.List<long[]> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The map version each command said it was routed with. */
  private final java.util.List<Long> routed = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void startStore() throws Exception {
    store = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new StoreServiceGrpc.StoreServiceImplBase() {
          @Override
          public void execute(ExecuteRequest req, StreamObserver<ExecuteResponse> out) {
            int call = calls.incrementAndGet();
            boolean refuse = call <= refusals;
            ExecuteResponse.Builder b = ExecuteResponse.newBuilder();
            if (call == 1 && badLeaderAddress != null) {
              for (int i = 0; i < req.getCommandsCount(); i++) {
                b.addResults(i == 0 && firstAnswered
                    ? Result.newBuilder().setResp(ByteString.copyFromUtf8("+OK\r\n"))
                    : Result.newBuilder().setNotLeader(
                        NotLeader.newBuilder().setLeaderId(7).setLeaderAddress(badLeaderAddress)));
              }
              out.onNext(b.build());
              out.onCompleted();
              return;
            }
            for (Command c : req.getCommandsList()) {
              routed.add(c.getMapVersion());
              if (c.getSession() != 0) {
                writes.add(new long[] {c.getSession(), c.getSeq(), c.getAcked()});
              }
              b.addResults(refuse
                  ? Result.newBuilder().setWrongGroup(behind
                      ? WrongGroup.newBuilder().setMapVersion(req.getMapVersion() - 1)
                      : WrongGroup.newBuilder().setMapVersion(req.getMapVersion()).setMoving(true))
                  : Result.newBuilder().setResp(ByteString.copyFromUtf8("+OK\r\n")));
            }
            out.onNext(b.build());
            out.onCompleted();
          }
        }).build().start();
  }

  @AfterEach
  void stopStore() throws Exception {
    store.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** One store at the fake's address, one group of it owning every slot. */
  private ShardMap map() {
    String address = "127.0.0.1:" + store.getPort();
    return ShardMap.empty()
        .apply(new MapCommand.AddStore(new StoreInfo(1, address, address, StoreState.UP)))
        .apply(new MapCommand.CreateGroup(1, List.of(Replica.voter(1))))
        .apply(new MapCommand.AssignSlots(List.of(new SlotRange(0, 16383)), 1));
  }

  private GatewayServer gateway(long timeoutMillis) throws Exception {
    return GatewayServer.start(GatewayConfig.loopback(0)
        .withRoute(RouteConfig.DEFAULTS.withTimeoutMillis(timeoutMillis)), new StaticClusterView(map()));
  }

  @Test
  void aMovingSlotIsRetriedWithoutANewerMap() throws Exception {
    // Five refusals: waiting for a newer map (500 ms each, none ever comes) would spend 2.5 s, more
    // than the 2 s budget; the moving backoff (5, 10, 20, 40, 50 ms) is well inside it.
    refusals = 5;
    try (GatewayServer g = gateway(2_000); RespTestClient c = new RespTestClient(g.port())) {
      assertThat(c.call("SET", "k", "v")).isEqualTo("+OK");
      assertThat(calls.get()).isEqualTo(6);
      // every attempt names the map it was routed with (a target releases the slot on it)
      assertThat(routed).hasSize(6).containsOnly(map().version());
      // ... and carries the write's one (session, seq), never acknowledging it
      assertThat(writes).hasSize(6).allSatisfy(w -> {
        assertThat(w[0]).isEqualTo(writes.get(0)[0]);
        assertThat(w[1]).isEqualTo(1);
        assertThat(w[2]).isZero();
      });
    }
  }

  @Test
  void aLeaderHintWithAnUnusableAddressIsDroppedAndTheVotersTried() throws Exception {
    // A store names a leader outside the gateway's map at an address no channel can be made for:
    // the lane forgets the hint and tries the map's voters again instead of stopping for good.
    badLeaderAddress = "no-port-here";
    try (GatewayServer g = gateway(2_000); RespTestClient c = new RespTestClient(g.port())) {
      assertThat(c.call("SET", "k", "v")).isEqualTo("+OK");
      assertThat(calls.get()).isEqualTo(2);
      assertThat(c.call("SET", "k", "v")).isEqualTo("+OK"); // the lane keeps working
      assertThat(g.router().unacknowledgedWrites(1)).isZero();
    }
  }

  /** The static map, whose lookups a lane makes can be told to throw (a bug, a broken view). */
  private final class FaultyView implements ClusterView {
    private final StaticClusterView real = new StaticClusterView(GatewaySlotMovingTest.this.map());
    /** {@code leaderHint} throws this many more times. */
    volatile int hintFailures;
    /** {@code noteLeader} throws this many more times. */
    volatile int noteFailures;
    /** {@code map} throws this many more times. */
    volatile int mapFailures;

    @Override
    public ShardMap map() {
      if (mapFailures > 0) {
        mapFailures--;
        throw new IllegalStateException("injected map failure");
      }
      return real.map();
    }

    @Override
    public long leaderHint(long groupId) {
      if (hintFailures > 0) {
        hintFailures--;
        throw new IllegalStateException("injected leaderHint failure");
      }
      return real.leaderHint(groupId);
    }

    @Override
    public void noteLeader(long groupId, long storeId) {
      if (noteFailures > 0) {
        noteFailures--;
        throw new IllegalStateException("injected noteLeader failure");
      }
      real.noteLeader(groupId, storeId);
    }

    @Override
    public CompletableFuture<ShardMap> newerThan(long version) {
      return real.newerThan(version);
    }

    @Override
    public void addListener(Consumer<ShardMap> listener) {
      real.addListener(listener);
    }
  }

  private static final String INTERNAL = "-ERR internal error in the gateway's routing of group 1";

  @Test
  void aLaneThatFailsBeforeSendingAnswersItsCommandsAndServesLaterOnes() throws Exception {
    // The lane's routing step throws (on the client's event loop) with a pipeline of three in
    // hand: all three are answered with an error instead of waiting forever, and the lane works
    // for the next command. Without the guard the exception reaches Netty, which closes the
    // connection.
    FaultyView view = new FaultyView();
    view.hintFailures = 1;
    try (GatewayServer g = GatewayServer.start(GatewayConfig.loopback(0)
            .withRoute(RouteConfig.DEFAULTS.withTimeoutMillis(2_000)), view);
        RespTestClient c = new RespTestClient(g.port()).readTimeout(5_000)) {
      ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
      pipeline.write(RespTestClient.command("SET", "k", "1"));
      pipeline.write(RespTestClient.command("GET", "k"));
      pipeline.write(RespTestClient.command("SET", "k", "2"));
      c.sendRaw(pipeline.toByteArray());
      for (int i = 0; i < 3; i++) {
        assertThat((String) c.read()).startsWith(INTERNAL).contains("injected leaderHint failure");
      }
      assertThat(calls.get()).isZero();
      assertThat(c.call("SET", "k", "3")).isEqualTo("+OK");
      assertThat(g.router().unacknowledgedWrites(1)).isZero();
    }
  }

  @Test
  void aCommandWhoseRoutingThrowsIsAnsweredWithAnErrorAndTheConnectionGoesOn() throws Exception {
    // Routing throws on the client's event loop (here the view; before, e.g. an MSET split that
    // read past its arguments): that command gets an error, the pipelined one behind it its
    // reply, and the connection stays open. It was closed, losing both replies.
    FaultyView view = new FaultyView();
    try (GatewayServer g = GatewayServer.start(GatewayConfig.loopback(0)
            .withRoute(RouteConfig.DEFAULTS.withTimeoutMillis(2_000)), view);
        RespTestClient c = new RespTestClient(g.port()).readTimeout(5_000)) {
      assertThat(c.call("SET", "k", "1")).isEqualTo("+OK");
      view.mapFailures = 1;
      ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
      pipeline.write(RespTestClient.command("SET", "k", "2"));
      pipeline.write(RespTestClient.command("SET", "k", "3"));
      c.sendRaw(pipeline.toByteArray());
      assertThat((String) c.read()).startsWith("-ERR Cairn gateway internal error")
          .contains("injected map failure");
      assertThat(c.read()).isEqualTo("+OK");
      assertThat(c.call("PING")).isEqualTo("+PONG");
    }
  }

  @Test
  void aLaneThatFailsOnAStoresAnswerAnswersTheUnitAndServesLaterOnes() throws Exception {
    // The store answers NOT_LEADER and the lane's handling of it throws (on the batcher's
    // completion, where the exception would be swallowed): the write is answered with an error
    // and given up on (its session's window drains), and the lane works for the next command.
    FaultyView view = new FaultyView();
    view.noteFailures = 1;
    badLeaderAddress = "127.0.0.1:" + store.getPort();
    try (GatewayServer g = GatewayServer.start(GatewayConfig.loopback(0)
            .withRoute(RouteConfig.DEFAULTS.withTimeoutMillis(2_000)), view);
        RespTestClient c = new RespTestClient(g.port()).readTimeout(5_000)) {
      assertThat((String) c.call("SET", "k", "v")).startsWith(INTERNAL)
          .contains("injected noteLeader failure");
      assertThat(calls.get()).isEqualTo(1);
      assertThat(g.router().unacknowledgedWrites(1)).isZero();
      assertThat(c.call("SET", "k", "v")).isEqualTo("+OK");
      assertThat(calls.get()).isEqualTo(2);
      assertThat(g.router().unacknowledgedWrites(1)).isZero();
    }
  }

  @Test
  void aLaneThatFailsOnAStoresAnswerStillDeliversTheRepliesItTook() throws Exception {
    // One unit of two writes: the store answers the first and sends the second to another
    // leader, and handling that throws. The first write's reply is the store's, the second gets
    // the error; both are given up on, and the lane serves the next command.
    FaultyView view = new FaultyView();
    view.noteFailures = 1;
    badLeaderAddress = "127.0.0.1:" + store.getPort();
    firstAnswered = true;
    try (GatewayServer g = GatewayServer.start(GatewayConfig.loopback(0)
            .withRoute(RouteConfig.DEFAULTS.withTimeoutMillis(2_000)), view);
        RespTestClient c = new RespTestClient(g.port()).readTimeout(5_000)) {
      ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
      pipeline.write(RespTestClient.command("SET", "a", "1"));
      pipeline.write(RespTestClient.command("SET", "b", "2"));
      c.sendRaw(pipeline.toByteArray());
      assertThat(c.read()).isEqualTo("+OK");
      assertThat((String) c.read()).startsWith(INTERNAL).contains("injected noteLeader failure");
      assertThat(calls.get()).isEqualTo(1);
      assertThat(g.router().unacknowledgedWrites(1)).isZero();
      assertThat(c.call("SET", "c", "3")).isEqualTo("+OK");
    }
  }

  @Test
  void pipelinedWritesShareSessionsWithinTheirWindow() throws Exception {
    // 40 SETs leave as one unit (usually): 16 per session at most, every (session, seq) once, and each
    // command's acked below its seq and at most 16 below it (the store's inline-reply bound).
    // Then a second pipeline from another connection reuses the now acknowledged sessions.
    try (GatewayServer g = gateway(2_000); RespTestClient a = new RespTestClient(g.port());
        RespTestClient b = new RespTestClient(g.port())) {
      for (RespTestClient c : List.of(a, b)) {
        java.io.ByteArrayOutputStream pipeline = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 40; i++) {
          pipeline.writeBytes(RespTestClient.command("SET", "k" + i, "v"));
        }
        c.sendRaw(pipeline.toByteArray());
        for (int i = 0; i < 40; i++) {
          assertThat(c.read()).isEqualTo("+OK");
        }
      }
      assertThat(writes).hasSize(80);
      assertThat(writes.stream().map(w -> w[0] + ":" + w[1]).distinct().count()).isEqualTo(80);
      assertThat(writes).allSatisfy(w -> assertThat(w[2]).isLessThan(w[1]).isGreaterThanOrEqualTo(w[1] - 16));
      // three when the 40 leave as one unit (one read), two if a read split them
      assertThat(writes.stream().map(w -> w[0]).distinct().count()).isBetween(2L, 3L);
      assertThat(g.router().writeSessions(1)).isBetween(2, 3);
      assertThat(g.router().unacknowledgedWrites(1)).isZero();
    }
  }

  @Test
  void aStoreBehindTheGatewaysMapIsRetriedWithoutANewerMap() throws Exception {
    // The store answers WRONG_GROUP from an older map than the one the gateway routed with (a slot
    // just moved to its group and its watch is a little behind): the gateway's map is already the
    // newest, so it retries shortly instead of waiting 500 ms for a newer one each time.
    refusals = 5;
    behind = true;
    try (GatewayServer g = gateway(2_000); RespTestClient c = new RespTestClient(g.port())) {
      assertThat(c.call("SET", "k", "v")).isEqualTo("+OK");
      assertThat(calls.get()).isEqualTo(6);
    }
  }

  @Test
  void aSlotThatKeepsMovingIsTryagainAfterTheBudget() throws Exception {
    refusals = Integer.MAX_VALUE;
    try (GatewayServer g = gateway(300); RespTestClient c = new RespTestClient(g.port())) {
      assertThat((String) c.call("GET", "k")).startsWith("-TRYAGAIN Cairn group 1 refused the slot for 300 ms"
          + " while it moves between groups");
      assertThat(calls.get()).isGreaterThan(2);
    }
  }
}
