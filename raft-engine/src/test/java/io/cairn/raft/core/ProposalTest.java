package io.cairn.raft.core;

import static io.cairn.raft.core.RaftTestUtil.appResp;
import static io.cairn.raft.core.RaftTestUtil.bytes;
import static io.cairn.raft.core.RaftTestUtil.durable;
import static io.cairn.raft.core.RaftTestUtil.lead;
import static io.cairn.raft.core.RaftTestUtil.newRaft;
import static io.cairn.raft.core.RaftTestUtil.newRawNode;
import static io.cairn.raft.core.RaftTestUtil.ofType;
import static io.cairn.raft.core.RaftTestUtil.storage;
import static io.cairn.raft.core.RaftTestUtil.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.tracker.ProgressState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Client proposals: forwarding, refusal, the uncommitted-size cap and batching (Raft §5.3, §8, thesis §6). */
class ProposalTest {

    private static final String EIGHT = "12345678";

    private static ProposalDroppedException.Reason reasonOf(Throwable t) {
        return ((ProposalDroppedException) t).reason();
    }

    // ------------------------------------------------------------------ forwarding

    @Test
    @DisplayName("Raft §8: a follower forwards a client proposal to the leader, which appends and commits it")
    void followerForwardsToLeader() {
        TestNetwork nt = TestNetwork.of(3);
        nt.elect(1);
        nt.clearDelivered();

        nt.propose(2, "via-follower");

        assertThat(ofType(nt.delivered(), MessageType.PROP)).singleElement().satisfies(m -> {
            assertThat(m.from()).isEqualTo(2);
            assertThat(m.to()).isEqualTo(1);
            assertThat(m.term()).isZero();
            assertThat(m.entries()).singleElement()
                    .satisfies(e -> assertThat(e.data()).isEqualTo(bytes("via-follower")));
        });
        for (long id = 1; id <= 3; id++) {
            assertThat(nt.appliedData(id)).containsExactly("via-follower");
        }
        Entry e = nt.applied(1).get(nt.applied(1).size() - 1);
        assertThat(e.term()).isEqualTo(nt.raft(1).term);
    }

    @Test
    @DisplayName("Raft §8: with proposal forwarding disabled, a follower refuses proposals (FORWARDING_DISABLED) and sends nothing")
    void forwardingDisabled() {
        TestNetwork nt = TestNetwork.of(3, c -> c.disableProposalForwarding(true));
        nt.elect(1);
        nt.clearDelivered();

        assertThatThrownBy(() -> nt.node(2).propose(bytes("x")))
                .isInstanceOf(ProposalDroppedException.class)
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(ProposalDroppedException.Reason.FORWARDING_DISABLED))
                .hasMessageContaining("leader is 1");
        nt.stabilize();
        assertThat(ofType(nt.delivered(), MessageType.PROP)).isEmpty();

        // The leader itself still takes proposals.
        nt.propose(1, "at-leader");
        assertThat(nt.appliedData(2)).containsExactly("at-leader");
    }

    @Test
    @DisplayName("Raft §8: without a known leader a proposal is refused with NO_LEADER (follower, pre-candidate and candidate)")
    void noLeader() {
        RawNode follower = newRawNode(1, storage(1L, 2L, 3L), c -> c);
        assertThatThrownBy(() -> follower.propose(bytes("x")))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(ProposalDroppedException.Reason.NO_LEADER));
        assertThatThrownBy(() -> follower.proposeConfChange(ConfChange.of(ConfChangeSingle.addVoter(4))))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(ProposalDroppedException.Reason.NO_LEADER));

        RawNode pre = newRawNode(1, storage(1L, 2L, 3L), c -> c.preVote(true));
        pre.campaign();
        assertThat(pre.raft().state).isEqualTo(StateType.PRE_CANDIDATE);
        assertThatThrownBy(() -> pre.propose(bytes("x")))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(ProposalDroppedException.Reason.NO_LEADER));

        follower.campaign();
        assertThat(follower.raft().state).isEqualTo(StateType.CANDIDATE);
        assertThatThrownBy(() -> follower.proposeBatch(List.of(bytes("a"), bytes("b"))))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(ProposalDroppedException.Reason.NO_LEADER));
        assertThat(follower.lastIndex()).isZero();
    }

    @Test
    @DisplayName("Raft §8: a forwarded proposal reaching a node without a leader is dropped silently (the client retries)")
    void forwardedProposalDroppedSilently() {
        RawNode n = newRawNode(2, storage(1L, 2L, 3L), c -> c);
        n.step(Message.builder(MessageType.PROP).from(3).to(2)
                .entries(List.of(Entry.proposal(EntryType.NORMAL, bytes("lost")))).build());
        assertThat(n.lastIndex()).isZero();
        assertThat(n.raft().msgs).isEmpty();
    }

    @Test
    @DisplayName("Raft §5.3: the leader appends a proposal with its term at the next index and replicates it")
    void leaderAppendsWithItsTerm() {
        Raft r = lead(newRaft(1, storage(1L, 2L, 3L)));
        r.step(appResp(r, 2, 1));
        r.step(appResp(r, 3, 1));
        take(r);

        r.step(RaftTestUtil.prop(1, "p"));

        assertThat(r.raftLog.lastIndex()).isEqualTo(2);
        assertThat(r.raftLog.term(2)).isEqualTo(r.term);
        // Thesis §10.2.1: the leader counts its own copy only once it is durable.
        assertThat(r.trk.progress().get(1L).match).isZero();
        durable(r);
        assertThat(r.trk.progress().get(1L).match).isEqualTo(2);
        List<Message> apps = ofType(take(r), MessageType.APP);
        assertThat(apps).extracting(Message::to).containsExactly(2L, 3L);
        assertThat(apps).allSatisfy(m -> {
            assertThat(m.index()).isEqualTo(1);
            assertThat(m.logTerm()).isEqualTo(r.term);
            assertThat(m.entries()).extracting(Entry::index).containsExactly(2L);
        });
    }

    // ------------------------------------------------------------------ batching

    @Test
    @DisplayName("Raft §5.3 (batching): proposeBatch appends all entries consecutively and replicates them in one append per follower")
    void proposeBatchAppendsAtomically() {
        TestNetwork nt = TestNetwork.of(3);
        nt.elect(1);
        long before = nt.node(1).lastIndex();
        nt.clearDelivered();

        nt.node(1).proposeBatch(List.of(bytes("a"), bytes("b"), bytes("c")));
        Raft leader = nt.raft(1);
        assertThat(leader.raftLog.lastIndex()).isEqualTo(before + 3);
        List<Message> apps = ofType(leader.msgs, MessageType.APP);
        assertThat(apps).hasSize(2).allSatisfy(m ->
                assertThat(m.entries()).extracting(Entry::index).containsExactly(before + 1, before + 2, before + 3));
        nt.stabilize();

        for (long id = 1; id <= 3; id++) {
            assertThat(nt.appliedData(id)).containsExactly("a", "b", "c");
        }
        List<Entry> applied = nt.applied(1);
        assertThat(applied.subList(applied.size() - 3, applied.size())).extracting(Entry::term)
                .containsOnly(leader.term);

        // An empty batch is a no-op.
        nt.node(1).proposeBatch(List.of());
        assertThat(nt.node(1).lastIndex()).isEqualTo(before + 3);
    }

    @Test
    @DisplayName("Raft §8: a batch forwarded by a follower arrives at the leader as one proposal")
    void batchForwardedAsOne() {
        TestNetwork nt = TestNetwork.of(3);
        nt.elect(1);
        nt.clearDelivered();
        nt.node(3).proposeBatch(List.of(bytes("x"), bytes("y")));
        nt.stabilize();
        assertThat(ofType(nt.delivered(), MessageType.PROP)).singleElement()
                .satisfies(m -> assertThat(m.entries()).hasSize(2));
        assertThat(nt.appliedData(2)).containsExactly("x", "y");
    }

    // ------------------------------------------------------------------ uncommitted cap

    @Test
    @DisplayName("thesis §6.3 (flow control): proposals beyond the uncommitted-size cap are refused with UNCOMMITTED_SIZE_LIMIT, naming the limit")
    void uncommittedCap() {
        TestNetwork nt = TestNetwork.of(3, c -> c.maxUncommittedEntriesSize(3 * EIGHT.length() + 1));
        nt.elect(1);
        nt.isolate(2);
        nt.isolate(3);
        RawNode leader = nt.node(1);
        assertThat(leader.status().uncommittedSize()).isZero();
        for (int i = 0; i < 3; i++) {
            leader.propose(bytes(EIGHT));
        }
        nt.stabilize();
        assertThat(leader.status().uncommittedSize()).isEqualTo(24);
        long last = leader.lastIndex();

        assertThatThrownBy(() -> leader.propose(bytes("12")))
                .isInstanceOf(ProposalDroppedException.class)
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(ProposalDroppedException.Reason.UNCOMMITTED_SIZE_LIMIT))
                .hasMessageContaining("limit of 25");
        assertThat(leader.lastIndex()).isEqualTo(last);

        // An entry without payload is always accepted (it costs nothing).
        leader.proposeBatch(List.of(new byte[0]));
        assertThat(leader.lastIndex()).isEqualTo(last + 1);

        // Once the entries commit (and are handed out), the size drops and proposals flow again.
        nt.recover();
        nt.tickAll(1);
        assertThat(nt.appliedData(1)).hasSize(3);
        assertThat(leader.status().uncommittedSize()).isZero();
        nt.propose(1, EIGHT);
        assertThat(nt.appliedData(2)).hasSize(4);
    }

    @Test
    @DisplayName("thesis §6.3 (flow control): a batch that would cross the cap is refused as a whole; a single oversized proposal passes only when nothing is uncommitted")
    void capIsAllOrNothingAndLetsOneLargeEntryThrough() {
        MemoryStorage s = storage(1L, 2L, 3L);
        RawNode rn = newRawNode(1, s, c -> c.maxUncommittedEntriesSize(16));
        Raft r = lead(rn.raft());

        // Nothing uncommitted: a 40-byte entry goes through even though the cap is 16.
        rn.propose(bytes("x".repeat(40)));
        assertThat(r.uncommittedSize).isEqualTo(40);
        assertThatThrownBy(() -> rn.propose(bytes("y")))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(ProposalDroppedException.Reason.UNCOMMITTED_SIZE_LIMIT));

        // Commit everything; hand it out.
        durable(r);
        r.step(appResp(r, 2, r.raftLog.lastIndex()));
        RaftTestUtil.handleReady(rn, s);
        assertThat(r.uncommittedSize).isZero();

        rn.propose(bytes(EIGHT));
        long last = rn.lastIndex();
        assertThatThrownBy(() -> rn.proposeBatch(List.of(bytes("1234"), bytes("5678"), bytes("9"))))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(ProposalDroppedException.Reason.UNCOMMITTED_SIZE_LIMIT));
        assertThat(rn.lastIndex()).isEqualTo(last);
        assertThat(r.uncommittedSize).isEqualTo(8);
        rn.proposeBatch(List.of(bytes("1234"), bytes("5678")));
        assertThat(rn.lastIndex()).isEqualTo(last + 2);
        assertThat(r.uncommittedSize).isEqualTo(16);
    }

    @Test
    @DisplayName("thesis §6.3 (flow control): the cap survives term changes: a new leader counts the uncommitted tail it inherits")
    void capSurvivesTermChange() {
        MemoryStorage s = storage(1L, 2L, 3L);
        s.append(List.of(Entry.normal(1, 1, bytes(EIGHT)), Entry.normal(1, 2, bytes(EIGHT)),
                Entry.normal(1, 3, bytes(EIGHT))));
        s.setHardState(new HardState(1, 0, 0));
        RawNode rn = newRawNode(2, s, c -> c.maxUncommittedEntriesSize(30));
        Raft r = rn.raft();

        r.becomeCandidate();
        r.becomeLeader();
        assertThat(r.uncommittedSize).isEqualTo(24);
        assertThat(rn.status().uncommittedSize()).isEqualTo(24);
        assertThatThrownBy(() -> rn.propose(bytes(EIGHT)))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(ProposalDroppedException.Reason.UNCOMMITTED_SIZE_LIMIT))
                .hasMessageContaining("limit of 30");
        rn.propose(bytes("123456"));
        assertThat(r.uncommittedSize).isEqualTo(30);

        // Losing and regaining leadership does not forget the tail.
        r.becomeFollower(r.term + 1, Raft.NONE);
        assertThat(r.uncommittedSize).isZero();
        r.becomeCandidate();
        r.becomeLeader();
        assertThat(r.uncommittedSize).isEqualTo(30);

        // When the inherited entries commit and are applied, the size drops accordingly.
        take(r);
        durable(r);
        r.step(appResp(r, 1, r.raftLog.lastIndex()));
        RaftTestUtil.handleReady(rn, s);
        assertThat(r.raftLog.applied).isEqualTo(r.raftLog.lastIndex());
        assertThat(r.uncommittedSize).isZero();
    }

    @Test
    @DisplayName("thesis §6.3 (flow control): entries committed before a leader took over (but applied after) do not offset its uncommitted tail")
    void capNotOffsetByEntriesCommittedBeforeElection() {
        // A node restarts with entries 1..3 committed but not yet applied, and wins an election.
        MemoryStorage s = storage(1L, 2L, 3L);
        s.append(List.of(Entry.normal(1, 1, bytes(EIGHT)), Entry.normal(1, 2, bytes(EIGHT)),
                Entry.normal(1, 3, bytes(EIGHT))));
        s.setHardState(new HardState(1, 0, 3));
        RawNode rn = newRawNode(1, s, c -> c.maxUncommittedEntriesSize(16));
        Raft r = rn.raft();
        assertThat(r.raftLog.committed).isEqualTo(3);
        assertThat(r.raftLog.applied).isZero();
        r.becomeCandidate();
        r.becomeLeader();
        assertThat(r.uncommittedSize).isZero();

        // It fills its cap with new, uncommitted proposals.
        rn.propose(bytes(EIGHT));
        rn.propose(bytes(EIGHT));
        assertThat(r.uncommittedSize).isEqualTo(16);
        assertThatThrownBy(() -> rn.propose(bytes(EIGHT)))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(ProposalDroppedException.Reason.UNCOMMITTED_SIZE_LIMIT));

        // The application now applies the old committed entries 1..3. Nothing new got committed,
        // so the 16 bytes of the leader's own proposals are still uncommitted.
        Ready rd = RaftTestUtil.handleReady(rn, s);
        assertThat(rd.committedEntries()).extracting(Entry::index).containsExactly(1L, 2L, 3L);
        assertThat(r.raftLog.committed).isEqualTo(3);
        assertThat(r.uncommittedSize).as("uncommitted bytes after applying entries committed before the election")
                .isEqualTo(16);
        assertThatThrownBy(() -> rn.propose(bytes(EIGHT)))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(ProposalDroppedException.Reason.UNCOMMITTED_SIZE_LIMIT));
    }

    @Test
    @DisplayName("thesis §6.3 (flow control): through the network, a newly elected leader starts with the inherited uncommitted tail counted")
    void capInheritedThroughElection() {
        TestNetwork nt = TestNetwork.of(3, c -> c.maxUncommittedEntriesSize(1000));
        nt.elect(1);
        // The followers get the entries but the leader never hears back: nothing commits.
        nt.ignore(MessageType.APP_RESP);
        nt.propose(1, "x".repeat(300));
        nt.propose(1, "y".repeat(300));
        assertThat(nt.raft(2).raftLog.lastIndex()).isEqualTo(nt.raft(1).raftLog.lastIndex());
        assertThat(nt.raft(1).uncommittedSize).isEqualTo(600);

        nt.recover();
        nt.isolate(1);
        nt.ignore(MessageType.APP);
        List<Long> sizesAtElection = new ArrayList<>();
        nt.onReady(rd -> {
            if (rd.softState() != null && rd.softState().raftState() == StateType.LEADER) {
                sizesAtElection.add(nt.raft(rd.softState().lead()).uncommittedSize);
            }
        });
        nt.tickAll(3 * TestNetwork.ELECTION_TICK);
        long newLeader = nt.leader();
        assertThat(newLeader).isIn(2L, 3L);
        assertThat(sizesAtElection).containsExactly(600L);

        assertThatThrownBy(() -> nt.node(newLeader).propose(bytes("z".repeat(401))))
                .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(ProposalDroppedException.Reason.UNCOMMITTED_SIZE_LIMIT));
        nt.node(newLeader).propose(bytes("z".repeat(400)));
    }

    @Test
    @DisplayName("thesis §6.3 (flow control): a follower's forwarded proposal refused by a leader at its cap is dropped without error at the follower")
    void forwardedProposalOverCapDropped() {
        TestNetwork nt = TestNetwork.of(3, c -> c.maxUncommittedEntriesSize(8));
        nt.elect(1);
        nt.ignore(MessageType.APP_RESP);
        nt.propose(1, EIGHT);
        long last = nt.raft(1).raftLog.lastIndex();

        nt.node(2).propose(bytes("more"));
        nt.stabilize();

        assertThat(nt.raft(1).raftLog.lastIndex()).isEqualTo(last);
        assertThat(nt.raft(1).trk.progress().get(2L).state).isEqualTo(ProgressState.REPLICATE);
    }
}
