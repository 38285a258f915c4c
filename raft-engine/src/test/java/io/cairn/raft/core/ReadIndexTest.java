package io.cairn.raft.core;

import static io.cairn.raft.core.RaftTestUtil.appResp;
import static io.cairn.raft.core.RaftTestUtil.bytes;
import static io.cairn.raft.core.RaftTestUtil.durable;
import static io.cairn.raft.core.RaftTestUtil.lead;
import static io.cairn.raft.core.RaftTestUtil.msg;
import static io.cairn.raft.core.RaftTestUtil.newRaft;
import static io.cairn.raft.core.RaftTestUtil.ofType;
import static io.cairn.raft.core.RaftTestUtil.prop;
import static io.cairn.raft.core.RaftTestUtil.storage;
import static io.cairn.raft.core.RaftTestUtil.take;
import static io.cairn.raft.core.RaftTestUtil.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Linearizable reads without log entries: ReadIndex and leases (thesis §6.4). */
class ReadIndexTest {

    private static Message readIndex(long from, String ctx) {
        return Message.builder(MessageType.READ_INDEX).from(from).to(from).context(bytes(ctx)).build();
    }

    private static Message heartbeatResp(Raft leader, long from, Message hb) {
        return msg(MessageType.HEARTBEAT_RESP, from, leader.id, leader.term).index(hb.index()).context(hb.context())
                .build();
    }

    /** Leader 1 of {1,2,3} (SAFE reads) whose empty entry is committed (by node 2's ack). */
    private static Raft committedLeader() {
        Raft r = durable(lead(newRaft(1, storage(1L, 2L, 3L))));
        r.step(appResp(r, 2, 1));
        take(r);
        assertThat(r.committedEntryInCurrentTerm()).isTrue();
        return r;
    }

    // ------------------------------------------------------------------ safe

    @Nested
    @DisplayName("safe (heartbeat quorum)")
    class Safe {

        @Test
        @DisplayName("thesis §6.4: the leader answers a ReadIndex only after a heartbeat round acked by a quorum, with the commit index of the request time")
        void readIndexNeedsHeartbeatQuorum() {
            Raft r = committedLeader();
            r.step(prop(1, "x"));
            durable(r);
            r.step(appResp(r, 2, 2));
            assertThat(r.raftLog.committed).isEqualTo(2);
            take(r);

            r.step(readIndex(1, "ctx1"));
            List<Message> hbs = ofType(take(r), MessageType.HEARTBEAT);
            assertThat(hbs).extracting(Message::to).containsExactly(2L, 3L);
            assertThat(hbs).allSatisfy(hb -> assertThat(hb.context()).isEqualTo(bytes("ctx1")));
            assertThat(r.readStates).isEmpty();

            // More is committed before the acks arrive: the read index stays the request-time one.
            r.step(prop(1, "y"));
            durable(r);
            r.step(appResp(r, 2, 3));
            assertThat(r.raftLog.committed).isEqualTo(3);

            r.step(heartbeatResp(r, 2, hbs.get(0)));
            assertThat(r.readStates).singleElement().satisfies(rs -> {
                assertThat(rs.index()).isEqualTo(2);
                assertThat(rs.requestCtx()).isEqualTo(bytes("ctx1"));
            });
            // The second ack changes nothing.
            r.readStates.clear();
            r.step(heartbeatResp(r, 3, hbs.get(1)));
            assertThat(r.readStates).isEmpty();
        }

        @Test
        @DisplayName("thesis §6.4: a heartbeat acked by the leader alone (a minority) does not answer the read")
        void minorityAckDoesNotAnswer() {
            Raft r = durable(lead(newRaft(1, storage(1L, 2L, 3L, 4L, 5L))));
            r.step(appResp(r, 2, 1));
            r.step(appResp(r, 3, 1));
            take(r);
            r.step(readIndex(1, "ctx"));
            List<Message> hbs = ofType(take(r), MessageType.HEARTBEAT);
            r.step(heartbeatResp(r, 2, hbs.get(0)));
            assertThat(r.readStates).isEmpty();
            r.step(heartbeatResp(r, 4, hbs.get(2)));
            assertThat(r.readStates).hasSize(1);
        }

        @Test
        @DisplayName("thesis §6.4 step 1: a new leader postpones reads until it has committed an entry of its own term")
        void postponedUntilLeaderCommitsInItsTerm() {
            MemoryStorage s = storage(1L, 2L, 3L);
            s.append(List.of(Entry.normal(1, 1, bytes("old"))));
            s.setHardState(new HardState(1, 0, 1));
            Raft r = durable(lead(newRaft(1, s)));
            assertThat(r.term).isEqualTo(2);
            assertThat(r.raftLog.committed).isEqualTo(1);
            assertThat(r.committedEntryInCurrentTerm()).isFalse();

            r.step(readIndex(1, "early"));
            assertThat(take(r)).isEmpty();
            assertThat(r.pendingReadIndexMessages).hasSize(1);

            // The empty entry of term 2 commits: the read is released into a heartbeat round.
            r.step(appResp(r, 2, 2));
            assertThat(r.raftLog.committed).isEqualTo(2);
            assertThat(r.pendingReadIndexMessages).isEmpty();
            List<Message> hbs = ofType(take(r), MessageType.HEARTBEAT);
            assertThat(hbs).isNotEmpty().allSatisfy(hb -> assertThat(hb.context()).isEqualTo(bytes("early")));
            r.step(heartbeatResp(r, 3, hbs.get(hbs.size() - 1)));
            assertThat(r.readStates).singleElement().satisfies(rs -> assertThat(rs.index()).isEqualTo(2));
        }

        @Test
        @DisplayName("thesis §6.4: a single-voter leader answers a ReadIndex at once")
        void singleNodeAnswersAtOnce() {
            Raft r = newRaft(1, storage(1L));
            r.step(Message.builder(MessageType.HUP).from(1).build());
            assertThat(r.state).isEqualTo(StateType.LEADER);
            r.step(readIndex(1, "solo"));
            assertThat(r.readStates).singleElement().satisfies(rs -> {
                assertThat(rs.index()).isEqualTo(r.raftLog.committed);
                assertThat(rs.requestCtx()).isEqualTo(bytes("solo"));
            });
            assertThat(take(r)).isEmpty();

            TestNetwork nt = TestNetwork.of(1);
            nt.elect(1);
            nt.node(1).readIndex(bytes("net"));
            nt.stabilize();
            assertThat(nt.readStates(1)).singleElement().satisfies(rs -> assertThat(rs.index()).isEqualTo(1));
        }

        @Test
        @DisplayName("thesis §6.4: a request repeating a pending context is merged with it (one answer); a quorum ack of a later request answers earlier ones too")
        void duplicateAndQueuedContexts() {
            Raft r = committedLeader();
            r.step(readIndex(1, "dup"));
            r.step(readIndex(1, "dup"));
            assertThat(r.readOnly.pendingCount()).isEqualTo(1);
            r.step(readIndex(1, "later"));
            assertThat(r.readOnly.pendingCount()).isEqualTo(2);
            List<Message> hbs = ofType(take(r), MessageType.HEARTBEAT);
            Message laterHb = hbs.stream().filter(m -> new String(m.context()).equals("later")).findFirst()
                    .orElseThrow();

            r.step(heartbeatResp(r, laterHb.to(), laterHb));

            assertThat(r.readStates).extracting(rs -> new String(rs.requestCtx())).containsExactly("dup", "later");
            assertThat(r.readOnly.pendingCount()).isZero();
        }

        @Test
        @DisplayName("thesis §6.4: periodic heartbeats carry the newest pending read, so a read whose acks were lost completes on the next heartbeat")
        void periodicHeartbeatCompletesRead() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.ignore(MessageType.HEARTBEAT_RESP);
            nt.node(1).readIndex(bytes("r1"));
            nt.stabilize();
            assertThat(nt.readStates(1)).isEmpty();

            nt.recover();
            nt.clearDelivered();
            nt.tick(1, 1);
            assertThat(ofType(nt.delivered(), MessageType.HEARTBEAT))
                    .allSatisfy(hb -> assertThat(hb.context()).isEqualTo(bytes("r1")));
            assertThat(nt.readStates(1)).singleElement()
                    .satisfies(rs -> assertThat(rs.requestCtx()).isEqualTo(bytes("r1")));
        }

        @Test
        @DisplayName("thesis §6.4: a follower forwards ReadIndex to the leader and gets a ReadState with the same context and the leader's commit index")
        void forwardedFromFollower() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.propose(1, "a");
            nt.clearDelivered();

            nt.node(2).readIndex(bytes("f-read"));
            nt.stabilize();

            List<MessageType> types = nt.delivered().stream().map(Message::type).toList();
            assertThat(types).containsSubsequence(MessageType.READ_INDEX, MessageType.HEARTBEAT,
                    MessageType.HEARTBEAT_RESP, MessageType.READ_INDEX_RESP);
            assertThat(ofType(nt.delivered(), MessageType.READ_INDEX_RESP)).singleElement().satisfies(m -> {
                assertThat(m.to()).isEqualTo(2);
                assertThat(m.context()).isEqualTo(bytes("f-read"));
            });
            assertThat(nt.readStates(2)).singleElement().satisfies(rs -> {
                assertThat(rs.requestCtx()).isEqualTo(bytes("f-read"));
                assertThat(rs.index()).isEqualTo(nt.raft(1).raftLog.committed);
            });
            assertThat(nt.readStates(1)).isEmpty();
        }

        @Test
        @DisplayName("thesis §6.4: a leader cut off from the majority cannot answer a read")
        void isolatedLeaderCannotAnswer() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.isolate(1);
            nt.node(1).readIndex(bytes("stale?"));
            nt.tick(1, 3);
            assertThat(nt.readStates(1)).isEmpty();
        }

        @Test
        @DisplayName("thesis §6.4: without a known leader (or while campaigning) a ReadIndex is refused with NO_LEADER; an empty context is invalid")
        void noLeaderRefused() {
            RawNode follower = new RawNode(RaftTestUtil.config(2, storage(1L, 2L, 3L)));
            assertThatThrownBy(() -> follower.readIndex(bytes("x")))
                    .isInstanceOfSatisfying(ProposalDroppedException.class,
                            e -> assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.NO_LEADER));
            follower.campaign();
            assertThat(follower.raft().state).isEqualTo(StateType.CANDIDATE);
            assertThatThrownBy(() -> follower.readIndex(bytes("x")))
                    .isInstanceOfSatisfying(ProposalDroppedException.class,
                            e -> assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.NO_LEADER));
            assertThatThrownBy(() -> follower.readIndex(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ------------------------------------------------------------------ lease

    @Nested
    @DisplayName("lease based")
    class Lease {

        private Raft leaseLeader() {
            Raft r = lead(newRaft(1, storage(1L, 2L, 3L),
                    c -> c.checkQuorum(true).readOnlyOption(ReadOnlyOption.LEASE_BASED)));
            r.step(appResp(r, 2, 1));
            r.step(appResp(r, 3, 1));
            take(r);
            return r;
        }

        @Test
        @DisplayName("thesis §6.4.1: lease-based reads require CheckQuorum (the configuration is refused otherwise)")
        void leaseRequiresCheckQuorum() {
            RaftConfig c = RaftTestUtil.config(1, storage(1L)).checkQuorum(false)
                    .readOnlyOption(ReadOnlyOption.LEASE_BASED);
            assertThatThrownBy(c::validate).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("CheckQuorum");
            assertThatThrownBy(() -> new RawNode(c)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        @DisplayName("thesis §6.4.1: heartbeats carry the leader's tick and responses echo it")
        void heartbeatsCarryTick() {
            Raft r = leaseLeader();
            for (int i = 0; i < 3; i++) {
                r.tick();
            }
            List<Message> hbs = ofType(take(r), MessageType.HEARTBEAT);
            assertThat(hbs).extracting(Message::index).containsOnly(1L, 2L, 3L);
            assertThat(hbs.get(hbs.size() - 1).index()).isEqualTo(r.ticks);

            Raft f = newRaft(2, storage(1L, 2L, 3L));
            f.step(msg(MessageType.HEARTBEAT, 1, 2, 1).index(42).commit(0).build());
            assertThat(take(f)).singleElement().satisfies(m -> {
                assertThat(m.type()).isEqualTo(MessageType.HEARTBEAT_RESP);
                assertThat(m.index()).isEqualTo(42);
            });
        }

        @Test
        @DisplayName("thesis §6.4.1: without a lease (no heartbeat acked yet) the leader falls back to the heartbeat round")
        void noLeaseFallsBackToSafe() {
            Raft r = leaseLeader();
            assertThat(r.leaseValid()).isFalse();
            r.step(readIndex(1, "r"));
            assertThat(r.readStates).isEmpty();
            List<Message> hbs = ofType(take(r), MessageType.HEARTBEAT);
            assertThat(hbs).hasSize(2);
            r.step(heartbeatResp(r, 2, hbs.get(0)));
            assertThat(r.readStates).hasSize(1);
            // That ack also started a lease.
            assertThat(r.leaseValid()).isTrue();
        }

        @Test
        @DisplayName("thesis §6.4.1: with a quorum ack of a heartbeat sent less than an election timeout ago, reads are answered at once; at the timeout the lease lapses")
        void leaseLifetime() {
            Raft r = leaseLeader();
            r.tick(); // tick 1: heartbeat carrying 1
            List<Message> hbs = ofType(take(r), MessageType.HEARTBEAT);
            assertThat(hbs).allSatisfy(hb -> assertThat(hb.index()).isEqualTo(1));
            r.step(heartbeatResp(r, 2, hbs.get(0)));
            assertThat(r.leaseValid()).isTrue();

            r.step(readIndex(1, "fast"));
            assertThat(r.readStates).singleElement().satisfies(rs -> assertThat(rs.index()).isEqualTo(1));
            assertThat(take(r)).isEmpty();
            r.readStates.clear();

            // Tick without acks: valid while ticks < 1 + electionTimeout.
            while (r.ticks < 1 + RaftTestUtil.ELECTION - 1) {
                r.tick();
            }
            take(r);
            assertThat(r.ticks).isEqualTo(10);
            assertThat(r.state).isEqualTo(StateType.LEADER);
            assertThat(r.leaseValid()).isTrue();
            r.tick();
            take(r);
            assertThat(r.ticks).isEqualTo(11);
            assertThat(r.leaseValid()).isFalse();

            // Fallback again: the read waits for a quorum heartbeat round.
            r.step(readIndex(1, "slow"));
            assertThat(r.readStates).isEmpty();
            List<Message> round = ofType(take(r), MessageType.HEARTBEAT);
            assertThat(round).allSatisfy(hb -> assertThat(hb.index()).isEqualTo(11));
            r.step(heartbeatResp(r, 3, round.get(1)));
            assertThat(r.readStates).singleElement()
                    .satisfies(rs -> assertThat(rs.requestCtx()).isEqualTo(bytes("slow")));
            assertThat(r.leaseValid()).isTrue();
        }

        @Test
        @DisplayName("thesis §6.4.1: an ack of an old heartbeat only extends the lease from that heartbeat's send time")
        void staleAckDoesNotExtendLease() {
            Raft r = leaseLeader();
            r.tick();
            Message first = ofType(take(r), MessageType.HEARTBEAT).get(0);
            for (int i = 0; i < RaftTestUtil.ELECTION; i++) {
                r.tick();
            }
            take(r);
            assertThat(r.ticks).isEqualTo(11);
            // The ack arrives late: the heartbeat was sent at tick 1, which is an election timeout ago.
            r.step(heartbeatResp(r, 2, first));
            assertThat(r.leaseValid()).isFalse();
        }

        @Test
        @DisplayName("thesis §6.4.1: a forwarded read from a follower is answered at once under a lease")
        void forwardedReadUnderLease() {
            TestNetwork nt = TestNetwork.of(3, c -> c.readOnlyOption(ReadOnlyOption.LEASE_BASED));
            nt.elect(1);
            nt.tick(1, 1);
            assertThat(nt.raft(1).leaseValid()).isTrue();
            nt.clearDelivered();

            nt.node(2).readIndex(bytes("lease-read"));
            nt.stabilize();

            assertThat(nt.delivered()).extracting(Message::type)
                    .containsExactly(MessageType.READ_INDEX, MessageType.READ_INDEX_RESP);
            assertThat(nt.readStates(2)).singleElement()
                    .satisfies(rs -> assertThat(rs.index()).isEqualTo(nt.raft(1).raftLog.committed));
        }

        @Test
        @DisplayName("thesis §6.4.1: a new term starts without a lease, and TIMEOUT_NOW voids it for the rest of the term")
        void leaseResetAndFence() {
            Raft r = leaseLeader();
            r.tick();
            Message hb = ofType(take(r), MessageType.HEARTBEAT).get(0);
            r.step(heartbeatResp(r, 2, hb));
            assertThat(r.leaseValid()).isTrue();

            r.step(msg(MessageType.TRANSFER_LEADER, 2, 1, 0).build());
            assertThat(ofType(take(r), MessageType.TIMEOUT_NOW)).hasSize(1);
            assertThat(r.leaseValid()).isFalse();
            r.step(readIndex(1, "fenced"));
            assertThat(r.readStates).isEmpty();
            assertThat(ofType(take(r), MessageType.HEARTBEAT)).hasSize(2);

            // Re-elected in a later term: no lease until a quorum acks a heartbeat of that term.
            r.becomeFollower(r.term + 1, Raft.NONE);
            r.becomeCandidate();
            r.becomeLeader();
            assertThat(r.leaseFenced).isFalse();
            assertThat(r.leaseValid()).isFalse();
            assertThat(r.leaseAcks).isEmpty();
        }

        @Test
        @DisplayName("thesis §6.4.1: when a partitioned leader's lease is still valid, no other leader has been elected")
        void noNewLeaderWhileOldLeaseValid() {
            TestNetwork nt = TestNetwork.of(3, c -> c.readOnlyOption(ReadOnlyOption.LEASE_BASED));
            nt.elect(1);
            nt.tickAll(2);
            assertThat(nt.raft(1).leaseValid()).isTrue();
            List<String> violations = new ArrayList<>();
            nt.onReady(rd -> {
                for (long id : nt.ids()) {
                    if (id != 1 && nt.raft(id).state == StateType.LEADER && nt.raft(1).leaseValid()) {
                        violations.add("node " + id + " leads at tick " + nt.raft(1).ticks);
                    }
                }
            });

            nt.isolate(1);
            nt.tickAll(4 * TestNetwork.ELECTION_TICK);

            long newLeader = nt.leader();
            assertThat(newLeader).isIn(2L, 3L);
            assertThat(violations).isEmpty();
            assertThat(nt.raft(1).leaseValid()).isFalse();
        }

        @Test
        @DisplayName("thesis §6.4.1: with CheckQuorum a freshly started node refuses votes for an election timeout (it may have promised a lease before restarting)")
        void recentlyStartedRefusesVotes() {
            Raft r = newRaft(2, storage(1L, 2L, 3L), c -> c.checkQuorum(true));
            assertThat(r.promised()).isTrue();
            r.randomizedElectionTimeout = 2 * RaftTestUtil.ELECTION - 1; // do not campaign while we wait

            r.step(msg(MessageType.VOTE, 1, 2, 1).index(0).logTerm(0).build());
            r.step(msg(MessageType.PRE_VOTE, 3, 2, 1).index(0).logTerm(0).build());
            assertThat(take(r)).isEmpty();
            assertThat(r.term).isZero();

            // A forced vote of a leadership transfer is still granted.
            Raft forced = newRaft(2, storage(1L, 2L, 3L), c -> c.checkQuorum(true));
            forced.step(msg(MessageType.VOTE, 1, 2, 1).context(Raft.CAMPAIGN_TRANSFER).build());
            assertThat(take(forced)).singleElement().satisfies(m -> {
                assertThat(m.type()).isEqualTo(MessageType.VOTE_RESP);
                assertThat(m.reject()).isFalse();
            });

            for (int i = 0; i < RaftTestUtil.ELECTION; i++) {
                r.tick();
            }
            assertThat(r.promised()).isFalse();
            assertThat(r.state).isEqualTo(StateType.FOLLOWER);
            r.step(msg(MessageType.VOTE, 1, 2, 1).index(0).logTerm(0).build());
            assertThat(take(r)).singleElement().satisfies(m -> {
                assertThat(m.type()).isEqualTo(MessageType.VOTE_RESP);
                assertThat(m.reject()).isFalse();
            });
            assertThat(r.vote).isEqualTo(1);

            // Without CheckQuorum there is no such fence.
            Raft plain = newRaft(2, storage(1L, 2L, 3L));
            assertThat(plain.promised()).isFalse();
            plain.step(msg(MessageType.VOTE, 1, 2, 1).build());
            assertThat(ofType(take(plain), MessageType.VOTE_RESP)).hasSize(1);
        }

        @Test
        @DisplayName("thesis §6.4.1: a restarted node is fenced again after its restart")
        void restartedNodeFenced() {
            TestNetwork nt = TestNetwork.of(3, c -> c.readOnlyOption(ReadOnlyOption.LEASE_BASED));
            nt.elect(1);
            RawNode again = nt.restart(3);
            assertThat(again.raft().promised()).isTrue();
            long term = again.raft().term;
            again.step(msg(MessageType.VOTE, 2, 3, term + 1).index(again.lastIndex())
                    .logTerm(again.raft().raftLog.lastTerm()).build());
            assertThat(again.raft().term).isEqualTo(term);
            assertThat(again.raft().msgs).isEmpty();
        }
    }

    // ------------------------------------------------------------------ observers

    @Nested
    @DisplayName("observer reads (BW-Raft)")
    class ObserverReads {

        @Test
        @DisplayName("thesis §6.4 (BW-Raft): a lagging observer's read returns the leader's commit index; the observer serves it once applied that far")
        void laggingObserverRead() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.addNode(4, MemoryStorage.withMembers(voters(1L, 2L, 3L)));
            nt.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.addObserver(4)));
            nt.stabilize();
            assertThat(nt.node(4).confState().observers()).containsExactly(4L);

            // The observer stops receiving appends.
            nt.dropIf(m -> m.type() == MessageType.APP && m.to() == 4);
            nt.propose(1, "w1");
            nt.propose(1, "w2");
            long commit = nt.raft(1).raftLog.committed;
            assertThat(nt.appliedIndex(4)).isLessThan(commit);

            nt.node(4).readIndex(bytes("obs"));
            nt.stabilize();
            assertThat(nt.readStates(4)).singleElement().satisfies(rs -> assertThat(rs.index()).isEqualTo(commit));

            nt.recover();
            nt.tickAll(1);
            assertThat(nt.appliedIndex(4)).isGreaterThanOrEqualTo(commit);
            assertThat(nt.appliedData(4)).containsExactly("w1", "w2");
        }

        @Test
        @DisplayName("thesis §6.4.1 (BW-Raft): an observer's read is answered at once under the leader's lease")
        void observerReadUnderLease() {
            TestNetwork nt = TestNetwork.of(3, c -> c.readOnlyOption(ReadOnlyOption.LEASE_BASED));
            nt.elect(1);
            nt.addNode(4, MemoryStorage.withMembers(voters(1L, 2L, 3L)));
            nt.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.addObserver(4)));
            nt.stabilize();
            nt.tick(1, 1);
            assertThat(nt.raft(1).leaseValid()).isTrue();
            nt.clearDelivered();

            nt.node(4).readIndex(bytes("obs-lease"));
            nt.stabilize();

            assertThat(nt.delivered()).extracting(Message::type)
                    .containsExactly(MessageType.READ_INDEX, MessageType.READ_INDEX_RESP);
            assertThat(nt.readStates(4)).hasSize(1);
        }
    }
}
