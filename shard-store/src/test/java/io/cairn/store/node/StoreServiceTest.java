package io.cairn.store.node;

import static io.cairn.testing.Ports.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.cairn.store.types.Slots;
import io.cairn.store.node.proto.Command;
import io.cairn.store.node.proto.ExecuteRequest;
import io.cairn.store.node.proto.ExecuteResponse;
import io.cairn.store.node.proto.GroupInfo;
import io.cairn.store.node.proto.Result;
import io.cairn.store.node.proto.StatusRequest;
import io.cairn.store.node.proto.StatusResponse;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real store node (RocksDB, Raft runtime, gRPC on 127.0.0.1) hosting two single-replica
 * static groups, driven through the generated gRPC client.
 */
@Timeout(60)
class StoreServiceTest {
    private static final long G1 = 1;
    private static final long G2 = 2;

    @TempDir
    Path tmp;

    private StoreNode node;
    private ManagedChannel channel;
    private StoreServiceGrpc.StoreServiceBlockingStub stub;

    @BeforeEach
    void start() throws Exception {
        Properties p = new Properties();
        int raft = freePort();
        int service = freePort();
        p.setProperty("node.id", "1");
        p.setProperty("data.dir", tmp.resolve("node").toString());
        p.setProperty("host", "127.0.0.1");
        p.setProperty("raft.port", Integer.toString(raft));
        p.setProperty("service.port", Integer.toString(service));
        p.setProperty("peers", "1=127.0.0.1:" + raft + ":" + service);
        p.setProperty("group.1.members", "1");
        p.setProperty("group.1.slots", "0-8191");
        p.setProperty("group.2.members", "1");
        p.setProperty("group.2.slots", "8192-16383");
        p.setProperty("raft.tick.ms", "10");
        p.setProperty("raft.workers", "2");
        p.setProperty("raft.apply.threads", "2");
        p.setProperty("read.threads", "2");
        p.setProperty("expiry.interval.ms", "20");
        // Short, for slowGroupIsWaitedForPastTheRequestTimeout: a command times out only when its
        // group applies nothing for this long, which a working single-replica group never does.
        p.setProperty("request.timeout.ms", "1000");
        node = StoreNode.start(StoreConfig.from(p));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", node.servicePort()).usePlaintext().build();
        stub = StoreServiceGrpc.newBlockingStub(channel);
        // Both single-replica groups elect themselves within a few election timeouts.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
            StatusResponse s = stub.status(StatusRequest.getDefaultInstance());
            return s.getGroupsCount() == 2 && s.getGroupsList().stream().allMatch(g -> g.getRole().equals("LEADER"));
        });
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (node != null) {
            node.close();
        }
    }

    /** A key whose slot lies in [from, to]. */
    static String keyIn(String prefix, int from, int to) {
        for (int i = 0; ; i++) {
            String k = prefix + i;
            int s = Slots.slot(k.getBytes(StandardCharsets.UTF_8));
            if (s >= from && s <= to) {
                return k;
            }
        }
    }

    static Command cmd(long group, String... argv) {
        Command.Builder b = Command.newBuilder().setGroupId(group);
        for (String a : argv) {
            b.addArgv(ByteString.copyFromUtf8(a));
        }
        return b.build();
    }

    static Command cmd(long group, long session, long seq, String... argv) {
        return cmd(group, argv).toBuilder().setSession(session).setSeq(seq).setAcked(seq - 1).build();
    }

    private List<Result> run(int protocol, Command... commands) {
        ExecuteResponse r = stub.withDeadlineAfter(10, TimeUnit.SECONDS).execute(ExecuteRequest.newBuilder()
                .setProtocol(protocol).addAllCommands(List.of(commands)).build());
        assertThat(r.getResultsCount()).isEqualTo(commands.length);
        return r.getResultsList();
    }

    static String resp(Result r) {
        assertThat(r.getOutcomeCase()).as("outcome of %s", r).isEqualTo(Result.OutcomeCase.RESP);
        return r.getResp().toStringUtf8();
    }

    private String one(int protocol, Command c) {
        return resp(run(protocol, c).get(0));
    }

    @Test
    void writesAndReadsInBothProtocols() {
        String a = keyIn("a", 0, 8191);
        String b = keyIn("b", 8192, 16383);
        List<Result> rs = run(2, cmd(G1, "SET", a, "va"), cmd(G2, "set", b, "vb"), cmd(G1, "GET", a),
                cmd(G2, "GET", b), cmd(G1, "GET", keyIn("missing", 0, 8191)));
        assertThat(rs).extracting(StoreServiceTest::resp)
                .containsExactly("+OK\r\n", "+OK\r\n", "$2\r\nva\r\n", "$2\r\nvb\r\n", "$-1\r\n");
        assertThat(one(3, cmd(G1, "GET", keyIn("missing", 0, 8191)))).isEqualTo("_\r\n");
        assertThat(one(3, cmd(G2, "GET", b))).isEqualTo("$2\r\nvb\r\n");
        assertThat(one(3, cmd(G1, "EXISTS", a, a))).isEqualTo(":2\r\n");
        assertThat(one(2, cmd(G1, "TYPE", a))).isEqualTo("+string\r\n");
        // protocol 0 means RESP2
        assertThat(one(0, cmd(G1, "GET", keyIn("missing", 0, 8191)))).isEqualTo("$-1\r\n");
        // a stale read is served without a read barrier, and sees the committed write here
        assertThat(one(2, cmd(G1, "GET", a).toBuilder().setStaleOk(true).build())).isEqualTo("$2\r\nva\r\n");
        assertThat(one(2, cmd(G1, "DEL", a))).isEqualTo(":1\r\n");
        assertThat(one(2, cmd(G1, "GET", a))).isEqualTo("$-1\r\n");
    }

    @Test
    void redisErrorsAreReplies() {
        String a = keyIn("a", 0, 8191);
        List<Result> rs = run(2, cmd(G1, "NOSUCH", a, "x"), cmd(G1, "GET"), cmd(G1, "GET", a, "extra"),
                cmd(G1, "SET", a), cmd(G1, "cairn.expired", a), cmd(G1));
        assertThat(rs).extracting(StoreServiceTest::resp).containsExactly(
                "-ERR unknown command 'NOSUCH', with args beginning with: '" + a + "' 'x' \r\n",
                "-ERR wrong number of arguments for 'get' command\r\n",
                "-ERR wrong number of arguments for 'get' command\r\n",
                "-ERR wrong number of arguments for 'set' command\r\n",
                // internal commands are not in the table, so no client can send them
                "-ERR unknown command 'cairn.expired', with args beginning with: '" + a + "' \r\n",
                "-ERR empty command\r\n");
        // WRONGTYPE etc. come from the state machine as replies too
        assertThat(one(3, cmd(G1, "SET", a, "v", "NX", "XX"))).isEqualTo("-ERR syntax error\r\n");
    }

    @Test
    void wrongGroup() {
        String inG2 = keyIn("k", 8192, 16383);
        List<Result> rs = run(2, cmd(G1, "SET", inG2, "v"), cmd(G1, "GET", inG2), cmd(7, "GET", inG2),
                cmd(G1, "EXISTS", keyIn("k", 0, 8191), inG2), cmd(G2, "GET", inG2));
        assertThat(rs.subList(0, 4)).allSatisfy(r -> {
            assertThat(r.getOutcomeCase()).isEqualTo(Result.OutcomeCase.WRONG_GROUP);
            assertThat(r.getWrongGroup().getMapVersion()).isEqualTo(1);
        });
        assertThat(resp(rs.get(4))).isEqualTo("$-1\r\n");
        // nothing was written to the wrong group
        assertThat(one(2, cmd(G2, "EXISTS", inG2))).isEqualTo(":0\r\n");
    }

    @Test
    void exactlyOnce() {
        String k = keyIn("k", 0, 8191);
        long session = 77;
        assertThat(one(2, cmd(G1, "SET", k, "v"))).isEqualTo("+OK\r\n");
        Command del = cmd(G1, session, 1, "DEL", k);
        assertThat(one(2, del)).isEqualTo(":1\r\n");
        // The retry (same session and seq) gets the remembered reply and deletes nothing: the key
        // written meanwhile survives, and a re-execution would have answered :1 too but deleted it.
        assertThat(one(2, cmd(G1, "SET", k, "again"))).isEqualTo("+OK\r\n");
        assertThat(one(2, del)).isEqualTo(":1\r\n");
        assertThat(one(2, cmd(G1, "GET", k))).isEqualTo("$5\r\nagain\r\n");
        // SET ... GET remembers the old value it returned, not the current one
        Command setGet = cmd(G1, session, 2, "SET", k, "mine", "GET");
        assertThat(one(2, setGet)).isEqualTo("$5\r\nagain\r\n");
        assertThat(one(2, cmd(G1, "SET", k, "other"))).isEqualTo("+OK\r\n");
        assertThat(one(3, setGet)).isEqualTo("$5\r\nagain\r\n");
        assertThat(one(2, cmd(G1, "GET", k))).isEqualTo("$5\r\nother\r\n");
        // A seq the client already acknowledged is refused, not re-applied.
        assertThat(one(2, cmd(G1, session, 3, "SET", k, "x"))).isEqualTo("+OK\r\n");
        assertThat(one(2, cmd(G1, session, 2, "SET", k, "mine", "GET"))).startsWith("-ERR");
        assertThat(one(2, cmd(G1, "GET", k))).isEqualTo("$1\r\nx\r\n");
    }

    @Test
    void oneRequestKeepsPipelineOrderWithinAGroup() {
        String k = keyIn("p", 0, 8191);
        List<Result> rs = run(2, cmd(G1, "GET", k), cmd(G1, "SET", k, "1"), cmd(G1, "GET", k), cmd(G1, "SET", k, "2"),
                cmd(G1, "SET", k, "3", "GET"), cmd(G1, "GET", k), cmd(G1, "DEL", k), cmd(G1, "EXISTS", k));
        assertThat(rs).extracting(StoreServiceTest::resp).containsExactly("$-1\r\n", "+OK\r\n", "$1\r\n1\r\n",
                "+OK\r\n", "$1\r\n2\r\n", "$1\r\n3\r\n", ":1\r\n", ":0\r\n");
    }

    @Test
    void incrRetriedWithTheSameSessionAndSeqIncrementsOnce() {
        String k = keyIn("counter", 0, 8191);
        Command incr = cmd(G1, 5, 1, "INCR", k);
        assertThat(one(2, incr)).isEqualTo(":1\r\n");
        assertThat(one(2, incr)).isEqualTo(":1\r\n");
        // the same retry in one request with itself: still once
        assertThat(run(3, incr, incr)).extracting(StoreServiceTest::resp).containsExactly(":1\r\n", ":1\r\n");
        assertThat(one(2, cmd(G1, "GET", k))).isEqualTo("$1\r\n1\r\n");
        assertThat(one(2, cmd(G1, 5, 2, "INCR", k))).isEqualTo(":2\r\n");
        // without a session, each send is a new write
        assertThat(one(2, cmd(G1, "INCR", k))).isEqualTo(":3\r\n");
    }

    /**
     * 60 SINTERSTOREs of two sets of 3,000 members (made here, in {@code a}'s slot) by session
     * {@code session}: a request of group 1 that takes a while to apply.
     */
    private List<Command> slowCommands(String a, long session) {
        String b = a.replace("}a", "}b");
        String dst = a.replace("}a", "}dst");
        for (String set : new String[] {a, b}) {
            List<String> argv = new ArrayList<>(List.of("SADD", set));
            for (int i = 0; i < 3000; i++) {
                argv.add(set + ":" + i);
            }
            assertThat(one(2, cmd(G1, argv.toArray(String[]::new)))).isEqualTo(":3000\r\n");
        }
        List<Command> slow = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            slow.add(cmd(G1, session, i + 1, "SINTERSTORE", dst, a, b));
        }
        return slow;
    }

    /**
     * One request whose commands take several times {@code request.timeout.ms} to apply: the
     * group keeps applying, so every command gets its real reply, none the time-out error (before,
     * the commands still waiting at 1 s were answered "timeout" although they went on to apply).
     */
    @Test
    void slowGroupIsWaitedForPastTheRequestTimeout() {
        String a = "{" + keyIn("slow", 0, 8191) + "}a";
        String counter = a.replace("}a", "}n");
        List<Command> slow = slowCommands(a, 9);
        slow.add(cmd(G1, 9, 61, "INCR", counter));
        long start = System.nanoTime();
        ExecuteResponse r = stub.withDeadlineAfter(120, TimeUnit.SECONDS).execute(ExecuteRequest.newBuilder()
                .setProtocol(2).addAllCommands(slow).build());
        System.out.println("slow group: 61 commands in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                + " ms, request.timeout.ms 1000");
        assertThat(r.getResultsList().subList(0, 60)).extracting(StoreServiceTest::resp).containsOnly(":0\r\n");
        assertThat(resp(r.getResults(60))).isEqualTo(":1\r\n");
        assertThat(one(2, cmd(G1, "GET", counter))).isEqualTo("$1\r\n1\r\n");
    }

    @Test
    void keylessCommandsNeedNoSlot() {
        assertThat(one(2, cmd(G1, "SET", keyIn("a", 0, 8191), "1"))).isEqualTo("+OK\r\n");
        assertThat(one(2, cmd(G2, "SET", keyIn("b", 8192, 16383), "1"))).isEqualTo("+OK\r\n");
        // each group counts its own keys
        assertThat(run(2, cmd(G1, "DBSIZE"), cmd(G2, "DBSIZE"))).extracting(StoreServiceTest::resp)
                .containsExactly(":1\r\n", ":1\r\n");
        assertThat(one(2, cmd(G2, "FLUSHALL"))).isEqualTo("+OK\r\n");
        assertThat(run(2, cmd(G1, "DBSIZE"), cmd(G2, "DBSIZE"))).extracting(StoreServiceTest::resp)
                .containsExactly(":1\r\n", ":0\r\n");
    }

    @Test
    void manyCommandsInOneRequestAnswerInOrder() {
        List<Command> cs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String k = "many" + i;
            long g = Slots.slot(k.getBytes(StandardCharsets.UTF_8)) < 8192 ? G1 : G2;
            cs.add(cmd(g, "SET", k, "v" + i));
            cs.add(cmd(g, "GET", k));
        }
        List<Result> rs = run(2, cs.toArray(Command[]::new));
        for (int i = 0; i < 200; i++) {
            assertThat(resp(rs.get(2 * i))).isEqualTo("+OK\r\n");
            String v = "v" + i;
            // a read sees the writes before it in the request (same group), as in a pipeline
            assertThat(resp(rs.get(2 * i + 1))).isEqualTo("$" + v.length() + "\r\n" + v + "\r\n");
        }
        for (int i = 0; i < 200; i++) {
            String k = "many" + i;
            long g = Slots.slot(k.getBytes(StandardCharsets.UTF_8)) < 8192 ? G1 : G2;
            String v = "v" + i;
            assertThat(one(2, cmd(g, "GET", k))).isEqualTo("$" + v.length() + "\r\n" + v + "\r\n");
        }
    }

    private long lastIndex(long group) {
        return stub.status(StatusRequest.getDefaultInstance()).getGroupsList().stream()
                .filter(g -> g.getGroupId() == group).findFirst().orElseThrow().getLastIndex();
    }

    /**
     * A request's consecutive writes to a group go to Raft as one entry (up to
     * {@code StoreCommand.MAX_BATCH} of them), a read between them ends the run: each write still
     * gets its own reply, an error stays its own command's, and reads see the writes before them.
     */
    @Test
    void consecutiveWritesOfARequestShareOneRaftEntry() {
        String list = keyIn("batchlist", 0, 8191);
        List<Command> cs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            cs.add(cmd(G1, 77, i + 1, "SET", keyIn("batch" + i + "-", 0, 8191), "v" + i));
        }
        cs.add(cmd(G1, 77, 301, "RPUSH", list, "x"));
        cs.add(cmd(G1, 77, 302, "INCR", list)); // wrong type: this command's error only
        cs.add(cmd(G1, "LLEN", list));
        cs.add(cmd(G1, 77, 303, "RPUSH", list, "y"));
        cs.add(cmd(G1, 77, 304, "RPUSH", list, "z"));
        long before = lastIndex(G1);
        List<Result> rs = run(2, cs.toArray(Command[]::new));
        long entries = lastIndex(G1) - before;
        for (int i = 0; i < 300; i++) {
            assertThat(resp(rs.get(i))).isEqualTo("+OK\r\n");
        }
        assertThat(resp(rs.get(300))).isEqualTo(":1\r\n");
        assertThat(resp(rs.get(301))).startsWith("-WRONGTYPE");
        assertThat(resp(rs.get(302))).isEqualTo(":1\r\n");
        assertThat(resp(rs.get(303))).isEqualTo(":2\r\n");
        assertThat(resp(rs.get(304))).isEqualTo(":3\r\n");
        // 304 writes: 256 + 46 before the read, 2 after it (the runtime may add its own entries)
        assertThat(entries).as("Raft entries for 304 writes").isBetween(3L, 6L);
        assertThat(one(2, cmd(G1, "GET", keyIn("batch299-", 0, 8191)))).isEqualTo("$4\r\nv299\r\n");
        // a retry of the whole request (same sessions and seqs) applies nothing again
        assertThat(run(2, cs.toArray(Command[]::new)).get(304)).extracting(StoreServiceTest::resp).isEqualTo(":3\r\n");
        assertThat(one(2, cmd(G1, "LLEN", list))).isEqualTo(":3\r\n");
    }

    /**
     * While a group's entry is being applied, writes that arrive from other requests wait at the
     * group's proposer and leave together as one entry when it is applied: 40 single-SET requests
     * sent during a slow entry cost a few Raft entries, not 40, and each gets its own reply.
     */
    @Test
    void writesArrivingWhileAnEntryIsInFlightShareTheNextOne() throws Exception {
        String a = "{" + keyIn("coalesce", 0, 8191) + "}a";
        List<Command> slow = slowCommands(a, 8);
        long before = lastIndex(G1);
        StoreServiceGrpc.StoreServiceFutureStub async = StoreServiceGrpc.newFutureStub(channel);
        var slowReply = async.withDeadlineAfter(60, TimeUnit.SECONDS)
                .execute(ExecuteRequest.newBuilder().setProtocol(2).addAllCommands(slow).build());
        List<com.google.common.util.concurrent.ListenableFuture<ExecuteResponse>> sets = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            sets.add(async.withDeadlineAfter(60, TimeUnit.SECONDS).execute(ExecuteRequest.newBuilder().setProtocol(2)
                    .addCommands(cmd(G1, 100 + i, 1, "SET", a.replace("}a", "}k" + i), "v" + i)).build()));
        }
        assertThat(slowReply.get(60, TimeUnit.SECONDS).getResultsList()).extracting(StoreServiceTest::resp)
                .containsOnly(":0\r\n");
        for (var f : sets) {
            assertThat(resp(f.get(60, TimeUnit.SECONDS).getResults(0))).isEqualTo("+OK\r\n");
        }
        long entries = lastIndex(G1) - before;
        // one for the slow request; the 40 SETs arrived while it was applied: one or two more
        // (a few if some arrived before it was proposed), never one each
        assertThat(entries).as("Raft entries for 1 slow request and 40 SETs").isBetween(2L, 10L);
        assertThat(one(2, cmd(G1, "GET", a.replace("}a", "}k39")))).isEqualTo("$3\r\nv39\r\n");
    }

    /** Runs one command through an asynchronous stub; returns the thread its reply arrived on. */
    private static Thread replyThread(ManagedChannel ch, Command c, String expected) throws Exception {
        java.util.concurrent.CompletableFuture<Thread> on = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.atomic.AtomicReference<ExecuteResponse> got = new java.util.concurrent.atomic.AtomicReference<>();
        StoreServiceGrpc.newStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS).execute(
                ExecuteRequest.newBuilder().setProtocol(2).addCommands(c).build(),
                new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(ExecuteResponse r) {
                        got.set(r);
                        on.complete(Thread.currentThread());
                    }

                    @Override
                    public void onError(Throwable t) {
                        on.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        Thread t = on.get(10, TimeUnit.SECONDS);
        assertThat(resp(got.get().getResults(0))).isEqualTo(expected);
        return t;
    }

    @Test
    @org.junit.jupiter.api.DisplayName("a cheap read whose barrier a leader lease passed runs on the thread that made the"
            + " call (in-process: the caller's own, no hop at all) and sees the write acknowledged before it; a"
            + " heavy read runs on the read pool")
    void cheapReadsRunInline() throws Exception {
        String k = keyIn("inline", 0, 8191);
        ManagedChannel local = io.cairn.raft.transport.GrpcChannels.open("127.0.0.1", node.servicePort(), 1 << 20,
                true, null);
        try {
            assertThat(io.cairn.raft.transport.GrpcChannels.isInProcessNow(local)).isTrue();
            // Eventually (the group holds its lease nearly always; a stalled machine may miss it).
            int[] round = {0};
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                String v = "v" + round[0]++;
                one(2, cmd(G1, "SET", k, v));
                long before = node.inlineReads();
                Thread on = replyThread(local, cmd(G1, "GET", k), "$" + v.length() + "\r\n" + v + "\r\n");
                return node.inlineReads() == before + 1 && on == Thread.currentThread();
            });
            long before = node.inlineReads();
            replyThread(local, cmd(G1, "KEYS", k), "*1\r\n$" + k.length() + "\r\n" + k + "\r\n");
            replyThread(local, cmd(G1, "LRANGE", k, "0", "-1"),
                    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
            assertThat(node.inlineReads()).isEqualTo(before);
        } finally {
            local.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @org.junit.jupiter.api.DisplayName("only fast reads with few arguments run inline: GET, HGET, EXISTS, TTL, small MGET;"
            + " not writes, KEYS, SCAN, ranges, whole collections, scans Redis does in O(log N), DBSIZE, nor a long MGET")
    void whichReadsRunInline() {
        io.cairn.store.types.CommandTable t = io.cairn.store.types.CommandTable.standard();
        for (String c : List.of("get", "mget", "exists", "hget", "ttl", "type", "strlen", "sismember", "zscore",
                "llen", "hmget", "scard", "zcard")) {
            assertThat(StoreServiceImpl.runsInline(t.lookup(c), 3)).as(c).isTrue();
        }
        for (String c : List.of("set", "incr", "keys", "scan", "zrange", "lrange", "smembers", "hgetall", "zrank",
                "zcount", "dbsize", "getrange", "sunion")) {
            assertThat(StoreServiceImpl.runsInline(t.lookup(c), 3)).as(c).isFalse();
        }
        // COMMAND still reports Redis's flags: the five that walk here are "fast" as in Redis.
        for (String c : List.of("zcount", "zlexcount", "zrank", "zrevrank", "dbsize")) {
            assertThat(t.lookup(c).flags()).as(c).contains(io.cairn.store.types.CommandFlag.FAST);
        }
        assertThat(StoreServiceImpl.runsInline(t.lookup("mget"), StoreServiceImpl.INLINE_MAX_ARGS)).isTrue();
        assertThat(StoreServiceImpl.runsInline(t.lookup("mget"), StoreServiceImpl.INLINE_MAX_ARGS + 1)).isFalse();
    }

    /** Prints one-at-a-time latencies (second round warm); asserts only that all succeed. */
    @Test
    void sequentialLatency() {
        String k = keyIn("lat", 0, 8191);
        for (int round = 0; round < 2; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                one(2, cmd(G1, "SET", k, "v" + i));
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                one(2, cmd(G1, "GET", k));
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                one(2, cmd(G1, "GET", k).toBuilder().setStaleOk(true).build());
            }
            long t3 = System.nanoTime();
            System.out.printf("sequential, one node: SET %.2f ms, GET %.2f ms, stale GET %.2f ms%n",
                    (t1 - t0) / 100e6, (t2 - t1) / 100e6, (t3 - t2) / 100e6);
        }
    }

    @Test
    void activeExpiryDeletesExpiredKeys() {
        String k = keyIn("ttl", 0, 8191);
        assertThat(one(2, cmd(G1, "SET", k, "v", "PX", "30"))).isEqualTo("+OK\r\n");
        // The leader proposes the deletion: the key's record goes from the data store itself,
        // not only from what reads see.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> node.stateMachines().get(G1).expiredKeys(Long.MAX_VALUE, 10).isEmpty());
        assertThat(one(2, cmd(G1, "EXISTS", k))).isEqualTo(":0\r\n");
    }

    @Test
    void statusAndBadProtocol() {
        StatusResponse s = stub.status(StatusRequest.getDefaultInstance());
        assertThat(s.getNodeId()).isEqualTo(1);
        assertThat(s.getGroupsList()).extracting(GroupInfo::getGroupId).containsExactly(G1, G2);
        assertThat(s.getGroups(0).getSlotsList()).containsExactly("0-8191");
        assertThat(s.getGroups(1).getVotersList()).containsExactly(1L);
        assertThat(s.getGroups(0).getLeaderId()).isEqualTo(1);
        assertThatThrownBy(() -> run(4, cmd(G1, "GET", "a"))).isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("INVALID_ARGUMENT");
    }
}
