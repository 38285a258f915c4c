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
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

  /** Forwards TCP connections to a port; can stop carrying bytes on the open ones, leaving them open. */
  private static final class FreezingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private static final class Link {
      final Socket client;
      final Socket upstream;
      volatile boolean frozen;

      Link(Socket client, Socket upstream) {
        this.client = client;
        this.upstream = upstream;
      }
    }

    FreezingProxy(int target) throws IOException {
      this.target = target;
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.acceptor = new Thread(this::acceptLoop, "freezing-proxy");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int accepted() {
      return links.size();
    }

    void freezeOpenConnections() {
      for (Link l : links) {
        l.frozen = true;
      }
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
          Link link = new Link(client, upstream);
          links.add(link);
          pump(link, client, upstream);
          pump(link, upstream, client);
        } catch (IOException e) {
          return; // closed
        }
      }
    }

    private static void pump(Link link, Socket from, Socket to) throws IOException {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      Thread t = new Thread(() -> {
        byte[] buf = new byte[16 * 1024];
        try {
          while (true) {
            while (link.frozen) { // a vanished peer: nothing read, nothing sent, nothing closed
              if (from.isClosed()) {
                return;
              }
              Thread.sleep(20);
            }
            int n = in.read(buf);
            if (n < 0 || link.frozen) {
              if (n < 0) {
                to.shutdownOutput();
                return;
              }
              continue; // read just as it froze: dropped, as the network would
            }
            out.write(buf, 0, n);
            out.flush();
          }
        } catch (IOException | InterruptedException e) {
          // a side closed
        }
      }, "freezing-proxy-pump");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Link l : links) {
        l.client.close();
        l.upstream.close();
      }
    }
  }
}
