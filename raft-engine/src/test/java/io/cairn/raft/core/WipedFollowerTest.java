package io.cairn.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A follower that lost its log (wiped disk) with the same id must not wedge the group. */
class WipedFollowerTest {

    @Test
    @DisplayName("Raft §7: a follower whose log was wiped is detected by its heartbeat reply and caught up by snapshot")
    void wipedFollowerCatchesUpBySnapshot() {
        TestNetwork nt = TestNetwork.of(3);
        nt.elect(1);
        for (int i = 0; i < 20; i++) {
            nt.propose(1, "v" + i);
        }
        nt.stabilize();
        long applied = nt.appliedIndex(1);
        assertThat(nt.appliedIndex(3)).isEqualTo(applied);
        // The leader snapshots and compacts everything.
        MemoryStorage ls = nt.storage(1);
        ls.createSnapshot(applied, nt.node(1).confState(), "state".getBytes());
        ls.compact(applied);

        // Node 3 comes back with an empty disk (only the founding membership).
        nt.removeNode(3);
        nt.addNode(3, MemoryStorage.withMembers(ConfState.ofVoters(1L, 2L, 3L)));
        nt.tickAll(3);
        nt.stabilize();

        // It is not crashed by a commit index beyond its log, and the leader sent it the snapshot.
        assertThat(nt.storage(3).snapshot().index()).isEqualTo(applied);
        assertThat(nt.node(3).lastIndex()).isEqualTo(nt.node(1).lastIndex());
        assertThat(nt.raft(1).trk.progress().get(3L).match).isEqualTo(nt.node(1).lastIndex());
    }

    @Test
    @DisplayName("a heartbeat whose commit is beyond the follower's log is rejected with the follower's last index")
    void heartbeatBeyondLogIsRejected() {
        MemoryStorage s = MemoryStorage.withMembers(ConfState.ofVoters(1L, 2L));
        RawNode n = new RawNode(RaftConfig.of(2, s).checkQuorum(false));
        n.step(Message.builder(MessageType.HEARTBEAT).from(1).to(2).term(1).commit(50).index(7).build());
        Ready rd = n.ready();
        Message resp = rd.messages().stream().filter(m -> m.type() == MessageType.HEARTBEAT_RESP).findFirst().orElseThrow();
        assertThat(resp.reject()).isTrue();
        assertThat(resp.rejectHint()).isZero();
        assertThat(resp.index()).isEqualTo(7);
        assertThat(rd.hardState() == null ? 0 : rd.hardState().commit()).isZero();
    }
}
