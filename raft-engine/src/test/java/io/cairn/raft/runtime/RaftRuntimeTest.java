package io.cairn.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.raft.core.ConfChange;
import io.cairn.raft.core.ConfChangeSingle;
import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.StateType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The multi-Raft runtime's logic over in-process test doubles of the store and the transport. */
class RaftRuntimeTest {
    @TempDir
    Path tmp;

    private final LocalTransport.Network net = new LocalTransport.Network();
    private final Map<Long, RaftRuntime> nodes = new HashMap<>();
    private final Map<Long, Map<Long, ListStateMachine>> machines = new java.util.concurrent.ConcurrentHashMap<>();
    /** Each node's log store, kept so a node can restart on it. */
    private final Map<Long, MemoryLogStore> stores = new HashMap<>();

    @org.junit.jupiter.api.BeforeAll
    static void fastPolling() {
        org.awaitility.Awaitility.setDefaultPollDelay(Duration.ZERO);
        org.awaitility.Awaitility.setDefaultPollInterval(Duration.ofMillis(5));
    }

    @AfterEach
    void stop() {
        nodes.values().forEach(RaftRuntime::close);
    }

    private RaftRuntime start(long id, RuntimeOptions opts) {
        Map<Long, ListStateMachine> sms = machines.computeIfAbsent(id, k -> new java.util.concurrent.ConcurrentHashMap<>());
        MemoryLogStore store = stores.computeIfAbsent(id, k -> new MemoryLogStore());
        RaftRuntime rt = new RaftRuntime(id, store, h -> new LocalTransport(id, net, h),
                g -> sms.computeIfAbsent(g, k -> new ListStateMachine()), opts);
        rt.start();
        nodes.put(id, rt);
        return rt;
    }

    private RuntimeOptions opts(long node) {
        return RuntimeOptions.defaults(tmp.resolve("snap-" + node)).withTickMillis(10).withWorkers(2);
    }

    private void startCluster(RuntimeOptions template, long... groups) {
        for (long n = 1; n <= 3; n++) {
            RaftRuntime rt = start(n, template.withSnapshotDir(tmp.resolve("snap-" + n)));
            for (long g : groups) {
                rt.createGroup(g, ConfState.ofVoters(1L, 2L, 3L)).join();
            }
        }
    }

    /** Every replica of {@code group} takes {@code millis} to apply a batch of more than {@code bytes} bytes. */
    private void slowBigApplies(long group, long bytes, long millis) {
        machines.values().forEach(m -> {
            m.get(group).slowOverBytes = bytes;
            m.get(group).slowMillis = millis;
        });
    }

    private long leaderOf(long group) {
        long[] found = new long[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (RaftRuntime rt : nodes.values()) {
                if (!net.down.contains(rt.nodeId()) && rt.groupIds().contains(group)) {
                    GroupStatus s = rt.status(group).get(5, TimeUnit.SECONDS);
                    if (s.role() == StateType.LEADER) {
                        found[0] = rt.nodeId();
                        return true;
                    }
                }
            }
            return false;
        });
        return found[0];
    }

    private Object propose(long group, String value) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            long leader = leaderOf(group);
            try {
                return nodes.get(leader).propose(group, value.getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NotLeaderException)
                        && !(e.getCause() instanceof io.cairn.raft.core.ProposalDroppedException)) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("could not propose to group " + group);
    }

    @Test
    @DisplayName("one group on three nodes elects a leader, commits proposals and applies them everywhere")
    void oneGroupReplicates() throws Exception {
        startCluster(opts(0), 7);
        for (int i = 1; i <= 50; i++) {
            assertThat(propose(7, "v" + i)).isEqualTo(i);
        }
        awaitEveryReplicaHolds(7, 50);
        for (Map<Long, ListStateMachine> m : machines.values()) {
            assertThat(m.get(7L).snapshotOfValues()).startsWith("v1", "v2").endsWith("v50");
        }
    }

    @Test
    @DisplayName("votersHolding: the leader counts the other voters whose log holds an index; a follower that is"
            + " down is not counted, and a follower refuses with NotLeaderException")
    void votersHoldingCountsWhatTheFollowersHave() throws Exception {
        startCluster(opts(0), 7);
        propose(7, "a");
        long leader = leaderOf(7);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> nodes.get(leader).votersHolding(7, -1).get(5, TimeUnit.SECONDS)[1] == 2);
        long follower = leader == 1 ? 2 : 1;
        assertThatThrownBy(() -> nodes.get(follower).votersHolding(7, -1).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(NotLeaderException.class);

        long down = 6 - leader - follower; // the third node
        net.down.add(down);
        try {
            assertThat(propose(7, "b")).isEqualTo(2); // a majority still commits
            long l = leaderOf(7);
            long[] now = nodes.get(l).votersHolding(7, -1).get(5, TimeUnit.SECONDS);
            Thread.sleep(200); // ticks and heartbeats go on: the down node stays behind
            long[] later = nodes.get(l).votersHolding(7, now[0]).get(5, TimeUnit.SECONDS);
            assertThat(later[1]).isEqualTo(1);
            assertThat(later[0]).isGreaterThanOrEqualTo(now[0]);
        } finally {
            net.down.remove(down);
        }
        long l = leaderOf(7);
        long last = nodes.get(l).votersHolding(7, -1).get(5, TimeUnit.SECONDS)[0];
        await().atMost(Duration.ofSeconds(10))
                .until(() -> nodes.get(l).votersHolding(7, last).get(5, TimeUnit.SECONDS)[1] == 2); // caught up

        // With both followers cut off, the leader's log grows past what is committed: the count
        // is for the committed writes (which both followers hold), not for the uncommitted tail.
        // (Check-quorum makes the cut-off leader step down after an election timeout: a try that
        // lost the leadership first is repeated.)
        for (int attempt = 0; ; attempt++) {
            long ld = leaderOf(7);
            RaftRuntime rt = nodes.get(ld);
            long other1 = ld == 1 ? 2 : 1;
            long other2 = 6 - ld - other1;
            await().atMost(Duration.ofSeconds(10)).until(() -> rt.votersHolding(7, -1).get(5, TimeUnit.SECONDS)[1] == 2);
            long committed = rt.status(7).get(5, TimeUnit.SECONDS).commitIndex();
            net.down.add(other1);
            net.down.add(other2);
            try {
                rt.propose(7, "uncommitted".getBytes(StandardCharsets.UTF_8));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> rt.status(7).get(5, TimeUnit.SECONDS).lastIndex() > committed);
                long[] r = rt.votersHolding(7, -1).get(5, TimeUnit.SECONDS);
                assertThat(r[0]).isEqualTo(committed);
                assertThat(r[1]).isEqualTo(2);
                break;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NotLeaderException) || attempt >= 5) {
                    throw e;
                }
            } finally {
                net.down.remove(other1);
                net.down.remove(other2);
            }
        }
    }

    @Test
    @DisplayName("inlineApplyBytes: small committed batches apply on the Raft worker, big ones on the apply thread;"
            + " either way one batch at a time, in log order, on every replica")
    void smallBatchesApplyOnTheWorkerInLogOrder() throws Exception {
        startCluster(opts(0).withInlineApplyBytes(64), 1);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            propose(1, "v" + i); // one at a time: small batches
            expected.add("v" + i);
        }
        // then a big proposal, applied slowly on the apply thread, and a small one committed while
        // the big one is still being applied: the small one must wait its turn there
        String big = "b".repeat(200);
        slowBigApplies(1, 64, 60);
        RaftRuntime leader = nodes.get(leaderOf(1));
        List<CompletableFuture<Object>> later = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            later.add(leader.propose(1, (big + i).getBytes(StandardCharsets.UTF_8)));
            expected.add(big + i);
            Thread.sleep(20); // the big entry commits and its apply starts (a pause, not a sync)
            later.add(leader.propose(1, ("s" + i).getBytes(StandardCharsets.UTF_8)));
            expected.add("s" + i);
        }
        for (int i = 0; i < later.size(); i++) {
            assertThat(later.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(21 + i);
        }
        awaitEveryReplicaHolds(1, expected.size());
        for (Map.Entry<Long, Map<Long, ListStateMachine>> m : machines.entrySet()) {
            ListStateMachine sm = m.getValue().get(1L);
            assertThat(sm.snapshotOfValues()).as("node %d", m.getKey()).isEqualTo(expected);
            assertThat(sm.overlapped).as("node %d: two batches applied at once", m.getKey()).isFalse();
            List<ListStateMachine.Batch> batches = sm.snapshotOfBatches();
            for (int i = 1; i < batches.size(); i++) {
                assertThat(batches.get(i).first()).as("node %d batch %d follows the one before", m.getKey(), i)
                        .isEqualTo(batches.get(i - 1).last() + 1);
            }
            assertThat(batches).as("node %d: batches over 64 bytes on the apply thread", m.getKey())
                    .filteredOn(b -> b.bytes() > 64).allMatch(b -> b.thread().startsWith("raft-apply-"));
            assertThat(batches).as("node %d: small batches on the worker", m.getKey())
                    .anyMatch(b -> b.thread().startsWith("raft-worker-"));
        }
    }

    @Test
    @DisplayName("inlineApplyBytes under a stream of small proposals (applied on the worker) and big ones (on the"
            + " apply thread, slowly): every proposal is answered with its own result, in log order")
    void mixedBatchesAreAnsweredInLogOrder() throws Exception {
        startCluster(opts(0).withInlineApplyBytes(1024), 1);
        propose(1, "first");
        slowBigApplies(1, 1024, 1);
        RaftRuntime leader = nodes.get(leaderOf(1));
        String big = "b".repeat(2000);
        List<CompletableFuture<Object>> all = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            // small proposals (applied on the worker) between big ones (on the apply thread, slowly)
            String v = (i % 5 == 0 ? big : "s") + i;
            all.add(leader.propose(1, v.getBytes(StandardCharsets.UTF_8)));
            if (i % 50 == 0) {
                all.get(all.size() - 1).get(10, TimeUnit.SECONDS); // let the pipeline drain now and then
            }
        }
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).get(10, TimeUnit.SECONDS)).as("proposal %d", i).isEqualTo(2 + i);
        }
    }

    @Test
    @DisplayName("by default every batch applies on the apply thread")
    void byDefaultBatchesApplyOnTheApplyThread() throws Exception {
        startCluster(opts(0), 1);
        for (int i = 1; i <= 10; i++) {
            propose(1, "v" + i);
        }
        awaitEveryReplicaHolds(1, 10);
        for (Map<Long, ListStateMachine> m : machines.values()) {
            assertThat(m.get(1L).snapshotOfBatches()).isNotEmpty()
                    .allMatch(b -> b.thread().startsWith("raft-apply-"));
        }
    }

    @Test
    @DisplayName("thesis §10.2.1: the leader sends its appends while its own write is in flight; the followers' quorum"
            + " commits the entry meanwhile, and the proposal completes once the leader's write is durable")
    void leaderReplicatesWhileItsWriteIsInFlight() throws Exception {
        startCluster(opts(0), 1);
        propose(1, "a");
        long leader = leaderOf(1);
        RaftRuntime rt = nodes.get(leader);
        long before = rt.status(1).get(5, TimeUnit.SECONDS).lastIndex();
        MemoryLogStore leaderStore = stores.get(leader);
        leaderStore.hold();
        try {
            CompletableFuture<Object> f = rt.propose(1, "b".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(() -> leaderStore.heldEntries(1) > 0);
            for (long n = 1; n <= 3; n++) {
                if (n != leader) {
                    MemoryLogStore fs = stores.get(n);
                    await().atMost(Duration.ofSeconds(10)).until(() -> fs.group(1).lastIndex() == before + 1);
                }
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> rt.status(1).get(5, TimeUnit.SECONDS).commitIndex() == before + 1);
            assertThat(leaderStore.group(1).lastIndex()).as("the leader's own write is still held").isEqualTo(before);
            assertThat(f).isNotDone();
            leaderStore.release();
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        } finally {
            leaderStore.release();
        }
        assertThat(propose(1, "c")).isEqualTo(3);
        awaitEveryReplicaHolds(1, List.of("a", "b", "c"));
    }

    @Test
    @DisplayName("a follower's acknowledgement leaves as soon as its write is durable, from the thread that completed"
            + " the write: with both followers' Raft threads held up after their writes began, the leader still commits")
    void acknowledgementsLeaveWhenTheWriteIsDurable() throws Exception {
        startCluster(opts(0), 1);
        propose(1, "a");
        long leader = leaderOf(1);
        List<Long> followers = nodes.keySet().stream().filter(n -> n != leader).toList();
        followers.forEach(n -> stores.get(n).hold());
        List<java.util.concurrent.CountDownLatch> releases = new ArrayList<>();
        try {
            CompletableFuture<Object> f = nodes.get(leader).propose(1, "b".getBytes(StandardCharsets.UTF_8));
            for (long n : followers) {
                MemoryLogStore fs = stores.get(n);
                await().atMost(Duration.ofSeconds(10)).until(() -> fs.heldEntries(1) > 0);
                releases.add(blockWorker(nodes.get(n), 1));
            }
            followers.forEach(n -> stores.get(n).release()); // completes the writes on this thread
            assertThat(f.get(10, TimeUnit.SECONDS)).as("committed with both followers' Raft threads held").isEqualTo(2);
        } finally {
            releases.forEach(java.util.concurrent.CountDownLatch::countDown);
            followers.forEach(n -> stores.get(n).release());
        }
        awaitEveryReplicaHolds(1, List.of("a", "b"));
    }

    @Test
    @DisplayName("a Ready that only moves the commit index does not wait for its write: with one follower down and"
            + " the other's commit-index writes held back, that follower still acknowledges and applies every write")
    void commitIndexWritesDoNotHoldTheGroupBack() throws Exception {
        startCluster(opts(0), 1);
        propose(1, "a");
        long leader = leaderOf(1);
        long follower = leader == 1 ? 2 : 1;
        long down = 6 - leader - follower;
        await().atMost(Duration.ofSeconds(10)).until(() -> machines.get(follower).get(1L).snapshotOfValues().size() == 1);
        net.down.add(down);
        MemoryLogStore fs = stores.get(follower);
        fs.holdCommitIndexWrites();
        try {
            for (int i = 2; i <= 6; i++) {
                // Each commit needs the follower's acknowledgement, given while its earlier
                // commit-index write is still held.
                assertThat(nodes.get(leader).propose(1, ("v" + i).getBytes(StandardCharsets.UTF_8))
                        .get(10, TimeUnit.SECONDS)).isEqualTo(i);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> machines.get(follower).get(1L).snapshotOfValues().size() == 6);
            assertThat(fs.heldWrites()).as("commit-index writes held back meanwhile").isPositive();
        } finally {
            fs.release();
            net.down.remove(down);
        }
        assertThat(propose(1, "last")).isEqualTo(7);
    }

    @Test
    @DisplayName("thesis §10.2.1: a single-voter group commits nothing before its own write is durable")
    void singleVoterWaitsForItsOwnWrite() throws Exception {
        RaftRuntime rt = start(1, opts(1));
        rt.createGroup(5, ConfState.ofVoters(1L)).join();
        assertThat(propose(5, "a")).isEqualTo(1);
        long before = rt.status(5).get(5, TimeUnit.SECONDS).lastIndex();
        MemoryLogStore store = stores.get(1L);
        store.hold();
        try {
            CompletableFuture<Object> f = rt.propose(5, "b".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(() -> store.heldEntries(5) > 0);
            // Only the durability report (after the held write) can move the commit index.
            assertThat(rt.status(5).get(5, TimeUnit.SECONDS).commitIndex()).isEqualTo(before);
            assertThat(f).isNotDone();
            store.release();
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        } finally {
            store.release();
        }
        assertThat(machines.get(1L).get(5L).snapshotOfValues()).containsExactly("a", "b");
    }

    @Test
    @DisplayName("many reads at once (batched into one ReadIndex per worker iteration) each see every write acknowledged before them")
    void concurrentReadsShareReadIndexAndSeeAcknowledgedWrites() throws Exception {
        startCluster(opts(0), 1);
        propose(1, "a");
        long leader = leaderOf(1);
        long follower = leader == 1 ? 2 : 1;
        for (int round = 0; round < 5; round++) {
            propose(1, "w" + round);
            List<CompletableFuture<Long>> reads = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                reads.add(nodes.get(i % 2 == 0 ? leader : follower).readIndex(1));
            }
            for (int i = 0; i < reads.size(); i++) {
                assertThat(reads.get(i).get(10, TimeUnit.SECONDS)).isPositive();
                long node = i % 2 == 0 ? leader : follower;
                // Read-after-acknowledged-write: the barrier completes only once the write is applied here.
                assertThat(machines.get(node).get(1L).snapshotOfValues()).contains("w" + round);
            }
        }
    }

    @Test
    @DisplayName("thesis §6.4.1: with lease reads on, the leader answers reads from its clock-timed lease (no heartbeat"
            + " round, counted) and they still see every acknowledged write; followers go through ReadIndex")
    void leaseReadsOnTheLeader() throws Exception {
        // Hibernation would drop the lease between reads; it is tested apart (the core's hibernate()).
        startCluster(opts(0).withLeaseReads(true).withHibernateAfterTicks(0), 1);
        propose(1, "a");
        for (int i = 0; i < 20; i++) {
            propose(1, "w" + i);
            long leader = leaderOf(1);
            try {
                assertThat(nodes.get(leader).readIndex(1).get(10, TimeUnit.SECONDS)).isPositive();
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(NotLeaderException.class); // leadership moved: fine
                continue;
            }
            assertThat(machines.get(leader).get(1L).snapshotOfValues()).contains("w" + i);
        }
        // A leader's lease is renewed by every heartbeat (a tick is 10 ms, the lease 90 ms): nearly
        // every read above was answered from it; at least one surely was, even on a loaded machine.
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            nodes.get(leaderOf(1)).readIndex(1).get(10, TimeUnit.SECONDS);
            return nodes.values().stream().mapToLong(RaftRuntime::leaseReads).sum() > 0;
        });

        // A follower's read takes the ReadIndex path (the leader confirms the index).
        long leader = leaderOf(1);
        RaftRuntime follower = nodes.get(leader == 1 ? 2L : 1L);
        long leaseBefore = follower.leaseReads();
        long readIndexBefore = follower.readIndexReads();
        propose(1, "last");
        follower.readIndex(1).get(10, TimeUnit.SECONDS);
        assertThat(machines.get(follower.nodeId()).get(1L).snapshotOfValues()).contains("last");
        if (follower.status(1).get(10, TimeUnit.SECONDS).role() != StateType.LEADER) {
            assertThat(follower.leaseReads()).isEqualTo(leaseBefore);
            assertThat(follower.readIndexReads()).isEqualTo(readIndexBefore + 1);
        }
    }

    /**
     * A lease clock a test can stop: real time until {@link #freeze()}, then a fixed reading that
     * moves only by {@link #advance}. A leader whose clock is frozen inside its lease keeps it for
     * as long as the test wants; moving the clock past it ends the lease at once.
     */
    static final class TestClock implements java.util.function.LongSupplier {
        private volatile boolean frozen;
        private volatile long at;

        @Override
        public long getAsLong() {
            return frozen ? at : System.nanoTime();
        }

        void freeze() {
            at = System.nanoTime();
            frozen = true;
        }

        void advance(Duration d) {
            at += d.toNanos();
        }
    }

    private final Map<Long, TestClock> clocks = new HashMap<>();

    /** Three nodes with lease reads, each on its own {@link TestClock}, no hibernation. */
    private void startLeaseCluster(long group) {
        for (long n = 1; n <= 3; n++) {
            TestClock clock = new TestClock();
            clocks.put(n, clock);
            RaftRuntime rt = start(n, opts(n).withLeaseReads(true).withHibernateAfterTicks(0).withLeaseClock(clock));
            rt.createGroup(group, ConfState.ofVoters(1L, 2L, 3L)).join();
        }
    }

    /**
     * Freezes the leader's clock, then waits until a heartbeat round acknowledged after the freeze
     * gave it a lease that holds at the frozen reading (so for as long as the clock stays there),
     * which its worker published: a read is answered on the caller's thread. Returns the leader.
     */
    private RaftRuntime leaderWithFrozenLease(long group) {
        long id = leaderOf(group);
        RaftRuntime leader = nodes.get(id);
        clocks.get(id).freeze();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            long before = leader.callerLeaseReads();
            leader.readIndex(group).get(10, TimeUnit.SECONDS);
            return leader.callerLeaseReads() > before;
        });
        return leader;
    }

    /** Waits until every node's state machine of {@code group} holds {@code count} values. */
    private void awaitEveryReplicaHolds(long group, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> machines.values().stream()
                .allMatch(m -> m.get(group).snapshotOfValues().size() == count));
    }

    /** Waits until every node's state machine of {@code group} holds exactly {@code values}, in order. */
    private void awaitEveryReplicaHolds(long group, List<String> values) {
        await().atMost(Duration.ofSeconds(10)).until(() -> machines.values().stream()
                .allMatch(m -> m.get(group).snapshotOfValues().equals(values)));
    }

    /** Holds the worker of {@code group} on {@code rt} until the returned latch is counted down. */
    private java.util.concurrent.CountDownLatch blockWorker(RaftRuntime rt, long group) throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
        rt.postToWorkerOf(group, () -> {
            blocked.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    @DisplayName("thesis §6.4.1: a leader holding its lease answers a read on the caller's thread, its worker held up,"
            + " covering the write acknowledged just before; once the lease clock passes the lease it does not")
    void leaseReadOnTheCallersThread() throws Exception {
        startLeaseCluster(1);
        propose(1, "a");
        RaftRuntime leader = leaderWithFrozenLease(1);
        ListStateMachine sm = machines.get(leader.nodeId()).get(1L);
        Object written = leader.propose(1, "acked".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        assertThat(written).isEqualTo(2);

        java.util.concurrent.CountDownLatch release = blockWorker(leader, 1);
        long lease = leader.leaseReads();
        long readIndex = leader.readIndexReads();
        try {
            CompletableFuture<Long> read = leader.readIndex(1);
            // No task of the worker ran: it is held up. The index covers the acknowledged write.
            assertThat(read).isDone();
            assertThat(read.get()).isGreaterThanOrEqualTo(sm.appliedIndex());
            assertThat(sm.snapshotOfValues()).contains("acked");
            assertThat(leader.leaseReads()).isEqualTo(lease + 1);

            // The lease is over by the clock: the read goes to the (held) worker instead.
            clocks.get(leader.nodeId()).advance(Duration.ofSeconds(5));
            CompletableFuture<Long> late = leader.readIndex(1);
            assertThat(late).isNotDone();
            assertThat(leader.leaseReads()).isEqualTo(lease + 1);
            release.countDown();
            try {
                assertThat(late.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(read.get());
                // Judged on the worker with the same clock: no lease there either, a ReadIndex round.
                assertThat(leader.readIndexReads()).isEqualTo(readIndex + 1);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(NotLeaderException.class); // leadership moved: fine
            }
        } finally {
            release.countDown();
        }
    }

    @Test
    @DisplayName("a leader that handed its leadership over (TIMEOUT_NOW fences its lease) no longer answers reads on"
            + " the caller's thread, though by its frozen clock the lease would still hold")
    void leaseReadRefusedAfterTransfer() throws Exception {
        startLeaseCluster(2);
        propose(2, "a");
        RaftRuntime old = leaderWithFrozenLease(2);
        long target = old.nodeId() % 3 + 1;
        old.transferLeader(2, target).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> leaderOf(2) == target);
        propose(2, "after transfer");

        long callerReads = old.callerLeaseReads();
        try {
            old.readIndex(2).get(10, TimeUnit.SECONDS);
            // A follower's read: the new leader confirmed the index, so the write is there.
            assertThat(machines.get(old.nodeId()).get(2L).snapshotOfValues()).contains("after transfer");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(NotLeaderException.class);
        }
        assertThat(old.callerLeaseReads()).isEqualTo(callerReads);
    }

    @Test
    @DisplayName("a replica restarting with its state machine ahead of its stored commit index (applied before that write was durable) raises the commit index and goes on")
    void restartWithStateMachineAheadOfStoredCommit() throws Exception {
        startCluster(opts(0), 1);
        for (int i = 1; i <= 10; i++) {
            propose(1, "v" + i);
        }
        long leader = leaderOf(1);
        long follower = leader == 1 ? 2 : 1;
        ListStateMachine sm = machines.get(follower).get(1L);
        await().atMost(Duration.ofSeconds(10)).until(() -> sm.snapshotOfValues().size() == 10);
        nodes.remove(follower).close();
        MemoryLogStore store = stores.get(follower);
        io.cairn.raft.core.HardState hs = store.group(1).initialState().hardState();
        long applied = sm.appliedIndex();
        // What a crash between apply and the write of the commit index leaves behind.
        store.commit(store.newBatch().setHardState(1,
                new io.cairn.raft.core.HardState(hs.term(), hs.vote(), applied - 5))).join();

        start(follower, opts(follower));
        propose(1, "after");
        await().atMost(Duration.ofSeconds(10)).until(() -> sm.snapshotOfValues().size() == 11);
        assertThat(sm.snapshotOfValues()).containsExactly("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",
                "v10", "after");
        assertThat(store.group(1).initialState().hardState().commit()).isGreaterThan(applied);
    }

    @Test
    @DisplayName("ReadIndex on a follower waits until the follower applied every write acknowledged before it")
    void followerReadSeesAcknowledgedWrites() throws Exception {
        startCluster(opts(0), 1);
        propose(1, "a");
        long leader = leaderOf(1);
        long follower = leader == 1 ? 2 : 1;
        for (int i = 0; i < 20; i++) {
            propose(1, "w" + i);
            long readAt = nodes.get(follower).readIndex(1).get(10, TimeUnit.SECONDS);
            assertThat(machines.get(follower).get(1L).snapshotOfValues()).contains("w" + i);
            assertThat(readAt).isPositive();
        }
    }

    @Test
    @DisplayName("many groups per node: all elect leaders and commit; idle groups hibernate and wake on demand")
    void manyGroupsHibernateAndWake() throws Exception {
        long[] groups = new long[200];
        for (int i = 0; i < groups.length; i++) {
            groups[i] = 1000 + i;
        }
        startCluster(opts(0), groups);
        for (long g : groups) {
            propose(g, "hello-" + g);
        }
        // Nothing happens any more: every group must stop ticking on every node.
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.values().stream()
                .allMatch(rt -> rt.awakeGroups().join() == 0));
        // A proposal wakes its group, which commits it and goes back to sleep.
        assertThat(propose(1042, "again")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> machines.values().stream()
                .allMatch(m -> m.get(1042L).snapshotOfValues().contains("again")));
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.values().stream()
                .allMatch(rt -> rt.awakeGroups().join() == 0));
    }

    @Test
    @DisplayName("a hibernated group whose leader died elects a new leader when a request wakes a follower")
    void hibernatedGroupRecoversFromLeaderLoss() throws Exception {
        startCluster(opts(0), 5);
        propose(5, "x");
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.values().stream()
                .allMatch(rt -> rt.awakeGroups().join() == 0));
        long leader = leaderOf(5);
        net.down.add(leader);
        long other = leader == 1 ? 2 : 1;
        // A read at a follower wakes it; it cannot reach the old leader, times out, and elects.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try {
                nodes.get(other).readIndex(5).get(200, TimeUnit.MILLISECONDS);
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(leaderOf(5)).isNotEqualTo(leader);
    }

    @Test
    @DisplayName("proposals an isolated leader appended are answered once the new leader's shorter log replaces them, with no later writes")
    void proposalsBeyondTheNewLeadersLogAreAnswered() throws Exception {
        startCluster(opts(0), 12);
        propose(12, "a");
        long old = leaderOf(12);
        net.down.add(old);
        // Accepted locally (the old leader still believes it leads) but never replicated.
        List<CompletableFuture<Object>> orphans = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            orphans.add(nodes.get(old).propose(12, ("lost" + i).getBytes(StandardCharsets.UTF_8)));
        }
        long next = leaderOf(12);
        assertThat(next).isNotEqualTo(old);
        // The new leader's log ends with its no-op, at the index of the first lost entry: the
        // other two lie beyond it and no write in this group ever reaches their indexes again.
        net.down.remove(old);
        for (CompletableFuture<Object> f : orphans) {
            assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(NotLeaderException.class);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> machines.get(old).get(12L).snapshotOfValues().equals(
                machines.get(next).get(12L).snapshotOfValues()));
        assertThat(machines.get(old).get(12L).snapshotOfValues()).containsExactly("a");
    }

    @Test
    @DisplayName("leadership transfer through the runtime API")
    void transferLeadership() throws Exception {
        startCluster(opts(0), 3);
        propose(3, "a");
        long leader = leaderOf(3);
        long target = leader % 3 + 1;
        nodes.get(leader).transferLeader(3, target).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> leaderOf(3) == target);
        assertThat(propose(3, "b")).isEqualTo(2);
    }

    @Test
    @DisplayName("membership change through the runtime API: add a learner, promote it, remove a voter")
    void membershipChange() throws Exception {
        startCluster(opts(0), 9);
        propose(9, "a");
        RaftRuntime four = start(4, opts(4));
        four.createGroup(9, ConfState.ofVoters(1L, 2L, 3L)).join();
        long leader = leaderOf(9);
        ConfState cs = nodes.get(leader).changeMembership(9, ConfChange.of(ConfChangeSingle.addLearner(4)))
                .get(10, TimeUnit.SECONDS);
        assertThat(cs.learners()).containsExactly(4L);
        await().atMost(Duration.ofSeconds(10)).until(() -> machines.get(4L).get(9L).snapshotOfValues().contains("a"));
        // WAIT's count: a learner that holds the log is not a voter that does
        long[] held = nodes.get(leaderOf(9)).votersHolding(9, -1).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> nodes.get(leaderOf(9)).votersHolding(9, held[0]).get(5, TimeUnit.SECONDS)[1] == 2);
        Thread.sleep(100);
        assertThat(nodes.get(leaderOf(9)).votersHolding(9, held[0]).get(5, TimeUnit.SECONDS)[1]).isEqualTo(2);
        cs = nodes.get(leaderOf(9)).changeMembership(9, ConfChange.of(ConfChangeSingle.addVoter(4)))
                .get(10, TimeUnit.SECONDS);
        assertThat(cs.voters()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> nodes.get(leaderOf(9)).votersHolding(9, -1).get(5, TimeUnit.SECONDS)[1] == 3);
        long removed = leaderOf(9) == 1 ? 2 : 1;
        cs = nodes.get(leaderOf(9)).changeMembership(9, ConfChange.of(ConfChangeSingle.remove(removed)))
                .get(10, TimeUnit.SECONDS);
        assertThat(cs.voters()).doesNotContain(removed).contains(4L);
        assertThat(propose(9, "b")).isEqualTo(2);
    }

    @Test
    @DisplayName("a founder removed, destroyed and re-added starts from the founders without itself: it never "
            + "campaigns, replays the log from index 1 to the real membership and becomes a voter again")
    void reAddedFounderStartsWithoutItself() throws Exception {
        startCluster(opts(0), 9);
        propose(9, "a");
        long gone = leaderOf(9) == 1 ? 2 : 1;
        nodes.get(leaderOf(9)).changeMembership(9, ConfChange.of(ConfChangeSingle.remove(gone))).get(10, TimeUnit.SECONDS);
        nodes.get(gone).destroyGroup(9).get(10, TimeUnit.SECONDS);
        machines.get(gone).remove(9L); // its state went with the replica: the new one starts empty
        propose(9, "b");
        // Created from the founders {1,2,3} without itself (docs/store-node.md, "Meta mode").
        java.util.List<Long> base = new java.util.ArrayList<>(java.util.List.of(1L, 2L, 3L));
        base.remove(gone);
        nodes.get(gone).createGroup(9, ConfState.ofVoters(base.toArray(Long[]::new))).join();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> nodes.get(gone).status(9).get(5, TimeUnit.SECONDS).membership().voters().size() == 2);
        Thread.sleep(300); // several election timeouts of opts(0): it must not campaign meanwhile
        assertThat(nodes.get(gone).status(9).get(5, TimeUnit.SECONDS).role()).isEqualTo(StateType.FOLLOWER);
        ConfState cs = nodes.get(leaderOf(9)).changeMembership(9, ConfChange.of(ConfChangeSingle.addLearner(gone)))
                .get(10, TimeUnit.SECONDS);
        assertThat(cs.learners()).containsExactly(gone);
        await().atMost(Duration.ofSeconds(10)).until(() -> machines.get(gone).get(9L) != null
                && machines.get(gone).get(9L).snapshotOfValues().containsAll(java.util.List.of("a", "b")));
        cs = nodes.get(leaderOf(9)).changeMembership(9, ConfChange.of(ConfChangeSingle.addVoter(gone)))
                .get(10, TimeUnit.SECONDS);
        assertThat(cs.voters()).containsExactlyInAnyOrder(1L, 2L, 3L);
        await().atMost(Duration.ofSeconds(10)).until(() -> nodes.get(gone).status(9).get(5, TimeUnit.SECONDS)
                .membership().voters().equals(java.util.Set.of(1L, 2L, 3L)));
        assertThat(propose(9, "c")).isEqualTo(3);
    }

    @Test
    @DisplayName("destroying a group deletes its replica's log and snapshots and fails nothing else")
    void destroyGroupRemovesItsSnapshots() throws Exception {
        startCluster(opts(0).withSnapshotEveryEntries(5, 1), 21, 22);
        for (int i = 0; i < 20; i++) {
            propose(21, "v" + i);
        }
        propose(22, "other");
        for (long n = 1; n <= 3; n++) {
            Path snaps = tmp.resolve("snap-" + n).resolve("21");
            await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.isDirectory(snaps));
        }
        for (RaftRuntime rt : nodes.values()) {
            rt.destroyGroup(21).get(10, TimeUnit.SECONDS);
            assertThat(rt.groupIds()).doesNotContain(21L).contains(22L);
            assertThat(tmp.resolve("snap-" + rt.nodeId()).resolve("21")).doesNotExist();
        }
        assertThat(propose(22, "still")).isEqualTo(2);
    }

    @Test
    @DisplayName("Raft §7: a node that missed compacted entries catches up through a snapshot")
    void laggingNodeCatchesUpBySnapshot() throws Exception {
        RuntimeOptions o = opts(0).withSnapshotEveryEntries(20, 5);
        startCluster(o, 11);
        propose(11, "first");
        long leader = leaderOf(11);
        long lagging = leader % 3 + 1;
        net.down.add(lagging);
        for (int i = 0; i < 100; i++) {
            propose(11, "v" + i);
        }
        net.down.remove(lagging);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                machines.get(lagging).get(11L).snapshotOfValues().size() == 101);
        assertThat(machines.get(lagging).get(11L).snapshotOfValues())
                .isEqualTo(machines.get(leader).get(11L).snapshotOfValues());
        assertThat(machines.get(lagging).get(11L).installs).as("caught up through a snapshot").isPositive();
    }
}
