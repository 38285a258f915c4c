package io.cairn.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The gateway over real TCP on 127.0.0.1, without a password. Expected texts are what
 * redis-server 7.0.15 answers to the same bytes (checked side by side with
 * {@code redis-server --port 16396}).
 */
class GatewayServerTest {
  private GatewayServer server;
  private RespTestClient client;

  @BeforeEach
  void start() throws Exception {
    server = GatewayServer.start(GatewayConfig.loopback(0));
    client = new RespTestClient(server.port());
  }

  @AfterEach
  void stop() throws IOException {
    client.close();
    server.close();
  }

  @Test
  void portZeroBindsAFreePortAndCloseStopsServing() throws Exception {
    assertThat(server.port()).isPositive();
    assertThat(client.call("PING")).isEqualTo("+PONG");
    int port = server.port();
    server.close();
    assertThat(client.closedByServer()).isTrue();
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void transportIsEpollExactlyWhenNettySaysItIsAvailable() throws Exception {
    assertThat(server.usesEpoll()).isEqualTo(io.netty.channel.epoll.Epoll.isAvailable());
    assertThat((String) client.call("INFO", "server"))
        .contains("multiplexing_api:" + (server.usesEpoll() ? "epoll" : "nio"));
  }

  /** Epoll's bind failure is a NativeIoException: it is thrown as NIO's BindException. */
  @Test
  void aTakenPortFailsWithABindExceptionOnEitherTransport() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> GatewayServer.start(GatewayConfig.loopback(taken.getLocalPort())).close())
          .isInstanceOf(BindException.class).hasMessageContaining("Address already in use");
    }
  }

  /** Issue 5: native epoll when available; the linux-x86_64 library is on the classpath. */
  @Test
  @EnabledOnOs(value = OS.LINUX, architectures = "amd64")
  void linuxX86GatewayRunsOnNativeEpoll() {
    assertThat(io.netty.channel.epoll.Epoll.isAvailable())
        .as("native epoll unavailable: %s", io.netty.channel.epoll.Epoll.unavailabilityCause())
        .isTrue();
    assertThat(server.usesEpoll()).isTrue();
  }

  @Test
  void requestSplitOverSeveralWritesIsAnsweredOnce() throws Exception {
    client.sendRaw("*2\r\n$4\r\nEC");
    Thread.sleep(50);
    client.sendRaw("HO\r\n$3\r\nab");
    Thread.sleep(50);
    client.sendRaw("c\r\n");
    assertThat(client.read()).isEqualTo("abc");
    assertThat(client.call("PING")).isEqualTo("+PONG");
  }

  @Test
  void thousandPipelinedPingsInOneWriteComeBackInOrder() throws Exception {
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      all.append(new String(i % 2 == 0 ? RespTestClient.command("PING")
          : RespTestClient.command("PING", "m" + i), StandardCharsets.UTF_8));
    }
    client.sendRaw(all.toString().getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 1000; i++) {
      assertThat(client.read()).isEqualTo(i % 2 == 0 ? "+PONG" : "m" + i);
    }
  }

  @Test
  void concurrentPipeliningClientsEachGetTheirOwnRepliesInOrder() throws Exception {
    int clients = 8;
    int perClient = 500;
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int c = 0; c < clients; c++) {
      int id = c;
      Thread t = new Thread(() -> {
        try (RespTestClient rc = new RespTestClient(server.port())) {
          StringBuilder all = new StringBuilder();
          for (int i = 0; i < perClient; i++) {
            all.append(new String(RespTestClient.command("ECHO", id + ":" + i),
                StandardCharsets.UTF_8));
          }
          rc.sendRaw(all.toString().getBytes(StandardCharsets.UTF_8));
          for (int i = 0; i < perClient; i++) {
            assertThat(rc.read()).isEqualTo(id + ":" + i);
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void inlineCommands() throws Exception {
    client.sendRaw("PING\r\n");
    assertThat(client.read()).isEqualTo("+PONG");
    client.sendRaw("ECHO \"hello world\"\nping x\r\n");
    assertThat(client.read()).isEqualTo("hello world");
    assertThat(client.read()).isEqualTo("x");
  }

  @Test
  void pingEchoSelectTime() throws Exception {
    assertThat(client.call("ping", "hi")).isEqualTo("hi");
    assertThat(client.call("PING", "a", "b"))
        .isEqualTo("-ERR wrong number of arguments for 'ping' command");
    assertThat(client.call("ECHO", "x y")).isEqualTo("x y");
    assertThat(client.call("ECHO"))
        .isEqualTo("-ERR wrong number of arguments for 'echo' command");
    assertThat(client.call("SELECT", "0")).isEqualTo("+OK");
    assertThat(client.call("SELECT", "1")).isEqualTo("-ERR DB index is out of range");
    assertThat(client.call("SELECT", "x"))
        .isEqualTo("-ERR value is not an integer or out of range");
    @SuppressWarnings("unchecked")
    List<Object> time = (List<Object>) client.call("TIME");
    long seconds = Long.parseLong((String) time.get(0));
    long micros = Long.parseLong((String) time.get(1));
    assertThat(Math.abs(seconds - System.currentTimeMillis() / 1000)).isLessThan(5);
    assertThat(micros).isBetween(0L, 999_999L);
  }

  @Test
  void helloThreeSwitchesToResp3() throws Exception {
    Object hello = client.call("HELLO", "3");
    assertThat(hello).isInstanceOf(Map.class);
    Map<?, ?> map = (Map<?, ?>) hello;
    assertThat(new ArrayList<Object>(map.keySet()))
        .containsExactly("server", "version", "proto", "id", "mode", "role", "modules");
    assertThat(map.get("server")).isEqualTo("redis");
    assertThat(map.get("version")).isEqualTo(GatewayCommands.REDIS_VERSION);
    assertThat(map.get("proto")).isEqualTo(3L);
    assertThat(map.get("id")).isEqualTo(client.call("CLIENT", "ID"));
    assertThat(map.get("mode")).isEqualTo("standalone");
    assertThat(map.get("role")).isEqualTo("master");
    assertThat(map.get("modules")).isEqualTo(List.of());
    // RESP3 shapes: null is '_', COMMAND DOCS a map.
    client.sendRaw(RespTestClient.command("CLIENT", "GETNAME"));
    assertThat(client.read()).isNull();
    assertThat(client.call("COMMAND", "DOCS")).isEqualTo(Map.of());
    // Back to RESP2: HELLO's own reply is a flat array.
    Object hello2 = client.call("HELLO", "2");
    assertThat(hello2).isInstanceOf(List.class);
    assertThat(list(hello2)).hasSize(14).contains("proto", 2L);
  }

  @Test
  void helloErrors() throws Exception {
    assertThat(client.call("HELLO", "4")).isEqualTo("-NOPROTO unsupported protocol version");
    assertThat(client.call("HELLO", "1")).isEqualTo("-NOPROTO unsupported protocol version");
    assertThat(client.call("HELLO", "x"))
        .isEqualTo("-ERR Protocol version is not an integer or out of range");
    assertThat(client.call("HELLO", "3", "auth", "x"))
        .isEqualTo("-ERR Syntax error in HELLO option 'auth'");
    assertThat(client.call("HELLO", "3", "SETNAME", "a b"))
        .isEqualTo("-ERR Client names cannot contain spaces, newlines or special characters.");
    // Still RESP2 after the errors.
    assertThat(client.call("HELLO")).isInstanceOf(List.class);
    Map<?, ?> map = (Map<?, ?>) client.call("HELLO", "3", "SETNAME", "conn1");
    assertThat(map.get("proto")).isEqualTo(3L);
    assertThat(client.call("CLIENT", "GETNAME")).isEqualTo("conn1");
  }

  @Test
  void clientSubcommands() throws Exception {
    assertThat(client.call("CLIENT", "GETNAME")).isNull();
    assertThat(client.call("CLIENT", "SETNAME", "worker-1")).isEqualTo("+OK");
    assertThat(client.call("client", "getname")).isEqualTo("worker-1");
    assertThat(client.call("CLIENT", "SETNAME", "a b"))
        .isEqualTo("-ERR Client names cannot contain spaces, newlines or special characters.");
    assertThat(client.call("CLIENT", "SETNAME"))
        .isEqualTo("-ERR wrong number of arguments for 'client|setname' command");
    assertThat(client.call("CLIENT"))
        .isEqualTo("-ERR wrong number of arguments for 'client' command");
    assertThat(client.call("CLIENT", "foo"))
        .isEqualTo("-ERR unknown subcommand 'foo'. Try CLIENT HELP.");
    assertThat(client.call("CLIENT", "SETINFO", "LIB-NAME", "jedis")).isEqualTo("+OK");
    assertThat(client.call("CLIENT", "SETINFO", "lib-ver", "5.1.0")).isEqualTo("+OK");
    assertThat(client.call("CLIENT", "SETINFO", "foo", "x"))
        .isEqualTo("-ERR Unrecognized option 'foo'");
    assertThat(client.call("CLIENT", "SETINFO", "lib-name", "a b"))
        .isEqualTo("-ERR lib-name cannot contain spaces, newlines or special characters.");
    assertThat(client.call("CLIENT", "SETNAME", "")).isEqualTo("+OK");
    assertThat(client.call("CLIENT", "GETNAME")).isNull();
    // Ids are distinct per connection and increase.
    long id = (Long) client.call("CLIENT", "ID");
    try (RespTestClient other = new RespTestClient(server.port())) {
      assertThat((Long) other.call("CLIENT", "ID")).isGreaterThan(id);
    }
  }

  @Test
  void quitRepliesOkThenCloses() throws Exception {
    client.sendRaw(new String(RespTestClient.command("QUIT"), StandardCharsets.UTF_8)
        + new String(RespTestClient.command("PING"), StandardCharsets.UTF_8));
    assertThat(client.read()).isEqualTo("+OK");
    assertThat(client.closedByServer()).isTrue();
  }

  @Test
  void resetRestoresANewConnection() throws Exception {
    client.call("HELLO", "3", "SETNAME", "n");
    assertThat(client.call("RESET")).isEqualTo("+RESET");
    assertThat(client.call("CLIENT", "GETNAME")).isNull(); // '$-1': RESP2 again
    assertThat(client.call("HELLO")).isInstanceOf(List.class);
  }

  @Test
  void unknownCommandsArityAndDataCommands() throws Exception {
    assertThat(client.call("foo", "a", "b"))
        .isEqualTo("-ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
    assertThat(client.call("GET")).isEqualTo("-ERR wrong number of arguments for 'get' command");
    // Client text inside an error keeps the reply on one line: CR/LF become spaces (as Redis).
    assertThat(client.call("foo", "a\r\nb"))
        .isEqualTo("-ERR unknown command 'foo', with args beginning with: 'a  b' ");
    assertThat(client.call("HELLO", "3", "x\ny"))
        .isEqualTo("-ERR Syntax error in HELLO option 'x y'");
    assertThat(client.call("SET", "k", "v"))
        .isEqualTo("-CLUSTERDOWN Hash slot not served");
    assertThat(client.call("get", "k"))
        .isEqualTo("-CLUSTERDOWN Hash slot not served");
  }

  @Test
  void commandCountAndInfo() throws Exception {
    long count = (Long) client.call("COMMAND", "COUNT");
    int expected = io.cairn.store.types.CommandTable.standard().all().size() + 16;
    assertThat(count).isEqualTo(expected);
    List<?> all = (List<?>) client.call("COMMAND");
    assertThat(all).hasSize(expected);
    List<?> info = (List<?>) client.call("COMMAND", "INFO", "get", "PING", "nosuch");
    assertThat(info).hasSize(3);
    List<Object> get = list(info.get(0));
    assertThat(get.subList(0, 6))
        .containsExactly("get", 2L, List.of("+readonly", "+fast"), 1L, 1L, 1L);
    assertThat(get).hasSize(10);
    List<Object> ping = list(info.get(1));
    assertThat(ping.subList(0, 6)).containsExactly("ping", -1L, List.of("+fast"), 0L, 0L, 0L);
    assertThat(info.get(2)).isNull();
    // Redis's flags only: ZRANK is "fast" as in Redis; Cairn's own WALKS is not shown.
    List<Object> zrank = list(((List<?>) client.call("COMMAND", "INFO", "zrank")).get(0));
    assertThat(zrank.get(2)).isEqualTo(List.of("+readonly", "+fast"));
  }

  @Test
  void garbageGetsProtocolErrorAndCloseWhileOthersKeepWorking() throws Exception {
    try (RespTestClient other = new RespTestClient(server.port())) {
      client.sendRaw("*abc\r\n");
      assertThat(client.read()).isEqualTo("-ERR Protocol error: invalid multibulk length");
      assertThat(client.closedByServer()).isTrue();
      assertThat(other.call("PING")).isEqualTo("+PONG");
    }
  }

  @Test
  void bulkLengthTwoToTheFortyIsRejected() throws Exception {
    try (RespTestClient other = new RespTestClient(server.port())) {
      client.sendRaw("PING\r\n*2\r\n$" + (1L << 40) + "\r\n");
      assertThat(client.read()).isEqualTo("+PONG");
      assertThat(client.read()).isEqualTo("-ERR Protocol error: invalid bulk length");
      assertThat(client.closedByServer()).isTrue();
      assertThat(other.call("ECHO", "still here")).isEqualTo("still here");
    }
  }

  @Test
  void tenMillionDeclaredArrayElementsAreRejected() throws Exception {
    try (RespTestClient other = new RespTestClient(server.port())) {
      client.sendRaw("*10000000\r\n");
      assertThat(client.read()).isEqualTo("-ERR Protocol error: invalid multibulk length");
      assertThat(client.closedByServer()).isTrue();
      assertThat(other.call("PING")).isEqualTo("+PONG");
    }
  }

  @Test
  void requestsPipelinedAfterAProtocolErrorAreNotExecuted() throws Exception {
    client.sendRaw("PING\r\n*1\r\nxx\r\nPING\r\n");
    assertThat(client.read()).isEqualTo("+PONG");
    assertThat(client.read()).isEqualTo("-ERR Protocol error: expected '$', got 'x'");
    assertThat(client.closedByServer()).isTrue();
  }

  @Test
  void unterminatedInlineLineOver64KbIsRejected() throws Exception {
    try (RespTestClient other = new RespTestClient(server.port())) {
      byte[] line = new byte[70 * 1024];
      Arrays.fill(line, (byte) 'a');
      client.sendRaw(line);
      assertThat(client.read()).isEqualTo("-ERR Protocol error: too big inline request");
      assertThat(client.closedByServer()).isTrue();
      assertThat(other.call("PING")).isEqualTo("+PONG");
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object reply) {
    return (List<Object>) reply;
  }
}
