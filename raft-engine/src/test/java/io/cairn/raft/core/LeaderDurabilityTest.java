package io.cairn.raft.core;

import static io.cairn.raft.core.RaftTestUtil.appResp;
import static io.cairn.raft.core.RaftTestUtil.durable;
import static io.cairn.raft.core.RaftTestUtil.lead;
import static io.cairn.raft.core.RaftTestUtil.msg;
import static io.cairn.raft.core.RaftTestUtil.newRaft;
import static io.cairn.raft.core.RaftTestUtil.prop;
import static io.cairn.raft.core.RaftTestUtil.storage;
import static io.cairn.raft.core.RaftTestUtil.take;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Raft thesis §10.2.1: the leader writes its log in parallel with replicating it. It counts its own
 * copy towards commitment only once the application reports the write durable
 * ({@link Raft#logDurable}, called by {@link RawNode#advance}); followers' acknowledgements count
 * as they arrive. Reports that no longer describe this leader's log are ignored.
 */
class LeaderDurabilityTest {

    @Test
    @DisplayName("thesis §10.2.1: a single-voter leader commits its entries only once its own write is durable")
    void singleVoterCommitsOnDurability() {
        Raft r = lead(newRaft(1, storage(1L)));
        assertThat(r.raftLog.committed).isZero();
        r.step(prop(1, "a"));
        assertThat(r.raftLog.committed).isZero();
        assertThat(r.trk.progress().get(1L).match).isZero();

        assertThat(r.logDurable(1, r.term)).isTrue(); // the empty entry only
        assertThat(r.raftLog.committed).isEqualTo(1);
        assertThat(r.logDurable(2, r.term)).isTrue();
        assertThat(r.raftLog.committed).isEqualTo(2);
        assertThat(r.logDurable(2, r.term)).as("a repeated report changes nothing").isFalse();
    }

    @Test
    @DisplayName("thesis §10.2.1: with two voters the follower's ack alone does not commit; the leader's durable copy completes the quorum")
    void twoVotersNeedTheLeadersDurableCopy() {
        Raft r = lead(newRaft(1, storage(1L, 2L)));
        r.step(prop(1, "a"));
        long last = r.raftLog.lastIndex();
        r.step(appResp(r, 2, last));
        assertThat(r.raftLog.committed).isZero();

        take(r);
        assertThat(r.logDurable(last, r.term)).isTrue();
        assertThat(r.raftLog.committed).isEqualTo(last);
        // Like an ack that moves the commit index: the follower learns it at once.
        assertThat(take(r)).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP);
            assertThat(m.to()).isEqualTo(2);
            assertThat(m.commit()).isEqualTo(last);
        });
    }

    @Test
    @DisplayName("thesis §10.2.1: with three voters the two followers form a quorum without the leader's own write")
    void followersAloneFormAQuorum() {
        Raft r = lead(newRaft(1, storage(1L, 2L, 3L)));
        r.step(prop(1, "a"));
        long last = r.raftLog.lastIndex();
        r.step(appResp(r, 2, last));
        assertThat(r.raftLog.committed).isZero();
        r.step(appResp(r, 3, last));
        assertThat(r.raftLog.committed).isEqualTo(last);
        assertThat(r.trk.progress().get(1L).match).as("the leader's own copy is still not counted").isZero();
        assertThat(r.logDurable(last, r.term)).as("already committed").isFalse();
        assertThat(r.trk.progress().get(1L).match).isEqualTo(last);
    }

    @Test
    @DisplayName("thesis §10.2.1: a report of another term, of an entry the log no longer holds, or to a non-leader is ignored")
    void staleReportsIgnored() {
        Raft r = durable(lead(newRaft(1, storage(1L, 2L)))); // term 1, empty entry 1@1
        r.step(appResp(r, 2, 1));
        assertThat(r.raftLog.committed).isEqualTo(1);
        r.step(prop(1, "a", "b")); // 2@1, 3@1: their write is in flight
        take(r);
        long staleTerm = r.term;

        // Beyond the log: ignored.
        assertThat(r.logDurable(9, staleTerm)).isFalse();
        assertThat(r.trk.progress().get(1L).match).isEqualTo(1);

        // Node 2 leads term 2 and replaces entries 2 and 3 by its own 2@2.
        r.step(msg(MessageType.APP, 2, 1, 2).index(1).logTerm(1).commit(1)
                .entries(List.of(new Entry(2, 2, EntryType.NORMAL, null))).build());
        assertThat(r.state).isEqualTo(StateType.FOLLOWER);
        assertThat(r.raftLog.lastIndex()).isEqualTo(2);
        take(r);
        assertThat(r.logDurable(3, staleTerm)).as("not the leader").isFalse();

        // Node 1 leads term 3: its empty entry is 3@3. The old write of 2@1..3@1 completes now.
        lead(r);
        assertThat(r.raftLog.term(3)).isEqualTo(3);
        assertThat(r.logDurable(3, staleTerm)).as("the entry at 3 is of another term now").isFalse();
        r.step(appResp(r, 2, 3));
        assertThat(r.raftLog.committed).as("the follower's ack alone is no quorum of two").isEqualTo(1);

        assertThat(r.logDurable(3, r.term)).isTrue();
        assertThat(r.raftLog.committed).isEqualTo(3);
    }

    @Test
    @DisplayName("thesis §10.2.1 through RawNode: the appends of a Ready go out before its write; followers ack; the"
            + " leader commits when the quorum it needs is durable, and advance is its own durability report")
    void rawNodePipelinedWrite() {
        TestNetwork nt = TestNetwork.of(2);
        nt.elect(1);
        RawNode leader = nt.node(1);
        RawNode follower = nt.node(2);
        long committedBefore = leader.raft().raftLog.committed;

        leader.propose(RaftTestUtil.bytes("x"));
        Ready rd = leader.ready();
        assertThat(rd.entries()).hasSize(1);
        long index = rd.entries().get(0).index();
        List<Message> early = rd.messages().stream().filter(rd::sendableBeforePersist).toList();
        assertThat(early).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP);
            assertThat(m.entries()).extracting(Entry::index).containsExactly(index);
        });

        // The follower gets the append while the leader's write is in flight, persists and acks.
        follower.step(early.get(0));
        Ready frd = RaftTestUtil.handleReady(follower, nt.storage(2));
        assertThat(frd.messages()).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP_RESP);
            assertThat(frd.sendableBeforePersist(m)).as("durable before acknowledged").isFalse();
        });
        leader.step(frd.messages().get(0));
        assertThat(leader.raft().raftLog.committed).isEqualTo(committedBefore);

        // The leader's write completes.
        nt.storage(1).append(rd.entries());
        if (rd.hardState() != null) {
            nt.storage(1).setHardState(rd.hardState());
        }
        leader.advance(rd);
        assertThat(leader.raft().raftLog.committed).isEqualTo(index);
        Ready next = leader.ready();
        assertThat(next.committedEntries()).extracting(Entry::index).containsExactly(index);
    }

    @Test
    @DisplayName("durable before acknowledged: only a leader's appends, heartbeats and snapshots may leave before the write")
    void onlyReplicationLeavesEarly() {
        List<MessageType> early = new ArrayList<>();
        for (MessageType t : MessageType.values()) {
            if (Ready.isReplication(t)) {
                early.add(t);
            }
        }
        assertThat(early).containsExactlyInAnyOrder(MessageType.APP, MessageType.HEARTBEAT, MessageType.SNAP);
    }

    @Test
    @DisplayName("Raft §5.1/§5.3: a single voter's appends wait for the write of the Ready that made it leader (its term"
            + " must be durable before its entries of that term reach a learner); later ones leave early")
    void nothingEarlyBeforeTheTermIsDurable() {
        MemoryStorage s = MemoryStorage.withMembers(RaftTestUtil.conf(java.util.Set.of(1L), java.util.Set.of(2L)));
        RawNode n = new RawNode(RaftTestUtil.config(1, s));
        n.campaign();
        n.propose(RaftTestUtil.bytes("x"));
        Ready first = n.ready();
        assertThat(first.hardState().term()).isEqualTo(1);
        assertThat(first.messages()).isNotEmpty().allSatisfy(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP);
            assertThat(first.sendableBeforePersist(m)).isFalse();
        });
        s.append(first.entries());
        s.setHardState(first.hardState());
        n.advance(first);
        n.step(RaftTestUtil.acceptAndReply(first.messages().get(0))); // the learner acks: replicate

        n.propose(RaftTestUtil.bytes("y"));
        Ready second = n.ready();
        assertThat(second.entries()).isNotEmpty();
        assertThat(second.messages()).filteredOn(m -> m.type() == MessageType.APP).isNotEmpty()
                .allSatisfy(m -> assertThat(second.sendableBeforePersist(m)).isTrue());
    }
}
