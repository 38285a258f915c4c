package io.cairn.raft.core;

import static io.cairn.raft.core.RaftTestUtil.appResp;
import static io.cairn.raft.core.RaftTestUtil.bytes;
import static io.cairn.raft.core.RaftTestUtil.conf;
import static io.cairn.raft.core.RaftTestUtil.durable;
import static io.cairn.raft.core.RaftTestUtil.isEmptyNormal;
import static io.cairn.raft.core.RaftTestUtil.lead;
import static io.cairn.raft.core.RaftTestUtil.msg;
import static io.cairn.raft.core.RaftTestUtil.newRaft;
import static io.cairn.raft.core.RaftTestUtil.nextEntsLikeRawNode;
import static io.cairn.raft.core.RaftTestUtil.ofType;
import static io.cairn.raft.core.RaftTestUtil.prop;
import static io.cairn.raft.core.RaftTestUtil.propConfChange;
import static io.cairn.raft.core.RaftTestUtil.storage;
import static io.cairn.raft.core.RaftTestUtil.take;
import static io.cairn.raft.core.RaftTestUtil.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.confchange.ConfChangeException;
import io.cairn.raft.core.quorum.VoteResult;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Cluster membership changes (Raft §6, thesis chapter 4) and the BW-Raft observer extension. */
class MembershipTest {

    private static ConfChange cc(ConfChangeSingle... changes) {
        return ConfChange.of(changes);
    }

    private static Entry ccEntry(long term, long index, ConfChange cc) {
        return new Entry(term, index, EntryType.CONF_CHANGE, cc.encode());
    }

    /** A node joining the group: it starts from the founding membership and replays the log. */
    private static MemoryStorage joiner() {
        return MemoryStorage.withMembers(voters(1L, 2L, 3L));
    }

    private static List<ConfChange> appliedConfChanges(TestNetwork nt, long id) {
        return nt.applied(id).stream().filter(e -> e.type() == EntryType.CONF_CHANGE)
                .map(RawNode::confChangeOf).toList();
    }

    // ------------------------------------------------------------------ single-server changes

    @Nested
    @DisplayName("single-server changes")
    class Simple {

        @Test
        @DisplayName("thesis §4.1: adding one voter is a simple change applied directly")
        void addVoter() {
            Raft r = newRaft(1, storage(1L));
            ConfState cs = r.applyConfChange(cc(ConfChangeSingle.addVoter(2)));
            assertThat(cs.voters()).containsExactlyInAnyOrder(1L, 2L);
            assertThat(cs.isJoint()).isFalse();
            assertThat(r.trk.progress().keySet()).containsExactly(1L, 2L);
        }

        @Test
        @DisplayName("thesis §4.1: removing one voter is a simple change; removing the last voter is refused")
        void removeVoter() {
            Raft r = newRaft(1, storage(1L, 2L));
            ConfState cs = r.applyConfChange(cc(ConfChangeSingle.remove(2)));
            assertThat(cs.voters()).containsExactly(1L);
            assertThat(r.trk.progress().keySet()).containsExactly(1L);

            assertThatThrownBy(() -> r.applyConfChange(cc(ConfChangeSingle.remove(1))))
                    .isInstanceOf(ConfChangeException.class)
                    .hasMessageContaining("removed all voters");
        }

        @Test
        @DisplayName("thesis §4.1: changing two voters without joint consensus is refused")
        void twoVotersNeedJoint() {
            Raft r = newRaft(1, storage(1L, 2L, 3L));
            ConfChange two = new ConfChange(ConfChangeTransition.AUTO,
                    List.of(ConfChangeSingle.addVoter(4), ConfChangeSingle.addVoter(5)), null);
            // AUTO with two changes goes through a joint configuration; forcing it simple fails.
            assertThat(two.entersJoint()).isTrue();
            assertThatThrownBy(() -> new io.cairn.raft.core.confchange.Changer(r.trk, 1).simple(two.changes()))
                    .isInstanceOf(ConfChangeException.class);
        }

        @Test
        @DisplayName("thesis §4.2.1: a learner is added with a learner progress; the node is only promotable as a voter")
        void addLearnerAndPromotable() {
            Raft r = newRaft(1, storage(1L));
            ConfState cs = r.applyConfChange(cc(ConfChangeSingle.addLearner(2)));
            assertThat(cs.learners()).containsExactly(2L);
            assertThat(r.trk.progress().get(2L).isLearner).isTrue();
            assertThat(r.promotable()).isTrue();

            Raft r2 = newRaft(2, MemoryStorage.withMembers(conf(Set.of(1L), Set.of(2L))));
            assertThat(r2.isLearner).isTrue();
            assertThat(r2.promotable()).isFalse();
            Raft r3 = newRaft(3, storage(1L, 2L));
            assertThat(r3.promotable()).isFalse();

            cs = r.applyConfChange(cc(ConfChangeSingle.remove(2)));
            assertThat(cs.learners()).isEmpty();
            assertThat(r.trk.progress().keySet()).containsExactly(1L);
        }

        @Test
        @DisplayName("Raft §6: a conf change encodes and decodes losslessly (the log carries it)")
        void confChangeRoundTrip() {
            ConfChange c = new ConfChange(ConfChangeTransition.JOINT_EXPLICIT,
                    List.of(ConfChangeSingle.addVoter(4), ConfChangeSingle.addObserver(5),
                            ConfChangeSingle.remove(2)), bytes("ctx"));
            assertThat(ConfChange.decode(c.encode())).isEqualTo(c);
            assertThat(RawNode.confChangeOf(new Entry(1, 1, EntryType.CONF_CHANGE, null)).isLeaveJoint()).isTrue();
            assertThatThrownBy(() -> RawNode.confChangeOf(Entry.normal(1, 1, null)))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        @DisplayName("thesis §4.1: after a voter is removed, entries commit with the quorum of the smaller configuration")
        void commitAfterRemoveNode() {
            MemoryStorage s = storage(1L, 2L);
            Raft r = lead(newRaft(1, s));
            nextEntsLikeRawNode(r, s);

            // Begin to remove node 2; nothing is committed yet.
            ConfChange remove2 = cc(ConfChangeSingle.remove(2));
            r.step(propConfChange(1, remove2));
            assertThat(nextEntsLikeRawNode(r, s)).isEmpty();
            long ccIndex = r.raftLog.lastIndex();

            // While the change is pending, another proposal.
            r.step(prop(1, "hello"));

            // Node 2 acks the conf change (only): it commits, with the empty entry before it.
            r.step(appResp(r, 2, ccIndex));
            List<Entry> ents = nextEntsLikeRawNode(r, s);
            assertThat(ents).hasSize(2);
            assertThat(ents.get(0).data()).isEmpty();
            assertThat(ents.get(1).type()).isEqualTo(EntryType.CONF_CHANGE);

            // Applying it reduces the quorum to node 1 alone, which commits the pending proposal.
            r.applyConfChange(remove2);
            ents = nextEntsLikeRawNode(r, s);
            assertThat(ents).singleElement().satisfies(e -> assertThat(e.data()).isEqualTo(bytes("hello")));
        }

        @Test
        @DisplayName("thesis §4.1: removing dead voters lets the survivors keep committing with the smaller quorum")
        void removingDeadNodesRestoresAvailability() {
            TestNetwork nt = TestNetwork.of(5);
            nt.elect(1);
            nt.isolate(4);
            nt.isolate(5);
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.remove(5)));
            nt.stabilize();
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.remove(4)));
            nt.stabilize();
            assertThat(nt.node(1).confState().voters()).containsExactlyInAnyOrder(1L, 2L, 3L);

            // Now node 3 fails too: 2 of the remaining 3 voters still commit (2 of 5 would not).
            nt.isolate(3);
            nt.propose(1, "still-available");
            assertThat(nt.appliedData(2)).containsExactly("still-available");
            assertThat(nt.appliedData(1)).containsExactly("still-available");
        }

        @Test
        @DisplayName("Raft §6: responses from a node that is no longer in the configuration are ignored")
        void responsesFromRemovedNodeIgnored() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.remove(3)));
            nt.stabilize();
            Raft leader = nt.raft(1);
            assertThat(leader.trk.progress()).doesNotContainKey(3L);
            long committed = leader.raftLog.committed;
            // A late ack from node 3 neither crashes the leader nor counts.
            nt.node(1).step(msg(MessageType.APP_RESP, 3, 1, leader.term).index(committed + 5).build());
            nt.node(1).step(msg(MessageType.HEARTBEAT_RESP, 3, 1, leader.term).build());
            assertThat(leader.raftLog.committed).isEqualTo(committed);
            assertThat(leader.state).isEqualTo(StateType.LEADER);
        }
    }

    // ------------------------------------------------------------------ pending conf changes

    @Nested
    @DisplayName("one conf change at a time")
    class Pending {

        @Test
        @DisplayName("thesis §4.1: a leader accepts a conf change and remembers its index as pending")
        void stepConfig() {
            Raft r = lead(newRaft(1, storage(1L, 2L)));
            long index = r.raftLog.lastIndex();
            r.step(propConfChange(1, cc(ConfChangeSingle.addVoter(3))));
            assertThat(r.raftLog.lastIndex()).isEqualTo(index + 1);
            assertThat(r.pendingConfIndex).isEqualTo(index + 1);
            assertThat(r.raftLog.term(index + 1)).isEqualTo(r.term);
        }

        @Test
        @DisplayName("thesis §4.1: while a conf change is unapplied, a second one becomes an empty NORMAL entry")
        void secondConfChangeIgnored() {
            MemoryStorage s = storage(1L, 2L);
            Raft r = lead(newRaft(1, s));
            r.step(propConfChange(1, cc(ConfChangeSingle.addVoter(3))));
            long pending = r.pendingConfIndex;
            long index = r.raftLog.lastIndex();

            r.step(propConfChange(1, cc(ConfChangeSingle.addVoter(4))));

            assertThat(r.raftLog.lastIndex()).isEqualTo(index + 1);
            Entry second = r.raftLog.slice(index + 1, index + 2, RaftLog.NO_LIMIT).get(0);
            assertThat(second.type()).isEqualTo(EntryType.NORMAL);
            assertThat(second.data()).isEmpty();
            assertThat(r.pendingConfIndex).isEqualTo(pending);

            // Once the first is committed and applied, a new conf change is accepted again.
            r.step(appResp(r, 2, r.raftLog.lastIndex()));
            for (Entry e : nextEntsLikeRawNode(r, s)) {
                if (e.type() == EntryType.CONF_CHANGE) {
                    r.applyConfChange(RawNode.confChangeOf(e));
                }
            }
            r.step(propConfChange(1, cc(ConfChangeSingle.addVoter(4))));
            assertThat(r.pendingConfIndex).isEqualTo(r.raftLog.lastIndex());
            assertThat(r.raftLog.slice(r.raftLog.lastIndex(), r.raftLog.lastIndex() + 1, RaftLog.NO_LIMIT).get(0).type())
                    .isEqualTo(EntryType.CONF_CHANGE);
        }

        @Test
        @DisplayName("thesis §4.1: a new leader treats its whole uncommitted tail as possibly holding a conf change")
        void newLeaderPendingConfig() {
            for (boolean addEntry : new boolean[] {false, true}) {
                Raft r = newRaft(1, storage(1L, 2L));
                if (addEntry) {
                    r.raftLog.append(List.of(Entry.normal(0, 1, null)));
                }
                r.becomeCandidate();
                r.becomeLeader();
                // pendingConfIndex is the last index before the leader's empty entry.
                assertThat(r.pendingConfIndex).as("addEntry=%s", addEntry).isEqualTo(addEntry ? 1 : 0);
                assertThat(r.raftLog.lastIndex()).isEqualTo(addEntry ? 2 : 1);
            }
        }

        @Test
        @DisplayName("thesis §4.1: proposing a conf change through the network while one is in flight turns the second into a no-op")
        void onlyOnePendingThroughNetwork() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.addNode(4, joiner());
            nt.addNode(5, joiner());
            // Hold the commit back so that the first change stays unapplied.
            nt.isolate(2);
            nt.isolate(3);
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.addVoter(4)));
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.addVoter(5)));
            nt.stabilize();
            nt.recover();
            nt.tickAll(2);

            assertThat(nt.node(1).confState().voters()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
            assertThat(appliedConfChanges(nt, 1)).containsExactly(cc(ConfChangeSingle.addVoter(4)));
            List<Entry> applied = nt.applied(1);
            assertThat(isEmptyNormal(applied.get(applied.size() - 1))).isTrue();
        }

        @Test
        @DisplayName("thesis §4.1, §6.3: a conf change dropped by the uncommitted-size cap leaves nothing pending: its retry is accepted")
        void droppedConfChangeLeavesNothingPending() {
            MemoryStorage s = storage(1L, 2L, 3L);
            Raft r = lead(newRaft(1, s, c -> c.maxUncommittedEntriesSize(16)));
            r.step(appResp(r, 2, 1));
            nextEntsLikeRawNode(r, s);
            long pendingBefore = r.pendingConfIndex;
            r.step(prop(1, "12345678"));
            r.step(prop(1, "12345678"));

            ConfChange add4 = cc(ConfChangeSingle.addVoter(4));
            assertThatThrownBy(() -> r.step(propConfChange(1, add4)))
                    .isInstanceOfSatisfying(ProposalDroppedException.class, e -> assertThat(e.reason())
                            .isEqualTo(ProposalDroppedException.Reason.UNCOMMITTED_SIZE_LIMIT));
            long last = r.raftLog.lastIndex();
            long pendingAfterDrop = r.pendingConfIndex;

            // Everything commits and is applied; no conf change is in the log.
            r.step(appResp(r, 2, last));
            nextEntsLikeRawNode(r, s);
            assertThat(r.raftLog.applied).isEqualTo(last);

            // The retry must be appended as a conf change, not silently turned into a no-op.
            r.step(propConfChange(1, add4));
            Entry retried = r.raftLog.slice(last + 1, last + 2, RaftLog.NO_LIMIT).get(0);
            org.assertj.core.api.SoftAssertions.assertSoftly(soft -> {
                soft.assertThat(pendingAfterDrop).as("pendingConfIndex after a dropped conf change")
                        .isEqualTo(pendingBefore);
                soft.assertThat(retried.type()).as("type of the retried conf change entry")
                        .isEqualTo(EntryType.CONF_CHANGE);
            });
        }

        @Test
        @DisplayName("thesis §4.1: a node does not campaign while a committed conf change is not yet applied")
        void noCampaignWithUnappliedConfChange() {
            MemoryStorage s = storage(1L, 2L);
            s.append(List.of(Entry.normal(1, 1, null), ccEntry(1, 2, cc(ConfChangeSingle.addVoter(3)))));
            s.setHardState(new HardState(1, 0, 2));
            Raft r = newRaft(1, s);
            assertThat(r.raftLog.committed).isEqualTo(2);
            assertThat(r.raftLog.applied).isZero();

            for (int i = 0; i < 3 * RaftTestUtil.ELECTION; i++) {
                r.tick();
            }
            r.step(Message.builder(MessageType.HUP).from(1).build());
            assertThat(r.state).isEqualTo(StateType.FOLLOWER);
            assertThat(r.term).isEqualTo(1);
            assertThat(take(r)).isEmpty();

            for (Entry e : nextEntsLikeRawNode(r, s)) {
                if (e.type() == EntryType.CONF_CHANGE) {
                    r.applyConfChange(RawNode.confChangeOf(e));
                }
            }
            r.step(Message.builder(MessageType.HUP).from(1).build());
            assertThat(r.state).isEqualTo(StateType.CANDIDATE);
            // It campaigns with the applied configuration {1,2,3}.
            assertThat(ofType(take(r), MessageType.VOTE)).extracting(Message::to).containsExactly(2L, 3L);
        }
    }

    // ------------------------------------------------------------------ joint consensus

    @Nested
    @DisplayName("joint consensus")
    class Joint {

        /** Leader 1 in the joint configuration (1 4 5)&&(1 2 3). */
        private Raft jointLeader(boolean autoLeave) {
            Raft r = lead(newRaft(1, storage(1L, 2L, 3L)));
            ConfChange change = new ConfChange(
                    autoLeave ? ConfChangeTransition.JOINT_IMPLICIT : ConfChangeTransition.JOINT_EXPLICIT,
                    List.of(ConfChangeSingle.remove(2), ConfChangeSingle.remove(3), ConfChangeSingle.addVoter(4),
                            ConfChangeSingle.addVoter(5)), null);
            ConfState cs = r.applyConfChange(change);
            assertThat(cs.voters()).containsExactlyInAnyOrder(1L, 4L, 5L);
            assertThat(cs.votersOutgoing()).containsExactlyInAnyOrder(1L, 2L, 3L);
            assertThat(cs.autoLeave()).isEqualTo(autoLeave);
            take(r);
            return r;
        }

        @Test
        @DisplayName("thesis §4.3: a joint configuration needs a majority of both old and new voters to commit")
        void jointCommitNeedsBothMajorities() {
            Raft r = jointLeader(false);
            r.step(prop(1, "x"));
            durable(r);
            long idx = r.raftLog.lastIndex();

            // A majority of the new voters (1, 4, 5) alone does not commit.
            r.step(appResp(r, 4, idx));
            r.step(appResp(r, 5, idx));
            assertThat(r.raftLog.committed).isLessThan(idx);
            // Adding one old voter makes a majority of (1 2 3) too.
            r.step(appResp(r, 2, idx));
            assertThat(r.raftLog.committed).isEqualTo(idx);
        }

        @Test
        @DisplayName("thesis §4.3: a majority of the old voters alone does not commit in a joint configuration either")
        void jointCommitOldMajorityAlone() {
            Raft r = jointLeader(false);
            r.step(prop(1, "x"));
            durable(r);
            long idx = r.raftLog.lastIndex();
            r.step(appResp(r, 2, idx));
            r.step(appResp(r, 3, idx));
            assertThat(r.raftLog.committed).isLessThan(idx);
            r.step(appResp(r, 4, idx));
            assertThat(r.raftLog.committed).isEqualTo(idx);
        }

        @Test
        @DisplayName("thesis §4.3: in a joint configuration an election needs a majority of both voter sets")
        void jointElectionNeedsBothMajorities() {
            MemoryStorage s = MemoryStorage.withMembers(new ConfState(Set.of(1L, 4L, 5L), Set.of(1L, 2L, 3L),
                    Set.of(), Set.of(), Set.of(), false));
            Raft r = newRaft(1, s);
            r.step(Message.builder(MessageType.HUP).from(1).build());
            assertThat(r.state).isEqualTo(StateType.CANDIDATE);
            assertThat(ofType(take(r), MessageType.VOTE)).extracting(Message::to)
                    .containsExactly(2L, 3L, 4L, 5L);
            long t = r.term;
            r.step(msg(MessageType.VOTE_RESP, 4, 1, t).build());
            r.step(msg(MessageType.VOTE_RESP, 5, 1, t).build());
            assertThat(r.state).isEqualTo(StateType.CANDIDATE);
            assertThat(r.trk.tallyVotes().result()).isEqualTo(VoteResult.PENDING);
            r.step(msg(MessageType.VOTE_RESP, 2, 1, t).build());
            assertThat(r.state).isEqualTo(StateType.LEADER);
        }

        @Test
        @DisplayName("thesis §4.3: with auto-leave, the leader proposes the leave-joint entry itself once it applied the joint one")
        void autoLeaveProposedByLeaderOnApply() {
            MemoryStorage s = storage(1L, 2L, 3L);
            Raft r = lead(newRaft(1, s));
            r.step(appResp(r, 2, 1));
            nextEntsLikeRawNode(r, s);
            ConfChange enter = cc(ConfChangeSingle.addVoter(4), ConfChangeSingle.addVoter(5));
            assertThat(enter.autoLeave()).isTrue();
            r.step(propConfChange(1, enter));
            durable(r);
            long enterIndex = r.raftLog.lastIndex();
            r.step(appResp(r, 2, enterIndex));
            assertThat(r.raftLog.committed).isEqualTo(enterIndex);

            // The application gets the entry and applies it; before advancing nothing else is proposed.
            List<Entry> ents = r.raftLog.nextEntries();
            assertThat(ents).extracting(Entry::index).containsExactly(enterIndex);
            r.applyConfChange(RawNode.confChangeOf(ents.get(0)));
            assertThat(r.trk.confState().isJoint()).isTrue();
            assertThat(r.raftLog.lastIndex()).isEqualTo(enterIndex);
            take(r);

            nextEntsLikeRawNode(r, s); // persists, hands out and marks applied: triggers the auto-leave
            assertThat(r.raftLog.lastIndex()).isEqualTo(enterIndex + 1);
            Entry leave = r.raftLog.slice(enterIndex + 1, enterIndex + 2, RaftLog.NO_LIMIT).get(0);
            assertThat(leave.type()).isEqualTo(EntryType.CONF_CHANGE);
            assertThat(RawNode.confChangeOf(leave).isLeaveJoint()).isTrue();
            assertThat(r.pendingConfIndex).isEqualTo(enterIndex + 1);
            assertThat(ofType(take(r), MessageType.APP)).isNotEmpty();
        }

        @Test
        @DisplayName("thesis §4.3: adding several voters at once goes through a joint configuration that is left automatically")
        void severalVotersWithAutoLeave() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.addNode(4, joiner());
            nt.addNode(5, joiner());
            // Hold back the leave-joint entry for a moment to observe the joint configuration.
            nt.dropIf(m -> m.type() == MessageType.APP && m.entries().stream()
                    .anyMatch(e -> e.type() == EntryType.CONF_CHANGE && e.data().length == 0));
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.addVoter(4), ConfChangeSingle.addVoter(5)));
            nt.stabilize();
            // (The new nodes are still catching up: their appends carry the held-back entry.)
            for (long id = 1; id <= 3; id++) {
                ConfState cs = nt.node(id).confState();
                assertThat(cs.isJoint()).as("node %d joint", id).isTrue();
                assertThat(cs.autoLeave()).isTrue();
                assertThat(cs.voters()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
                assertThat(cs.votersOutgoing()).containsExactlyInAnyOrder(1L, 2L, 3L);
            }
            // Only the joint entry was proposed by us; the leader appended the leave entry itself.
            Raft leader = nt.raft(1);
            Entry last = leader.raftLog.slice(leader.raftLog.lastIndex(), leader.raftLog.lastIndex() + 1,
                    RaftLog.NO_LIMIT).get(0);
            assertThat(RawNode.confChangeOf(last).isLeaveJoint()).isTrue();

            nt.recover();
            nt.tickAll(1);
            for (long id = 1; id <= 5; id++) {
                ConfState cs = nt.node(id).confState();
                assertThat(cs.isJoint()).as("node %d joint", id).isFalse();
                assertThat(cs.voters()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
                assertThat(appliedConfChanges(nt, id)).hasSize(2);
                assertThat(nt.confChangeErrors(id)).isEmpty();
            }
            nt.propose(1, "five");
            for (long id = 1; id <= 5; id++) {
                assertThat(nt.appliedData(id)).containsExactly("five");
            }
        }

        @Test
        @DisplayName("thesis §4.3: replacing the voters through a joint configuration ends with only the new ones")
        void replaceVotersThroughJoint() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.addNode(4, joiner());
            nt.addNode(5, joiner());
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.addVoter(4), ConfChangeSingle.addVoter(5),
                    ConfChangeSingle.remove(2), ConfChangeSingle.remove(3)));
            nt.stabilize();
            assertThat(nt.node(1).confState().voters()).containsExactlyInAnyOrder(1L, 4L, 5L);
            assertThat(nt.node(1).confState().isJoint()).isFalse();
            assertThat(nt.raft(1).trk.progress().keySet()).containsExactly(1L, 4L, 5L);

            // The old voters are gone: the new ones alone commit.
            nt.isolate(2);
            nt.isolate(3);
            nt.propose(1, "new-config");
            assertThat(nt.appliedData(4)).containsExactly("new-config");
        }

        @Test
        @DisplayName("thesis §4.3: with JOINT_EXPLICIT the group stays joint until the application proposes the leave-joint change; other changes are refused meanwhile")
        void explicitJoint() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.addNode(4, joiner());
            nt.node(1).proposeConfChange(new ConfChange(ConfChangeTransition.JOINT_EXPLICIT,
                    List.of(ConfChangeSingle.addVoter(4)), null));
            nt.stabilize();
            nt.tickAll(3);
            for (long id = 1; id <= 4; id++) {
                assertThat(nt.node(id).confState().isJoint()).as("node %d joint", id).isTrue();
                assertThat(nt.node(id).confState().autoLeave()).isFalse();
            }
            assertThat(appliedConfChanges(nt, 1)).hasSize(1);

            // Another change while joint becomes a no-op.
            long before = nt.raft(1).raftLog.lastIndex();
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.remove(2)));
            nt.stabilize();
            Entry noop = nt.applied(1).get(nt.applied(1).size() - 1);
            assertThat(noop.index()).isEqualTo(before + 1);
            assertThat(isEmptyNormal(noop)).isTrue();
            assertThat(nt.node(1).confState().isJoint()).isTrue();

            nt.node(1).proposeConfChange(ConfChange.leaveJoint());
            nt.stabilize();
            for (long id = 1; id <= 4; id++) {
                ConfState cs = nt.node(id).confState();
                assertThat(cs.isJoint()).as("node %d joint", id).isFalse();
                assertThat(cs.voters()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
            }

            // Leaving when not joint is refused (a no-op entry).
            nt.node(1).proposeConfChange(ConfChange.leaveJoint());
            nt.stabilize();
            assertThat(isEmptyNormal(nt.applied(1).get(nt.applied(1).size() - 1))).isTrue();
            assertThat(nt.confChangeErrors(1)).isEmpty();
        }

        @Test
        @DisplayName("thesis §4.3: a new leader finishes an auto-leave joint transition its predecessor started")
        void newLeaderLeavesJoint() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.addNode(4, joiner());
            nt.addNode(5, joiner());
            nt.dropIf(m -> m.type() == MessageType.APP && m.entries().stream()
                    .anyMatch(e -> e.type() == EntryType.CONF_CHANGE && e.data().length == 0));
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.addVoter(4), ConfChangeSingle.addVoter(5)));
            nt.stabilize();
            assertThat(nt.node(2).confState().isJoint()).isTrue();

            // The old leader dies before the leave entry gets out.
            nt.recover();
            nt.isolate(1);
            nt.tickAll(4 * TestNetwork.ELECTION_TICK);
            long newLeader = nt.leader();
            assertThat(newLeader).isNotIn(0L, 1L);
            for (long id = 2; id <= 5; id++) {
                ConfState cs = nt.node(id).confState();
                assertThat(cs.isJoint()).as("node %d joint", id).isFalse();
                assertThat(cs.voters()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
            }
        }
    }

    // ------------------------------------------------------------------ learners

    @Nested
    @DisplayName("learners")
    class Learners {

        @Test
        @DisplayName("thesis §4.2.1: a learner never starts an election")
        void learnerElectionTimeout() {
            Raft n2 = newRaft(2, MemoryStorage.withMembers(conf(Set.of(1L), Set.of(2L))));
            n2.becomeFollower(1, Raft.NONE);
            for (int i = 0; i < 3 * RaftTestUtil.ELECTION; i++) {
                n2.tick();
            }
            n2.step(Message.builder(MessageType.HUP).from(2).build());
            assertThat(n2.state).isEqualTo(StateType.FOLLOWER);
            assertThat(take(n2)).isEmpty();
        }

        @Test
        @DisplayName("thesis §4.2.1: a learner grants a valid vote (it may have been promoted without knowing it yet)")
        void learnerCanVote() {
            Raft n2 = newRaft(2, MemoryStorage.withMembers(conf(Set.of(1L), Set.of(2L))));
            n2.becomeFollower(1, Raft.NONE);
            n2.step(msg(MessageType.VOTE, 1, 2, 2).logTerm(11).index(11).build());
            assertThat(take(n2)).singleElement().satisfies(m -> {
                assertThat(m.type()).isEqualTo(MessageType.VOTE_RESP);
                assertThat(m.reject()).isFalse();
            });
        }

        @Test
        @DisplayName("thesis §4.2.1: a learner's acknowledgement does not count toward commitment")
        void learnerAckDoesNotCommit() {
            Raft r = lead(newRaft(1, MemoryStorage.withMembers(conf(Set.of(1L, 2L), Set.of(3L)))));
            r.step(prop(1, "x"));
            durable(r); // the leader stored it: still one vote of the two voters
            long idx = r.raftLog.lastIndex();
            r.step(appResp(r, 3, idx));
            assertThat(r.raftLog.committed).isZero();
            // The learner's answers don't keep a leader alive either (check quorum).
            assertThat(r.trk.progress().get(3L).recentActive).isTrue();
            assertThat(r.trk.quorumActive()).isFalse();
            r.step(appResp(r, 2, idx));
            assertThat(r.raftLog.committed).isEqualTo(idx);
        }

        @Test
        @DisplayName("thesis §4.2.1: a learner receives and applies the log, but the voters alone decide commitment")
        void learnerReplicationThroughNetwork() {
            TestNetwork nt = TestNetwork.of(2);
            nt.elect(1);
            nt.addNode(3, MemoryStorage.withMembers(voters(1L, 2L)));
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.addLearner(3)));
            nt.stabilize();
            assertThat(nt.raft(3).isLearner).isTrue();

            nt.propose(1, "a");
            assertThat(nt.appliedData(3)).containsExactly("a");

            nt.isolate(2);
            nt.propose(1, "b");
            Raft leader = nt.raft(1);
            assertThat(nt.raft(3).raftLog.lastIndex()).isEqualTo(leader.raftLog.lastIndex());
            assertThat(leader.raftLog.committed).isLessThan(leader.raftLog.lastIndex());
            assertThat(nt.appliedData(3)).containsExactly("a");

            nt.recover();
            nt.tickAll(1);
            assertThat(nt.appliedData(3)).containsExactly("a", "b");
        }

        @Test
        @DisplayName("thesis §4.2.1: a learner promoted to voter counts for commitment and may campaign")
        void learnerPromotion() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.addNode(4, joiner());
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.addLearner(4)));
            nt.stabilize();
            assertThat(nt.raft(4).isLearner).isTrue();
            assertThat(nt.raft(4).promotable()).isFalse();

            nt.node(1).proposeConfChange(cc(ConfChangeSingle.addVoter(4)));
            nt.stabilize();
            assertThat(nt.raft(4).isLearner).isFalse();
            assertThat(nt.raft(4).promotable()).isTrue();
            assertThat(nt.node(1).confState().voters()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
            assertThat(nt.node(1).confState().learners()).isEmpty();

            // With 4 voters, 1 + 4 alone are not a quorum, 1 + 3 + 4 are.
            nt.isolate(2);
            nt.isolate(3);
            nt.propose(1, "x");
            assertThat(nt.appliedData(4)).isEmpty();
            nt.recover();
            nt.isolate(2);
            nt.tickAll(1);
            assertThat(nt.appliedData(4)).containsExactly("x");

            // And node 4 can now be elected.
            nt.recover();
            nt.node(1).transferLeader(4);
            nt.stabilize();
            assertThat(nt.leader()).isEqualTo(4);
        }

        @Test
        @DisplayName("thesis §4.3: demoting a voter to learner goes through learnersNext and ends with a learner")
        void demoteVoterToLearner() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.node(1).proposeConfChange(new ConfChange(ConfChangeTransition.JOINT_IMPLICIT,
                    List.of(ConfChangeSingle.addLearner(3)), null));
            nt.stabilize();
            ConfState cs = nt.node(1).confState();
            assertThat(cs.isJoint()).isFalse();
            assertThat(cs.voters()).containsExactlyInAnyOrder(1L, 2L);
            assertThat(cs.learners()).containsExactly(3L);
            assertThat(nt.raft(3).isLearner).isTrue();
            assertThat(nt.raft(3).promotable()).isFalse();
        }
    }

    // ------------------------------------------------------------------ observers (BW-Raft)

    @Nested
    @DisplayName("observers (BW-Raft)")
    class Observers {

        private TestNetwork withObserverAndLearner() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.addNode(4, joiner());
            nt.addNode(5, joiner());
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.addObserver(4)));
            nt.stabilize();
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.addLearner(5)));
            nt.stabilize();
            return nt;
        }

        @Test
        @DisplayName("thesis §4.2.1 (BW-Raft): an observer is a learner that replicates the log and never votes or campaigns")
        void observerIsALearner() {
            TestNetwork nt = withObserverAndLearner();
            ConfState cs = nt.node(1).confState();
            assertThat(cs.learners()).containsExactlyInAnyOrder(4L, 5L);
            assertThat(cs.observers()).containsExactly(4L);
            assertThat(cs.voters()).containsExactlyInAnyOrder(1L, 2L, 3L);
            assertThat(nt.raft(4).isLearner).isTrue();
            assertThat(nt.raft(4).promotable()).isFalse();
            assertThat(nt.raft(4).trk.isObserver(4)).isTrue();

            nt.propose(1, "x");
            assertThat(nt.appliedData(4)).containsExactly("x");

            nt.isolate(1);
            nt.tick(4, 3 * TestNetwork.ELECTION_TICK);
            assertThat(nt.raft(4).state).isEqualTo(StateType.FOLLOWER);
        }

        @Test
        @DisplayName("thesis §6.4 (BW-Raft): an observer serves ReadIndex reads by forwarding them to the leader")
        void observerReadIndex() {
            TestNetwork nt = withObserverAndLearner();
            nt.propose(1, "x");
            nt.node(4).readIndex(bytes("obs-read"));
            nt.stabilize();
            assertThat(nt.readStates(4)).singleElement().satisfies(rs -> {
                assertThat(rs.requestCtx()).isEqualTo(bytes("obs-read"));
                assertThat(rs.index()).isEqualTo(nt.raft(1).raftLog.committed);
            });
        }

        @Test
        @DisplayName("thesis §6.4 (BW-Raft): a plain learner cannot request a ReadIndex (NOT_A_MEMBER)")
        void plainLearnerReadIndexRefused() {
            TestNetwork nt = withObserverAndLearner();
            assertThatThrownBy(() -> nt.node(5).readIndex(bytes("learner-read")))
                    .isInstanceOfSatisfying(ProposalDroppedException.class,
                            e -> assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.NOT_A_MEMBER));
        }

        @Test
        @DisplayName("thesis §6.4 (BW-Raft): the leader ignores a READ_INDEX that claims to come from a plain learner")
        void leaderIgnoresReadIndexFromPlainLearner() {
            Raft r = lead(newRaft(1, MemoryStorage.withMembers(conf(Set.of(1L, 2L), Set.of(3L)))));
            r.step(appResp(r, 2, 1));
            take(r);

            r.step(msg(MessageType.READ_INDEX, 3, 1, 0).context(bytes("ctx")).build());

            assertThat(take(r)).isEmpty();
            assertThat(r.readStates).isEmpty();
            assertThat(r.readOnly.pendingCount()).isZero();
        }

        @Test
        @DisplayName("thesis §4.2.1 (BW-Raft): an observer can never be promoted: ADD_VOTER of an observer fails to apply")
        void observerCannotBePromoted() {
            TestNetwork nt = withObserverAndLearner();
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.addVoter(4)));
            nt.stabilize();
            for (long id = 1; id <= 5; id++) {
                assertThat(nt.confChangeErrors(id)).as("node %d", id).singleElement()
                        .satisfies(msg -> assertThat(msg).contains("observer"));
                assertThat(nt.node(id).confState().observers()).containsExactly(4L);
                assertThat(nt.node(id).confState().voters()).containsExactlyInAnyOrder(1L, 2L, 3L);
            }

            Raft r = newRaft(1, storage(1L));
            r.applyConfChange(cc(ConfChangeSingle.addObserver(2)));
            assertThatThrownBy(() -> r.applyConfChange(cc(ConfChangeSingle.addVoter(2))))
                    .isInstanceOf(ConfChangeException.class);
            // Demoting it to a plain learner first makes it promotable.
            ConfState cs = r.applyConfChange(cc(ConfChangeSingle.addLearner(2)));
            assertThat(cs.observers()).isEmpty();
            cs = r.applyConfChange(cc(ConfChangeSingle.addVoter(2)));
            assertThat(cs.voters()).containsExactlyInAnyOrder(1L, 2L);
        }
    }

    // ------------------------------------------------------------------ the leader itself

    @Nested
    @DisplayName("changes involving the leader")
    class LeaderChanges {

        @Test
        @DisplayName("thesis §4.2.2: a leader removed from the configuration steps down and tells an up-to-date voter to campaign at once")
        void removedLeaderStepsDown() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            long term = nt.raft(1).term;
            nt.clearDelivered();
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.remove(1)));
            nt.stabilize();

            assertThat(nt.raft(1).state).isEqualTo(StateType.FOLLOWER);
            assertThat(ofType(nt.delivered(), MessageType.TIMEOUT_NOW)).singleElement()
                    .satisfies(m -> assertThat(m.from()).isEqualTo(1));
            long newLeader = nt.leader();
            assertThat(newLeader).isIn(2L, 3L);
            assertThat(nt.raft(newLeader).term).isEqualTo(term + 1);
            assertThat(nt.node(newLeader).confState().voters()).containsExactlyInAnyOrder(2L, 3L);

            nt.propose(newLeader, "after-removal");
            assertThat(nt.appliedData(2)).containsExactly("after-removal");
            assertThat(nt.appliedData(3)).containsExactly("after-removal");
        }

        @Test
        @DisplayName("thesis §4.2.2: a leader that is only in the outgoing configuration keeps managing the joint configuration and steps down once C_new is committed")
        void leaderReplacedThroughJoint() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            long term = nt.raft(1).term;
            nt.addNode(4, joiner());
            nt.dropIf(m -> m.type() == MessageType.APP && m.entries().stream()
                    .anyMatch(e -> e.type() == EntryType.CONF_CHANGE && e.data().length == 0));
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.remove(1), ConfChangeSingle.addVoter(4)));
            nt.stabilize();
            ConfState joint = nt.node(1).confState();
            assertThat(joint.voters()).containsExactlyInAnyOrder(2L, 3L, 4L);
            assertThat(joint.votersOutgoing()).containsExactlyInAnyOrder(1L, 2L, 3L);
            assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);

            nt.recover();
            nt.clearDelivered();
            nt.tickAll(1);
            assertThat(nt.raft(1).state).isEqualTo(StateType.FOLLOWER);
            assertThat(ofType(nt.delivered(), MessageType.TIMEOUT_NOW)).hasSize(1);
            long newLeader = nt.leader();
            assertThat(newLeader).isIn(2L, 3L, 4L);
            assertThat(nt.raft(newLeader).term).isEqualTo(term + 1);
            assertThat(nt.node(newLeader).confState().voters()).containsExactlyInAnyOrder(2L, 3L, 4L);
            assertThat(nt.node(newLeader).confState().isJoint()).isFalse();
        }

        @Test
        @DisplayName("thesis §4.2.2, §3.4: if the removed leader's TIMEOUT_NOW is lost, the remaining voters still elect a leader after an election timeout")
        void removedLeaderTimeoutNowLost() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.ignore(MessageType.TIMEOUT_NOW);
            nt.node(1).proposeConfChange(cc(ConfChangeSingle.remove(1)));
            nt.stabilize();
            assertThat(nt.raft(1).state).isEqualTo(StateType.FOLLOWER);
            assertThat(nt.leader()).isZero();

            nt.tickAll(4 * TestNetwork.ELECTION_TICK);
            long newLeader = nt.leader();
            assertThat(newLeader).isIn(2L, 3L);
            nt.propose(newLeader, "alive");
            assertThat(nt.appliedData(2)).containsExactly("alive");
            assertThat(nt.raft(1).state).isEqualTo(StateType.FOLLOWER);
        }

        @Test
        @DisplayName("thesis §4.2.2: a removed leader with no up-to-date voter left steps down without a TIMEOUT_NOW")
        void removedLeaderWithoutSuccessor() {
            Raft r = lead(newRaft(1, storage(1L, 2L)));
            r.step(prop(1, "x"));
            take(r);
            assertThat(r.trk.progress().get(2L).match).isLessThan(r.raftLog.lastIndex());

            r.applyConfChange(cc(ConfChangeSingle.remove(1)));

            assertThat(r.state).isEqualTo(StateType.FOLLOWER);
            assertThat(r.lead).isEqualTo(Raft.NONE);
            assertThat(take(r)).isEmpty();
            assertThat(r.promotable()).isFalse();
        }

        @Test
        @DisplayName("thesis §4.2.2: a leader demoted to learner steps down and hands off to an up-to-date voter")
        void demotedLeaderStepsDown() {
            Raft r = lead(newRaft(1, storage(1L, 2L, 3L)));
            r.step(appResp(r, 3, r.raftLog.lastIndex()));
            take(r);

            r.applyConfChange(new ConfChange(ConfChangeTransition.AUTO, List.of(ConfChangeSingle.addLearner(1)), null));

            assertThat(r.state).isEqualTo(StateType.FOLLOWER);
            assertThat(r.isLearner).isTrue();
            assertThat(take(r)).singleElement().satisfies(m -> {
                assertThat(m.type()).isEqualTo(MessageType.TIMEOUT_NOW);
                assertThat(m.to()).isEqualTo(3);
            });
        }

        @Test
        @DisplayName("Raft §6 (BW-Raft secretaries): a progress's relay survives term changes, role changes and conf changes")
        void relaySurvivesReset() {
            Raft r = lead(newRaft(1, storage(1L, 2L, 3L)));
            r.trk.progress().get(2L).relay = 3;

            r.becomeFollower(r.term + 1, Raft.NONE);
            assertThat(r.trk.progress().get(2L).relay).isEqualTo(3);
            r.becomeCandidate();
            r.becomeLeader();
            assertThat(r.trk.progress().get(2L).relay).isEqualTo(3);
            r.applyConfChange(cc(ConfChangeSingle.addLearner(4)));
            assertThat(r.trk.progress().get(2L).relay).isEqualTo(3);
            assertThat(r.trk.progress().get(4L).relay).isZero();
            // RawNode.status() hands out copies, which carry it too.
            assertThat(r.trk.progress().get(2L).copy().relay).isEqualTo(3);
        }
    }
}
