package io.cairn.gateway;

import static io.cairn.gateway.StoreClusterFixture.keyInGroup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.gateway.route.RouteConfig;
import io.cairn.meta.client.StaticClusterView;
import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.SlotRange;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway routing to three real store nodes (three groups of three replicas, slots in three
 * ranges), driven over TCP. One cluster for the whole class; tests use their own key prefixes.
 */
class GatewayRoutingTest {
  @TempDir
  static Path dir;

  private static StoreClusterFixture cluster;
  private static StaticClusterView view;
  private static GatewayServer gateway;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = new StoreClusterFixture(dir);
    view = new StaticClusterView(cluster.map());
    gateway = GatewayServer.start(GatewayConfig.loopback(0), view);
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

  private static RespTestClient client() throws Exception {
    return new RespTestClient(gateway.port());
  }

  @Test
  void everyTypeOnEveryGroupReadsItsWrites() throws Exception {
    long direct = io.cairn.raft.transport.CoLocatedServers.directCalls();
    try (RespTestClient c = client()) {
      for (int g = 0; g < 3; g++) {
        String s = keyInGroup("types:s:", g);
        assertThat(c.call("SET", s, "v" + g)).isEqualTo("+OK");
        assertThat(c.call("GET", s)).isEqualTo("v" + g);
        String n = keyInGroup("types:n:", g);
        assertThat(c.call("INCR", n)).isEqualTo(1L);
        assertThat(c.call("INCR", n)).isEqualTo(2L);
        String h = keyInGroup("types:h:", g);
        assertThat(c.call("HSET", h, "f", "x", "g", "y")).isEqualTo(2L);
        assertThat(c.call("HGET", h, "g")).isEqualTo("y");
        String l = keyInGroup("types:l:", g);
        assertThat(c.call("LPUSH", l, "a", "b")).isEqualTo(2L);
        assertThat(c.call("LRANGE", l, "0", "-1")).isEqualTo(List.of("b", "a"));
        String set = keyInGroup("types:set:", g);
        assertThat(c.call("SADD", set, "m1", "m2", "m1")).isEqualTo(2L);
        assertThat(c.call("SCARD", set)).isEqualTo(2L);
        String z = keyInGroup("types:z:", g);
        assertThat(c.call("ZADD", z, "1", "one", "2", "two")).isEqualTo(2L);
        assertThat(c.call("ZRANGE", z, "0", "-1")).isEqualTo(List.of("one", "two"));
        // Redis errors from the store come through as they are.
        assertThat(c.call("LPUSH", s, "x")).asString().startsWith("-WRONGTYPE");
      }
      // RESP3: the store encodes in the connection's protocol (a map for HGETALL).
      assertThat(c.call("HELLO", "3")).isInstanceOf(Map.class);
      assertThat(c.call("HGETALL", keyInGroup("types:h:", 1)))
          .isEqualTo(Map.of("f", "x", "g", "y"));
    }
    // The stores run in this JVM: the gateway called their StoreService objects directly.
    assertThat(io.cairn.raft.transport.CoLocatedServers.directCalls()).isGreaterThan(direct);
  }

  @Test
  void thousandPipelinedIncrsWithReadsInBetweenAnswerInOrder() throws Exception {
    try (RespTestClient c = client()) {
      ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
      for (int i = 1; i <= 1000; i++) {
        pipeline.writeBytes(RespTestClient.command("INCR", "pipe:counter"));
        if (i % 10 == 0) {
          pipeline.writeBytes(RespTestClient.command("GET", "pipe:counter"));
        }
      }
      c.sendRaw(pipeline.toByteArray());
      for (int i = 1; i <= 1000; i++) {
        assertThat(c.read()).as("INCR #%d", i).isEqualTo((long) i);
        if (i % 10 == 0) {
          // Read-your-writes inside one pipeline: the GET sees every INCR before it.
          assertThat(c.read()).as("GET after INCR #%d", i).isEqualTo(Integer.toString(i));
        }
      }
      assertThat(c.call("GET", "pipe:counter")).isEqualTo("1000");
    }
  }

  @Test
  void helloInsideAPipelineSwitchesTheProtocolOfLaterRepliesOnly() throws Exception {
    try (RespTestClient c = client()) {
      String h = keyInGroup("hello:h:", 0);
      ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
      pipeline.writeBytes(RespTestClient.command("HSET", h, "f", "v"));
      pipeline.writeBytes(RespTestClient.command("HGETALL", h));
      pipeline.writeBytes(RespTestClient.command("HELLO", "3"));
      pipeline.writeBytes(RespTestClient.command("HGETALL", h));
      c.sendRaw(pipeline.toByteArray());
      assertThat(c.read()).isEqualTo(1L);
      assertThat(c.read()).isEqualTo(List.of("f", "v")); // RESP2: a flat array
      assertThat(c.read()).isInstanceOf(Map.class);
      assertThat(c.read()).isEqualTo(Map.of("f", "v")); // RESP3: a map
    }
  }

  @Test
  void multiKeyCommandsSplitAcrossGroups() throws Exception {
    try (RespTestClient c = client()) {
      String a = keyInGroup("mk:", 0);
      String b = keyInGroup("mk:", 1);
      String d = keyInGroup("mk:", 2);
      String a2 = keyInGroup("mk:a2:", 0);
      assertThat(c.call("MSET", a, "1", b, "2", d, "3", a2, "4")).isEqualTo("+OK");
      assertThat(c.call("MGET", d, "mk:missing", a, b, a2, d))
          .isEqualTo(java.util.Arrays.asList("3", null, "1", "2", "4", "3"));
      assertThat(c.call("EXISTS", a, b, d, "mk:missing", a)).isEqualTo(4L);
      assertThat(c.call("TOUCH", a, b, d)).isEqualTo(3L);
      assertThat(c.call("DEL", a, b)).isEqualTo(2L);
      assertThat(c.call("UNLINK", d, a2, a)).isEqualTo(2L);
      assertThat(c.call("EXISTS", a, b, d, a2)).isEqualTo(0L);
      // The same in RESP3 (nulls are "_").
      assertThat(c.call("HELLO", "3")).isInstanceOf(Map.class);
      assertThat(c.call("MSET", a, "x", d, "y")).isEqualTo("+OK");
      assertThat(c.call("MGET", a, b, d)).isEqualTo(java.util.Arrays.asList("x", null, "y"));
      // A key without its value, keys in several groups: Redis's arity error, nothing written
      // (it closed the connection: the split read past the arguments).
      String arity = "-ERR wrong number of arguments for 'mset' command";
      assertThat(c.call("MSET", a, "1", b)).isEqualTo(arity);
      assertThat(c.call("MSET", a, "1", b, "2", d)).isEqualTo(arity);
      assertThat(c.call("MGET", a, b, d)).isEqualTo(java.util.Arrays.asList("x", null, "y"));
    }
  }

  @Test
  void crossSlotCommandsAreRefusedButHashTagsWork() throws Exception {
    try (RespTestClient c = client()) {
      String crossslot = "-CROSSSLOT Keys in request don't hash to the same slot";
      assertThat(c.call("SINTER", keyInGroup("cs:", 0), keyInGroup("cs:", 1)))
          .isEqualTo(crossslot);
      // Different slots of the same group: still CROSSSLOT, as Redis Cluster.
      String x = keyInGroup("cs:x", 0);
      String y = keyInGroup("cs:y", 0);
      assertThat(c.call("RENAME", x, y)).isEqualTo(crossslot);
      assertThat(c.call("SADD", "{t}a", "1", "2")).isEqualTo(2L);
      assertThat(c.call("SADD", "{t}b", "2", "3")).isEqualTo(2L);
      assertThat(c.call("SINTER", "{t}a", "{t}b")).isEqualTo(List.of("2"));
      assertThat(c.call("RENAME", "{t}a", "{t}c")).isEqualTo("+OK");
      assertThat(c.call("SCARD", "{t}c")).isEqualTo(2L);
    }
  }

  @Test
  void keylessCommandsCoverEveryGroup() throws Exception {
    try (RespTestClient c = client()) {
      assertThat(c.call("FLUSHALL")).isEqualTo("+OK");
      assertThat(c.call("DBSIZE")).isEqualTo(0L);
      Set<String> written = new HashSet<>();
      int[] perGroup = new int[3];
      for (int i = 0; i < 150; i++) {
        String k = "scan:" + i;
        written.add(k);
        perGroup[StoreClusterFixture.groupIndexOf(k)]++;
        assertThat(c.call("SET", k, "v")).isEqualTo("+OK");
      }
      assertThat(perGroup).doesNotContain(0);
      assertThat(c.call("DBSIZE")).isEqualTo(150L);
      assertThat(new HashSet<>(strings(c.call("KEYS", "*")))).isEqualTo(written);
      assertThat(strings(c.call("KEYS", "scan:1?"))).hasSize(10);

      // A full SCAN returns every key exactly once.
      List<String> seen = new ArrayList<>();
      String cursor = "0";
      int calls = 0;
      do {
        List<?> reply = (List<?>) c.call("SCAN", cursor, "COUNT", "7");
        cursor = (String) reply.get(0);
        seen.addAll(strings(reply.get(1)));
        calls++;
        assertThat(calls).isLessThan(1000);
      } while (!cursor.equals("0"));
      assertThat(seen).hasSize(150);
      assertThat(new HashSet<>(seen)).isEqualTo(written);
      // MATCH and TYPE pass through to every group.
      List<String> matched = new ArrayList<>();
      cursor = "0";
      do {
        List<?> reply = (List<?>) c.call("SCAN", cursor, "MATCH", "scan:2*", "TYPE", "string");
        cursor = (String) reply.get(0);
        matched.addAll(strings(reply.get(1)));
      } while (!cursor.equals("0"));
      assertThat(matched).hasSize(11); // scan:2, scan:20..29
      assertThat(c.call("SCAN", "abc")).isEqualTo("-ERR invalid cursor");

      assertThat(c.call("FLUSHALL", "ASYNC")).isEqualTo("+OK");
      assertThat(c.call("DBSIZE")).isEqualTo(0L);
      assertThat(c.call("KEYS", "*")).isEqualTo(List.of());
    }
  }

  @Test
  void readonlyAndWait() throws Exception {
    try (RespTestClient c = client()) {
      assertThat(c.call("WAIT", "1", "0")).isEqualTo(0L);
      // Argument errors as redis-server 7.0.15 (timeout checked first).
      assertThat(c.call("WAIT", "x", "y"))
          .isEqualTo("-ERR timeout is not an integer or out of range");
      assertThat(c.call("WAIT", "1", "-1")).isEqualTo("-ERR timeout is negative");
      assertThat(c.call("WAIT", "x", "1"))
          .isEqualTo("-ERR value is not an integer or out of range");
      String k = keyInGroup("ro:", 2);
      assertThat(c.call("SET", k, "v")).isEqualTo("+OK");
      // The group's leader counts the other voters whose logs hold the write: both, here.
      assertThat(c.call("WAIT", "2", "1000")).isEqualTo(2L);
      assertThat(c.call("READONLY")).isEqualTo("+OK");
      // Stale reads from any replica: a follower may lag a moment behind the write.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        for (int i = 0; i < 3; i++) {
          assertThat(c.call("GET", k)).isEqualTo("v");
        }
      });
      assertThat(c.call("SET", k, "w")).isEqualTo("+OK"); // writes still go to the leader
      assertThat(c.call("READWRITE")).isEqualTo("+OK");
      assertThat(c.call("GET", k)).isEqualTo("w");
    }
  }

  @Test
  void batchingUnderConcurrentPipeliningClients() throws Exception {
    long calls0 = gateway.router().executeCalls();
    long commands0 = gateway.router().executeCommands();
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (int t = 0; t < 20; t++) {
      String key = "batch:" + t;
      clients.add(CompletableFuture.runAsync(() -> {
        try (RespTestClient c = client()) {
          for (int round = 0; round < 5; round++) {
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            for (int i = 0; i < 20; i++) {
              pipeline.writeBytes(RespTestClient.command("INCR", key));
            }
            c.sendRaw(pipeline.toByteArray());
            for (int i = 1; i <= 20; i++) {
              assertThat(c.read()).isEqualTo((long) (round * 20 + i));
            }
          }
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }));
    }
    CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    long calls = gateway.router().executeCalls() - calls0;
    long commands = gateway.router().executeCommands() - commands0;
    System.out.printf("batching: %d commands in %d Execute calls (%.1f per call)%n", commands,
        calls, (double) commands / calls);
    assertThat(commands).isGreaterThanOrEqualTo(2000);
    assertThat((double) commands / calls).isGreaterThan(1.0);
  }

  @Test
  void wrongGroupWaitsForANewerMap() throws Exception {
    // A map that gives group 1's slots to group 2: the stores answer WRONG_GROUP.
    ShardMap right = cluster.map();
    ShardMap wrong = right.apply(new MapCommand.AssignSlots(
        List.of(new SlotRange(StoreClusterFixture.SLOTS[0][0], StoreClusterFixture.SLOTS[0][1])),
        2));
    StaticClusterView stale = new StaticClusterView(wrong);
    try (GatewayServer g = GatewayServer.start(GatewayConfig.loopback(0)
        .withRoute(RouteConfig.DEFAULTS.withTimeoutMillis(20_000)), stale);
        RespTestClient c = new RespTestClient(g.port())) {
      String k = keyInGroup("wg:", 0);
      CompletableFuture<Object> reply = CompletableFuture.supplyAsync(() -> {
        try {
          return c.call("SET", k, "after-refresh");
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      // The command reached a store and is now waiting for a newer map.
      await().atMost(Duration.ofSeconds(10)).until(() -> g.router().executeCommands() >= 1);
      assertThat(reply).isNotDone();
      // The fixed map: group 1 owns its slots again (a higher version).
      stale.update(wrong.apply(new MapCommand.AssignSlots(List.of(new SlotRange(
          StoreClusterFixture.SLOTS[0][0], StoreClusterFixture.SLOTS[0][1])), 1)));
      assertThat(reply.get(20, TimeUnit.SECONDS)).isEqualTo("+OK");
    }
    try (RespTestClient c = client()) {
      assertThat(c.call("GET", keyInGroup("wg:", 0))).isEqualTo("after-refresh");
    }
  }

  @Test
  void unassignedSlotIsClusterdown() throws Exception {
    ShardMap m = cluster.map();
    // Version 3 of the build: 3 stores added, nothing else — no group, no slot.
    ShardMap storesOnly = ShardMap.empty();
    for (var s : m.stores()) {
      storesOnly = storesOnly.apply(new MapCommand.AddStore(s));
    }
    try (GatewayServer g = GatewayServer.start(GatewayConfig.loopback(0),
        new StaticClusterView(storesOnly));
        RespTestClient c = new RespTestClient(g.port())) {
      assertThat(c.call("GET", "k")).isEqualTo("-CLUSTERDOWN Hash slot not served");
      assertThat(c.call("MGET", "a", "b")).isEqualTo("-CLUSTERDOWN Hash slot not served");
      assertThat(c.call("DBSIZE")).isEqualTo("-CLUSTERDOWN Hash slot not served");
      assertThat(c.call("PING")).isEqualTo("+PONG");
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object reply) {
    return (List<String>) reply;
  }
}
