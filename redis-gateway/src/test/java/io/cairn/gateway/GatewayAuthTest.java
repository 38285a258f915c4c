package io.cairn.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AUTH and HELLO AUTH with {@code requirepass}, as redis-server 7.0.15 answers them; and AUTH
 * without a password configured.
 */
class GatewayAuthTest {
  private static final String NOAUTH = "-NOAUTH Authentication required.";
  private static final String WRONGPASS =
      "-WRONGPASS invalid username-password pair or user is disabled.";

  private GatewayServer server;

  @BeforeEach
  void start() throws Exception {
    server = GatewayServer.start(GatewayConfig.loopback(0).withRequirepass("s3cret"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void everyCommandButAuthHelloQuitResetNeedsAuthentication() throws Exception {
    try (RespTestClient c = new RespTestClient(server.port())) {
      assertThat(c.call("PING")).isEqualTo(NOAUTH);
      assertThat(c.call("GET", "k")).isEqualTo(NOAUTH);
      assertThat(c.call("CLIENT", "ID")).isEqualTo(NOAUTH);
      assertThat(c.call("COMMAND", "COUNT")).isEqualTo(NOAUTH);
      // Redis checks unknown commands and arity before authentication.
      assertThat(c.call("foo")).isEqualTo("-ERR unknown command 'foo', with args beginning with: ");
      assertThat(c.call("GET")).isEqualTo("-ERR wrong number of arguments for 'get' command");
      assertThat(c.call("HELLO", "3")).isEqualTo("-NOAUTH HELLO must be called with the client "
          + "already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to "
          + "authenticate the client and select the RESP protocol version at the same time");
      assertThat(c.call("RESET")).isEqualTo("+RESET");
      assertThat(c.call("AUTH", "wrong")).isEqualTo(WRONGPASS);
      assertThat(c.call("AUTH", "default", "wrong")).isEqualTo(WRONGPASS);
      assertThat(c.call("AUTH", "alice", "s3cret")).isEqualTo(WRONGPASS);
      assertThat(c.call("AUTH", "a", "b", "c")).isEqualTo("-ERR syntax error");
      assertThat(c.call("PING")).isEqualTo(NOAUTH);
      assertThat(c.call("AUTH", "s3cret")).isEqualTo("+OK");
      assertThat(c.call("PING")).isEqualTo("+PONG");
      assertThat(c.call("GET", "k"))
          .isEqualTo("-CLUSTERDOWN Hash slot not served");
      // A failed AUTH after success keeps the connection authenticated (as Redis).
      assertThat(c.call("AUTH", "nope")).isEqualTo(WRONGPASS);
      assertThat(c.call("PING")).isEqualTo("+PONG");
      // RESET forgets the authentication.
      assertThat(c.call("RESET")).isEqualTo("+RESET");
      assertThat(c.call("PING")).isEqualTo(NOAUTH);
      assertThat(c.call("AUTH", "default", "s3cret")).isEqualTo("+OK");
      assertThat(c.call("PING")).isEqualTo("+PONG");
    }
  }

  @Test
  void helloAuthAuthenticatesAndSwitchesProtocol() throws Exception {
    try (RespTestClient c = new RespTestClient(server.port())) {
      assertThat(c.call("HELLO", "3", "AUTH", "default", "bad")).isEqualTo(WRONGPASS);
      assertThat(c.call("PING")).isEqualTo(NOAUTH);
      Map<?, ?> hello = (Map<?, ?>) c.call("HELLO", "3", "AUTH", "default", "s3cret",
          "SETNAME", "app");
      assertThat(hello.get("proto")).isEqualTo(3L);
      assertThat(c.call("CLIENT", "GETNAME")).isEqualTo("app");
    }
  }

  @Test
  void quitWorksUnauthenticated() throws Exception {
    try (RespTestClient c = new RespTestClient(server.port())) {
      assertThat(c.call("QUIT")).isEqualTo("+OK");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void authWithoutRequirepass() throws Exception {
    try (GatewayServer open = GatewayServer.start(GatewayConfig.loopback(0));
        RespTestClient c = new RespTestClient(open.port())) {
      assertThat(c.call("AUTH", "x")).isEqualTo("-ERR AUTH <password> called without any "
          + "password configured for the default user. Are you sure your configuration is "
          + "correct?");
      // The default user is "nopass": any password is accepted, other users are not.
      assertThat(c.call("AUTH", "default", "anything")).isEqualTo("+OK");
      assertThat(c.call("AUTH", "alice", "x")).isEqualTo(WRONGPASS);
      assertThat(c.call("HELLO", "2", "AUTH", "default", "x")).isInstanceOf(List.class);
    }
  }
}
