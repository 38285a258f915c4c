package io.cairn.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.cairn.gateway.route.RouteConfig;
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
import io.cairn.store.node.proto.Result;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.cairn.testing.FreezingProxy;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A store whose machine vanishes without closing its connections (power off, a cut network): the
 * gateway's pings on the connection go unanswered, the call in flight fails, and the command is
 * retried on a new connection, long before the call's own deadline. The store is a fake
 * StoreService behind a TCP proxy that can freeze its open connections: they stay open and carry
 * nothing more, as with a peer that is gone.
 */
class GatewayKeepAliveTest {
  private Server store;
  private FreezingProxy proxy;
  private final AtomicInteger calls = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    store = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        // the gateway pings at least every 10 s while calls are out (the real stores permit 5 s)
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .addService(new StoreServiceGrpc.StoreServiceImplBase() {
          @Override
          public void execute(ExecuteRequest req, StreamObserver<ExecuteResponse> out) {
            calls.incrementAndGet();
            ExecuteResponse.Builder b = ExecuteResponse.newBuilder();
            for (Command ignored : req.getCommandsList()) {
              b.addResults(Result.newBuilder().setResp(ByteString.copyFromUtf8("+OK\r\n")));
            }
            out.onNext(b.build());
            out.onCompleted();
          }
        }).build().start();
    proxy = new FreezingProxy(store.getPort());
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    store.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void aCallToAStoreThatVanishedFailsByKeepAliveAndIsRetriedLongBeforeItsDeadline()
      throws Exception {
    String address = "127.0.0.1:" + proxy.port();
    ShardMap map = ShardMap.empty()
        .apply(new MapCommand.AddStore(new StoreInfo(1, address, address, StoreState.UP)))
        .apply(new MapCommand.CreateGroup(1, List.of(Replica.voter(1))))
        .apply(new MapCommand.AssignSlots(List.of(new SlotRange(0, 16383)), 1));
    // The call deadline is far beyond the client's read time-out: only the keep-alive (gRPC
    // raises 1 s to its 10 s minimum; 1 s for the answer) can end the stuck call in time.
    RouteConfig route = RouteConfig.DEFAULTS.withTimeoutMillis(5_000)
        .withCallTimeoutMillis(600_000).withKeepAlive(1_000, 1_000);
    try (GatewayServer g = GatewayServer.start(GatewayConfig.loopback(0).withRoute(route),
            new StaticClusterView(map));
        RespTestClient c = new RespTestClient(g.port()).readTimeout(45_000)) {
      assertThat(c.call("SET", "k", "1")).isEqualTo("+OK");
      assertThat(proxy.accepted()).isEqualTo(1);

      proxy.freezeOpenConnections();
      assertThat(c.call("SET", "k", "2")).isEqualTo("+OK");
      // the frozen connection carried nothing: the retry on a new connection was the only call
      assertThat(calls.get()).isEqualTo(2);
      assertThat(proxy.accepted()).isEqualTo(2);
      assertThat(g.router().unacknowledgedWrites(1)).isZero();
    }
  }
}
