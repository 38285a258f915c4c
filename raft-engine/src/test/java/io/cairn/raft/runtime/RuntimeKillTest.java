package io.cairn.raft.runtime;

import static io.cairn.testing.Ports.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Design rule 5, "durable before acknowledged", for the whole node: three real nodes, each in its
 * own JVM ({@link RuntimeNodeProcess}), SIGKILLed through their ProcessHandles. A value counts as
 * acknowledged only once its node printed {@code ok} after the proposal's future completed; every
 * acknowledged value must survive, in acknowledgement order, on every node.
 */
class RuntimeKillTest {
    private static final long GROUP = 1;
    private static final long[] IDS = {1, 2, 3};

    @TempDir
    Path tmp;

    private final Map<Long, Integer> ports = new TreeMap<>();
    private final Map<Long, Node> nodes = new TreeMap<>();
    private final List<Process> spawned = new ArrayList<>();

    /** One child JVM and its line protocol. */
    private final class Node {
        final long id;
        final Process process;
        final Writer stdin;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Node(long id) throws IOException {
            this.id = id;
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // The child's temp dir is ours: a SIGKILLed JVM cannot delete the RocksDB native library
            // it extracted there, and @TempDir does.
            Path childTmp = Files.createDirectories(tmp.resolve("child-tmp"));
            String peers = ports.entrySet().stream().filter(e -> e.getKey() != id)
                    .map(e -> e.getKey() + "=127.0.0.1:" + e.getValue()).collect(Collectors.joining(","));
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
                    "-Djava.io.tmpdir=" + childTmp, "-cp", System.getProperty("java.class.path"),
                    RuntimeNodeProcess.class.getName(), Long.toString(id), dir(id).toString(),
                    Integer.toString(ports.get(id)), peers, Long.toString(GROUP));
            pb.redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("node-" + id + ".err").toFile()));
            this.process = pb.start();
            spawned.add(process);
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = in.readLine()) != null) {
                        lines.add(l);
                    }
                } catch (IOException ignored) {
                    // the child died
                }
            }, "node-" + id + "-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        void awaitReady() throws Exception {
            String l = lines.poll(30, TimeUnit.SECONDS);
            if (!"ready".equals(l)) {
                throw new AssertionError("node " + id + " did not start (" + l + "); stderr:\n" + stderr(id));
            }
        }

        /** Sends a command; the reply, or null if the child did not answer in time or is gone. */
        String call(String command, long timeoutMillis) throws InterruptedException {
            try {
                stdin.write(command + "\n");
                stdin.flush();
            } catch (IOException e) {
                return null;
            }
            return lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        }

        void kill9() throws Exception {
            // SIGKILL: no shutdown hook, no close, no flush.
            process.toHandle().destroyForcibly();
            process.onExit().get(20, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void killAll() throws Exception {
        for (Process p : spawned) {
            p.destroyForcibly();
        }
        for (Process p : spawned) {
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private Path dir(long id) {
        return tmp.resolve("node-" + id);
    }

    private String stderr(long id) {
        try {
            Path f = tmp.resolve("node-" + id + ".err");
            if (!Files.exists(f)) {
                return "";
            }
            String s = Files.readString(f);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void start(long... ids) throws Exception {
        List<Node> started = new ArrayList<>();
        for (long id : ids) {
            Node n = new Node(id);
            nodes.put(id, n);
            started.add(n);
        }
        for (Node n : started) {
            n.awaitReady();
        }
    }

    private void startCluster() throws Exception {
        for (long id : IDS) {
            ports.put(id, freePort());
        }
        start(IDS);
    }

    /** The live node that says it leads the group, or null. */
    private Node leader() throws InterruptedException {
        for (Node n : nodes.values()) {
            String r = n.call("leader " + GROUP, 5_000);
            if (r != null && r.equals("leader " + n.id)) {
                return n;
            }
        }
        return null;
    }

    private int attempts;

    /**
     * Proposes a fresh value to the current leader until one is acknowledged (bounded); each attempt
     * has its own value, so an unacknowledged attempt that committed anyway cannot be confused with
     * an acknowledged one.
     */
    private String proposeUntilAcked(String prefix, List<String> acked) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Node l = leader();
            if (l == null) {
                Thread.sleep(20);
                continue;
            }
            String value = prefix + "." + attempts++;
            String r = l.call("propose " + GROUP + " " + value, 10_000);
            if (("ok " + value).equals(r)) {
                acked.add(value);
                return value;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no write acknowledged for 20 s; acked so far " + acked.size() + "; stderr:\n"
                + Arrays.stream(IDS).mapToObj(this::stderr).collect(Collectors.joining("\n----\n")));
    }

    private List<String> values(Node n) throws InterruptedException {
        String r = n.call("values " + GROUP, 5_000);
        if (r == null || !r.startsWith("values ")) {
            return null;
        }
        String[] parts = r.split(" ", 3);
        int count = Integer.parseInt(parts[1]);
        List<String> vs = count == 0 ? List.of() : List.of(parts[2].split(","));
        assertThat(vs).hasSize(count);
        return vs;
    }

    /** Waits until every node has applied the same log, containing every acked value in order. */
    private void assertAllNodesHold(List<String> acked) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Map<Long, List<String>> seen = new TreeMap<>();
        while (true) {
            seen.clear();
            for (Node n : nodes.values()) {
                seen.put(n.id, values(n));
            }
            boolean same = seen.values().stream().distinct().count() == 1 && seen.values().iterator().next() != null;
            if (same && isSubsequence(acked, seen.values().iterator().next())) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nodes did not converge on a log holding all " + acked.size()
                        + " acknowledged values " + acked + ":\n" + seen);
            }
            Thread.sleep(50);
        }
        List<String> log = seen.values().iterator().next();
        assertThat(log).doesNotHaveDuplicates();
        assertThat(log.stream().filter(acked::contains).toList())
                .as("acknowledged values, in acknowledgement order").containsExactlyElementsOf(acked);
    }

    private static boolean isSubsequence(List<String> sub, List<String> of) {
        int i = 0;
        for (String v : of) {
            if (i < sub.size() && sub.get(i).equals(v)) {
                i++;
            }
        }
        return i == sub.size();
    }

    @Test
    @Timeout(120)
    @DisplayName("kill -9 of the leader's process: writes continue on a new leader, the node restarts from disk, nothing acknowledged is lost")
    void killLeaderProcess() throws Exception {
        startCluster();
        List<String> acked = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            proposeUntilAcked("a" + i, acked);
        }
        Node old = leader();
        assertThat(old).isNotNull();
        old.kill9();
        nodes.remove(old.id);
        Thread.sleep(300);
        for (int i = 0; i < 40; i++) {
            proposeUntilAcked("b" + i, acked);
        }
        assertThat(leader().id).isNotEqualTo(old.id);
        start(old.id);
        for (int i = 0; i < 10; i++) {
            proposeUntilAcked("c" + i, acked);
        }
        assertAllNodesHold(acked);
    }

    @Test
    @Timeout(120)
    @DisplayName("kill -9 of all three processes at once: after restart every acknowledged value is there")
    void killAllProcesses() throws Exception {
        startCluster();
        List<String> acked = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            proposeUntilAcked("a" + i, acked);
        }
        for (Node n : nodes.values()) {
            n.process.toHandle().destroyForcibly();
        }
        for (Node n : nodes.values()) {
            n.process.onExit().get(20, TimeUnit.SECONDS);
        }
        nodes.clear();
        start(IDS);
        assertAllNodesHold(acked);
        for (int i = 0; i < 10; i++) {
            proposeUntilAcked("b" + i, acked);
        }
        assertAllNodesHold(acked);
    }
}
