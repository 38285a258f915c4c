package io.cairn.store.node;

import static io.cairn.store.node.StoreServiceTest.cmd;
import static io.cairn.testing.Ports.freePort;
import static io.cairn.store.node.StoreServiceTest.keyIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.proto.MigrateSlotsRequest;
import io.cairn.meta.proto.MigrateSlotsResponse;
import io.cairn.meta.proto.MigrationStep;
import io.cairn.meta.proto.StoreControlGrpc;
import io.cairn.store.node.proto.Command;
import io.cairn.store.node.proto.ExecuteRequest;
import io.cairn.store.node.proto.Result;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.cairn.store.replica.SlotMoving;
import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Reply;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

/**
 * A whole slot migration between two groups on real store nodes, step by step through
 * {@code StoreControl.MigrateSlots} over gRPC, while a writer keeps writing keys of the moving
 * slots (docs/slot-migration.md). Group 1 (the source) has voters on both stores, group 2 (the
 * target) one on store 2, so the copy crosses nodes and may have to follow a not-leader answer.
 *
 * <p>Static mode: the stores' map pre-check (SlotOwnership) keeps naming group 1 for the slots, so
 * after the migration the test reads the target through its state machine instead of Execute;
 * the map side (CommitMigration) is the meta service's and is tested there.
 */
@Timeout(120)
class SlotMigrationNodeTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int FIRST = 100;
    private static final int LAST = 103;
    /** The map version the target is prepared at (the stores' static map is version 1). */
    private static final long SERVE_AFTER = 5;
    /** The source's FREEZE entry, once frozen. */
    private volatile long frozenIndex;

    @TempDir
    Path tmp;

    private final StoreNode[] nodes = new StoreNode[2];
    private final ManagedChannel[] channels = new ManagedChannel[2];

    @AfterEach
    void stop() throws Exception {
        for (ManagedChannel c : channels) {
            if (c != null) {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        for (StoreNode n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }

    private void start() throws Exception {
        int[] raft = {freePort(), freePort()};
        int[] service = {freePort(), freePort()};
        String peers = "1=127.0.0.1:" + raft[0] + ":" + service[0] + ",2=127.0.0.1:" + raft[1] + ":" + service[1];
        for (int i = 0; i < 2; i++) {
            Properties p = new Properties();
            p.setProperty("node.id", Integer.toString(i + 1));
            p.setProperty("data.dir", tmp.resolve("node" + (i + 1)).toString());
            p.setProperty("host", "127.0.0.1");
            p.setProperty("raft.port", Integer.toString(raft[i]));
            p.setProperty("service.port", Integer.toString(service[i]));
            p.setProperty("peers", peers);
            p.setProperty("group.1.members", "1,2");
            p.setProperty("group.1.slots", "0-8191");
            p.setProperty("group.2.members", "2");
            p.setProperty("group.2.slots", "8192-16383");
            p.setProperty("raft.tick.ms", "20");
            p.setProperty("raft.workers", "1");
            p.setProperty("raft.apply.threads", "1");
            p.setProperty("read.threads", "2");
            p.setProperty("request.timeout.ms", "5000");
            nodes[i] = StoreNode.start(StoreConfig.from(p));
        }
        for (int i = 0; i < 2; i++) {
            channels[i] = NettyChannelBuilder.forAddress("127.0.0.1", nodes[i].servicePort()).usePlaintext().build();
        }
        await().atMost(WAIT).until(() -> leaderOf(1) >= 0 && leaderOf(2) == 1);
    }

    /** Index (0, 1) of the node whose state machine says it leads the group, or -1. */
    private int leaderOf(long group) {
        for (int i = 0; i < 2; i++) {
            var sm = nodes[i].stateMachines().get(group);
            if (sm != null && sm.leaderId() == i + 1) {
                return i;
            }
        }
        return -1;
    }

    private Result exec(int node, Command c) {
        return StoreServiceGrpc.newBlockingStub(channels[node]).withDeadlineAfter(20, TimeUnit.SECONDS)
                .execute(ExecuteRequest.newBuilder().setProtocol(2).addCommands(c).build()).getResults(0);
    }

    private MigrateSlotsResponse migrate(int node, long group, MigrationStep step, long since, boolean sessions,
                                         String sourceAddress) {
        MigrateSlotsRequest.Builder b = MigrateSlotsRequest.newBuilder().setGroupId(group).setFirstSlot(FIRST)
                .setLastSlot(LAST).setStep(step).setAttempt(1).setSinceIndex(since).setWithSessions(sessions);
        if (sourceAddress != null) {
            b.setSourceGroup(1).setSourceAddress(sourceAddress);
        }
        if (step == MigrationStep.PREPARE_TARGET) {
            b.setServeAfterVersion(SERVE_AFTER);
        }
        if (step == MigrationStep.COPY && sessions) {
            b.setFrozenIndex(frozenIndex); // the final round exports without a read barrier
        }
        return StoreControlGrpc.newBlockingStub(channels[node]).withDeadlineAfter(60, TimeUnit.SECONDS)
                .migrateSlots(b.build());
    }

    /**
     * A step at the group's leader, asserted done (asked again, as the driver would, while the
     * leadership moves and the store answers done = false). A COPY is sent the address of the
     * store that does not lead the source group, so it has to follow a not-leader answer.
     */
    private MigrateSlotsResponse step(long group, MigrationStep step, long since, boolean sessions) {
        AtomicReference<MigrateSlotsResponse> done = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            int leader = leaderOf(group);
            int source = leaderOf(1);
            if (leader < 0 || source < 0) {
                return false;
            }
            String other = "127.0.0.1:" + nodes[1 - source].servicePort();
            MigrateSlotsResponse r = migrate(leader, group, step, since, sessions,
                    step == MigrationStep.COPY ? other : null);
            assertThat(r.getError()).as("%s", step).isEmpty();
            done.set(r);
            return r.getDone();
        });
        return done.get();
    }

    /**
     * Writes keys of the moving slots through group 1's leader, one at a time with an exactly-once
     * session: SET of a new key, every 5th op an HINCRBY of a shared hash, every 7th a DEL of an
     * earlier key. Only acknowledged writes enter {@code expected}; a refusal ("moving") means not
     * applied; an unknown outcome is retried with the same seq until it is known.
     */
    private final class Writer extends Thread {
        final String[] tags = new String[LAST - FIRST + 1];
        final Map<String, String> expected = new ConcurrentHashMap<>();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        long hash;

        Writer() {
            super("migration-writer");
            for (int s = FIRST; s <= LAST; s++) {
                String k = keyIn("t", s, s);
                tags[s - FIRST] = "{" + k + "}";
            }
        }

        @Override
        public void run() {
            try {
                long seq = 0;
                for (int i = 0; !stop.get(); i++) {
                    String tag = tags[i % tags.length];
                    String[] op;
                    if (i % 5 == 4) {
                        op = new String[] {"hincrby", tags[0] + "hash", "f", "1"};
                    } else if (i % 7 == 6) {
                        op = new String[] {"del", tags[(i - 3) % tags.length] + "k" + (i - 3)};
                    } else {
                        op = new String[] {"set", tag + "k" + i, "v" + i};
                    }
                    seq++;
                    Result r;
                    do {
                        int leader = leaderOf(1);
                        r = exec(Math.max(0, leader), cmd(1, 77, seq, op));
                    } while (r.getOutcomeCase() == Result.OutcomeCase.ERROR
                            || r.getOutcomeCase() == Result.OutcomeCase.NOT_LEADER);
                    if (r.getOutcomeCase() == Result.OutcomeCase.WRONG_GROUP) {
                        assertThat(r.getWrongGroup().getMoving()).isTrue();
                        refused.incrementAndGet();
                        Thread.sleep(2); // the gateway's backoff; nothing to wait for here
                        continue;
                    }
                    String reply = r.getResp().toStringUtf8();
                    assertThat(reply).doesNotStartWith("-");
                    switch (op[0]) {
                        case "set" -> expected.put(op[1], op[2]);
                        case "del" -> expected.remove(op[1]);
                        default -> expected.put(op[1] + "/f", Long.toString(++hash));
                    }
                    acked.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }
    }

    @Test
    void theWholeStepSequenceMovesEveryAcknowledgedWriteToTheTarget() throws Exception {
        start();
        Writer writer = new Writer();
        // a hash of ~2.5 MB: the copy streams it over several ExportSlots messages and ingest entries
        String big = writer.tags[1] + "big";
        String pad = "x".repeat(80);
        for (int b = 0; b < 25; b++) {
            String[] args = new String[2 + 2000];
            args[0] = "HSET";
            args[1] = big;
            for (int j = 0; j < 1000; j++) {
                args[2 + 2 * j] = "field-" + b + "-" + j;
                args[3 + 2 * j] = pad + j;
            }
            assertThat(exec(leaderOf(1), cmd(1, args)).getResp().toStringUtf8()).isEqualTo(":1000\r\n");
        }
        writer.start();
        try {
            await().atMost(WAIT).until(() -> writer.acked.get() >= 50);

            // a replica that does not lead the group answers done = false and the leader
            int notLeading = 1 - leaderOf(1);
            MigrateSlotsResponse hint = migrate(notLeading, 1, MigrationStep.PREPARE_SOURCE, 0, false, null);
            assertThat(hint.getDone()).isFalse();
            assertThat(hint.getError()).isEmpty();
            assertThat(hint.getLeaderId()).isEqualTo(leaderOf(1) + 1);

            step(2, MigrationStep.PREPARE_TARGET, 0, false);
            step(1, MigrationStep.PREPARE_SOURCE, 0, false);
            long before = writer.acked.get();
            MigrateSlotsResponse c0 = step(2, MigrationStep.COPY, 0, true); // sessions in every round, as the driver
            assertThat(c0.getKeys()).isGreaterThan(0);
            await().atMost(WAIT).until(() -> writer.acked.get() >= before + 50);
            MigrateSlotsResponse c1 = step(2, MigrationStep.COPY, c0.getIndex(), true);
            assertThat(c1.getIndex()).isGreaterThan(c0.getIndex());
            assertThat(c1.getKeys()).isGreaterThan(0);
            long again = writer.acked.get();
            await().atMost(WAIT).until(() -> writer.acked.get() >= again + 20);

            MigrateSlotsResponse freeze = step(1, MigrationStep.FREEZE, 0, false);
            await().atMost(WAIT).until(() -> writer.refused.get() > 0);
            frozenIndex = freeze.getIndex();
            MigrateSlotsResponse last = step(2, MigrationStep.COPY, c1.getIndex(), true);
            assertThat(last.getIndex()).isGreaterThanOrEqualTo(freeze.getIndex());
            // before FINISH_TARGET the target serves a command routed with a map newer than the one it
            // was prepared at (the commit's), though the store's own map still names the source
            String k0 = writer.tags[0] + "k0";
            Result early = exec(1, cmd(2, "GET", k0).toBuilder().setMapVersion(SERVE_AFTER + 1).build());
            assertThat(early.hasResp()).as("%s", early).isTrue();
            Result old = exec(1, cmd(2, "GET", k0).toBuilder().setMapVersion(SERVE_AFTER).build());
            assertThat(old.getOutcomeCase()).isEqualTo(Result.OutcomeCase.WRONG_GROUP);
            step(2, MigrationStep.FINISH_TARGET, 0, false);
            step(1, MigrationStep.FINISH_SOURCE, 0, false);
            // repeated steps are done again (idempotent)
            step(2, MigrationStep.FINISH_TARGET, 0, false);
            step(1, MigrationStep.FINISH_SOURCE, 0, false);
        } finally {
            writer.stop.set(true);
            writer.join(30_000);
        }
        assertThat(writer.failure.get()).isNull();

        // every acknowledged write is at the target...
        var target = nodes[1].stateMachines().get(2);
        assertThat(writer.expected).isNotEmpty();
        for (Map.Entry<String, String> e : writer.expected.entrySet()) {
            Reply r = e.getKey().endsWith("/f")
                    ? target.read(argv("hget", e.getKey().substring(0, e.getKey().length() - 2), "f"))
                    : target.read(argv("get", e.getKey()));
            assertThat(r).as(e.getKey()).isEqualTo(new Reply.Bulk(e.getValue().getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(target.read(argv("hlen", big))).isEqualTo(Reply.integer(25_000));
        assertThat(target.read(argv("hget", big, "field-24-999"))).isEqualTo(new Reply.Bulk((pad + 999).getBytes()));
        // ...deleted keys are not...
        for (int i = 6; i < 50; i += 7) {
            if (i % 5 == 4) {
                continue; // that op was an HINCRBY
            }
            String k = writer.tags[(i - 3) % writer.tags.length] + "k" + (i - 3);
            assertThat(target.read(argv("exists", k))).as(k).isEqualTo(Reply.integer(0));
        }
        // ...the source refuses the slots and kept nothing of them, on both replicas
        Result moved = exec(leaderOf(1), cmd(1, "GET", writer.tags[0] + "k0"));
        assertThat(moved.getOutcomeCase()).isEqualTo(Result.OutcomeCase.WRONG_GROUP);
        assertThat(moved.getWrongGroup().getMoving()).isTrue();
        for (StoreNode n : nodes) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(metaKeysInRange(n, 1)).isZero());
            assertThat(n.stateMachines().get(1).appliedIndex()).isPositive();
        }
        try {
            nodes[0].stateMachines().get(1).read(argv("get", writer.tags[0] + "k0"));
            throw new AssertionError("a frozen slot was read");
        } catch (SlotMoving expected) {
            // as it should
        }
    }

    private static long metaKeysInRange(StoreNode n, long group) {
        byte[] from = KeyCodec.slotPrefix(group, KeyCodec.KIND_META, FIRST);
        byte[] to = KeyCodec.slotPrefix(group, KeyCodec.KIND_META, LAST + 1);
        long count = 0;
        try (RocksIterator it = n.stateMachines().db().rocks().newIterator()) {
            for (it.seek(from); it.isValid() && java.util.Arrays.compareUnsigned(it.key(), to) < 0; it.next()) {
                count++;
            }
        }
        return count;
    }

    private static byte[][] argv(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return argv;
    }
}
