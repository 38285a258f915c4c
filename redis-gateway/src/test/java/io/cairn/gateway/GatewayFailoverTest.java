package io.cairn.gateway;

import static io.cairn.gateway.StoreClusterFixture.keyInGroup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.gateway.route.RouteConfig;
import io.cairn.meta.client.StaticClusterView;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leader changes and lost nodes under a gateway: clients see successes only while a majority
 * of each group lives, and {@code -TRYAGAIN} once a group cannot elect a leader. The tests build
 * on each other (the cluster loses nodes), hence the order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayFailoverTest {
  @TempDir
  static Path dir;

  private static StoreClusterFixture cluster;
  private static GatewayServer gateway;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = new StoreClusterFixture(dir);
    gateway = GatewayServer.start(GatewayConfig.loopback(0)
            .withRoute(RouteConfig.DEFAULTS.withTimeoutMillis(15_000)),
        new StaticClusterView(cluster.map()));
  }

  @AfterAll
  static void stopCluster() {
    if (gateway != null) {
      gateway.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * Pipelined INCRs on one key per group; leadership of group 1 moves away after a third of
   * them, and the node leading group 2 is closed after two thirds. Every reply is the next
   * integer (nothing lost, nothing applied twice, order kept), and the final values are exact.
   */
  @Test
  @Order(1)
  void leaderTransferAndLeaderCrashAreInvisible() throws Exception {
    String[] keys = {keyInGroup("fo:", 0), keyInGroup("fo:", 1), keyInGroup("fo:", 2)};
    int rounds = 30;
    long slowestMillis = 0;
    try (RespTestClient c = new RespTestClient(gateway.port())) {
      for (int round = 1; round <= rounds; round++) {
        if (round == 10) {
          long from = cluster.leaderOf(1);
          long to = from % 3 + 1;
          cluster.nodes.get(from).runtime().transferLeader(1, to).get(10, TimeUnit.SECONDS);
          await("group 1 led by " + to).atMost(Duration.ofSeconds(30))
              .until(() -> cluster.leaderOf(1) == to);
        }
        if (round == 20) {
          cluster.stop(cluster.leaderOf(2));
        }
        long start = System.nanoTime();
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        for (int i = 0; i < 10; i++) {
          for (String k : keys) {
            pipeline.writeBytes(RespTestClient.command("INCR", k));
          }
        }
        c.sendRaw(pipeline.toByteArray());
        for (int i = 0; i < 10; i++) {
          for (String k : keys) {
            assertThat(c.read()).as("INCR %s in round %d", k, round)
                .isEqualTo((long) (round - 1) * 10 + i + 1);
          }
        }
        slowestMillis = Math.max(slowestMillis,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      }
      System.out.println("failover: slowest round of 30 pipelined INCRs: " + slowestMillis
          + " ms");
      for (String k : keys) {
        assertThat(c.call("GET", k)).isEqualTo(Integer.toString(rounds * 10));
      }
    }
  }

  /** Two of three nodes gone: no group can elect a leader; the client gets -TRYAGAIN in time. */
  @Test
  @Order(2)
  void groupWithoutLeaderAnswersTryagain() throws Exception {
    while (cluster.nodes.size() > 1) {
      cluster.stop(cluster.nodes.keySet().iterator().next());
    }
    try (GatewayServer g = GatewayServer.start(GatewayConfig.loopback(0)
            .withRoute(RouteConfig.DEFAULTS.withTimeoutMillis(1000)),
        new StaticClusterView(cluster.map()));
        RespTestClient c = new RespTestClient(g.port())) {
      long start = System.nanoTime();
      Object reply = c.call("SET", keyInGroup("fo:", 0), "x");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.println("no leader: " + reply + " after " + millis + " ms");
      assertThat(reply).asString().startsWith("-TRYAGAIN Cairn group 1 has no reachable leader");
      assertThat(c.call("GET", keyInGroup("fo:", 1)))
          .asString().startsWith("-TRYAGAIN Cairn group 2 has no reachable leader");
      assertThat(c.call("PING")).isEqualTo("+PONG");
    }
  }
}
