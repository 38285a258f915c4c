package io.cairn.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code redis-cli} against a whole cluster: one-shot commands, commands read from
 * stdin, the interactive prompt on a pseudo-terminal (where redis-cli first asks
 * {@code COMMAND DOCS}), and {@code --pipe} mass insertion of 100,000 keys.
 */
@Timeout(300)
class RedisCliE2eTest {
    @TempDir
    static Path dir;

    private static E2eCluster cluster;
    private static String redisCli;

    @BeforeAll
    static void startCluster() throws Exception {
        redisCli = ExternalTool.require("redis-cli");
        cluster = E2eClusters.start(dir.resolve("cluster"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String cli(String... args) throws Exception {
        return run(null, args).stdout();
    }

    private static ExternalTool.Run run(Path stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(redisCli, "-h", cluster.host(), "-p",
                Integer.toString(cluster.gatewayPort())));
        cmd.addAll(List.of(args));
        return ExternalTool.run(cmd, stdin, Map.of(), 120);
    }

    @Test
    void oneShotCommands() throws Exception {
        List<String> keys = E2eKeys.onePerGroup(cluster, "cli:");
        for (String k : keys) {
            assertThat(cli("set", k, "hello world")).isEqualTo("OK\n");
            assertThat(cli("get", k)).isEqualTo("hello world\n");
            assertThat(cli("incr", k + ":n")).isEqualTo("1\n");
            assertThat(cli("hset", k + ":h", "f1", "a", "f2", "b")).isEqualTo("2\n");
            assertThat(cli("hgetall", k + ":h")).isEqualTo("f1\na\nf2\nb\n");
            assertThat(cli("rpush", k + ":l", "x", "y")).isEqualTo("2\n");
            assertThat(cli("lrange", k + ":l", "0", "-1")).isEqualTo("x\ny\n");
            assertThat(cli("zadd", k + ":z", "1.5", "m")).isEqualTo("1\n");
            assertThat(cli("zscore", k + ":z", "m")).isEqualTo("1.5\n");
        }
        assertThat(cli("mget", keys.get(0), keys.get(1), keys.get(2)))
                .isEqualTo("hello world\nhello world\nhello world\n");
        assertThat(cli("ping")).isEqualTo("PONG\n");
        assertThat(cli("--no-raw", "get", keys.get(0))).isEqualTo("\"hello world\"\n");
        // RESP3: a map, printed one pair per line (as redis-cli does with redis-server).
        assertThat(cli("-3", "hgetall", keys.get(1) + ":h")).isEqualTo("f1 a\nf2 b\n");
        assertThat(cli("get", "cli:missing")).isEqualTo("\n");
        assertThat(cli("lpush", keys.get(0), "x")).startsWith("WRONGTYPE");
    }

    /** Not on a terminal, redis-cli reads commands from stdin line by line and prints raw replies. */
    @Test
    void commandsFromStdin() throws Exception {
        List<String> keys = E2eKeys.onePerGroup(cluster, "stdin:");
        Path in = dir.resolve("stdin.txt");
        StringBuilder script = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (String k : keys) {
            script.append("set ").append(k).append(" \"a b\"\nget ").append(k).append('\n')
                    .append("sadd ").append(k).append(":s x y\nscard ").append(k).append(":s\n");
            expected.append("OK\na b\n2\n2\n");
        }
        script.append("del ").append(String.join(" ", keys)).append('\n');
        expected.append(keys.size()).append('\n');
        script.append("exists ").append(String.join(" ", keys)).append('\n');
        expected.append("0\n");
        Files.writeString(in, script);
        assertThat(run(in).stdout()).isEqualTo(expected.toString());
    }

    /**
     * The interactive prompt, on a pseudo-terminal made by {@code script(1)}: redis-cli asks
     * {@code COMMAND DOCS} for its help first, then prints prompts and formatted replies.
     * {@code TERM=dumb} keeps linenoise from querying the cursor position.
     */
    @Test
    void interactivePromptOnATerminal() throws Exception {
        String scriptTool = ExternalTool.find("script");
        assumeTrue(scriptTool != null, "script(1) not found: no pseudo-terminal");
        String k = E2eKeys.onePerGroup(cluster, "tty:").get(1);
        Path in = dir.resolve("tty.txt");
        Files.writeString(in, "set " + k + " 1\nincr " + k + "\nget " + k + "\nhset " + k
                + ":h f v\nhgetall " + k + ":h\nnosuch\n");
        String cmdLine = redisCli + " -h " + cluster.host() + " -p " + cluster.gatewayPort();
        ExternalTool.Run r = ExternalTool.run(List.of(scriptTool, "-qec", cmdLine, "/dev/null"), in,
                Map.of("TERM", "dumb"), 60);
        String out = r.stdout().replace("\r", "");
        String prompt = cluster.host() + ":" + cluster.gatewayPort() + "> ";
        assertThat(out).contains(prompt + "OK\n", prompt + "(integer) 2\n", prompt + "\"2\"\n",
                prompt + "(integer) 1\n", prompt + "1) \"f\"\n2) \"v\"\n",
                prompt + "(error) ERR unknown command 'nosuch', with args beginning with: \n");
    }

    /** {@code redis-cli --pipe}: 100,000 SETs as a RESP stream, then DBSIZE and spot checks. */
    @Test
    void pipeMassInsertion() throws Exception {
        int n = 100_000;
        Path file = dir.resolve("mass.resp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (int i = 0; i < n; i++) {
                out.write(resp("SET", "mass:" + i, "value-" + i));
            }
        }
        assertThat(cli("flushall")).isEqualTo("OK\n");
        ExternalTool.Run r = run(file, "--pipe");
        System.out.println("redis-cli --pipe: " + r.stdout().trim().replace('\n', ' '));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("errors: 0, replies: " + n);
        assertThat(cli("dbsize")).isEqualTo(n + "\n");
        for (int i : new int[] {0, 1, 4242, 50_000, 77_777, n - 1}) {
            assertThat(cli("get", "mass:" + i)).isEqualTo("value-" + i + "\n");
        }
        assertThat(cli("exists", "mass:" + n)).isEqualTo("0\n");
    }

    private static byte[] resp(String... args) {
        StringBuilder sb = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
