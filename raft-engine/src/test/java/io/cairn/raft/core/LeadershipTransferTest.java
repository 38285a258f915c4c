package io.cairn.raft.core;

import static io.cairn.raft.core.RaftTestUtil.appResp;
import static io.cairn.raft.core.RaftTestUtil.bytes;
import static io.cairn.raft.core.RaftTestUtil.conf;
import static io.cairn.raft.core.RaftTestUtil.lead;
import static io.cairn.raft.core.RaftTestUtil.msg;
import static io.cairn.raft.core.RaftTestUtil.newRaft;
import static io.cairn.raft.core.RaftTestUtil.ofType;
import static io.cairn.raft.core.RaftTestUtil.storage;
import static io.cairn.raft.core.RaftTestUtil.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Leadership transfer (thesis §3.10). */
class LeadershipTransferTest {

    private static TestNetwork elected3() {
        TestNetwork nt = TestNetwork.of(3);
        nt.elect(1);
        return nt;
    }

    /** Asserts that node 1 (the old leader) and the network agree on {@code leader} in {@code term}. */
    private static void assertLeader(TestNetwork nt, long leader, long term) {
        assertThat(nt.leader()).isEqualTo(leader);
        for (long id : nt.ids()) {
            Raft r = nt.raft(id);
            assertThat(r.term).as("term of %d", id).isEqualTo(term);
            assertThat(r.lead).as("leader seen by %d", id).isEqualTo(leader);
            assertThat(r.state).as("state of %d", id)
                    .isEqualTo(id == leader ? StateType.LEADER : StateType.FOLLOWER);
            assertThat(r.leadTransferee).isZero();
        }
    }

    private static void assertTransferAborted(Raft r, long term) {
        assertThat(r.state).isEqualTo(StateType.LEADER);
        assertThat(r.term).isEqualTo(term);
        assertThat(r.leadTransferee).isZero();
    }

    @Test
    @DisplayName("thesis §3.10: a transfer to an up-to-date follower sends TIMEOUT_NOW at once and the target wins the next term")
    void transferToUpToDateNode() {
        TestNetwork nt = elected3();
        long term = nt.raft(1).term;
        nt.clearDelivered();

        nt.node(1).transferLeader(2);
        nt.stabilize();

        assertThat(ofType(nt.delivered(), MessageType.TIMEOUT_NOW)).singleElement().satisfies(m -> {
            assertThat(m.from()).isEqualTo(1);
            assertThat(m.to()).isEqualTo(2);
        });
        assertLeader(nt, 2, term + 1);

        // And back again.
        nt.node(2).transferLeader(1);
        nt.stabilize();
        assertLeader(nt, 1, term + 2);
        nt.propose(1, "after");
        assertThat(nt.appliedData(3)).containsExactly("after");
    }

    @Test
    @DisplayName("thesis §3.10: the transfer target campaigns at once in term+1 without pre-vote, and its forced votes bypass the leader lease")
    void timeoutNowSkipsPreVoteAndLease() {
        TestNetwork nt = elected3(); // pre-vote and check-quorum on
        long term = nt.raft(1).term;
        nt.clearDelivered();

        nt.node(1).transferLeader(3);
        nt.stabilize();

        assertThat(ofType(nt.delivered(), MessageType.PRE_VOTE)).isEmpty();
        List<Message> votes = ofType(nt.delivered(), MessageType.VOTE);
        assertThat(votes).extracting(Message::from).containsOnly(3L);
        assertThat(votes).allSatisfy(v -> {
            assertThat(v.term()).isEqualTo(term + 1);
            assertThat(v.context()).isEqualTo(Raft.CAMPAIGN_TRANSFER);
        });
        assertLeader(nt, 3, term + 1);
    }

    @Test
    @DisplayName("thesis §3.10: a transfer requested at a follower is forwarded to the leader")
    void transferRequestedAtFollower() {
        TestNetwork nt = elected3();
        long term = nt.raft(1).term;
        nt.clearDelivered();

        nt.node(2).transferLeader(2);
        nt.stabilize();

        assertThat(ofType(nt.delivered(), MessageType.TRANSFER_LEADER)).singleElement().satisfies(m -> {
            assertThat(m.from()).isEqualTo(2);
            assertThat(m.to()).isEqualTo(1);
        });
        assertLeader(nt, 2, term + 1);

        // A follower of a group without a known leader refuses.
        RawNode rn = new RawNode(RaftTestUtil.config(2, storage(1L, 2L)));
        assertThat(rn.raft().lead).isZero();
        assertThatThrownBy(() -> rn.transferLeader(1))
                .isInstanceOfSatisfying(ProposalDroppedException.class,
                        e -> assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.NO_LEADER));
    }

    @Test
    @DisplayName("thesis §3.10: to a lagging follower the leader first sends the missing entries, then TIMEOUT_NOW")
    void transferToSlowFollower() {
        TestNetwork nt = elected3();
        long term = nt.raft(1).term;
        nt.isolate(3);
        nt.propose(1, "a");
        nt.propose(1, "b");
        nt.recover();
        Raft leader = nt.raft(1);
        assertThat(leader.trk.progress().get(3L).match).isLessThan(leader.raftLog.lastIndex());
        nt.clearDelivered();

        nt.node(1).transferLeader(3);
        nt.stabilize();

        List<Message> delivered = nt.delivered();
        int lastApp = -1;
        int timeoutNow = -1;
        for (int i = 0; i < delivered.size(); i++) {
            Message m = delivered.get(i);
            if (m.type() == MessageType.APP && m.to() == 3 && !m.entries().isEmpty()) {
                lastApp = i;
            }
            if (m.type() == MessageType.TIMEOUT_NOW && timeoutNow < 0) {
                timeoutNow = i;
            }
        }
        assertThat(lastApp).isNotNegative();
        assertThat(timeoutNow).isGreaterThan(lastApp);
        assertLeader(nt, 3, term + 1);
        assertThat(nt.appliedData(3)).containsExactly("a", "b");
    }

    @Test
    @DisplayName("thesis §3.10, Raft §7: a target that lags behind the compacted log is caught up by a snapshot first")
    void transferAfterSnapshot() {
        TestNetwork nt = elected3();
        long term = nt.raft(1).term;
        nt.isolate(3);
        nt.propose(1, "a");
        nt.propose(1, "b");
        MemoryStorage s1 = nt.storage(1);
        long applied = nt.appliedIndex(1);
        s1.createSnapshot(applied, nt.node(1).confState(), bytes("a,b"));
        s1.compact(applied);
        nt.recover();
        nt.clearDelivered();

        nt.node(1).transferLeader(3);
        nt.stabilize();

        assertThat(ofType(nt.delivered(), MessageType.SNAP)).hasSize(1);
        assertLeader(nt, 3, term + 1);
        assertThat(nt.storage(3).snapshot().index()).isEqualTo(applied);
    }

    @Test
    @DisplayName("thesis §3.10: while a transfer is in progress the leader refuses proposals (LEADER_TRANSFER_IN_PROGRESS)")
    void proposalsRefusedDuringTransfer() {
        TestNetwork nt = elected3();
        nt.isolate(3);
        nt.node(1).transferLeader(3);
        nt.stabilize();
        Raft leader = nt.raft(1);
        assertThat(leader.leadTransferee).isEqualTo(3);
        long last = leader.raftLog.lastIndex();

        assertThatThrownBy(() -> nt.node(1).propose(bytes("x")))
                .isInstanceOfSatisfying(ProposalDroppedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.LEADER_TRANSFER_IN_PROGRESS);
                    assertThat(e.getMessage()).contains("3");
                });
        assertThatThrownBy(() -> nt.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.remove(3))))
                .isInstanceOf(ProposalDroppedException.class);
        // A proposal forwarded by a follower is dropped silently at the leader.
        nt.node(2).propose(bytes("y"));
        nt.stabilize();
        assertThat(leader.raftLog.lastIndex()).isEqualTo(last);
        assertThat(leader.trk.progress().get(1L).match).isEqualTo(last);
    }

    @Test
    @DisplayName("thesis §3.10: a transfer that does not complete within an election timeout is aborted and the leader resumes")
    void transferTimeout() {
        TestNetwork nt = elected3();
        long term = nt.raft(1).term;
        nt.isolate(3);
        nt.node(1).transferLeader(3);
        nt.stabilize();
        Raft leader = nt.raft(1);
        assertThat(leader.leadTransferee).isEqualTo(3);

        nt.tick(1, TestNetwork.ELECTION_TICK - 1);
        assertThat(leader.leadTransferee).isEqualTo(3);
        nt.tick(1, 1);
        assertTransferAborted(leader, term);

        nt.propose(1, "resumed");
        assertThat(nt.appliedData(2)).containsExactly("resumed");
    }

    @Test
    @DisplayName("thesis §3.10: repeating the same transfer request does not extend its deadline")
    void secondTransferToSameNode() {
        TestNetwork nt = elected3();
        long term = nt.raft(1).term;
        nt.isolate(3);
        nt.node(1).transferLeader(3);
        nt.stabilize();
        nt.tick(1, 4);
        nt.node(1).transferLeader(3);
        nt.stabilize();
        Raft leader = nt.raft(1);
        assertThat(leader.leadTransferee).isEqualTo(3);

        nt.tick(1, TestNetwork.ELECTION_TICK - 4);
        assertTransferAborted(leader, term);
    }

    @Test
    @DisplayName("thesis §3.10: a second transfer to another node replaces the first")
    void secondTransferToAnotherNode() {
        TestNetwork nt = elected3();
        long term = nt.raft(1).term;
        nt.isolate(3);
        nt.node(1).transferLeader(3);
        nt.stabilize();
        assertThat(nt.raft(1).leadTransferee).isEqualTo(3);

        nt.node(1).transferLeader(2);
        nt.stabilize();

        assertThat(nt.leader()).isEqualTo(2);
        assertThat(nt.raft(2).term).isEqualTo(term + 1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.FOLLOWER);
    }

    @Test
    @DisplayName("thesis §3.10: a transfer to the leader itself is a no-op, and it aborts a transfer in progress")
    void transferToSelf() {
        TestNetwork nt = elected3();
        long term = nt.raft(1).term;
        nt.clearDelivered();
        nt.node(1).transferLeader(1);
        nt.stabilize();
        assertTransferAborted(nt.raft(1), term);
        assertThat(nt.delivered()).isEmpty();

        nt.isolate(3);
        nt.node(1).transferLeader(3);
        nt.stabilize();
        assertThat(nt.raft(1).leadTransferee).isEqualTo(3);
        nt.node(1).transferLeader(1);
        nt.stabilize();
        assertTransferAborted(nt.raft(1), term);
    }

    @Test
    @DisplayName("thesis §3.10: a transfer to a node that is not in the configuration is ignored")
    void transferToUnknownNode() {
        TestNetwork nt = elected3();
        long term = nt.raft(1).term;
        nt.clearDelivered();
        nt.node(1).transferLeader(4);
        nt.stabilize();
        assertTransferAborted(nt.raft(1), term);
        assertThat(nt.delivered()).isEmpty();
    }

    @Test
    @DisplayName("thesis §3.10, §4.2.1: learners cannot lead, so a transfer to a learner (or observer) is ignored")
    void transferToLearnerIgnored() {
        Raft r = lead(newRaft(1, MemoryStorage.withMembers(conf(Set.of(1L, 2L), Set.of(3L)))));
        r.step(appResp(r, 3, r.raftLog.lastIndex()));
        take(r);
        r.step(msg(MessageType.TRANSFER_LEADER, 3, 1, 0).build());
        assertThat(r.leadTransferee).isZero();
        assertThat(ofType(take(r), MessageType.TIMEOUT_NOW)).isEmpty();

        // Even if a learner gets a TIMEOUT_NOW, it does not campaign.
        Raft learner = newRaft(3, MemoryStorage.withMembers(conf(Set.of(1L, 2L), Set.of(3L))));
        learner.becomeFollower(1, 1);
        learner.step(msg(MessageType.TIMEOUT_NOW, 1, 3, 1).build());
        assertThat(learner.state).isEqualTo(StateType.FOLLOWER);
        assertThat(learner.term).isEqualTo(1);
        assertThat(take(learner)).isEmpty();
    }

    @Test
    @DisplayName("thesis §3.10, §4: a transfer to a node that gets removed (or demoted) is aborted")
    void transferToRemovedNodeAborted() {
        for (ConfChangeSingle change : List.of(ConfChangeSingle.remove(3), ConfChangeSingle.addLearner(3))) {
            Raft r = lead(newRaft(1, storage(1L, 2L, 3L)));
            r.step(msg(MessageType.TRANSFER_LEADER, 3, 1, 0).build());
            assertThat(r.leadTransferee).as("%s", change).isEqualTo(3);
            take(r);

            r.applyConfChange(ConfChange.of(change));

            assertThat(r.leadTransferee).as("%s", change).isZero();
            assertThat(r.state).isEqualTo(StateType.LEADER);
        }

        // Through the network: the removal was proposed before the transfer request and is
        // committed and applied while the transfer is pending.
        TestNetwork nt = elected3();
        long term = nt.raft(1).term;
        nt.isolate(2);
        nt.isolate(3);
        nt.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.remove(3)));
        nt.node(1).transferLeader(3);
        nt.stabilize();
        Raft leader = nt.raft(1);
        assertThat(leader.leadTransferee).isEqualTo(3);

        nt.recover();
        nt.ignore(MessageType.TIMEOUT_NOW);
        nt.tick(1, 1);
        assertTransferAborted(leader, term);
        assertThat(nt.node(1).confState().voters()).containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    @DisplayName("thesis §3.10: a vote request of a higher term during a transfer makes the leader step down and clears the transfer")
    void higherTermVoteDuringTransfer() {
        TestNetwork nt = TestNetwork.of(3, c -> c.checkQuorum(false).preVote(false));
        nt.elect(1);
        long term = nt.raft(1).term;
        nt.isolate(3);
        nt.node(1).transferLeader(3);
        nt.stabilize();
        assertThat(nt.raft(1).leadTransferee).isEqualTo(3);

        nt.campaign(2);

        assertThat(nt.leader()).isEqualTo(2);
        assertThat(nt.raft(1).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(1).leadTransferee).isZero();
        assertThat(nt.raft(1).term).isEqualTo(term + 1);
    }

    @Test
    @DisplayName("thesis §3.10, §6.4.1: after sending TIMEOUT_NOW the old leader's lease is void for the rest of its term")
    void timeoutNowFencesLease() {
        TestNetwork nt = TestNetwork.of(3, c -> c.readOnlyOption(ReadOnlyOption.LEASE_BASED));
        nt.elect(1);
        nt.tick(1, 1);
        Raft leader = nt.raft(1);
        assertThat(leader.leaseValid()).isTrue();

        nt.ignore(MessageType.TIMEOUT_NOW);
        nt.node(1).transferLeader(2);
        nt.stabilize();
        assertThat(leader.leaseFenced).isTrue();
        assertThat(leader.leaseValid()).isFalse();

        // Fresh heartbeat acks do not restore it, even after the transfer is aborted.
        nt.tick(1, TestNetwork.ELECTION_TICK);
        assertThat(leader.state).isEqualTo(StateType.LEADER);
        assertThat(leader.leadTransferee).isZero();
        assertThat(leader.leaseValid()).isFalse();
        assertThat(nt.node(1).status().leaseValid()).isFalse();
    }
}
