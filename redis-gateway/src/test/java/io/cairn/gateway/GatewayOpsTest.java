package io.cairn.gateway;

import static io.cairn.testing.Ports.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.client.GroupSize;
import io.cairn.meta.client.StaticClusterView;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CLIENT LIST / INFO / KILL, INFO, CONFIG, SLOWLOG, maxclients and the metrics endpoint over real
 * TCP. Formats and error texts are redis-server 7.0.15's (checked side by side with
 * {@code redis-server --port 17391}).
 */
class GatewayOpsTest {
  private GatewayServer server;
  private final List<RespTestClient> clients = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (RespTestClient c : clients) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private RespTestClient start(GatewayConfig config) throws Exception {
    server = GatewayServer.start(config);
    return connect();
  }

  /** A new client, admitted (it got a PONG) before this returns. */
  private RespTestClient connect() throws IOException {
    RespTestClient c = new RespTestClient(server.port());
    clients.add(c);
    assertThat(c.call("PING")).isEqualTo("+PONG");
    return c;
  }

  /**
   * INFO keyspace sums the group sizes the view knows (meta mode: measured by the group leaders)
   * over the groups of its current map, as Redis 7's db0 line; no keys: no db0 line.
   */
  @Test
  void infoKeyspaceSumsTheGroupSizesOfTheView() throws Exception {
    List<StoreInfo> stores = List.of(new StoreInfo(1, "127.0.0.1:1", "127.0.0.1:2", StoreState.UP));
    StaticClusterView view = new StaticClusterView(ShardMap.bootstrap(stores, 2, 1));
    server = GatewayServer.start(GatewayConfig.loopback(0), view);
    RespTestClient c = connect();
    assertThat(c.call("INFO", "keyspace")).isEqualTo("# Keyspace\r\n"); // nothing measured yet
    view.noteSize(new GroupSize(1, 0, 0, 0));
    assertThat(c.call("INFO", "keyspace")).isEqualTo("# Keyspace\r\n"); // empty, as Redis
    view.noteSize(new GroupSize(1, 40, 3, 4096));
    view.noteSize(new GroupSize(2, 2, 0, 128));
    view.noteSize(new GroupSize(9, 1000, 1000, 1)); // not in the map (left it): not counted
    assertThat(c.call("INFO", "keyspace")).isEqualTo("# Keyspace\r\ndb0:keys=42,expires=3,avg_ttl=0\r\n");
    assertThat(parseInfo(c.call("INFO"))).containsEntry("db0", "keys=42,expires=3,avg_ttl=0");
    view.forgetSize(1);
    assertThat(c.call("INFO", "keyspace")).isEqualTo("# Keyspace\r\ndb0:keys=2,expires=0,avg_ttl=0\r\n");
  }

  /** {@code key:value} lines of an INFO reply; section headers as {@code "# Name" -> ""}. */
  private static Map<String, String> parseInfo(Object reply) {
    String text = (String) reply;
    assertThat(text).doesNotContain("\n\n").doesNotEndWith("\r\n\r\n");
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : text.split("\r\n")) {
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        out.put(line, "");
      } else {
        int colon = line.indexOf(':');
        assertThat(colon).as("line '%s'", line).isPositive();
        out.put(line.substring(0, colon), line.substring(colon + 1));
      }
    }
    return out;
  }

  private static Map<String, String> clientLine(String line) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : line.strip().split(" ")) {
      int eq = kv.indexOf('=');
      out.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return out;
  }

  @Test
  void clientListShowsEveryConnectionInRedisFieldOrder() throws Exception {
    RespTestClient a = start(GatewayConfig.loopback(0));
    RespTestClient b = connect();
    assertThat(b.call("CLIENT", "SETNAME", "worker-b")).isEqualTo("+OK");
    String list = (String) a.call("CLIENT", "LIST");
    String[] lines = list.split("\n");
    assertThat(list).endsWith("\n");
    assertThat(lines).hasSize(2);
    Map<String, String> first = clientLine(lines[0]);
    Map<String, String> second = clientLine(lines[1]);
    assertThat(first.keySet()).containsExactly("id", "addr", "laddr", "fd", "name", "age", "idle",
        "flags", "db", "sub", "psub", "ssub", "multi", "qbuf", "qbuf-free", "argv-mem",
        "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem", "events", "cmd", "user",
        "redir", "resp", "lib-name", "lib-ver");
    assertThat(first).containsEntry("addr", a.localAddr())
        .containsEntry("laddr", "127.0.0.1:" + server.port())
        .containsEntry("cmd", "client|list").containsEntry("flags", "N")
        .containsEntry("user", "default").containsEntry("resp", "2").containsEntry("name", "");
    assertThat(second).containsEntry("addr", b.localAddr()).containsEntry("name", "worker-b")
        .containsEntry("cmd", "client|setname");
    long idB = (Long) b.call("CLIENT", "ID");
    assertThat(second).containsEntry("id", Long.toString(idB));

    String onlyB = (String) a.call("CLIENT", "LIST", "ID", Long.toString(idB), "999");
    assertThat(onlyB).startsWith("id=" + idB + " ").doesNotContain("\nid=");
    assertThat(a.call("CLIENT", "LIST", "TYPE", "normal")).asString().contains("worker-b");
    assertThat(a.call("CLIENT", "LIST", "TYPE", "pubsub")).isEqualTo("");
    assertThat(a.call("CLIENT", "LIST", "TYPE", "foo"))
        .isEqualTo("-ERR Unknown client type 'foo'");
    assertThat(a.call("CLIENT", "LIST", "ID", "abc")).isEqualTo("-ERR Invalid client ID");
    assertThat(a.call("CLIENT", "LIST", "FOO")).isEqualTo("-ERR syntax error");

    String info = (String) b.call("CLIENT", "INFO");
    assertThat(clientLine(info)).containsEntry("id", Long.toString(idB))
        .containsEntry("cmd", "client|info").containsEntry("name", "worker-b");
    assertThat(b.call("HELLO", "3")).isInstanceOf(Map.class);
    assertThat((String) b.call("CLIENT", "INFO")).startsWith("=txt:id=" + idB + " ")
        .contains(" resp=3 ");
  }

  @Test
  void clientKillClosesTheOtherConnectionAndTheKillerKeepsWorking() throws Exception {
    RespTestClient killer = start(GatewayConfig.loopback(0));
    RespTestClient victim = connect();
    RespTestClient byAddr = connect();
    long victimId = (Long) victim.call("CLIENT", "ID");

    assertThat(killer.call("CLIENT", "KILL", "ID", Long.toString(victimId))).isEqualTo(1L);
    assertThat(victim.closedByServer()).isTrue();
    assertThat(killer.call("PING")).isEqualTo("+PONG");
    assertThat(killer.call("CLIENT", "KILL", "ID", Long.toString(victimId))).isEqualTo(0L);

    // The old form: OK, or Redis's error for an address nobody has.
    assertThat(killer.call("CLIENT", "KILL", byAddr.localAddr())).isEqualTo("+OK");
    assertThat(byAddr.closedByServer()).isTrue();
    assertThat(killer.call("CLIENT", "KILL", "1.2.3.4:5")).isEqualTo("-ERR No such client");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> ((String) killer.call("CLIENT", "LIST")).split("\n").length == 1);

    assertThat(killer.call("CLIENT", "KILL", "ID", "abc"))
        .isEqualTo("-ERR client-id should be greater than 0");
    assertThat(killer.call("CLIENT", "KILL", "TYPE", "foo"))
        .isEqualTo("-ERR Unknown client type 'foo'");
    assertThat(killer.call("CLIENT", "KILL", "USER", "bob")).isEqualTo("-ERR No such user 'bob'");
    assertThat(killer.call("CLIENT", "KILL", "FOO", "bar")).isEqualTo("-ERR syntax error");
    // SKIPME yes (the default) spares the caller; USER default matches everybody else.
    assertThat(killer.call("CLIENT", "KILL", "USER", "default")).isEqualTo(0L);
    // Killing itself: the reply first, then the close.
    assertThat(killer.call("CLIENT", "KILL", "ADDR", killer.localAddr(), "SKIPME", "no"))
        .isEqualTo(1L);
    assertThat(killer.closedByServer()).isTrue();
  }

  @Test
  void infoSectionsInRedisFormatAndCountersMove() throws Exception {
    RespTestClient c = start(GatewayConfig.loopback(0));
    Map<String, String> all = parseInfo(c.call("INFO"));
    assertThat(all.keySet()).containsSubsequence("# Server", "# Clients", "# Memory",
        "# Persistence", "# Stats", "# Replication", "# CPU", "# Modules", "# Errorstats",
        "# Cluster", "# Keyspace");
    assertThat(all).doesNotContainKey("# Commandstats");
    assertThat(all).containsEntry("redis_version", "7.0.15")
        .containsEntry("redis_mode", "standalone")
        .containsEntry("tcp_port", Integer.toString(server.port()))
        .containsEntry("process_id", Long.toString(ProcessHandle.current().pid()))
        .containsEntry("connected_clients", "1").containsEntry("maxclients", "10000")
        .containsEntry("blocked_clients", "0").containsEntry("role", "master")
        .containsEntry("connected_slaves", "0").containsEntry("cluster_enabled", "0")
        .containsEntry("cairn_version", InfoCommand.CAIRN_VERSION);
    assertThat(all.get("run_id")).hasSize(40);

    // Sections in Redis's order whatever the order asked, one blank line between them.
    String two = (String) c.call("INFO", "replication", "SERVER");
    assertThat(two).startsWith("# Server\r\n").contains("\r\n\r\n# Replication\r\n")
        .endsWith("repl_backlog_histlen:0\r\n");
    assertThat(c.call("INFO", "keyspace")).isEqualTo("# Keyspace\r\n");
    assertThat(c.call("INFO", "nosuch")).isEqualTo("");
    assertThat(c.call("INFO", "cluster")).isEqualTo("# Cluster\r\ncluster_enabled:0\r\n");

    long before = Long.parseLong(parseInfo(c.call("INFO", "stats"))
        .get("total_commands_processed"));
    for (int i = 0; i < 5; i++) {
      c.call("PING");
    }
    c.call("nosuchcommand");
    Map<String, String> stats = parseInfo(c.call("INFO", "stats"));
    // 5 PINGs, the unknown command and the INFO before this one.
    assertThat(Long.parseLong(stats.get("total_commands_processed"))).isEqualTo(before + 7);
    assertThat(stats.get("total_connections_received")).isEqualTo("1");
    assertThat(Long.parseLong(stats.get("total_error_replies"))).isGreaterThanOrEqualTo(1);
    connect();
    assertThat(parseInfo(c.call("INFO", "clients", "stats")))
        .containsEntry("connected_clients", "2").containsEntry("total_connections_received", "2");

    Map<String, String> everything = parseInfo(c.call("INFO", "everything"));
    assertThat(everything).containsKey("# Commandstats");
    assertThat(everything.get("cmdstat_ping")).startsWith("calls=").contains(",usec=")
        .contains(",usec_per_call=").endsWith(",rejected_calls=0,failed_calls=0");
    assertThat(everything.get("errorstat_ERR")).startsWith("count=");
    assertThat(parseInfo(c.call("INFO", "all"))).containsKey("# Commandstats");

    server.ops().setKeyspace(() -> new GatewayOps.Keyspace(42, 7));
    assertThat(c.call("INFO", "keyspace"))
        .isEqualTo("# Keyspace\r\ndb0:keys=42,expires=7,avg_ttl=0\r\n");
    server.ops().setKeyspace(() -> new GatewayOps.Keyspace(0, 0));
    assertThat(c.call("INFO", "keyspace")).isEqualTo("# Keyspace\r\n"); // Redis omits db0 when empty

    assertThat(c.call("CONFIG", "RESETSTAT")).isEqualTo("+OK");
    Map<String, String> reset = parseInfo(c.call("INFO", "stats"));
    assertThat(reset).containsEntry("total_connections_received", "0")
        .containsEntry("total_commands_processed", "1") // the INFO itself
        .containsEntry("total_error_replies", "0");

    assertThat(c.call("HELLO", "3")).isInstanceOf(Map.class);
    assertThat(c.call("INFO", "cluster")).isEqualTo("=txt:# Cluster\r\ncluster_enabled:0\r\n");
  }

  @Test
  void configGetIsAFlatArrayInResp2AndAMapInResp3() throws Exception {
    server = GatewayServer.start(GatewayConfig.loopback(0).withRequirepass("pw"));
    RespTestClient c = new RespTestClient(server.port());
    clients.add(c);
    assertThat(c.call("CONFIG", "GET", "save")).isEqualTo("-NOAUTH Authentication required.");
    assertThat(c.call("AUTH", "pw")).isEqualTo("+OK");
    assertThat(c.call("CONFIG", "GET", "save")).isEqualTo(List.of("save", ""));
    assertThat(c.call("CONFIG", "GET", "appendonly")).isEqualTo(List.of("appendonly", "no"));
    assertThat(c.call("CONFIG", "GET", "s*ve", "APPENDONLY", "maxclients", "save"))
        .isEqualTo(List.of("save", "", "appendonly", "no", "maxclients", "10000"));
    assertThat(c.call("CONFIG", "GET", "requirepass")).isEqualTo(List.of("requirepass", "pw"));
    assertThat(c.call("CONFIG", "GET", "port"))
        .isEqualTo(List.of("port", Integer.toString(server.port())));
    assertThat(c.call("CONFIG", "GET", "databases")).isEqualTo(List.of("databases", "1"));
    assertThat(c.call("CONFIG", "GET", "nosuch")).isEqualTo(List.of());
    assertThat(c.call("CONFIG", "GET"))
        .isEqualTo("-ERR wrong number of arguments for 'config|get' command");

    assertThat(c.call("HELLO", "3")).isInstanceOf(Map.class);
    Map<Object, Object> expected = new LinkedHashMap<>();
    expected.put("save", "");
    assertThat(c.call("CONFIG", "GET", "save")).isEqualTo(expected);

    assertThat(c.call("CONFIG", "SET", "foo", "bar"))
        .isEqualTo("-ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    assertThat(c.call("CONFIG", "SET", "maxclients", "abc")).isEqualTo("-ERR CONFIG SET failed "
        + "(possibly related to argument 'maxclients') - argument couldn't be parsed into an "
        + "integer");
    assertThat(c.call("CONFIG", "SET", "port", "1")).isEqualTo("-ERR CONFIG SET failed "
        + "(possibly related to argument 'port') - can't set immutable config");
    assertThat(c.call("CONFIG", "SET", "maxclients", "50", "slowlog-max-len", "7"))
        .isEqualTo("+OK");
    Map<Object, Object> changed = new LinkedHashMap<>();
    changed.put("maxclients", "50");
    changed.put("slowlog-max-len", "7");
    assertThat(c.call("CONFIG", "GET", "maxclients", "slowlog-max-len")).isEqualTo(changed);
  }

  @Test
  void slowlogRecordsEveryCommandWhenSlowerThanIsZero() throws Exception {
    RespTestClient c = start(GatewayConfig.loopback(0).withSlowlog(0, 128));
    assertThat(c.call("SLOWLOG", "RESET")).isEqualTo("+OK");
    assertThat(c.call("CLIENT", "SETNAME", "slowpoke")).isEqualTo("+OK");
    String big = "x".repeat(200);
    assertThat(c.call("ECHO", big)).isEqualTo(big);
    List<?> entries = (List<?>) c.call("SLOWLOG", "GET", "2");
    assertThat(entries).hasSize(2);
    List<?> newest = (List<?>) entries.get(0);
    assertThat(newest).hasSize(6);
    assertThat(newest.get(3))
        .isEqualTo(List.of("ECHO", "x".repeat(128) + "... (72 more bytes)"));
    assertThat(newest.get(4)).isEqualTo(c.localAddr());
    assertThat(newest.get(5)).isEqualTo("slowpoke");
    assertThat((Long) newest.get(1))
        .isBetween(System.currentTimeMillis() / 1000 - 60, System.currentTimeMillis() / 1000 + 1);
    assertThat((Long) newest.get(2)).isNotNegative();
    List<?> older = (List<?>) entries.get(1);
    assertThat(older.get(3)).isEqualTo(List.of("CLIENT", "SETNAME", "slowpoke"));
    assertThat((Long) newest.get(0)).isEqualTo((Long) older.get(0) + 1);
    // RESET, SETNAME, ECHO and SLOWLOG GET itself.
    assertThat(c.call("SLOWLOG", "LEN")).isEqualTo(4L);
    assertThat(((List<?>) c.call("SLOWLOG", "GET", "-1"))).hasSize(5);
    assertThat(c.call("AUTH", "default", "secret")).isEqualTo("+OK");
    List<?> auth = (List<?>) ((List<?>) c.call("SLOWLOG", "GET", "1")).get(0);
    assertThat(auth.get(3)).isEqualTo(List.of("AUTH", "(redacted)", "(redacted)"));
    assertThat(c.call("SLOWLOG", "GET", "x"))
        .isEqualTo("-ERR count should be greater than or equal to -1");
    assertThat(c.call("SLOWLOG", "HELP")).asList().hasSize(12);
    assertThat(c.call("CONFIG", "SET", "slowlog-log-slower-than", "-1")).isEqualTo("+OK");
    assertThat(c.call("SLOWLOG", "RESET")).isEqualTo("+OK");
    c.call("PING");
    assertThat(c.call("SLOWLOG", "LEN")).isEqualTo(0L);
  }

  @Test
  void theClientOverMaxclientsIsToldAndClosedWhileOthersKeepWorking() throws Exception {
    RespTestClient first = start(GatewayConfig.loopback(0).withMaxclients(2));
    RespTestClient second = connect();
    RespTestClient third = new RespTestClient(server.port());
    clients.add(third);
    assertThat(third.read()).isEqualTo("-ERR max number of clients reached");
    assertThat(third.closedByServer()).isTrue();
    assertThat(first.call("PING")).isEqualTo("+PONG");
    assertThat(second.call("PING")).isEqualTo("+PONG");
    Map<String, String> info = parseInfo(first.call("INFO", "clients", "stats"));
    assertThat(info).containsEntry("connected_clients", "2")
        .containsEntry("rejected_connections", "1").containsEntry("maxclients", "2");
    // A place frees up when a client leaves.
    second.call("QUIT");
    await().atMost(Duration.ofSeconds(10)).until(() -> server.ops().clients().size() == 1);
    connect();
  }

  @Test
  void aClientThatDoesNotReadIsClosedAtTheOutputBufferLimitAndOthersAreFine() throws Exception {
    RespTestClient reader = start(GatewayConfig.loopback(0).withOutputBufferLimitBytes(256 * 1024));
    RespTestClient stuck = connect();
    byte[] echo = RespTestClient.command("ECHO", "y".repeat(512 * 1024));
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < 200; i++) {
          stuck.sendRaw(echo); // never reads: the replies pile up
        }
      } catch (IOException expected) {
        // the server closed the connection
      }
    });
    writer.setDaemon(true);
    writer.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> server.ops().clients().size() == 1);
    assertThat(server.ops().metrics().registry().get("cairn.gateway.output.buffer.disconnects")
        .counter().count()).isEqualTo(1.0);
    assertThat(reader.call("PING")).isEqualTo("+PONG");
    assertThat(reader.call("ECHO", "still here")).isEqualTo("still here");
    writer.join(30_000);
    assertThat(writer.isAlive()).isFalse();
  }

  @Test
  void metricsEndpointServesCommandCountersAfterCommands() throws Exception {
    RespTestClient c = start(GatewayConfig.loopback(0).withMetricsPort(freePort()));
    for (int i = 0; i < 3; i++) {
      c.call("PING");
    }
    c.call("nosuchcommand");
    c.call("GET", "k");
    HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(200);
    // 4 PINGs: connect()'s and these 3.
    assertThat(resp.body())
        .contains("cairn_gateway_commands_total{command=\"ping\"} 4.0")
        .contains("cairn_gateway_commands_total{command=\"other\"} 1.0")
        .contains("cairn_gateway_command_latency_seconds_count{command=\"ping\"} 4")
        .contains("cairn_gateway_errors_total{type=\"ERR\"} 1.0")
        .contains("cairn_gateway_errors_total{type=\"CLUSTERDOWN\"} 1.0")
        .contains("cairn_gateway_connections 1.0")
        .contains("cairn_gateway_connections_received_total 1.0");
    // INFO reads the same meters.
    assertThat(parseInfo(c.call("INFO", "stats")))
        .containsEntry("total_commands_processed", "6");
  }
}
