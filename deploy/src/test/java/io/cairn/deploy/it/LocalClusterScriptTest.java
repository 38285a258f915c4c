package io.cairn.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.deploy.Cairn;
import io.cairn.testing.Ports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/local-cluster.sh start|status|stop DIR} as a user runs it (the launcher given
 * through {@code CAIRN_LAUNCH} as this test's classpath, so no jar build is needed, and free
 * ports through {@code PORT_BASE} / {@code GATEWAY_PORT_BASE}): 3 meta, 3 store and 2 gateway
 * processes come up, both gateways answer PING and SET/GET, {@code status} lists every process
 * and the admin status table, and {@code stop} leaves no process behind.
 */
class LocalClusterScriptTest {
    private static final Path SCRIPT = Path.of("local-cluster.sh").toAbsolutePath();

    @TempDir
    Path tmp;

    private Path dir;
    private int portBase;
    private int gatewayPortBase;

    private record Run(int code, String output) {}

    private Run script(String command) throws IOException, InterruptedException {
        Path childTmp = Files.createDirectories(tmp.resolve("child-tmp"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), command, dir.toString());
        Map<String, String> env = pb.environment();
        env.put("CAIRN_LAUNCH", String.join(" ", java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + childTmp, "-cp", System.getProperty("java.class.path"), Cairn.class.getName()));
        env.put("PORT_BASE", Integer.toString(portBase));
        env.put("GATEWAY_PORT_BASE", Integer.toString(gatewayPortBase));
        env.remove("ROLES");
        pb.redirectErrorStream(true);
        Path out = tmp.resolve(command + ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("local-cluster.sh " + command + " did not finish in 240 s:\n" + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** The pids the script recorded (one file per process). */
    private List<Long> pids() throws IOException {
        List<Long> out = new ArrayList<>();
        Path pids = dir.resolve("pids");
        if (Files.isDirectory(pids)) {
            try (var files = Files.list(pids)) {
                for (Path f : files.toList()) {
                    out.add(Long.parseLong(Files.readString(f).trim()));
                }
            }
        }
        return out;
    }

    /**
     * Running, not a zombie: the script's processes outlive the bash that started them, and
     * whoever inherits them (PID 1 in a container) may be slow to reap them once they exit.
     */
    private static boolean alive(long pid) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false; // gone meanwhile
        }
    }

    @AfterEach
    void noProcessLeftBehind() throws Exception {
        if (dir == null) {
            return;
        }
        List<Long> left = pids().stream().filter(LocalClusterScriptTest::alive).toList();
        if (!left.isEmpty()) {
            script("stop");
            for (long pid : left) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    @Timeout(600)
    void startServesThroughBothGatewaysStatusShowsItStopLeavesNothing() throws Exception {
        dir = tmp.resolve("cluster");
        portBase = Ports.freePortBlock(34);
        gatewayPortBase = Ports.freePortBlock(3);

        Run start = script("start");
        assertThat(start.code()).as(start.output()).isZero();
        assertThat(start.output()).contains("meta-1: ready", "meta-3: ready", "store-1: ready", "store-3: ready",
                "gateway-1: ready", "gateway-2: ready");
        assertThat(pids()).hasSize(8).allMatch(LocalClusterScriptTest::alive);
        assertThat(Files.readString(dir.resolve("conf/store-2.properties")))
                .contains("meta.address=127.0.0.1:" + (portBase + 1) + ",127.0.0.1:" + (portBase + 2));

        for (int g = 1; g <= 2; g++) {
            int port = gatewayPortBase + g;
            assertThat(RespCall.call(port, "PING")).as("PING gateway-%d", g).isEqualTo("+PONG\r\n");
            for (String key : new String[] {"a", "b", "c", "{user1}x"}) {
                String value = key + "-via-" + g;
                assertThat(RespCall.call(port, "SET", key, value)).as("SET %s via gateway-%d", key, g)
                        .isEqualTo("+OK\r\n");
                assertThat(RespCall.call(port, "GET", key)).isEqualTo(StoreServiceClient.bulk(value));
            }
        }
        // What one gateway wrote, the other reads.
        assertThat(RespCall.call(gatewayPortBase + 1, "GET", "a")).isEqualTo(StoreServiceClient.bulk("a-via-2"));

        Run status = script("status");
        assertThat(status.code()).as(status.output()).isZero();
        assertThat(status.output()).containsPattern("(?m)^meta-1 +up \\(pid \\d+\\)")
                .containsPattern("(?m)^store-3 +up \\(pid \\d+\\)")
                .containsPattern("(?m)^gateway-2 +up \\(pid \\d+\\)")
                .contains("cairn admin --meta 127.0.0.1:" + (portBase + 1), "map version ", "GROUP  SLOTS",
                        "0-5461", "10923-16383");

        List<Long> before = pids();
        Run stop = script("stop");
        assertThat(stop.code()).as(stop.output()).isZero();
        assertThat(stop.output()).contains("gateway-1: stopped", "store-1: stopped", "meta-3: stopped")
                .doesNotContain("SIGKILL");
        assertThat(before).noneMatch(LocalClusterScriptTest::alive);
        assertThat(pids()).isEmpty();

        Run after = script("status");
        assertThat(after.output()).containsPattern("(?m)^meta-1 +not running").containsPattern("(?m)^gateway-2 +not running")
                .doesNotContain("cairn admin");
    }
}
