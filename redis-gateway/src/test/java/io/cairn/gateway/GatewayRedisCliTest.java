package io.cairn.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real redis-cli against the gateway: one-shot commands, RESP3, and commands read from stdin.
 * Without redis-cli on the PATH the tests are skipped, except under {@code CI=true} where they
 * fail (CI must have it).
 */
class GatewayRedisCliTest {
  private static String redisCli;
  private GatewayServer server;

  @BeforeAll
  static void findRedisCli() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, "redis-cli");
      if (f.canExecute()) {
        redisCli = f.getPath();
        return;
      }
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("redis-cli not found on PATH (required when CI=true)");
    }
    assumeTrue(false, "redis-cli not found on PATH: skipped");
  }

  @BeforeEach
  void start() throws Exception {
    server = GatewayServer.start(GatewayConfig.loopback(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void ping() throws Exception {
    assertThat(run(null, "ping")).isEqualTo("PONG\n");
  }

  @Test
  void helloThreeInResp3Mode() throws Exception {
    String out = run(null, "-3", "hello", "3");
    assertThat(out).contains("server redis\n", "proto 3\n", "mode standalone\n", "role master\n");
  }

  @Test
  void commandsFromStdin() throws Exception {
    String out = run("ping\necho \"hello world\"\nselect 0\nselect 1\nclient setname cli\n"
        + "client getname\nset k v\nnosuchcommand x\n");
    assertThat(out).isEqualTo("PONG\nhello world\nOK\nERR DB index is out of range\n\nOK\ncli\n"
        + "CLUSTERDOWN Hash slot not served\n\n"
        + "ERR unknown command 'nosuchcommand', with args beginning with: 'x' \n\n");
  }

  @Test
  void authWithRequirepass() throws Exception {
    try (GatewayServer locked =
        GatewayServer.start(GatewayConfig.loopback(0).withRequirepass("pw"))) {
      assertThat(runOn(locked.port(), null, "ping"))
          .isEqualTo("NOAUTH Authentication required.\n\n");
      assertThat(runOn(locked.port(), null, "-a", "pw", "--no-auth-warning", "ping"))
          .isEqualTo("PONG\n");
    }
  }

  private String run(String stdin, String... args) throws Exception {
    return runOn(server.port(), stdin, args);
  }

  /** Runs redis-cli (not on a terminal: raw output), returns stdout. */
  private static String runOn(int port, String stdin, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(redisCli, "-h", "127.0.0.1", "-p",
        Integer.toString(port)));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("redis-cli did not finish: " + cmd);
    }
    return out;
  }
}
