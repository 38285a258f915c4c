package io.cairn.store.node;

import static io.cairn.testing.Ports.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.cairn.store.types.Slots;
import io.cairn.store.node.proto.Command;
import io.cairn.store.node.proto.ExecuteRequest;
import io.cairn.store.node.proto.GroupInfo;
import io.cairn.store.node.proto.Result;
import io.cairn.store.node.proto.StatusRequest;
import io.cairn.store.node.proto.StatusResponse;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three store nodes, each a real child JVM running {@link StoreNode#main} with its own config
 * file, three groups of three replicas splitting the slots. A client writes acknowledged keys
 * through whichever node leads (following NOT_LEADER hints, retrying the same session and seq on
 * timeouts and errors); the leader of group 1 is killed with SIGKILL mid-loop and restarted
 * later; every acknowledged write must then be readable, linearizably, with its value.
 */
class StoreClusterKillTest {
    private static final long[] IDS = {1, 2, 3};
    private static final long[] GROUPS = {1, 2, 3};
    private static final int[][] SLOTS = {{0, 5460}, {5461, 10922}, {10923, 16383}};

    @TempDir
    Path tmp;

    private final Map<Long, int[]> ports = new TreeMap<>(); // id -> {raft, service}
    private final Map<Long, Process> processes = new TreeMap<>();
    private final List<Process> spawned = new ArrayList<>();
    private final Map<Long, ManagedChannel> channels = new HashMap<>();
    private final Map<Long, Long> leaderGuess = new HashMap<>();
    private final Map<Long, Long> sessionSeq = new HashMap<>();
    private long maxWriteMillis;
    private long retries;

    @AfterEach
    void stopAll() throws Exception {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (Process p : spawned) {
            p.destroyForcibly();
        }
        for (Process p : spawned) {
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private Path configFile(long id) throws IOException {
        Path f = tmp.resolve("node-" + id + ".properties");
        if (Files.exists(f)) {
            return f;
        }
        Properties p = new Properties();
        p.setProperty("node.id", Long.toString(id));
        p.setProperty("data.dir", tmp.resolve("node-" + id).toString());
        p.setProperty("host", "127.0.0.1");
        p.setProperty("raft.port", Integer.toString(ports.get(id)[0]));
        p.setProperty("service.port", Integer.toString(ports.get(id)[1]));
        p.setProperty("peers", ports.entrySet().stream()
                .map(e -> e.getKey() + "=127.0.0.1:" + e.getValue()[0] + ":" + e.getValue()[1])
                .collect(Collectors.joining(",")));
        for (int i = 0; i < GROUPS.length; i++) {
            p.setProperty("group." + GROUPS[i] + ".members", "1,2,3");
            p.setProperty("group." + GROUPS[i] + ".slots", SLOTS[i][0] + "-" + SLOTS[i][1]);
        }
        p.setProperty("raft.tick.ms", "20");
        p.setProperty("raft.election.ticks", "10");
        p.setProperty("raft.workers", "2");
        p.setProperty("raft.apply.threads", "2");
        p.setProperty("read.threads", "2");
        p.setProperty("request.timeout.ms", "2000");
        try (Writer w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
            p.store(w, "store node " + id);
        }
        return f;
    }

    private void start(long... ids) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The child's temp dir is ours: a SIGKILLed JVM cannot delete the RocksDB native library
        // it extracted there, and @TempDir does.
        Path childTmp = Files.createDirectories(tmp.resolve("child-tmp"));
        for (long id : ids) {
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
                    // C1 only: these short-lived JVMs start faster and leave the 2 cores to the test
                    "-XX:TieredStopAtLevel=1",
                    "-Djava.io.tmpdir=" + childTmp, "-cp", System.getProperty("java.class.path"),
                    StoreNode.class.getName(), "--config", configFile(id).toString());
            pb.redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("node-" + id + ".log").toFile()));
            Process p = pb.start();
            p.getOutputStream().close();
            processes.put(id, p);
            spawned.add(p);
            ManagedChannel old = channels.put(id, NettyChannelBuilder
                    .forAddress("127.0.0.1", ports.get(id)[1]).usePlaintext().build());
            if (old != null) {
                old.shutdownNow(); // a fresh channel: the old one may sit in a long reconnect backoff
            }
        }
        for (long id : ids) {
            await("node " + id + " serving").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .ignoreExceptions().until(() -> {
                        if (!processes.get(id).isAlive()) {
                            throw new AssertionError("node " + id + " exited:\n" + log(id));
                        }
                        return status(id).getGroupsCount() == GROUPS.length;
                    });
        }
    }

    private StatusResponse status(long id) {
        return StoreServiceGrpc.newBlockingStub(channels.get(id)).withDeadlineAfter(1, TimeUnit.SECONDS)
                .status(StatusRequest.getDefaultInstance());
    }

    private String log(long id) {
        try {
            String s = Files.readString(tmp.resolve("node-" + id + ".log"));
            return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void kill9(long id) throws Exception {
        Process p = processes.remove(id);
        p.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook, no close, no flush
        p.onExit().get(20, TimeUnit.SECONDS);
    }

    /** The node whose replica of {@code group} says it leads (bounded wait). */
    private long leaderOf(long group) {
        long[] found = {0};
        await("a leader of group " + group).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    for (long id : processes.keySet()) {
                        try {
                            for (GroupInfo g : status(id).getGroupsList()) {
                                if (g.getGroupId() == group && g.getRole().equals("LEADER")) {
                                    found[0] = id;
                                    return true;
                                }
                            }
                        } catch (StatusRuntimeException e) {
                            // not up
                        }
                    }
                    return false;
                });
        return found[0];
    }

    private static long groupOf(String key) {
        int slot = Slots.slot(key.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < SLOTS.length; i++) {
            if (slot >= SLOTS[i][0] && slot <= SLOTS[i][1]) {
                return GROUPS[i];
            }
        }
        throw new AssertionError(slot);
    }

    private static Command command(long group, String... argv) {
        Command.Builder b = Command.newBuilder().setGroupId(group);
        for (String a : argv) {
            b.addArgv(ByteString.copyFromUtf8(a));
        }
        return b.build();
    }

    /**
     * Runs a command the way a gateway would: on the guessed leader, following NOT_LEADER hints,
     * moving on to the next node on RPC failures, and sending exactly the same command again
     * (same session and seq) until it has a reply. Bounded.
     */
    private String call(long group, Command c, long onlyNode) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long node = onlyNode != 0 ? onlyNode : leaderGuess.getOrDefault(group, 1L);
        String last = "";
        while (System.nanoTime() < deadline) {
            Result r;
            try {
                r = StoreServiceGrpc.newBlockingStub(channels.get(node)).withDeadlineAfter(3, TimeUnit.SECONDS)
                        .execute(ExecuteRequest.newBuilder().setProtocol(2).addCommands(c).build()).getResults(0);
            } catch (StatusRuntimeException e) {
                last = "node " + node + ": " + e.getStatus();
                retries++;
                node = onlyNode != 0 ? onlyNode : next(node);
                Thread.sleep(5);
                continue;
            }
            switch (r.getOutcomeCase()) {
                case RESP:
                    if (onlyNode == 0) {
                        leaderGuess.put(group, node);
                    }
                    return r.getResp().toStringUtf8();
                case NOT_LEADER:
                    long hint = r.getNotLeader().getLeaderId();
                    last = "node " + node + ": not leader, hint " + hint;
                    retries++;
                    if (onlyNode == 0) {
                        node = hint != 0 && hint != node ? hint : next(node);
                    }
                    Thread.sleep(hint == 0 ? 10 : 2);
                    break;
                case ERROR:
                    last = "node " + node + ": " + r.getError();
                    retries++;
                    if (onlyNode == 0) {
                        node = next(node);
                    }
                    Thread.sleep(5);
                    break;
                default:
                    throw new AssertionError("unexpected result from node " + node + ": " + r);
            }
        }
        throw new AssertionError("no reply for " + c.getArgvList().stream().map(ByteString::toStringUtf8).toList()
                + " in group " + group + " within 20 s; last: " + last + "\n" + allLogs());
    }

    private String allLogs() {
        StringBuilder sb = new StringBuilder();
        for (long id : IDS) {
            sb.append("---- node ").append(id).append('\n').append(log(id)).append('\n');
        }
        return sb.toString();
    }

    private static long next(long node) {
        return node % IDS.length + 1;
    }

    /** A write sent to a follower is answered NOT_LEADER naming the leader and its service address. */
    private void assertFollowerRedirects(long group) {
        await("a follower that knows the leader of group " + group).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(10)).until(() -> {
                    long leader = leaderOf(group);
                    long follower = next(leader);
                    int[] slots = SLOTS[(int) group - 1];
                    String key = StoreServiceTest.keyIn("redirect", slots[0], slots[1]);
                    Result r = StoreServiceGrpc.newBlockingStub(channels.get(follower))
                            .withDeadlineAfter(3, TimeUnit.SECONDS)
                            .execute(ExecuteRequest.newBuilder().addCommands(command(group, "SET", key, "x")).build())
                            .getResults(0);
                    if (r.getOutcomeCase() != Result.OutcomeCase.NOT_LEADER || r.getNotLeader().getLeaderId() == 0) {
                        return false;
                    }
                    assertThat(r.getNotLeader().getLeaderId()).isEqualTo(leader);
                    assertThat(r.getNotLeader().getLeaderAddress()).isEqualTo("127.0.0.1:" + ports.get(leader)[1]);
                    return true;
                });
    }

    /** SET key value with the group's session and its next seq; returns once acknowledged. */
    private void write(String key, String value) throws InterruptedException {
        long group = groupOf(key);
        long seq = sessionSeq.merge(group, 1L, Long::sum);
        Command c = command(group, "SET", key, value).toBuilder()
                .setSession(1000 + group).setSeq(seq).setAcked(seq - 1).build();
        long t0 = System.nanoTime();
        assertThat(call(group, c, 0)).isEqualTo("+OK\r\n");
        maxWriteMillis = Math.max(maxWriteMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /**
     * Reads every key back with one batched request per group (the fast path), and key by key
     * through {@link #call} for any result that was not a reply (leader moved meanwhile).
     */
    private void verify(Map<String, String> acked, long onlyNode) throws InterruptedException {
        Map<Long, List<String>> byGroup = new TreeMap<>();
        acked.keySet().forEach(k -> byGroup.computeIfAbsent(groupOf(k), g -> new ArrayList<>()).add(k));
        for (Map.Entry<Long, List<String>> e : byGroup.entrySet()) {
            long group = e.getKey();
            List<String> keys = e.getValue();
            long node = onlyNode != 0 ? onlyNode : leaderGuess.getOrDefault(group, 1L);
            ExecuteRequest.Builder req = ExecuteRequest.newBuilder().setProtocol(2);
            keys.forEach(k -> req.addCommands(command(group, "GET", k)));
            List<Result> rs;
            try {
                rs = StoreServiceGrpc.newBlockingStub(channels.get(node)).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .execute(req.build()).getResultsList();
            } catch (StatusRuntimeException ex) {
                rs = List.of();
            }
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i);
                String got = i < rs.size() && rs.get(i).getOutcomeCase() == Result.OutcomeCase.RESP
                        ? rs.get(i).getResp().toStringUtf8() : call(group, command(group, "GET", k), onlyNode);
                assertThat(got).as("value of %s read via %s", k, onlyNode == 0 ? "the leader" : "node " + onlyNode)
                        .isEqualTo(bulk(acked.get(k)));
            }
        }
    }

    private static String bulk(String v) {
        return "$" + v.length() + "\r\n" + v + "\r\n";
    }

    @Test
    @Timeout(90)
    @DisplayName("kill -9 of a leader's process mid-loop: writes go on, the node restarts, every acknowledged write is read back")
    void killLeaderMidLoop() throws Exception {
        long t0 = System.nanoTime();
        for (long id : IDS) {
            ports.put(id, new int[] {freePort(), freePort()});
        }
        start(IDS);
        long started = System.nanoTime();
        assertFollowerRedirects(2);
        Map<String, String> acked = new LinkedHashMap<>();
        long victim = 0;
        long killedAt = 0;
        int writes = 240;
        for (int i = 0; i < writes; i++) {
            if (i == 80) {
                victim = leaderOf(1);
                kill9(victim);
                killedAt = System.nanoTime();
            }
            if (i == 160) {
                start(victim);
            }
            String key = "key-" + (i % 120); // later writes overwrite earlier ones
            String value = "v" + i;
            write(key, value);
            acked.put(key, value);
        }
        long loopDone = System.nanoTime();
        assertThat(leaderOf(1)).isNotZero();
        // Every acknowledged write, read linearizably through the leaders, then on the restarted
        // node through its own replicas (ReadIndex from a follower, or as the leader).
        verify(acked, 0);
        verify(acked, victim);
        System.out.printf("StoreClusterKillTest: %d acknowledged writes (%d keys), killed node %d after 80, restarted it after 160;"
                        + " startup %d ms, write loop %d ms, slowest write %d ms (across the failover),"
                        + " %d retries; whole test %d ms%n",
                writes, acked.size(), victim, TimeUnit.NANOSECONDS.toMillis(started - t0),
                TimeUnit.NANOSECONDS.toMillis(loopDone - started), maxWriteMillis, retries,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertThat(killedAt).isPositive();
    }
}
