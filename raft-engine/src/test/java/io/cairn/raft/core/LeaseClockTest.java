package io.cairn.raft.core;

import static io.cairn.raft.core.RaftTestUtil.msg;
import static io.cairn.raft.core.RaftTestUtil.newRaft;
import static io.cairn.raft.core.RaftTestUtil.ofType;
import static io.cairn.raft.core.RaftTestUtil.storage;
import static io.cairn.raft.core.RaftTestUtil.take;
import static io.cairn.raft.core.TestNetwork.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Leases timed by an injected monotonic clock (thesis §6.4.1): pure and deterministic — every node
 * gets a {@link FakeClock} the test moves by hand, independently of its ticks, so a late, stalled
 * or bursty ticker can be played exactly.
 */
class LeaseClockTest {
    static final long TICK = 100_000_000L; // 100 ms per tick
    static final int ELECTION = TestNetwork.ELECTION_TICK;
    /** electionTick * tick * (1 - default drift margin 0.1). */
    static final long LEASE = ELECTION * TICK * 9 / 10;

    /** A clock that moves only when told; {@code rate} scales its advance (a fast or slow oscillator). */
    static final class FakeClock {
        private double nanos = 1_000_000_000_000L; // any origin
        private final double rate;

        FakeClock(double rate) {
            this.rate = rate;
        }

        long now() {
            return (long) nanos;
        }

        /** Real time passes by {@code realNanos}; this clock moves by {@code realNanos * rate}. */
        void pass(long realNanos) {
            nanos += realNanos * rate;
        }
    }

    private final Map<Long, FakeClock> clocks = new HashMap<>();

    private FakeClock clock(long id) {
        return clocks.computeIfAbsent(id, k -> new FakeClock(1.0));
    }

    private TestNetwork network(int n) {
        return TestNetwork.of(n, c -> c.readOnlyOption(ReadOnlyOption.LEASE_BASED)
                .leaseClock(clock(c.id())::now, TICK));
    }

    /** Real time passes on every node's clock. */
    private void pass(long realNanos) {
        clocks.values().forEach(c -> c.pass(realNanos));
    }

    /** One tick everywhere, one tick's worth of real time passing first (a punctual ticker). */
    private void tickAll(TestNetwork nt, int n) {
        for (int i = 0; i < n; i++) {
            pass(TICK);
            nt.tickAll(1);
        }
    }

    /** Three nodes; node 1 leads and holds a lease (one heartbeat round acked). */
    private TestNetwork leaderWithLease() {
        TestNetwork nt = network(3);
        nt.elect(1);
        tickAll(nt, 1);
        assertThat(nt.raft(1).leaseValid()).isTrue();
        return nt;
    }

    private static long heartbeats(TestNetwork nt) {
        return nt.delivered().stream().filter(m -> m.type() == MessageType.HEARTBEAT).count();
    }

    @Test
    @DisplayName("thesis §6.4.1: after a quorum acks a heartbeat the leader answers reads at once, for the lease"
            + " length of clock time from the heartbeat's send time, then falls back to ReadIndex")
    void leaseValidAfterQuorumAckThenExpires() {
        TestNetwork nt = network(3);
        nt.elect(1);
        RawNode leader = nt.node(1);
        assertThat(nt.raft(1).leaseValid()).as("no heartbeat acked yet").isFalse();

        tickAll(nt, 1); // heartbeat round at the leader's clock time t0, acked by both followers
        assertThat(nt.raft(1).leaseValid()).isTrue();
        nt.clearDelivered();
        leader.readIndex(bytes("r1"));
        nt.stabilize();
        assertThat(nt.readStates(1)).extracting(rs -> new String(rs.requestCtx())).containsExactly("r1");
        assertThat(heartbeats(nt)).as("answered from the lease, no heartbeat round").isZero();
        assertThat(leader.leaseReads()).isEqualTo(1);

        // No tick and no heartbeat from now on: the lease runs out by the clock alone.
        clock(1).pass(LEASE - 1);
        assertThat(nt.raft(1).leaseValid()).isTrue();
        clock(1).pass(1);
        assertThat(nt.raft(1).leaseValid()).as("t0 + lease").isFalse();

        leader.readIndex(bytes("r2"));
        nt.stabilize();
        assertThat(heartbeats(nt)).as("a ReadIndex heartbeat round").isEqualTo(2);
        assertThat(nt.readStates(1)).extracting(rs -> new String(rs.requestCtx())).containsExactly("r1", "r2");
        assertThat(leader.leaseReads()).isEqualTo(1);
        // That round's acks renewed the lease from its own send time.
        assertThat(nt.raft(1).leaseValid()).isTrue();
    }

    @Test
    @DisplayName("thesis §6.4.1: a late ticker (time jumps far ahead of ticks) does not extend the lease; the tick-only"
            + " lease would have")
    void lateTickerDoesNotExtendLease() {
        TestNetwork nt = leaderWithLease();

        // The leader's process stalls for 5 s (GC, SIGSTOP): its ticker delivers one tick for all of
        // them, so its tick count says almost no time passed.
        pass(5_000_000_000L);
        nt.isolate(1); // its followers may have elected another leader meanwhile
        nt.tick(1, 1);
        assertThat(nt.raft(1).leaseValid()).isFalse();
        nt.clearDelivered();
        nt.node(1).readIndex(bytes("after-stall"));
        nt.stabilize();
        assertThat(nt.readStates(1)).as("no quorum answers the heartbeat round").isEmpty();
        assertThat(nt.node(1).leaseReads()).isZero();

        // The same story without a clock: ticks alone still believe in the lease.
        TestNetwork ticksOnly = TestNetwork.of(3, c -> c.readOnlyOption(ReadOnlyOption.LEASE_BASED));
        ticksOnly.elect(1);
        ticksOnly.tickAll(1);
        ticksOnly.isolate(1);
        ticksOnly.tick(1, 1);
        assertThat(ticksOnly.raft(1).leaseValid()).isTrue();
    }

    @Test
    @DisplayName("thesis §6.4.1: the lease a reader on another thread may use (LeaseRead) ends exactly where the"
            + " core's own judgement does, carries the commit index, moves on with each acked round, and is"
            + " gone once TIMEOUT_NOW is sent though the node still leads")
    void leaseReadMatchesTheCoresJudgement() {
        TestNetwork nt = network(3);
        nt.elect(1);
        Raft r = nt.raft(1);
        assertThat(r.leaseRead()).as("no heartbeat acked yet").isNull();

        tickAll(nt, 1);
        LeaseRead lease = r.leaseRead();
        assertThat(lease).isNotNull();
        assertThat(lease.term()).isEqualTo(r.term);
        assertThat(lease.index()).isEqualTo(r.raftLog.committed);
        long left = lease.validUntil() - clock(1).now();
        assertThat(left).isPositive().isLessThanOrEqualTo(LEASE);
        clock(1).pass(left - 1);
        assertThat(lease.holdsAt(clock(1).now())).isTrue();
        assertThat(r.leaseValid()).isTrue();
        clock(1).pass(1);
        assertThat(lease.holdsAt(clock(1).now())).isFalse();
        assertThat(r.leaseValid()).as("the core ends it at the same reading").isFalse();
        assertThat(r.leaseRead()).isNull();

        // A newer acked round: a later end, and a write moves the index.
        tickAll(nt, 1);
        nt.propose(1, "x");
        nt.stabilize();
        LeaseRead renewed = r.leaseRead();
        assertThat(renewed.validUntil() - lease.validUntil()).isPositive();
        assertThat(renewed.index()).isEqualTo(r.raftLog.committed).isGreaterThan(lease.index());

        // Node 2 is caught up, so TIMEOUT_NOW goes out at once: fenced while still the leader.
        nt.node(1).transferLeader(2);
        assertThat(r.state).isEqualTo(StateType.LEADER);
        assertThat(renewed.holdsAt(clock(1).now())).as("by the clock alone it would still hold").isTrue();
        assertThat(r.leaseRead()).isNull();
    }

    @Test
    @DisplayName("no LeaseRead without LEASE_BASED reads, nor on a follower")
    void noLeaseReadWithSafeReadsOrOnFollowers() {
        TestNetwork nt = TestNetwork.of(3, c -> c.leaseClock(clock(c.id())::now, TICK));
        nt.elect(1);
        tickAll(nt, 1);
        assertThat(nt.raft(1).leaseValid()).isTrue();
        assertThat(nt.raft(1).leaseRead()).isNull();
        TestNetwork lease = leaderWithLease();
        assertThat(lease.raft(1).leaseRead()).isNotNull();
        assertThat(lease.raft(2).leaseRead()).isNull();
    }

    @Test
    @DisplayName("thesis §6.4.1, §3.10: the lease ends with leadership: on transfer (fenced by TIMEOUT_NOW), on"
            + " CheckQuorum step-down, on hibernation and on a membership change")
    void leaseDroppedOnLeadershipChanges() {
        TestNetwork nt = leaderWithLease();

        // Hibernation drops it; the next acked heartbeat brings it back.
        nt.node(1).hibernate();
        assertThat(nt.raft(1).leaseValid()).isFalse();
        tickAll(nt, 1);
        assertThat(nt.raft(1).leaseValid()).isTrue();

        // A membership change drops it too (a lease is held against one configuration's quorums).
        nt.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.addLearner(4)));
        nt.stabilize();
        assertThat(nt.node(1).confState().learners()).contains(4L);
        assertThat(nt.raft(1).leaseValid()).isFalse();
        tickAll(nt, 1);
        assertThat(nt.raft(1).leaseValid()).isTrue();

        // Transfer: fenced once TIMEOUT_NOW is out, and the old leader is a follower afterwards.
        nt.node(1).transferLeader(2);
        nt.stabilize();
        assertThat(nt.leader()).isEqualTo(2);
        assertThat(nt.raft(1).leaseValid()).isFalse();
        assertThat(nt.raft(1).state).isEqualTo(StateType.FOLLOWER);

        // CheckQuorum step-down: node 2 loses its followers and steps down after an election timeout.
        tickAll(nt, 1);
        assertThat(nt.raft(2).leaseValid()).isTrue();
        nt.isolate(2);
        for (int i = 0; i < 2 * ELECTION && nt.raft(2).state == StateType.LEADER; i++) {
            clock(2).pass(TICK);
            nt.tick(2, 1);
        }
        assertThat(nt.raft(2).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(2).leaseValid()).isFalse();
    }

    @Test
    @DisplayName("thesis §6.4.1 + §4.2.3: a partitioned old leader stops serving lease reads before its followers can"
            + " elect a new leader, even with their ticks bursting (a ticker catching up) and their clocks 5% fast")
    void partitionedLeaderLeaseEndsBeforeNewLeader() {
        clocks.put(2L, new FakeClock(1.05));
        clocks.put(3L, new FakeClock(1.05));
        TestNetwork nt = network(3);
        nt.elect(1);
        tickAll(nt, 2);
        assertThat(nt.raft(1).leaseValid()).isTrue();
        List<String> violations = new ArrayList<>();
        nt.onReady(rd -> {
            for (long id : List.of(2L, 3L)) {
                if (nt.raft(id).state == StateType.LEADER && nt.raft(1).leaseValid()) {
                    violations.add("node " + id + " leads while node 1's lease holds");
                }
            }
        });
        nt.isolate(1);
        nt.clearDelivered();

        // The followers' ticker bursts: three election timeouts of ticks within one real tick.
        pass(TICK);
        for (int i = 0; i < 3 * ELECTION; i++) {
            nt.tick(2, 1);
            nt.tick(3, 1);
        }
        assertThat(nt.raft(2).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(3).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(1).leaseValid()).as("no new leader can exist yet").isTrue();
        assertThat(nt.delivered()).noneMatch(m -> m.type() == MessageType.PRE_VOTE || m.type() == MessageType.VOTE);

        // Real time goes on with punctual ticks: a new leader comes, after the old lease ended.
        for (int i = 0; i < 4 * ELECTION && nt.leader() != 2 && nt.leader() != 3; i++) {
            tickAll(nt, 1);
        }
        assertThat(nt.raft(2).state == StateType.LEADER || nt.raft(3).state == StateType.LEADER).isTrue();
        assertThat(violations).isEmpty();
        assertThat(nt.raft(1).leaseValid()).isFalse();
        // By now CheckQuorum made it step down: reads there are refused, not answered stale.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> nt.node(1).readIndex(bytes("stale?")))
                .isInstanceOf(ProposalDroppedException.class);
    }

    @Test
    @DisplayName("thesis §4.2.3: a follower whose term a stray higher-term response bumped still refuses votes while"
            + " it owes its leader the promise, by ticks or by clock")
    void promiseSurvivesTermBump() {
        FakeClock c2 = clock(2);
        Raft r = newRaft(2, storage(1L, 2L, 3L), c -> c.checkQuorum(true).leaseClock(c2::now, TICK));
        r.endPromise(); // up for a while
        r.step(msg(MessageType.HEARTBEAT, 1, 2, 1).build());
        take(r);
        // A late rejection of an old pre-vote of ours, from a node already at term 3.
        r.step(msg(MessageType.PRE_VOTE_RESP, 3, 2, 3).reject(true).build());
        assertThat(r.term).isEqualTo(3);
        assertThat(r.lead).isZero();
        r.step(msg(MessageType.VOTE, 3, 2, 3).index(10).logTerm(3).build());
        assertThat(ofType(take(r), MessageType.VOTE_RESP)).singleElement()
                .satisfies(m -> assertThat(m.reject()).isTrue());
        assertThat(r.vote).isZero();

        // Ticks alone (a burst) do not end it: the clock has not moved.
        for (int i = 0; i < ELECTION; i++) {
            r.tick();
        }
        r.step(msg(MessageType.VOTE, 3, 2, 3).index(10).logTerm(3).build());
        assertThat(ofType(take(r), MessageType.VOTE_RESP)).singleElement()
                .satisfies(m -> assertThat(m.reject()).isTrue());

        // An election timeout of clock time later it votes.
        c2.pass(ELECTION * TICK);
        r.step(msg(MessageType.VOTE, 3, 2, 3).index(10).logTerm(3).build());
        assertThat(ofType(take(r), MessageType.VOTE_RESP)).singleElement()
                .satisfies(m -> assertThat(m.reject()).isFalse());
        assertThat(r.vote).isEqualTo(3);
    }

    @Test
    @DisplayName("a lease clock needs the tick length; the drift margin is a fraction in [0, 1)")
    void configValidation() {
        RaftConfig noTick = RaftTestUtil.config(1, storage(1L)).leaseClock(() -> 0L, 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(noTick::validate)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tick length");
        RaftConfig badMargin = RaftTestUtil.config(1, storage(1L)).leaseDriftMargin(1.0);
        org.assertj.core.api.Assertions.assertThatThrownBy(badMargin::validate)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("drift margin");
    }
}
