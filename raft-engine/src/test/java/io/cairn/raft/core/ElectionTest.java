package io.cairn.raft.core;

import static io.cairn.raft.core.RaftTestUtil.beat;
import static io.cairn.raft.core.RaftTestUtil.ents;
import static io.cairn.raft.core.RaftTestUtil.hup;
import static io.cairn.raft.core.RaftTestUtil.ids;
import static io.cairn.raft.core.RaftTestUtil.lead;
import static io.cairn.raft.core.RaftTestUtil.logTerms;
import static io.cairn.raft.core.RaftTestUtil.msg;
import static io.cairn.raft.core.RaftTestUtil.newRaft;
import static io.cairn.raft.core.RaftTestUtil.nextEnts;
import static io.cairn.raft.core.RaftTestUtil.prop;
import static io.cairn.raft.core.RaftTestUtil.setRandomizedElectionTimeout;
import static io.cairn.raft.core.RaftTestUtil.storage;
import static io.cairn.raft.core.RaftTestUtil.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Leader election: Raft §5.1, §5.2, §5.4.1; PreVote (thesis §9.6); CheckQuorum and the leader
 * lease on votes (thesis §6.2, §4.2.3); leadership transfer (thesis §3.10). Ported from etcd-raft's
 * raft_paper_test.go and raft_test.go.
 */
class ElectionTest {

    private static final Consumer<RaftConfig> PLAIN = c -> c.preVote(false).checkQuorum(false);
    private static final Consumer<RaftConfig> PRE_VOTE = c -> c.preVote(true).checkQuorum(false);

    private static Consumer<RaftConfig> preVote(boolean on) {
        return on ? PRE_VOTE : PLAIN;
    }

    // ------------------------------------------------------------------ §5.1 terms

    @ParameterizedTest
    @EnumSource(value = StateType.class, names = {"FOLLOWER", "CANDIDATE", "LEADER"})
    @DisplayName("§5.1: a server that sees a larger term adopts it and reverts to follower")
    void updateTermFromMessage(StateType state) {
        Raft r = newRaft(1, storage(1L, 2L, 3L));
        switch (state) {
            case FOLLOWER -> r.becomeFollower(1, 2);
            case CANDIDATE -> r.becomeCandidate();
            default -> lead(r);
        }
        r.step(msg(MessageType.APP, 2, 1, 2).build());
        assertThat(r.term).isEqualTo(2);
        assertThat(r.state).isEqualTo(StateType.FOLLOWER);
        assertThat(r.lead).isEqualTo(2);
    }

    @Test
    @DisplayName("§5.1: a request with a stale term is ignored (plain Raft)")
    void staleTermMessageIgnored() {
        Raft r = newRaft(1, storage(List.of(), new HardState(2, 0, 0), 1L, 2L, 3L));
        r.step(msg(MessageType.APP, 2, 1, 1).entries(ents(1, 1)).build());
        r.step(msg(MessageType.HEARTBEAT, 2, 1, 1).commit(0).build());
        assertThat(take(r)).isEmpty();
        assertThat(r.term).isEqualTo(2);
        assertThat(r.raftLog.lastIndex()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"checkQuorum", "preVote"})
    @DisplayName("§5.1 / thesis §9.6: with CheckQuorum or PreVote a stale leader's append or heartbeat is answered"
            + " with our term so that it steps down")
    void staleLeaderIsToldTheNewTerm(String option) {
        Raft r = newRaft(1, storage(List.of(), new HardState(2, 0, 0), 1L, 2L, 3L),
                c -> c.checkQuorum(option.equals("checkQuorum")).preVote(option.equals("preVote")));
        r.step(msg(MessageType.APP, 2, 1, 1).build());
        r.step(msg(MessageType.HEARTBEAT, 2, 1, 1).build());
        List<Message> out = take(r);
        assertThat(out).hasSize(2).allSatisfy(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP_RESP);
            assertThat(m.to()).isEqualTo(2);
            assertThat(m.term()).isEqualTo(2);
        });
        // The stale leader steps down when it gets the answer.
        Raft stale = lead(newRaft(2, storage(1L, 2L, 3L)));
        stale.step(out.get(0));
        assertThat(stale.state).isEqualTo(StateType.FOLLOWER);
        assertThat(stale.term).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(value = MessageType.class, names = {"VOTE", "PRE_VOTE"})
    @DisplayName("§5.1 / thesis §9.6: a (pre-)vote request with a stale term is rejected with our term, so the stale"
            + " candidate learns the current term; our state is unchanged")
    void staleVoteRejectedWithTerm(MessageType type) {
        Raft r = newRaft(1, storage(List.of(), new HardState(5, 0, 0), 1L, 2L, 3L));
        r.step(msg(type, 2, 1, 3).index(10).logTerm(3).build());
        List<Message> out = take(r);
        assertThat(out).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(type.voteResponse());
            assertThat(m.reject()).isTrue();
            assertThat(m.term()).isEqualTo(5);
        });
        assertThat(r.term).isEqualTo(5);
        assertThat(r.vote).isZero();
        // The stale candidate adopts the term and steps down.
        Raft cand = newRaft(2, storage(1L, 2L, 3L), c -> c.preVote(type == MessageType.PRE_VOTE));
        cand.step(hup(2));
        cand.step(out.get(0).toBuilder().to(2).build());
        assertThat(cand.state).isEqualTo(StateType.FOLLOWER);
        assertThat(cand.term).isEqualTo(5);
    }

    // ------------------------------------------------------------------ §5.2 election basics

    @Test
    @DisplayName("§5.2: servers start up as followers")
    void startAsFollower() {
        Raft r = newRaft(1, storage(1L, 2L, 3L));
        assertThat(r.state).isEqualTo(StateType.FOLLOWER);
        assertThat(r.term).isZero();
        assertThat(r.lead).isZero();
    }

    @Test
    @DisplayName("§5.2: on a heartbeat tick the leader sends empty heartbeats (carrying its tick) to all followers")
    void leaderBroadcastsHeartbeats() {
        Raft r = lead(newRaft(1, storage(1L, 2L, 3L)));
        for (int i = 0; i < 10; i++) {
            r.step(prop(1, "x" + i));
        }
        take(r);
        r.tick();
        List<Message> msgs = take(r);
        assertThat(msgs).extracting(Message::to).containsExactlyInAnyOrder(2L, 3L);
        assertThat(msgs).allSatisfy(m -> {
            assertThat(m.type()).isEqualTo(MessageType.HEARTBEAT);
            assertThat(m.term()).isEqualTo(1);
            assertThat(m.commit()).isZero();
            assertThat(m.logTerm()).isZero();
            assertThat(m.entries()).isEmpty();
            assertThat(m.index()).isEqualTo(r.ticks);
        });
    }

    @ParameterizedTest
    @EnumSource(value = StateType.class, names = {"FOLLOWER", "CANDIDATE"})
    @DisplayName("§5.2: a follower (or candidate) that hears nothing for an election timeout starts an election:"
            + " new term, votes for itself, RequestVote to all")
    void nonLeaderStartsElection(StateType state) {
        Raft r = newRaft(1, storage(1L, 2L, 3L));
        if (state == StateType.FOLLOWER) {
            r.becomeFollower(1, 2);
        } else {
            r.becomeCandidate();
        }
        for (int i = 1; i < 2 * RaftTestUtil.ELECTION; i++) {
            r.tick();
        }
        assertThat(r.term).isEqualTo(2);
        assertThat(r.state).isEqualTo(StateType.CANDIDATE);
        assertThat(r.vote).isEqualTo(1);
        assertThat(r.trk.votes()).containsEntry(1L, true);
        List<Message> msgs = take(r);
        assertThat(msgs).extracting(Message::to).containsExactlyInAnyOrder(2L, 3L);
        assertThat(msgs).allSatisfy(m -> {
            assertThat(m.type()).isEqualTo(MessageType.VOTE);
            assertThat(m.term()).isEqualTo(2);
            assertThat(m.index()).isZero();
            assertThat(m.logTerm()).isZero();
        });
    }

    static Stream<Arguments> oneRoundElections() {
        return Stream.of(
                // win with a majority of votes
                Arguments.of(1, Map.of(), StateType.LEADER),
                Arguments.of(3, Map.of(2L, true, 3L, true), StateType.LEADER),
                Arguments.of(3, Map.of(2L, true), StateType.LEADER),
                Arguments.of(5, Map.of(2L, true, 3L, true, 4L, true, 5L, true), StateType.LEADER),
                Arguments.of(5, Map.of(2L, true, 3L, true, 4L, true), StateType.LEADER),
                Arguments.of(5, Map.of(2L, true, 3L, true), StateType.LEADER),
                // lose on a majority of denials
                Arguments.of(3, Map.of(2L, false, 3L, false), StateType.FOLLOWER),
                Arguments.of(5, Map.of(2L, false, 3L, false, 4L, false, 5L, false), StateType.FOLLOWER),
                Arguments.of(5, Map.of(2L, true, 3L, false, 4L, false, 5L, false), StateType.FOLLOWER),
                // undecided: stay candidate
                Arguments.of(3, Map.of(), StateType.CANDIDATE),
                Arguments.of(5, Map.of(2L, true), StateType.CANDIDATE),
                Arguments.of(5, Map.of(2L, false, 3L, false), StateType.CANDIDATE),
                Arguments.of(5, Map.of(), StateType.CANDIDATE));
    }

    @ParameterizedTest
    @MethodSource("oneRoundElections")
    @DisplayName("§5.2: after one round of RequestVote a candidate wins on a majority, loses on a majority of"
            + " denials, or stays candidate")
    void electionInOneRound(int size, Map<Long, Boolean> votes, StateType want) {
        Raft r = newRaft(1, storage(ids(size)));
        r.step(hup(1));
        for (Map.Entry<Long, Boolean> v : new java.util.TreeMap<>(votes).entrySet()) {
            r.step(msg(MessageType.VOTE_RESP, v.getKey(), 1, r.term).reject(!v.getValue()).build());
        }
        assertThat(r.state).isEqualTo(want);
        assertThat(r.term).isEqualTo(1);
    }

    static Stream<Arguments> followerVotes() {
        return Stream.of(
                Arguments.of(0L, 2L, false), Arguments.of(0L, 3L, false),
                Arguments.of(2L, 2L, false), Arguments.of(3L, 3L, false),
                Arguments.of(2L, 3L, true), Arguments.of(3L, 2L, true));
    }

    @ParameterizedTest
    @MethodSource("followerVotes")
    @DisplayName("§5.2: a follower votes for at most one candidate per term, first come first served"
            + " (a repeated request from the same candidate is granted again)")
    void followerVotesOncePerTerm(long votedFor, long candidate, boolean wantReject) {
        Raft r = newRaft(1, storage(List.of(), new HardState(1, votedFor, 0), 1L, 2L, 3L));
        r.step(msg(MessageType.VOTE, candidate, 1, 1).build());
        assertThat(take(r)).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.VOTE_RESP);
            assertThat(m.to()).isEqualTo(candidate);
            assertThat(m.term()).isEqualTo(1);
            assertThat(m.reject()).isEqualTo(wantReject);
        });
        assertThat(r.vote).isEqualTo(votedFor == 0 ? candidate : votedFor);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    @DisplayName("§5.2: a candidate that receives AppendEntries from a leader of at least its term returns to follower")
    void candidateFallsBackOnAppend(long term) {
        Raft r = newRaft(1, storage(1L, 2L, 3L));
        r.step(hup(1));
        assertThat(r.state).isEqualTo(StateType.CANDIDATE);
        r.step(msg(MessageType.APP, 2, 1, term).build());
        assertThat(r.state).isEqualTo(StateType.FOLLOWER);
        assertThat(r.term).isEqualTo(term);
        assertThat(r.lead).isEqualTo(2);
    }

    @Test
    @DisplayName("§5.2 / §7: a candidate that receives a snapshot from a leader of its term returns to follower")
    void candidateFallsBackOnSnapshot() {
        Raft r = newRaft(1, storage(1L, 2L, 3L));
        r.step(hup(1));
        assertThat(r.hasLeader()).isFalse();
        Snapshot snap = new Snapshot(new SnapshotMetadata(5, 1, ConfState.ofVoters(1L, 2L, 3L)), null);
        r.step(msg(MessageType.SNAP, 2, 1, r.term).snapshot(snap).build());
        assertThat(r.state).isEqualTo(StateType.FOLLOWER);
        assertThat(r.lead).isEqualTo(2);
        assertThat(r.hasLeader()).isTrue();
        assertThat(r.raftLog.committed).isEqualTo(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HEARTBEAT", "APP"})
    @DisplayName("§5.2: an isolated candidate with a lower term reverts to follower of the current leader on its"
            + " heartbeat or append, adopting the leader's term")
    void candidateResetsTermOnLeaderMessage(String type) {
        TestNetwork nt = TestNetwork.of(3, PLAIN);
        nt.campaign(1);
        nt.isolate(3);
        nt.campaign(2);
        nt.campaign(1);
        Raft a = nt.raft(1);
        Raft c = nt.raft(3);
        assertThat(a.state).isEqualTo(StateType.LEADER);
        assertThat(a.term).isEqualTo(3);
        // Trigger an election at the isolated node 3.
        setRandomizedElectionTimeout(c, RaftTestUtil.ELECTION);
        nt.tick(3, RaftTestUtil.ELECTION);
        assertThat(c.state).isEqualTo(StateType.CANDIDATE);
        assertThat(c.term).isEqualTo(2);
        nt.recover();
        nt.send(msg(MessageType.valueOf(type), 1, 3, a.term).build());
        assertThat(c.state).isEqualTo(StateType.FOLLOWER);
        assertThat(c.term).isEqualTo(a.term);
        assertThat(c.lead).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = StateType.class, names = {"FOLLOWER", "CANDIDATE"})
    @DisplayName("§5.2: election timeouts are randomized over [electionTimeout, 2*electionTimeout)")
    void electionTimeoutRandomized(StateType state) {
        Raft r = newRaft(1, storage(1L, 2L, 3L));
        Set<Integer> seen = new TreeSet<>();
        for (int round = 0; round < 50 * RaftTestUtil.ELECTION; round++) {
            if (state == StateType.FOLLOWER) {
                r.becomeFollower(r.term + 1, 2);
            } else {
                r.becomeCandidate();
            }
            take(r);
            int time = 0;
            while (take(r).isEmpty()) {
                r.tick();
                time++;
            }
            seen.add(time);
        }
        List<Integer> all = new ArrayList<>();
        for (int d = RaftTestUtil.ELECTION; d < 2 * RaftTestUtil.ELECTION; d++) {
            all.add(d);
        }
        assertThat(seen).containsExactlyElementsOf(all);
    }

    @ParameterizedTest
    @EnumSource(value = StateType.class, names = {"FOLLOWER", "CANDIDATE"})
    @DisplayName("§5.2: randomized timeouts make it rare that several servers time out in the same tick (split votes)")
    void electionTimeoutsRarelyConflict(StateType state) {
        int size = 5;
        List<Raft> rs = new ArrayList<>();
        for (long id = 1; id <= size; id++) {
            rs.add(newRaft(id, storage(ids(size))));
        }
        int conflicts = 0;
        for (int round = 0; round < 1000; round++) {
            for (Raft r : rs) {
                if (state == StateType.FOLLOWER) {
                    r.becomeFollower(r.term + 1, 0);
                } else {
                    r.becomeCandidate();
                }
                take(r);
            }
            int timedOut = 0;
            while (timedOut == 0) {
                for (Raft r : rs) {
                    r.tick();
                    if (!take(r).isEmpty()) {
                        timedOut++;
                    }
                }
            }
            if (timedOut > 1) {
                conflicts++;
            }
        }
        assertThat(conflicts / 1000.0).isLessThanOrEqualTo(0.3);
    }

    @Test
    @DisplayName("§5.2: a single-node cluster elects itself on its first election timeout and commits at once")
    void singleNodeElectsItself() {
        TestNetwork nt = TestNetwork.of(1); // default config: PreVote and CheckQuorum on
        nt.tickAll(2 * RaftTestUtil.ELECTION);
        assertThat(nt.leader()).isEqualTo(1);
        assertThat(nt.raft(1).term).isEqualTo(1);
        nt.propose(1, "solo");
        assertThat(nt.appliedData(1)).containsExactly("solo");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @DisplayName("§5.2 / thesis §9.6: a single-node cluster becomes leader directly on campaign (with or without"
            + " PreVote)")
    void singleNodeCandidate(boolean preVote) {
        TestNetwork nt = TestNetwork.of(1, preVote(preVote));
        nt.campaign(1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(1).term).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @DisplayName("§5.2: campaigning while already leader is a no-op")
    void campaignWhileLeader(boolean preVote) {
        Raft r = newRaft(1, storage(1L), c -> c.preVote(preVote));
        r.step(hup(1));
        assertThat(r.state).isEqualTo(StateType.LEADER);
        long term = r.term;
        r.step(hup(1));
        assertThat(r.state).isEqualTo(StateType.LEADER);
        assertThat(r.term).isEqualTo(term);
    }

    static Stream<Arguments> leaderElectionNetworks() {
        return Stream.of(false, true).flatMap(pv -> Stream.of(
                Arguments.of(pv, 3, Set.of(), StateType.LEADER, 1L),
                Arguments.of(pv, 3, Set.of(3L), StateType.LEADER, 1L),
                Arguments.of(pv, 3, Set.of(2L, 3L), pv ? StateType.PRE_CANDIDATE : StateType.CANDIDATE, pv ? 0L : 1L),
                Arguments.of(pv, 4, Set.of(2L, 3L), pv ? StateType.PRE_CANDIDATE : StateType.CANDIDATE, pv ? 0L : 1L),
                Arguments.of(pv, 5, Set.of(2L, 3L), StateType.LEADER, 1L)));
    }

    @ParameterizedTest(name = "preVote={0} size={1} down={2}")
    @MethodSource("leaderElectionNetworks")
    @DisplayName("§5.2: a candidate becomes leader iff a majority of the cluster is reachable (PreVote: a failed"
            + " pre-election does not advance the term)")
    void leaderElection(boolean preVote, int size, Set<Long> down, StateType want, long wantTerm) {
        TestNetwork nt = TestNetwork.of(size, preVote(preVote));
        down.forEach(nt::removeNode);
        nt.campaign(1);
        assertThat(nt.raft(1).state).isEqualTo(want);
        assertThat(nt.raft(1).term).isEqualTo(wantTerm);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @DisplayName("§5.4.1: a candidate whose log is behind a majority of voters in its term is refused and returns"
            + " to follower")
    void leaderElectionRefusedToStaleLog(boolean preVote) {
        Long[] v = ids(5);
        List<MemoryStorage> ss = List.of(
                storage(v),
                storage(ents(1, 1), new HardState(1, 0, 0), v),
                storage(ents(1, 1), new HardState(1, 0, 0), v),
                storage(ents(1, 1, 1), new HardState(1, 0, 0), v),
                storage(v));
        TestNetwork nt = TestNetwork.ofStorages(ss, 1, preVote(preVote));
        nt.campaign(1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(1).term).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @DisplayName("§5.2: every node can campaign and be elected in turn (elections work from a non-clean slate)")
    void leaderCycle(boolean preVote) {
        TestNetwork nt = TestNetwork.of(3, preVote(preVote));
        for (long cand = 1; cand <= 3; cand++) {
            nt.campaign(cand);
            for (long id = 1; id <= 3; id++) {
                assertThat(nt.raft(id).state).as("node %d after %d campaigned", id, cand)
                        .isEqualTo(id == cand ? StateType.LEADER : StateType.FOLLOWER);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @DisplayName("§5.3 / §5.4.1: a newly elected leader overwrites followers' uncommitted entries of higher terms")
    void leaderElectionOverwritesNewerLogs(boolean preVote) {
        Long[] v = ids(5);
        List<MemoryStorage> ss = List.of(
                storage(ents(1, 1), new HardState(1, 0, 0), v), // won the first election
                storage(ents(1, 1), new HardState(1, 0, 0), v), // got node 1's entry
                storage(ents(1, 2), new HardState(2, 0, 0), v), // won the second election
                storage(List.of(), new HardState(2, 3, 0), v), // voted for 3, no entries
                storage(List.of(), new HardState(2, 3, 0), v));
        TestNetwork nt = TestNetwork.ofStorages(ss, 1, preVote(preVote));
        // A quorum knows term 2: node 1 loses but learns the term.
        nt.campaign(1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(1).term).isEqualTo(2);
        nt.campaign(1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(1).term).isEqualTo(3);
        for (long id = 1; id <= 5; id++) {
            assertThat(logTerms(nt.raft(id))).as("node %d", id).containsExactly(1L, 3L);
        }
    }

    @ParameterizedTest
    @EnumSource(StateType.class)
    @DisplayName("§5.2 / thesis §9.6: a valid vote for a higher term is granted from any state; a real vote makes the"
            + " voter a follower of that term, a pre-vote changes nothing")
    void voteFromAnyState(StateType state) {
        for (MessageType vt : List.of(MessageType.VOTE, MessageType.PRE_VOTE)) {
            Raft r = newRaft(1, storage(List.of(), new HardState(1, 0, 0), 1L, 2L, 3L));
            switch (state) {
                case FOLLOWER -> r.becomeFollower(r.term, 3);
                case PRE_CANDIDATE -> r.becomePreCandidate();
                case CANDIDATE -> r.becomeCandidate();
                case LEADER -> lead(r);
            }
            long origTerm = r.term;
            long newTerm = r.term + 1;
            r.step(msg(vt, 2, 1, newTerm).logTerm(newTerm).index(42).build());
            assertThat(take(r)).as("%s in %s", vt, state).singleElement().satisfies(m -> {
                assertThat(m.type()).isEqualTo(vt.voteResponse());
                assertThat(m.reject()).isFalse();
                assertThat(m.term()).isEqualTo(newTerm);
            });
            if (vt == MessageType.VOTE) {
                assertThat(r.state).isEqualTo(StateType.FOLLOWER);
                assertThat(r.term).isEqualTo(newTerm);
                assertThat(r.vote).isEqualTo(2);
            } else {
                assertThat(r.state).isEqualTo(state);
                assertThat(r.term).isEqualTo(origTerm);
                assertThat(r.vote).isIn(0L, 1L);
            }
        }
    }

    @Test
    @DisplayName("§5.2: state transitions: follower cannot jump to leader, leader cannot become (pre-)candidate")
    void stateTransitions() {
        record T(StateType from, StateType to, boolean allowed, long term, long lead) {
        }
        List<T> tests = List.of(
                new T(StateType.FOLLOWER, StateType.FOLLOWER, true, 1, 0),
                new T(StateType.FOLLOWER, StateType.PRE_CANDIDATE, true, 0, 0),
                new T(StateType.FOLLOWER, StateType.CANDIDATE, true, 1, 0),
                new T(StateType.FOLLOWER, StateType.LEADER, false, 0, 0),
                new T(StateType.PRE_CANDIDATE, StateType.FOLLOWER, true, 0, 0),
                new T(StateType.PRE_CANDIDATE, StateType.PRE_CANDIDATE, true, 0, 0),
                new T(StateType.PRE_CANDIDATE, StateType.CANDIDATE, true, 1, 0),
                new T(StateType.PRE_CANDIDATE, StateType.LEADER, true, 0, 1),
                new T(StateType.CANDIDATE, StateType.FOLLOWER, true, 0, 0),
                new T(StateType.CANDIDATE, StateType.PRE_CANDIDATE, true, 0, 0),
                new T(StateType.CANDIDATE, StateType.CANDIDATE, true, 1, 0),
                new T(StateType.CANDIDATE, StateType.LEADER, true, 0, 1),
                new T(StateType.LEADER, StateType.FOLLOWER, true, 1, 0),
                new T(StateType.LEADER, StateType.PRE_CANDIDATE, false, 0, 0),
                new T(StateType.LEADER, StateType.CANDIDATE, false, 1, 0),
                new T(StateType.LEADER, StateType.LEADER, true, 0, 1));
        for (T t : tests) {
            Raft r = newRaft(1, storage(1L));
            r.state = t.from();
            Runnable transition = switch (t.to()) {
                case FOLLOWER -> () -> r.becomeFollower(t.term(), t.lead());
                case PRE_CANDIDATE -> r::becomePreCandidate;
                case CANDIDATE -> r::becomeCandidate;
                case LEADER -> r::becomeLeader;
            };
            if (!t.allowed()) {
                assertThatThrownBy(transition::run).as("%s -> %s", t.from(), t.to())
                        .isInstanceOf(IllegalStateException.class);
                continue;
            }
            transition.run();
            assertThat(r.term).as("%s -> %s", t.from(), t.to()).isEqualTo(t.term());
            assertThat(r.lead).as("%s -> %s", t.from(), t.to()).isEqualTo(t.lead());
            assertThat(r.state).isEqualTo(t.to());
        }
    }

    @ParameterizedTest
    @EnumSource(StateType.class)
    @DisplayName("§5.1: every server steps down to follower on a RequestVote or AppendEntries of a higher term")
    void allServersStepDown(StateType state) {
        Raft r = newRaft(1, storage(1L, 2L, 3L));
        switch (state) {
            case FOLLOWER -> r.becomeFollower(1, 0);
            case PRE_CANDIDATE -> r.becomePreCandidate();
            case CANDIDATE -> r.becomeCandidate();
            case LEADER -> lead(r);
        }
        long wantIndex = state == StateType.LEADER ? 1 : 0;
        for (MessageType t : List.of(MessageType.VOTE, MessageType.APP)) {
            r.step(msg(t, 2, 1, 3).logTerm(3).build());
            assertThat(r.state).isEqualTo(StateType.FOLLOWER);
            assertThat(r.term).isEqualTo(3);
            assertThat(r.raftLog.lastIndex()).isEqualTo(wantIndex);
            assertThat(r.lead).isEqualTo(t == MessageType.VOTE ? 0 : 2);
        }
    }

    // ------------------------------------------------------------------ §5.4.1 election restriction

    @ParameterizedTest
    @MethodSource("voteRequestLogs")
    @DisplayName("§5.4.1: RequestVote carries the candidate's last log index and term and goes to every other voter")
    void voteRequestCarriesLastLogPosition(List<Entry> ents, long wantTerm) {
        Raft r = newRaft(1, storage(1L, 2L, 3L));
        r.step(msg(MessageType.APP, 2, 1, wantTerm - 1).index(0).logTerm(0).entries(ents).build());
        take(r);
        for (int i = 1; i < 2 * RaftTestUtil.ELECTION; i++) {
            r.tick();
        }
        Entry last = ents.get(ents.size() - 1);
        List<Message> msgs = take(r);
        assertThat(msgs).extracting(Message::to).containsExactlyInAnyOrder(2L, 3L);
        assertThat(msgs).allSatisfy(m -> {
            assertThat(m.type()).isEqualTo(MessageType.VOTE);
            assertThat(m.term()).isEqualTo(wantTerm);
            assertThat(m.index()).isEqualTo(last.index());
            assertThat(m.logTerm()).isEqualTo(last.term());
        });
    }

    static Stream<Arguments> voteRequestLogs() {
        return Stream.of(Arguments.of(ents(1, 1), 2L), Arguments.of(ents(1, 1, 2), 3L));
    }

    static Stream<Arguments> voterCases() {
        return Stream.of(
                // same last term: the longer (or equal) log wins
                Arguments.of(ents(1, 1), 1L, 1L, false),
                Arguments.of(ents(1, 1), 1L, 2L, false),
                Arguments.of(ents(1, 1, 1), 1L, 1L, true),
                // candidate has a higher last term
                Arguments.of(ents(1, 1), 2L, 1L, false),
                Arguments.of(ents(1, 1), 2L, 2L, false),
                Arguments.of(ents(1, 1, 1), 2L, 1L, false),
                // voter has a higher last term
                Arguments.of(ents(1, 2), 1L, 1L, true),
                Arguments.of(ents(1, 2), 1L, 2L, true),
                Arguments.of(ents(1, 2, 2), 1L, 1L, true),
                Arguments.of(ents(1, 1, 1), 1L, 1L, true));
    }

    @ParameterizedTest
    @MethodSource("voterCases")
    @DisplayName("§5.4.1: a voter denies its vote if its own log is more up-to-date than the candidate's"
            + " (compare last terms, then lengths)")
    void voterDeniesStaleCandidate(List<Entry> ents, long logTerm, long index, boolean wantReject) {
        Raft r = newRaft(1, storage(ents, null, 1L, 2L));
        r.step(msg(MessageType.VOTE, 2, 1, 3).logTerm(logTerm).index(index).build());
        assertThat(take(r)).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.VOTE_RESP);
            assertThat(m.reject()).isEqualTo(wantReject);
        });
    }

    static Stream<Arguments> recvVoteCases() {
        List<Arguments> out = new ArrayList<>();
        for (MessageType t : List.of(MessageType.VOTE, MessageType.PRE_VOTE)) {
            long[][] rows = {
                    // index, logTerm, votedFor, reject(1/0)
                    {0, 0, 0, 1}, {0, 1, 0, 1}, {0, 2, 0, 1}, {0, 3, 0, 0},
                    {1, 0, 0, 1}, {1, 1, 0, 1}, {1, 2, 0, 1}, {1, 3, 0, 0},
                    {2, 0, 0, 1}, {2, 1, 0, 1}, {2, 2, 0, 0}, {2, 3, 0, 0},
                    {3, 0, 0, 1}, {3, 1, 0, 1}, {3, 2, 0, 0}, {3, 3, 0, 0},
                    {3, 2, 2, 0}, {3, 2, 1, 1}};
            for (long[] row : rows) {
                out.add(Arguments.of(t, row[0], row[1], row[2], row[3] == 1));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} index={1} logTerm={2} votedFor={3} reject={4}")
    @MethodSource("recvVoteCases")
    @DisplayName("§5.2 / §5.4.1: a follower in the candidate's term grants a (pre-)vote iff it has not voted for"
            + " another candidate and the candidate's log is at least as up-to-date")
    void followerReceivesVote(MessageType type, long index, long logTerm, long votedFor, boolean wantReject) {
        long term = Math.max(2, logTerm);
        Raft r = newRaft(1, storage(ents(1, 2, 2), new HardState(term, votedFor, 0), 1L));
        r.step(msg(type, 2, 1, term).index(index).logTerm(logTerm).build());
        assertThat(take(r)).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(type.voteResponse());
            assertThat(m.reject()).isEqualTo(wantReject);
        });
    }

    @ParameterizedTest
    @EnumSource(value = StateType.class, names = {"PRE_CANDIDATE", "CANDIDATE", "LEADER"})
    @DisplayName("§5.2: a (pre-)candidate or leader that voted for itself refuses other candidates of its term")
    void selfVotedNodeRefusesOthers(StateType state) {
        for (MessageType type : List.of(MessageType.VOTE, MessageType.PRE_VOTE)) {
            Raft r;
            if (state == StateType.PRE_CANDIDATE) {
                r = newRaft(1, storage(ents(1, 2, 2), new HardState(3, 1, 0), 1L, 2L));
                r.becomePreCandidate();
            } else {
                r = newRaft(1, storage(ents(1, 2, 2), new HardState(2, 0, 0), 1L, 2L));
                r.becomeCandidate();
                if (state == StateType.LEADER) {
                    r.becomeLeader();
                }
            }
            assertThat(r.term).isEqualTo(3);
            r.step(msg(type, 2, 1, 3).index(3).logTerm(3).build());
            assertThat(take(r)).as("%s in %s", type, state).singleElement().satisfies(m -> {
                assertThat(m.type()).isEqualTo(type.voteResponse());
                assertThat(m.reject()).isTrue();
            });
        }
    }

    @Test
    @DisplayName("§5.2: dueling candidates: the one that cannot reach a majority stays candidate; when it later"
            + " disrupts with a higher term it is refused for its shorter log (§5.4.1)")
    void duelingCandidates() {
        TestNetwork nt = TestNetwork.of(3, PLAIN);
        nt.cut(1, 3);
        nt.campaign(1);
        nt.campaign(3);
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(3).state).isEqualTo(StateType.CANDIDATE);
        nt.recover();
        nt.campaign(3);
        long[][] want = {{2, 1}, {2, 1}, {2, 0}}; // term, lastIndex
        for (long id = 1; id <= 3; id++) {
            Raft r = nt.raft(id);
            assertThat(r.state).as("node %d", id).isEqualTo(StateType.FOLLOWER);
            assertThat(r.term).as("node %d", id).isEqualTo(want[(int) id - 1][0]);
            assertThat(r.raftLog.lastIndex()).as("node %d", id).isEqualTo(want[(int) id - 1][1]);
        }
    }

    @Test
    @DisplayName("thesis §9.6: dueling pre-candidates: with PreVote the node that cannot win does not disrupt the"
            + " leader and no term is wasted")
    void duelingPreCandidates() {
        TestNetwork nt = TestNetwork.of(3, PRE_VOTE);
        nt.cut(1, 3);
        nt.campaign(1);
        nt.campaign(3);
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(3).state).isEqualTo(StateType.FOLLOWER);
        nt.recover();
        nt.campaign(3);
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(1).term).isEqualTo(1);
        assertThat(nt.raft(1).raftLog.lastIndex()).isEqualTo(1);
        assertThat(nt.raft(2).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(2).term).isEqualTo(1);
        assertThat(nt.raft(3).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(3).term).isEqualTo(1);
        assertThat(nt.raft(3).raftLog.lastIndex()).isZero();
    }

    @Test
    @DisplayName("§5.2: a candidate concedes to the leader elected while it was partitioned and takes its log")
    void candidateConcedes() {
        TestNetwork nt = TestNetwork.of(3, PLAIN);
        nt.isolate(1);
        nt.campaign(1);
        nt.campaign(3);
        nt.recover();
        nt.send(beat(3));
        nt.propose(3, "force follower");
        nt.send(beat(3));
        Raft a = nt.raft(1);
        assertThat(a.state).isEqualTo(StateType.FOLLOWER);
        assertThat(a.term).isEqualTo(1);
        assertThat(nt.logsMatch()).isTrue();
        for (long id = 1; id <= 3; id++) {
            assertThat(logTerms(nt.raft(id))).containsExactly(1L, 1L);
            assertThat(nt.raft(id).raftLog.committed).isEqualTo(2);
        }
        assertThat(nt.appliedData(1)).containsExactly("force follower");
    }

    // ------------------------------------------------------------------ PreVote (thesis §9.6)

    @Test
    @DisplayName("thesis §9.6: a pre-candidate neither increments its term nor votes for itself; it sends pre-votes"
            + " for term+1")
    void preCandidateKeepsTermAndVote() {
        Raft r = newRaft(1, storage(1L, 2L, 3L), c -> c.preVote(true));
        r.step(hup(1));
        assertThat(r.state).isEqualTo(StateType.PRE_CANDIDATE);
        assertThat(r.term).isZero();
        assertThat(r.vote).isZero();
        List<Message> msgs = take(r);
        assertThat(msgs).hasSize(2).allSatisfy(m -> {
            assertThat(m.type()).isEqualTo(MessageType.PRE_VOTE);
            assertThat(m.term()).isEqualTo(1);
        });
        // Winning the pre-vote starts the real election.
        r.step(msg(MessageType.PRE_VOTE_RESP, 2, 1, 1).build());
        assertThat(r.state).isEqualTo(StateType.CANDIDATE);
        assertThat(r.term).isEqualTo(1);
        assertThat(take(r)).extracting(Message::type).containsOnly(MessageType.VOTE);
        // A stale pre-vote grant arriving now is ignored.
        r.step(msg(MessageType.PRE_VOTE_RESP, 3, 1, 1).build());
        assertThat(r.state).isEqualTo(StateType.CANDIDATE);
        r.step(msg(MessageType.VOTE_RESP, 3, 1, 1).build());
        assertThat(r.state).isEqualTo(StateType.LEADER);
    }

    @Test
    @DisplayName("thesis §9.6: a pre-candidate whose pre-vote is rejected by a node of a higher term adopts that term"
            + " as a follower")
    void preCandidateAdoptsRejectingTerm() {
        Raft r = newRaft(1, storage(1L, 2L, 3L), c -> c.preVote(true));
        r.step(hup(1));
        r.step(msg(MessageType.PRE_VOTE_RESP, 2, 1, 5).reject(true).build());
        assertThat(r.state).isEqualTo(StateType.FOLLOWER);
        assertThat(r.term).isEqualTo(5);
        assertThat(r.lead).isZero();
    }

    @Test
    @DisplayName("thesis §9.6: with PreVote a partitioned node that rejoins does not disrupt the leader: its term"
            + " does not grow while partitioned and the leader keeps its term")
    void partitionedNodeRejoinsWithoutDisruption() {
        TestNetwork nt = TestNetwork.of(3); // PreVote + CheckQuorum (defaults)
        nt.elect(1);
        long term = nt.raft(1).term;
        nt.isolate(3);
        nt.tickAll(10 * RaftTestUtil.ELECTION);
        nt.propose(1, "while 3 was away");
        assertThat(nt.leader()).isEqualTo(1);
        assertThat(nt.raft(3).term).isEqualTo(term);
        assertThat(nt.raft(3).state).isIn(StateType.FOLLOWER, StateType.PRE_CANDIDATE);
        nt.recover();
        nt.tickAll(3 * RaftTestUtil.ELECTION);
        assertThat(nt.leader()).isEqualTo(1);
        for (long id = 1; id <= 3; id++) {
            assertThat(nt.raft(id).term).as("node %d", id).isEqualTo(term);
        }
        assertThat(nt.raft(3).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(3).lead).isEqualTo(1);
        assertThat(nt.appliedData(3)).containsExactly("while 3 was away");
        assertThat(nt.logsMatch()).isTrue();
    }

    @Test
    @DisplayName("§5.2 (contrast with thesis §9.6): without PreVote or CheckQuorum a rejoining partitioned node with an"
            + " inflated term forces the leader to step down")
    void partitionedNodeDisruptsWithoutPreVote() {
        TestNetwork nt = TestNetwork.of(3, PLAIN);
        nt.campaign(1);
        long term = nt.raft(1).term;
        nt.isolate(3);
        nt.propose(1, "node 3 misses this");
        nt.tickAll(5 * RaftTestUtil.ELECTION);
        assertThat(nt.raft(3).term).isGreaterThan(term + 1);
        nt.recover();
        // Node 3's next RequestVote carries its inflated term: the leader steps down (§5.1).
        nt.tickAll(2 * RaftTestUtil.ELECTION);
        assertThat(nt.raft(1).term).isGreaterThan(term + 1);
        nt.tickAll(10 * RaftTestUtil.ELECTION);
        long leader = nt.leader();
        assertThat(leader).isIn(1L, 2L); // node 3's log is behind: it cannot win (§5.4.1)
        assertThat(nt.raft(leader).term).isGreaterThan(term + 1);
    }

    @Test
    @DisplayName("thesis §9.6: a node that fell behind with a smaller term can still let the cluster complete an"
            + " election after the leader dies")
    void nodeWithSmallerTermCanCompleteElection() {
        TestNetwork nt = TestNetwork.of(3, PRE_VOTE);
        nt.cut(1, 3);
        nt.cut(2, 3);
        nt.campaign(1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(2).state).isEqualTo(StateType.FOLLOWER);
        nt.campaign(3);
        assertThat(nt.raft(3).state).isEqualTo(StateType.PRE_CANDIDATE);
        nt.campaign(2);
        assertThat(nt.raft(1).term).isEqualTo(2);
        assertThat(nt.raft(2).term).isEqualTo(2);
        assertThat(nt.raft(3).term).isZero();
        assertThat(nt.raft(1).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(2).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(3).state).isEqualTo(StateType.PRE_CANDIDATE);
        // Node 2 (the leader) dies as node 3 comes back.
        nt.recover();
        nt.cut(2, 1);
        nt.cut(2, 3);
        nt.campaign(3);
        nt.campaign(1);
        assertThat(nt.raft(1).state == StateType.LEADER || nt.raft(3).state == StateType.LEADER).isTrue();
    }

    @Test
    @DisplayName("thesis §9.6: after a split vote with PreVote the next election completes")
    void preVoteSplitVote() {
        TestNetwork nt = TestNetwork.of(3, PRE_VOTE);
        nt.campaign(1);
        nt.isolate(1);
        nt.send(hup(2), hup(3));
        assertThat(nt.raft(2).term).isEqualTo(2);
        assertThat(nt.raft(3).term).isEqualTo(2);
        assertThat(nt.raft(2).state).isEqualTo(StateType.CANDIDATE);
        assertThat(nt.raft(3).state).isEqualTo(StateType.CANDIDATE);
        nt.campaign(2);
        assertThat(nt.raft(2).term).isEqualTo(3);
        assertThat(nt.raft(3).term).isEqualTo(3);
        assertThat(nt.raft(2).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(3).state).isEqualTo(StateType.FOLLOWER);
    }

    @Test
    @DisplayName("thesis §9.6 + §6.2: with PreVote and CheckQuorum the followers of a dead leader can still elect a new"
            + " one (a pre-candidate has given up its leader and grants pre-votes)")
    void preVoteWithCheckQuorum() {
        TestNetwork nt = TestNetwork.of(3);
        nt.elect(1);
        nt.isolate(1);
        nt.campaign(3); // node 2 still hears from its leader: ignores the pre-vote
        assertThat(nt.raft(3).state).isEqualTo(StateType.PRE_CANDIDATE);
        assertThat(nt.raft(2).state).isEqualTo(StateType.FOLLOWER);
        nt.campaign(2);
        assertThat(nt.raft(2).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(3).state).isEqualTo(StateType.FOLLOWER);
    }

    @Test
    @DisplayName("thesis §9.6: a pre-candidate stuck behind a lagging log is freed when the leader's heartbeat arrives")
    void disruptiveFollowerWithPreVote() {
        TestNetwork nt = TestNetwork.of(3);
        nt.elect(1);
        long term = nt.raft(1).term;
        nt.isolate(3);
        nt.propose(1, "a");
        nt.propose(1, "b");
        nt.propose(1, "c");
        nt.recover();
        nt.campaign(3);
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(2).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(3).state).isEqualTo(StateType.PRE_CANDIDATE);
        for (long id = 1; id <= 3; id++) {
            assertThat(nt.raft(id).term).isEqualTo(term);
        }
        // A delayed heartbeat does not depose the leader; it brings node 3 back as follower.
        nt.send(msg(MessageType.HEARTBEAT, 1, 3, term).build());
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(3).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(3).lead).isEqualTo(1);
    }

    // ------------------------------------------------------------------ CheckQuorum (thesis §6.2, §4.2.3)

    @Test
    @DisplayName("thesis §6.2: a leader that hears from no quorum for an election timeout steps down (CheckQuorum)")
    void leaderStepsDownWhenQuorumLost() {
        Raft r = lead(newRaft(1, storage(1L, 2L, 3L), c -> c.checkQuorum(true)));
        for (int i = 0; i < RaftTestUtil.ELECTION + 1; i++) {
            r.tick();
        }
        assertThat(r.state).isEqualTo(StateType.FOLLOWER);
        assertThat(r.lead).isZero();
    }

    @Test
    @DisplayName("thesis §6.2: a leader that keeps hearing from a quorum stays leader (CheckQuorum)")
    void leaderStaysWhenQuorumActive() {
        Raft r = lead(newRaft(1, storage(1L, 2L, 3L), c -> c.checkQuorum(true)));
        for (int i = 0; i < 3 * RaftTestUtil.ELECTION + 1; i++) {
            r.step(msg(MessageType.HEARTBEAT_RESP, 2, 1, r.term).build());
            r.tick();
        }
        assertThat(r.state).isEqualTo(StateType.LEADER);
        assertThat(r.trk.progress().get(1L).recentActive).isTrue();
    }

    @Test
    @DisplayName("thesis §6.2: a partitioned leader steps down by itself after an election timeout (network)")
    void partitionedLeaderStepsDown() {
        TestNetwork nt = TestNetwork.of(5);
        nt.elect(1);
        nt.isolate(1);
        // The first check still counts the acks of the election; the second finds no quorum.
        nt.tickAll(2 * RaftTestUtil.ELECTION + 1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.FOLLOWER);
        nt.tickAll(3 * RaftTestUtil.ELECTION);
        assertThat(nt.leader()).isNotIn(0L, 1L);
        assertThat(nt.raft(1).state).isNotEqualTo(StateType.LEADER);
    }

    @Test
    @DisplayName("thesis §4.2.3: a follower that heard from its leader within the election timeout ignores"
            + " RequestVote (no term update, no vote), and votes once the timeout has passed")
    void followersIgnoreVotesWithinLease() {
        TestNetwork nt = TestNetwork.of(3, c -> c.preVote(false));
        nt.endStartupFence();
        nt.campaign(1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        nt.campaign(3);
        // Node 2 (lease) and node 1 (leader) ignore node 3's vote request.
        assertThat(nt.raft(3).state).isEqualTo(StateType.CANDIDATE);
        assertThat(nt.raft(2).term).isEqualTo(1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        // Once node 2 has not heard from the leader for an election timeout, it votes again.
        setRandomizedElectionTimeout(nt.raft(2), RaftTestUtil.ELECTION + 1);
        for (int i = 0; i < RaftTestUtil.ELECTION; i++) {
            nt.node(2).tick();
        }
        nt.campaign(3);
        assertThat(nt.raft(3).state).isEqualTo(StateType.LEADER);
    }

    @Test
    @DisplayName("thesis §4.2.3: a vote with a higher term received within the lease is dropped without any answer")
    void voteWithinLeaseGetsNoAnswer() {
        Raft r = newRaft(2, storage(1L, 2L, 3L), c -> c.checkQuorum(true));
        r.endPromise();
        r.step(msg(MessageType.HEARTBEAT, 1, 2, 1).build());
        take(r);
        for (MessageType t : List.of(MessageType.VOTE, MessageType.PRE_VOTE)) {
            r.step(msg(t, 3, 2, 2).index(5).logTerm(2).build());
            assertThat(take(r)).as("%s", t).isEmpty();
            assertThat(r.term).isEqualTo(1);
            assertThat(r.lead).isEqualTo(1);
        }
        // After an election timeout without the leader the same vote is granted.
        setRandomizedElectionTimeout(r, 2 * RaftTestUtil.ELECTION);
        for (int i = 0; i < RaftTestUtil.ELECTION; i++) {
            r.tick();
        }
        r.step(msg(MessageType.VOTE, 3, 2, 2).index(5).logTerm(2).build());
        assertThat(take(r)).singleElement().satisfies(m -> assertThat(m.reject()).isFalse());
        assertThat(r.term).isEqualTo(2);
        assertThat(r.vote).isEqualTo(3);
    }

    @Test
    @DisplayName("thesis §3.10 + §4.2.3: a vote forced by leadership transfer (TimeoutNow) ignores the lease")
    void transferVoteIgnoresLease() {
        Raft r = newRaft(2, storage(1L, 2L, 3L), c -> c.checkQuorum(true));
        r.endPromise();
        r.step(msg(MessageType.HEARTBEAT, 1, 2, 1).build());
        take(r);
        r.step(msg(MessageType.VOTE, 3, 2, 2).context(Raft.CAMPAIGN_TRANSFER).build());
        assertThat(take(r)).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.VOTE_RESP);
            assertThat(m.reject()).isFalse();
        });
        assertThat(r.term).isEqualTo(2);
    }

    @Test
    @DisplayName("thesis §4.2.3 / §6.4.1: with CheckQuorum a freshly started node refuses votes for its first election"
            + " timeout (it may have promised a leader before a restart); afterwards elections proceed")
    void startupVoteFence() {
        TestNetwork nt = TestNetwork.of(3, c -> c.preVote(false));
        nt.campaign(1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.CANDIDATE);
        assertThat(nt.raft(2).term).isZero();
        assertThat(nt.raft(3).term).isZero();
        // Let nodes 2 and 3 live for an election timeout without campaigning themselves.
        for (long id = 2; id <= 3; id++) {
            setRandomizedElectionTimeout(nt.raft(id), 2 * RaftTestUtil.ELECTION - 1);
            for (int i = 0; i < RaftTestUtil.ELECTION; i++) {
                nt.node(id).tick();
            }
            assertThat(nt.raft(id).promised()).isFalse();
        }
        nt.campaign(1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);

        // A restarted follower refuses votes again for an election timeout.
        nt.restart(3);
        assertThat(nt.raft(3).promised()).isTrue();
        assertThat(nt.raft(3).lead).isZero();
        nt.isolate(1);
        long term3 = nt.raft(3).term;
        nt.campaign(2);
        assertThat(nt.raft(2).state).isEqualTo(StateType.CANDIDATE);
        assertThat(nt.raft(3).term).isEqualTo(term3);
        assertThat(nt.raft(3).vote).isEqualTo(1);
    }

    @Test
    @DisplayName("thesis §4.2.3 / §6.4.1: the startup vote fence lasts one election timeout after (re)start, not for as"
            + " long as the node keeps hearing from its leader")
    void startupVoteFenceEndsAfterOneElectionTimeout() {
        Raft r = newRaft(3, storage(1L, 2L, 3L), c -> c.checkQuorum(true).preVote(true));
        assertThat(r.promised()).isTrue();
        // Up for three election timeouts, hearing from leader 1 on every tick.
        for (int i = 0; i < 3 * RaftTestUtil.ELECTION; i++) {
            r.step(msg(MessageType.HEARTBEAT, 1, 3, 1).build());
            r.tick();
        }
        take(r);
        assertThat(r.lead).isEqualTo(1);
        // Leader 1 hands over to node 2 (a forced vote, granted despite the lease) ...
        r.step(msg(MessageType.VOTE, 2, 3, 2).context(Raft.CAMPAIGN_TRANSFER).build());
        assertThat(take(r)).singleElement().satisfies(m -> assertThat(m.reject()).isFalse());
        assertThat(r.lead).isZero();
        // ... which dies before winning. Node 1 (no leader either) asks for a pre-vote: node 3 has been up for
        // three election timeouts and follows no leader, so nothing entitles it to ignore the request.
        r.step(msg(MessageType.PRE_VOTE, 1, 3, 3).build());
        assertThat(take(r)).as("pre-vote answer").singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.PRE_VOTE_RESP);
            assertThat(m.reject()).isFalse();
        });
    }

    @Test
    @DisplayName("thesis §6.2: the leader supersedes a stuck candidate: the candidate's higher term reaches the leader"
            + " through a heartbeat response, the leader steps down, and the candidate can win")
    void freeStuckCandidateWithCheckQuorum() {
        TestNetwork nt = TestNetwork.of(3, c -> c.preVote(false));
        nt.endStartupFence();
        nt.campaign(1);
        nt.isolate(1);
        nt.campaign(3);
        Raft b = nt.raft(2);
        Raft c = nt.raft(3);
        assertThat(b.state).isEqualTo(StateType.FOLLOWER);
        assertThat(c.state).isEqualTo(StateType.CANDIDATE);
        assertThat(c.term).isEqualTo(b.term + 1);
        nt.campaign(3);
        assertThat(c.state).isEqualTo(StateType.CANDIDATE);
        assertThat(c.term).isEqualTo(b.term + 2);
        nt.recover();
        Raft a = nt.raft(1);
        nt.send(msg(MessageType.HEARTBEAT, 1, 3, a.term).build());
        assertThat(a.state).isEqualTo(StateType.FOLLOWER);
        assertThat(a.term).isEqualTo(c.term);
        nt.campaign(3);
        assertThat(c.state).isEqualTo(StateType.LEADER);
    }

    @Test
    @DisplayName("thesis §6.2: a voter that is not promotable (not in its own configuration) never campaigns but"
            + " still follows and votes")
    void nonPromotableVoterWithCheckQuorum() {
        List<MemoryStorage> ss = List.of(storage(1L, 2L), storage(1L));
        TestNetwork nt = TestNetwork.ofStorages(ss, 1, c -> c.preVote(false));
        assertThat(nt.raft(2).promotable()).isFalse();
        nt.tick(2, 2 * RaftTestUtil.ELECTION);
        assertThat(nt.raft(2).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(2).term).isZero();
        nt.campaign(1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(2).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(2).lead).isEqualTo(1);
    }

    @Test
    @DisplayName("thesis §6.2 (without PreVote): a follower whose election timer fires while the leader's heartbeat"
            + " is delayed becomes candidate, and its answer to that heartbeat deposes the leader")
    void disruptiveFollowerWithoutPreVote() {
        TestNetwork nt = TestNetwork.of(3, c -> c.preVote(false));
        nt.endStartupFence();
        nt.campaign(1);
        long term = nt.raft(1).term;
        Raft n3 = nt.raft(3);
        setRandomizedElectionTimeout(n3, RaftTestUtil.ELECTION + 2);
        for (int i = 0; i < RaftTestUtil.ELECTION + 2; i++) {
            nt.node(3).tick(); // no delivery: the leader's messages are delayed
        }
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        assertThat(nt.raft(2).state).isEqualTo(StateType.FOLLOWER);
        assertThat(n3.state).isEqualTo(StateType.CANDIDATE);
        assertThat(n3.term).isEqualTo(term + 1);
        nt.send(msg(MessageType.HEARTBEAT, 1, 3, term).build());
        assertThat(nt.raft(1).state).isEqualTo(StateType.FOLLOWER);
        assertThat(nt.raft(1).term).isEqualTo(term + 1);
        assertThat(nt.raft(2).term).isEqualTo(term); // ignored node 3's vote within its lease
        assertThat(n3.state).isEqualTo(StateType.CANDIDATE);
    }

    // ------------------------------------------------------------------ promotability and conf changes

    @Test
    @DisplayName("§5.2: a node that is not a voter in its configuration never campaigns (HUP or TIMEOUT_NOW)")
    void nonMemberDoesNotCampaign() {
        Raft r = newRaft(1, storage(2L, 3L, 4L));
        assertThat(r.promotable()).isFalse();
        r.step(hup(1));
        r.step(msg(MessageType.TIMEOUT_NOW, 2, 1, 0).build());
        r.step(msg(MessageType.VOTE_RESP, 2, 1, 0).build());
        r.step(msg(MessageType.VOTE_RESP, 3, 1, 0).build());
        assertThat(r.state).isEqualTo(StateType.FOLLOWER);
        assertThat(take(r)).isEmpty();
        for (int i = 0; i < 3 * RaftTestUtil.ELECTION; i++) {
            r.tick();
        }
        assertThat(r.state).isEqualTo(StateType.FOLLOWER);
        assertThat(r.term).isZero();
    }

    @Test
    @DisplayName("thesis §4.1: a node does not campaign while a committed conf change is not yet applied")
    void noCampaignWithUnappliedConfChange() {
        MemoryStorage s = storage(1L, 2L, 3L);
        Raft r = newRaft(2, s);
        Entry cc = new Entry(1, 2, EntryType.CONF_CHANGE,
                ConfChange.of(new ConfChangeSingle(ConfChangeType.REMOVE_NODE, 3)).encode());
        r.step(msg(MessageType.APP, 1, 2, 1).index(0).logTerm(0).commit(2)
                .entries(List.of(new Entry(1, 1, EntryType.NORMAL, null), cc)).build());
        take(r);
        assertThat(r.raftLog.committed).isEqualTo(2);
        for (int i = 0; i < 2 * RaftTestUtil.ELECTION; i++) {
            r.tick();
        }
        assertThat(r.state).isEqualTo(StateType.FOLLOWER);
        assertThat(r.term).isEqualTo(1);
        // Once applied, it campaigns on the next timeout.
        assertThat(nextEnts(r, s)).hasSize(2);
        r.applyConfChange(RawNode.confChangeOf(cc));
        for (int i = 0; i < 2 * RaftTestUtil.ELECTION; i++) {
            r.tick();
        }
        assertThat(r.state).isEqualTo(StateType.CANDIDATE);
    }

    // ------------------------------------------------------------------ leadership transfer (thesis §3.10)

    private static TestNetwork transferNetwork() {
        TestNetwork nt = TestNetwork.of(3, PLAIN);
        nt.campaign(1);
        return nt;
    }

    private static void assertTransferState(Raft r, StateType state, long lead) {
        assertThat(r.state).isEqualTo(state);
        assertThat(r.lead).isEqualTo(lead);
        assertThat(r.leadTransferee).isZero();
    }

    @Test
    @DisplayName("thesis §3.10: leadership moves to an up-to-date node at once (TimeoutNow), and back again")
    void transferToUpToDateNode() {
        TestNetwork nt = transferNetwork();
        Raft lead = nt.raft(1);
        nt.send(msg(MessageType.TRANSFER_LEADER, 2, 1, 0).build());
        assertTransferState(lead, StateType.FOLLOWER, 2);
        assertThat(nt.raft(2).state).isEqualTo(StateType.LEADER);
        nt.propose(2, "x");
        // The request may also be sent to a follower, which forwards it to the leader.
        nt.node(1).transferLeader(1);
        nt.stabilize();
        assertTransferState(lead, StateType.LEADER, 1);
    }

    @Test
    @DisplayName("thesis §3.10 + §6.2: a transfer also works with CheckQuorum (the forced vote bypasses the lease)")
    void transferWithCheckQuorum() {
        TestNetwork nt = TestNetwork.of(3, c -> c.preVote(false));
        nt.elect(1);
        nt.node(1).transferLeader(2);
        nt.stabilize();
        assertTransferState(nt.raft(1), StateType.FOLLOWER, 2);
        assertThat(nt.raft(1).leaseFenced).isFalse(); // reset with the new term
    }

    @Test
    @DisplayName("thesis §3.10: a lagging transferee is first caught up, then told to campaign")
    void transferToSlowFollower() {
        TestNetwork nt = transferNetwork();
        nt.isolate(3);
        nt.propose(1, "x");
        nt.recover();
        assertThat(nt.raft(1).trk.progress().get(3L).match).isEqualTo(1);
        nt.send(msg(MessageType.TRANSFER_LEADER, 3, 1, 0).build());
        assertTransferState(nt.raft(1), StateType.FOLLOWER, 3);
        assertThat(nt.raft(3).state).isEqualTo(StateType.LEADER);
    }

    @Test
    @DisplayName("thesis §3.10: a transfer that does not finish within an election timeout is aborted")
    void transferTimesOut() {
        TestNetwork nt = transferNetwork();
        nt.isolate(3);
        Raft lead = nt.raft(1);
        nt.send(msg(MessageType.TRANSFER_LEADER, 3, 1, 0).build());
        assertThat(lead.leadTransferee).isEqualTo(3);
        lead.tick();
        assertThat(lead.leadTransferee).isEqualTo(3);
        // A second request for the same node does not extend the timeout.
        nt.send(msg(MessageType.TRANSFER_LEADER, 3, 1, 0).build());
        for (int i = 0; i < RaftTestUtil.ELECTION - 1; i++) {
            lead.tick();
        }
        assertTransferState(lead, StateType.LEADER, 1);
    }

    @Test
    @DisplayName("thesis §3.10: proposals are refused while a transfer is in progress")
    void transferRefusesProposals() {
        TestNetwork nt = transferNetwork();
        nt.isolate(3);
        Raft lead = nt.raft(1);
        nt.send(msg(MessageType.TRANSFER_LEADER, 3, 1, 0).build());
        assertThatThrownBy(() -> nt.node(1).propose(RaftTestUtil.bytes("x")))
                .isInstanceOfSatisfying(ProposalDroppedException.class,
                        e -> assertThat(e.reason())
                                .isEqualTo(ProposalDroppedException.Reason.LEADER_TRANSFER_IN_PROGRESS));
        assertThat(lead.trk.progress().get(1L).match).isEqualTo(1);
    }

    @Test
    @DisplayName("thesis §3.10: a transfer to self or to a non-member is a no-op; a new request replaces a pending one")
    void transferEdgeCases() {
        TestNetwork nt = transferNetwork();
        Raft lead = nt.raft(1);
        nt.send(msg(MessageType.TRANSFER_LEADER, 1, 1, 0).build());
        assertTransferState(lead, StateType.LEADER, 1);
        nt.send(msg(MessageType.TRANSFER_LEADER, 4, 1, 0).build());
        assertTransferState(lead, StateType.LEADER, 1);
        nt.isolate(3);
        nt.send(msg(MessageType.TRANSFER_LEADER, 3, 1, 0).build());
        assertThat(lead.leadTransferee).isEqualTo(3);
        // back to self: aborts
        nt.send(msg(MessageType.TRANSFER_LEADER, 1, 1, 0).build());
        assertTransferState(lead, StateType.LEADER, 1);
        nt.send(msg(MessageType.TRANSFER_LEADER, 3, 1, 0).build());
        // to another node: replaces the pending one
        nt.send(msg(MessageType.TRANSFER_LEADER, 2, 1, 0).build());
        assertTransferState(lead, StateType.FOLLOWER, 2);
    }

    @Test
    @DisplayName("thesis §3.10: a transfer in progress is dropped when a higher-term vote deposes the leader")
    void transferAbortedByHigherTermVote() {
        TestNetwork nt = transferNetwork();
        nt.isolate(3);
        Raft lead = nt.raft(1);
        nt.send(msg(MessageType.TRANSFER_LEADER, 3, 1, 0).build());
        assertThat(lead.leadTransferee).isEqualTo(3);
        nt.campaign(2);
        assertTransferState(lead, StateType.FOLLOWER, 2);
    }

    @Test
    @DisplayName("thesis §3.10: a follower without a leader refuses a transfer request; a candidate ignores TimeoutNow")
    void transferWithoutLeader() {
        Raft r = newRaft(2, storage(1L, 2L, 3L));
        assertThatThrownBy(() -> r.step(msg(MessageType.TRANSFER_LEADER, 3, 2, 0).build()))
                .isInstanceOf(ProposalDroppedException.class);
        r.becomeCandidate();
        take(r);
        r.step(msg(MessageType.TIMEOUT_NOW, 1, 2, r.term).build());
        assertThat(r.state).isEqualTo(StateType.CANDIDATE);
        assertThat(take(r)).isEmpty();
    }

    // ------------------------------------------------------------------ misc

    @Test
    @DisplayName("§5.2: only the leader sends heartbeats: followers and candidates ignore BEAT")
    void nonLeadersIgnoreBeat() {
        for (StateType st : List.of(StateType.FOLLOWER, StateType.CANDIDATE)) {
            Raft r = newRaft(1, storage(1L, 2L, 3L));
            if (st == StateType.CANDIDATE) {
                r.becomeCandidate();
            }
            take(r);
            r.step(beat(1));
            assertThat(take(r)).isEmpty();
        }
        Raft l = lead(newRaft(1, storage(1L, 2L, 3L)));
        l.step(beat(1));
        assertThat(take(l)).extracting(Message::type).containsOnly(MessageType.HEARTBEAT).hasSize(2);
    }

    @Test
    @DisplayName("§5.2: vote responses are counted once per voter (a duplicated grant does not win an election)")
    void duplicateVotesCountOnce() {
        Raft r = newRaft(1, storage(ids(5)));
        r.step(hup(1));
        for (int i = 0; i < 3; i++) {
            r.step(msg(MessageType.VOTE_RESP, 2, 1, r.term).build());
        }
        assertThat(r.state).isEqualTo(StateType.CANDIDATE);
        assertThat(r.trk.votes()).hasSize(2);
        r.step(msg(MessageType.VOTE_RESP, 3, 1, r.term).build());
        assertThat(r.state).isEqualTo(StateType.LEADER);
    }
}
