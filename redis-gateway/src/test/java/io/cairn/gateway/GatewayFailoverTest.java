package io.cairn.gateway;

import static io.cairn.gateway.StoreClusterFixture.keyInGroup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.gateway.route.RouteConfig;
import io.cairn.meta.client.StaticClusterView;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
   * Four clients pipeline INCRs at once, each on its own key per group and on one counter per
   * group that all share; leadership of group 1 moves away after a third of client 0's rounds,
   * and the node leading group 2 is closed after two thirds. Every reply on a client's own key is
   * the next integer (nothing lost, nothing applied twice, order kept); the shared counters'
   * replies are each integer exactly once, and their final values are exact. The clients' writes
   * share the gateway's exactly-once sessions (a client has 20 out per group, more than one session takes).
   */
  @Test
  @Order(1)
  void leaderTransferAndLeaderCrashAreInvisible() throws Exception {
    int clients = 4;
    int rounds = 30;
    String[] shared = {keyInGroup("fo:all:", 0), keyInGroup("fo:all:", 1),
        keyInGroup("fo:all:", 2)};
    List<List<Long>> sharedReplies = new ArrayList<>();
    for (int g = 0; g < 3; g++) {
      sharedReplies.add(Collections.synchronizedList(new ArrayList<>()));
    }
    AtomicLong slowestMillis = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int n = 0; n < clients; n++) {
        int client = n;
        done.add(pool.submit(() -> {
          String[] own = {keyInGroup("fo:" + client + ":", 0), keyInGroup("fo:" + client + ":", 1),
              keyInGroup("fo:" + client + ":", 2)};
          try (RespTestClient c = new RespTestClient(gateway.port())) {
            for (int round = 1; round <= rounds; round++) {
              if (client == 0 && round == 10) {
                long from = cluster.leaderOf(1);
                long to = from % 3 + 1;
                cluster.nodes.get(from).runtime().transferLeader(1, to).get(10, TimeUnit.SECONDS);
                await("group 1 led by " + to).atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.leaderOf(1) == to);
              }
              if (client == 0 && round == 20) {
                cluster.stop(cluster.leaderOf(2));
              }
              long start = System.nanoTime();
              ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
              for (int i = 0; i < 10; i++) {
                for (int g = 0; g < 3; g++) {
                  pipeline.writeBytes(RespTestClient.command("INCR", own[g]));
                  pipeline.writeBytes(RespTestClient.command("INCR", shared[g]));
                }
              }
              c.sendRaw(pipeline.toByteArray());
              for (int i = 0; i < 10; i++) {
                for (int g = 0; g < 3; g++) {
                  assertThat(c.read()).as("client %d: INCR %s in round %d", client, own[g], round)
                      .isEqualTo((long) (round - 1) * 10 + i + 1);
                  Object r = c.read();
                  assertThat(r).as("client %d: INCR %s", client, shared[g]).isInstanceOf(Long.class);
                  sharedReplies.get(g).add((Long) r);
                }
              }
              slowestMillis.accumulateAndGet(
                  TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
            }
            for (String k : own) {
              assertThat(c.call("GET", k)).isEqualTo(Integer.toString(rounds * 10));
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.println("failover: slowest round of 60 pipelined INCRs of " + clients
        + " clients: " + slowestMillis.get() + " ms");
    long total = (long) clients * rounds * 10;
    try (RespTestClient c = new RespTestClient(gateway.port())) {
      for (int g = 0; g < 3; g++) {
        assertThat(sharedReplies.get(g)).as("replies of %s", shared[g])
            .doesNotHaveDuplicates().hasSize((int) total).allMatch(v -> v >= 1 && v <= total);
        assertThat(c.call("GET", shared[g])).isEqualTo(Long.toString(total));
      }
    }
    System.out.println("failover: exactly-once sessions per group: "
        + gateway.router().writeSessions(1) + ", " + gateway.router().writeSessions(2) + ", "
        + gateway.router().writeSessions(3));
    for (long group = 1; group <= 3; group++) {
      // A unit of 20 writes takes two sessions at least; every write was answered, so no
      // session's window is held.
      assertThat(gateway.router().writeSessions(group)).as("sessions of group %d", group)
          .isBetween(2, clients * 20);
      assertThat(gateway.router().unacknowledgedWrites(group)).isZero();
    }
  }

  /**
   * One node of three gone (the test before closed one): WAIT counts the other voters that hold
   * the connection's writes, so it waits out its timeout for two and answers one; with all
   * three up (GatewayRoutingTest) it answers two.
   */
  @Test
  @Order(2)
  void waitCountsTheVotersThatHoldTheWrites() throws Exception {
    assertThat(cluster.nodes).hasSize(2);
    try (RespTestClient c = new RespTestClient(gateway.port())) {
      assertThat(c.call("WAIT", "1", "100")).isEqualTo(0L); // nothing written yet
      String k = keyInGroup("fo:wait:", 2);
      assertThat(c.call("SET", k, "v")).isEqualTo("+OK");
      long start = System.nanoTime();
      assertThat(c.call("WAIT", "2", "300")).isEqualTo(1L);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .as("it waited for a second voter until its timeout").isGreaterThanOrEqualTo(250);
      assertThat(c.call("WAIT", "1", "0")).isEqualTo(1L);
      assertThat(c.call("WAIT", "0", "0")).isEqualTo(1L);
      // Pipelined after a write: WAIT goes after it (same group lane, same call order).
      ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
      pipeline.writeBytes(RespTestClient.command("INCR", keyInGroup("fo:wait:n:", 0)));
      pipeline.writeBytes(RespTestClient.command("WAIT", "1", "1000"));
      c.sendRaw(pipeline.toByteArray());
      assertThat(c.read()).isEqualTo(1L);
      assertThat(c.read()).isEqualTo(1L);
    }
    // WAITs that wait hold up only their own clients: more of them than the gateway has calls
    // per store (3) still leave another client's commands to that group's leader answered
    // meanwhile (they went in the calls other clients' commands share, and held them, before).
    List<RespTestClient> waiting = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        RespTestClient w = new RespTestClient(gateway.port());
        waiting.add(w);
        assertThat(w.call("SET", keyInGroup("fo:wait:w" + i + ":", 2), "v")).isEqualTo("+OK");
        w.sendRaw(RespTestClient.command("WAIT", "2", "3000"));
      }
      try (RespTestClient other = new RespTestClient(gateway.port())) {
        for (int i = 0; i < 20; i++) {
          assertThat(other.call("SET", keyInGroup("fo:wait:o" + i + ":", 2), "x")).isEqualTo("+OK");
          assertThat(other.call("GET", keyInGroup("fo:wait:o" + i + ":", 2))).isEqualTo("x");
        }
      }
      for (RespTestClient w : waiting) {
        w.readTimeout(50);
        assertThatThrownBy(w::read).as("the WAIT is still waiting")
            .isInstanceOf(java.net.SocketTimeoutException.class);
        w.readTimeout(10_000);
      }
      for (RespTestClient w : waiting) {
        assertThat(w.read()).isEqualTo(1L);
      }
    } finally {
      for (RespTestClient w : waiting) {
        w.close();
      }
    }
  }

  /** Two of three nodes gone: no group can elect a leader; the client gets -TRYAGAIN in time. */
  @Test
  @Order(3)
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
      // The write given up on counts as answered: its session's window is free again.
      assertThat(g.router().writeSessions(1)).isEqualTo(1);
      assertThat(g.router().unacknowledgedWrites(1)).isZero();
    }
  }
}
