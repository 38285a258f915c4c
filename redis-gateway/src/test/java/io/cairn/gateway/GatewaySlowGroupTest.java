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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group that is slow but working: its calls take far longer than {@code route.timeout.ms}, and
 * the gateway waits for them instead of answering {@code -TRYAGAIN} (docs/gateway.md, routing:
 * "Time-outs"). And a client that disconnects with a deep pipeline queued behind a slow call:
 * what had not left is not sent. The slow work is real: {@code SINTERSTORE} of two disjoint
 * sets of {@value #MEMBERS} members, each one a full pass over a set in the group's apply.
 */
class GatewaySlowGroupTest {
  private static final int MEMBERS = 5_000;

  @TempDir
  static Path dir;

  private static StoreClusterFixture cluster;
  /** A hash tag of group index 0: every key of these tests lives in one group. */
  private static String tag;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = new StoreClusterFixture(dir);
    tag = "{" + keyInGroup("slow", 0) + "}";
    try (GatewayServer g = gateway(RouteConfig.DEFAULTS);
        RespTestClient c = new RespTestClient(g.port())) {
      for (String set : new String[] {"a", "b"}) {
        for (int from = 0; from < MEMBERS; from += 1000) {
          String[] argv = new String[2 + 1000];
          argv[0] = "SADD";
          argv[1] = tag + set;
          for (int i = 0; i < 1000; i++) {
            argv[2 + i] = set + (from + i);
          }
          assertThat(c.call(argv)).isEqualTo(1000L);
        }
      }
    }
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static GatewayServer gateway(RouteConfig route) throws Exception {
    return GatewayServer.start(GatewayConfig.loopback(0).withRoute(route),
        new StaticClusterView(cluster.map()));
  }

  private static byte[] slowPipeline(int slow, int incrs, String counter) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < slow; i++) {
      out.writeBytes(RespTestClient.command("SINTERSTORE", tag + "dst", tag + "a", tag + "b"));
    }
    for (int i = 0; i < incrs; i++) {
      out.writeBytes(RespTestClient.command("INCR", counter));
    }
    return out.toByteArray();
  }

  /**
   * One pipeline of expensive writes (one unit, one call) takes far longer than the 300 ms
   * routing budget: every reply is the real one, no {@code -TRYAGAIN}, and the writes after them
   * were applied exactly once. Before, the call's gRPC deadline was the routing budget: the
   * gateway answered {@code -TRYAGAIN} although the store went on to apply the writes.
   */
  @Test
  void aSlowButWorkingGroupIsWaitedFor() throws Exception {
    String counter = tag + "n";
    int slow = 40;
    int incrs = 100;
    try (GatewayServer g = gateway(RouteConfig.DEFAULTS.withTimeoutMillis(300));
        RespTestClient c = new RespTestClient(g.port()).readTimeout(120_000)) {
      long start = System.nanoTime();
      c.sendRaw(slowPipeline(slow, incrs, counter));
      for (int i = 0; i < slow; i++) {
        assertThat(c.read()).as("SINTERSTORE #%d", i).isEqualTo(0L);
      }
      for (int i = 1; i <= incrs; i++) {
        assertThat(c.read()).as("INCR #%d", i).isEqualTo((long) i);
      }
      System.out.println("slow group: " + (slow + incrs) + " commands answered after "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
          + " ms (route.timeout.ms 300)");
      assertThat(c.call("GET", counter)).isEqualTo(Integer.toString(incrs));
    }
  }

  /**
   * A client pipelines 5000 commands behind expensive ones and hangs up: its queued commands are
   * dropped unsent (the store gets far fewer than were sent, and the counter they would have
   * incremented stops well short), and the next client is served.
   */
  @Test
  void aClosedConnectionsQueuedCommandsAreNotSent() throws Exception {
    String counter = tag + "m";
    int slow = 20;
    int incrs = 4900;
    try (GatewayServer g = gateway(RouteConfig.DEFAULTS)) {
      long before = g.router().executeCommands();
      try (RespTestClient c = new RespTestClient(g.port())) {
        c.sendRaw(slowPipeline(slow, incrs, counter));
        // The gateway reads the pipeline while its first unit (the slow commands) is at the store.
        await("the first unit left").atMost(Duration.ofSeconds(60))
            .until(() -> g.router().executeCommands() > before);
      }
      try (RespTestClient next = new RespTestClient(g.port()).readTimeout(120_000)) {
        // Wait until the counter stops moving: what was in the call is applied, and nothing
        // else of the closed connection follows (before the fix, the rest went in later units).
        long[] last = {-1};
        await("the counter settles").pollInterval(Duration.ofMillis(200))
            .during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(90))
            .until(() -> {
              Object v = next.call("GET", counter);
              long now = v == null ? 0 : Long.parseLong((String) v);
              boolean same = now == last[0];
              last[0] = now;
              return same;
            });
        long sent = g.router().executeCommands() - before;
        System.out.println("disconnect: " + (slow + incrs) + " pipelined, " + sent
            + " sent to the store, counter " + last[0]);
        assertThat(last[0]).isLessThan(incrs / 2);
        assertThat(sent).isLessThan((slow + incrs) / 2);
        assertThat(next.call("INCR", counter)).isEqualTo(last[0] + 1);
        // The dropped writes count as answered: no session's window stays held.
        long group = cluster.map().groupOf(io.cairn.store.types.Slots.slot(
            counter.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        await("the windows drain").atMost(Duration.ofSeconds(30))
            .until(() -> g.router().unacknowledgedWrites(group) == 0);
      }
    }
  }
}
