package io.cairn.raft.core;

import static io.cairn.raft.core.RaftTestUtil.acceptAndReply;
import static io.cairn.raft.core.RaftTestUtil.beat;
import static io.cairn.raft.core.RaftTestUtil.bytes;
import static io.cairn.raft.core.RaftTestUtil.commitNoopEntry;
import static io.cairn.raft.core.RaftTestUtil.durable;
import static io.cairn.raft.core.RaftTestUtil.ents;
import static io.cairn.raft.core.RaftTestUtil.ids;
import static io.cairn.raft.core.RaftTestUtil.lead;
import static io.cairn.raft.core.RaftTestUtil.logTerms;
import static io.cairn.raft.core.RaftTestUtil.msg;
import static io.cairn.raft.core.RaftTestUtil.newRaft;
import static io.cairn.raft.core.RaftTestUtil.nextEnts;
import static io.cairn.raft.core.RaftTestUtil.ofType;
import static io.cairn.raft.core.RaftTestUtil.prop;
import static io.cairn.raft.core.RaftTestUtil.storage;
import static io.cairn.raft.core.RaftTestUtil.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.tracker.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The commitment rules: Raft §5.3 (an entry is committed once the leader that created it stored it
 * on a majority), §5.4.2 (a leader commits only entries of its current term by counting replicas;
 * figure 8), and how the commit index reaches followers. Ported from etcd-raft's
 * raft_paper_test.go and raft_test.go.
 */
class CommitRuleTest {

    private static final Consumer<RaftConfig> PLAIN = c -> c.preVote(false).checkQuorum(false);

    // ------------------------------------------------------------------ §5.4.2 current term only

    static Stream<Arguments> currentTermCases() {
        return Stream.of(Arguments.of(1L, 0L), Arguments.of(2L, 0L), Arguments.of(3L, 3L));
    }

    @ParameterizedTest
    @MethodSource("currentTermCases")
    @DisplayName("§5.4.2: a leader commits by counting replicas only entries of its current term; older entries stay"
            + " uncommitted even when a majority stores them")
    void leaderOnlyCommitsCurrentTerm(long ackIndex, long wantCommit) {
        Raft r = newRaft(1, storage(ents(1, 1, 2), new HardState(2, 0, 0), 1L, 2L));
        lead(r); // term 3, empty entry at index 3
        r.step(prop(1, (String) null));
        durable(r);
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(ackIndex).build());
        assertThat(r.raftLog.committed).isEqualTo(wantCommit);
    }

    static Stream<Arguments> commitTable() {
        return Stream.of(
                // single
                Arguments.of(new long[] {1}, new long[] {1}, 1L, 1L),
                Arguments.of(new long[] {1}, new long[] {1}, 2L, 0L),
                Arguments.of(new long[] {2}, new long[] {1, 2}, 2L, 2L),
                Arguments.of(new long[] {1}, new long[] {2}, 2L, 1L),
                // odd
                Arguments.of(new long[] {2, 1, 1}, new long[] {1, 2}, 1L, 1L),
                Arguments.of(new long[] {2, 1, 1}, new long[] {1, 1}, 2L, 0L),
                Arguments.of(new long[] {2, 1, 2}, new long[] {1, 2}, 2L, 2L),
                Arguments.of(new long[] {2, 1, 2}, new long[] {1, 1}, 2L, 0L),
                // even
                Arguments.of(new long[] {2, 1, 1, 1}, new long[] {1, 2}, 1L, 1L),
                Arguments.of(new long[] {2, 1, 1, 1}, new long[] {1, 1}, 2L, 0L),
                Arguments.of(new long[] {2, 1, 1, 2}, new long[] {1, 2}, 1L, 1L),
                Arguments.of(new long[] {2, 1, 1, 2}, new long[] {1, 1}, 2L, 0L),
                Arguments.of(new long[] {2, 1, 2, 2}, new long[] {1, 2}, 2L, 2L),
                Arguments.of(new long[] {2, 1, 2, 2}, new long[] {1, 1}, 2L, 0L));
    }

    @ParameterizedTest
    @MethodSource("commitTable")
    @DisplayName("§5.3 / §5.4.2: the commit index is the highest index stored on a majority (the median match), and"
            + " only if that entry is of the current term")
    void commitIsQuorumMatchOfCurrentTerm(long[] matches, long[] logTerms, long term, long want) {
        Raft r = newRaft(1, storage(ents(1, logTerms), new HardState(term, 0, 0), ids(matches.length)));
        for (int j = 0; j < matches.length; j++) {
            Progress pr = r.trk.progress().get((long) j + 1);
            pr.match = matches[j];
            pr.next = matches[j] + 1;
        }
        r.maybeCommit();
        assertThat(r.raftLog.committed).isEqualTo(want);
    }

    static Stream<Arguments> ackCases() {
        return Stream.of(
                Arguments.of(1, List.of(), true),
                Arguments.of(3, List.of(), false),
                Arguments.of(3, List.of(2L), true),
                Arguments.of(3, List.of(2L, 3L), true),
                Arguments.of(5, List.of(), false),
                Arguments.of(5, List.of(2L), false),
                Arguments.of(5, List.of(2L, 3L), true),
                Arguments.of(5, List.of(2L, 3L, 4L), true),
                Arguments.of(5, List.of(2L, 3L, 4L, 5L), true));
    }

    @ParameterizedTest
    @MethodSource("ackCases")
    @DisplayName("§5.3: an entry is committed once the leader that created it has replicated it on a majority")
    void leaderAcknowledgesCommit(int size, List<Long> acceptors, boolean wantCommitted) {
        MemoryStorage s = storage(ids(size));
        Raft r = lead(newRaft(1, s));
        commitNoopEntry(r, s);
        long li = r.raftLog.lastIndex();
        r.step(prop(1, "some data"));
        for (Message m : take(r)) {
            if (acceptors.contains(m.to())) {
                r.step(acceptAndReply(m));
            }
        }
        durable(r); // the leader stored it too
        assertThat(r.raftLog.committed > li).isEqualTo(wantCommitted);
    }

    static Stream<Arguments> precedingCases() {
        return Stream.of(
                Arguments.of(List.of()),
                Arguments.of(ents(1, 2)),
                Arguments.of(ents(1, 1, 2)),
                Arguments.of(ents(1, 1)));
    }

    @ParameterizedTest
    @MethodSource("precedingCases")
    @DisplayName("§5.3 / §5.4.2: committing an entry of the current term also commits every preceding entry, including"
            + " those of earlier leaders, which are then applied in log order")
    void leaderCommitsPrecedingEntries(List<Entry> previous) {
        Raft r = newRaft(1, storage(previous, new HardState(2, 0, 0), 1L, 2L, 3L));
        lead(r);
        r.step(prop(1, "some data"));
        for (Message m : take(r)) {
            r.step(acceptAndReply(m));
        }
        long li = previous.size();
        List<Entry> want = new ArrayList<>(previous);
        want.add(Entry.normal(3, li + 1, null));
        want.add(Entry.normal(3, li + 2, bytes("some data")));
        assertThat(r.raftLog.nextEntries()).containsExactlyElementsOf(want);
    }

    // ------------------------------------------------------------------ figure 8

    /** The figure 8 cluster before (c): S1 led term 2, S5 term 3; each kept its entry at index 2 to itself. */
    private static TestNetwork figure8() {
        Long[] v = ids(5);
        List<MemoryStorage> ss = List.of(
                storage(ents(1, 1, 2), new HardState(3, 0, 1), v),
                storage(ents(1, 1), new HardState(3, 5, 1), v),
                storage(ents(1, 1), new HardState(3, 5, 1), v),
                storage(ents(1, 1), new HardState(3, 5, 1), v),
                storage(ents(1, 1, 3), new HardState(3, 5, 1), v));
        return TestNetwork.ofStorages(ss, 1, c -> PLAIN.andThen(x -> x.maxSizePerMsg(1)).accept(c));
    }

    @Test
    @DisplayName("§5.4.2 figure 8 (c)-(d): an entry of an earlier term stored on a majority is NOT committed by the new"
            + " leader, and indeed a later leader may overwrite it")
    void figure8OldTermEntryNotCommitted() {
        TestNetwork nt = figure8();
        // (c) S1 is elected in term 4 by S2, S3 (and itself); S4 and S5 are down.
        nt.isolate(4);
        nt.isolate(5);
        // S1 manages to replicate index 2 (term 2) to S2 and S3 but not its own entry at index 3:
        // appends carrying index >= 3 lose those entries on the way.
        List<Message> trimmed = new ArrayList<>();
        nt.dropIf(m -> {
            if (m.type() == MessageType.APP && m.from() == 1 && m.entries().stream().anyMatch(e -> e.index() >= 3)) {
                trimmed.add(m.toBuilder().entries(m.entries().stream().filter(e -> e.index() < 3).toList()).build());
                return true;
            }
            return false;
        });
        nt.campaign(1);
        Raft s1 = nt.raft(1);
        assertThat(s1.state).isEqualTo(StateType.LEADER);
        assertThat(s1.term).isEqualTo(4);
        for (int guard = 0; !trimmed.isEmpty() && guard < 100; guard++) {
            Message[] batch = trimmed.toArray(Message[]::new);
            trimmed.clear();
            nt.send(batch);
        }
        for (long id = 1; id <= 3; id++) {
            assertThat(nt.raft(id).raftLog.term(2)).as("S%d holds (2, term 2)", id).isEqualTo(2);
        }
        assertThat(s1.trk.progress().get(2L).match).isEqualTo(2);
        assertThat(s1.trk.progress().get(3L).match).isEqualTo(2);
        assertThat(s1.trk.committed()).as("index 2 is on a majority").isEqualTo(2);
        assertThat(s1.raftLog.committed).as("but it is not of term 4: not committed").isEqualTo(1);
        for (long id = 1; id <= 5; id++) {
            assertThat(nt.applied(id)).noneMatch(e -> e.index() == 2);
        }

        // (d) S1 crashes; S5 (last term 3) wins with votes from S2, S3, S4 and overwrites index 2.
        nt.recover();
        nt.isolate(1);
        nt.campaign(5);
        if (nt.leader() != 5) {
            nt.campaign(5); // the first attempt only taught it term 4
        }
        assertThat(nt.leader()).isEqualTo(5);
        for (long id = 2; id <= 5; id++) {
            assertThat(nt.raft(id).raftLog.term(2)).as("S%d index 2 now of term 3", id).isEqualTo(3);
            assertThat(nt.applied(id)).filteredOn(e -> e.index() == 2)
                    .allSatisfy(e -> assertThat(e.term()).isEqualTo(3));
        }
    }

    @Test
    @DisplayName("§5.4.2 figure 8 (e): once the leader's current-term entry is on a majority it is committed, the older"
            + " entry before it is committed indirectly, and no stale candidate can win any more")
    void figure8CurrentTermEntryCommitsIndirectly() {
        TestNetwork nt = figure8();
        nt.isolate(4);
        nt.isolate(5);
        nt.campaign(1);
        Raft s1 = nt.raft(1);
        assertThat(s1.state).isEqualTo(StateType.LEADER);
        assertThat(s1.raftLog.committed).isEqualTo(3);
        for (long id = 1; id <= 3; id++) {
            assertThat(logTerms(nt.raft(id))).containsExactly(1L, 2L, 4L);
            assertThat(nt.applied(id)).extracting(Entry::index).containsExactly(1L, 2L, 3L);
        }
        // S1 crashes. S5 cannot win: S2 and S3 hold a log with a later last term (§5.4.1).
        nt.recover();
        nt.isolate(1);
        nt.campaign(5);
        nt.campaign(5);
        nt.campaign(5);
        assertThat(nt.raft(5).state).isNotEqualTo(StateType.LEADER);
        nt.campaign(2);
        assertThat(nt.leader()).isEqualTo(2);
        nt.propose(2, "after");
        for (long id = 2; id <= 5; id++) {
            assertThat(logTerms(nt.raft(id)).subList(0, 3)).as("S%d", id).containsExactly(1L, 2L, 4L);
            assertThat(nt.appliedData(id)).containsExactly("after");
        }
    }

    @Test
    @DisplayName("§5.4.2: without a new entry of its term a new leader cannot commit its predecessor's entries; its"
            + " first entry of the new term commits them all")
    void cannotCommitWithoutNewTermEntry() {
        TestNetwork nt = TestNetwork.of(5, PLAIN);
        nt.campaign(1);
        nt.cut(1, 3);
        nt.cut(1, 4);
        nt.cut(1, 5);
        nt.propose(1, "a");
        nt.propose(1, "b");
        assertThat(nt.raft(1).raftLog.committed).isEqualTo(1);
        nt.recover();
        nt.ignore(MessageType.APP); // the new leader's empty entry goes nowhere
        nt.campaign(2);
        Raft s2 = nt.raft(2);
        assertThat(s2.state).isEqualTo(StateType.LEADER);
        assertThat(s2.raftLog.committed).isEqualTo(1);
        nt.recover();
        nt.send(beat(2));
        nt.propose(2, "c");
        assertThat(s2.raftLog.committed).isEqualTo(5);
        assertThat(nt.appliedData(5)).containsExactly("a", "b", "c");
    }

    @Test
    @DisplayName("§5.4.2: a new leader commits its predecessor's entries through the empty entry it appends at the"
            + " start"
            + " of its term")
    void commitWithoutNewProposal() {
        TestNetwork nt = TestNetwork.of(5, PLAIN);
        nt.campaign(1);
        nt.cut(1, 3);
        nt.cut(1, 4);
        nt.cut(1, 5);
        nt.propose(1, "a");
        nt.propose(1, "b");
        assertThat(nt.raft(1).raftLog.committed).isEqualTo(1);
        nt.recover();
        nt.campaign(2);
        assertThat(nt.raft(1).raftLog.committed).isEqualTo(4);
        for (long id = 1; id <= 5; id++) {
            assertThat(nt.appliedData(id)).containsExactly("a", "b");
        }
    }

    @Test
    @DisplayName("§5.3: a single-node cluster commits each proposal at once")
    void singleNodeCommit() {
        TestNetwork nt = TestNetwork.of(1, PLAIN);
        nt.campaign(1);
        nt.propose(1, "some data");
        nt.propose(1, "some data");
        assertThat(nt.raft(1).raftLog.committed).isEqualTo(3);
    }

    @Test
    @DisplayName("§5.3 / thesis §4.1: entries pending behind a conf change commit once the change shrinks the quorum")
    void commitAfterRemoveNode() {
        MemoryStorage s = storage(1L, 2L);
        Raft r = lead(newRaft(1, s));
        ConfChange cc = ConfChange.of(ConfChangeSingle.remove(2));
        r.step(Message.builder(MessageType.PROP).from(1).to(1)
                .entries(List.of(Entry.proposal(EntryType.CONF_CHANGE, cc.encode()))).build());
        assertThat(nextEnts(r, s)).isEmpty();
        long ccIndex = r.raftLog.lastIndex();
        r.step(prop(1, "hello"));
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(ccIndex).build());
        List<Entry> ents = nextEnts(r, s);
        assertThat(ents).hasSize(2);
        assertThat(ents.get(0).type()).isEqualTo(EntryType.NORMAL);
        assertThat(ents.get(0).data()).isEmpty();
        assertThat(ents.get(1).type()).isEqualTo(EntryType.CONF_CHANGE);
        r.applyConfChange(RawNode.confChangeOf(ents.get(1)));
        ents = nextEnts(r, s);
        assertThat(ents).singleElement().satisfies(e -> assertThat(e.data()).isEqualTo(bytes("hello")));
    }

    // ------------------------------------------------------------------ commit index at the followers

    static Stream<Arguments> followerCommitCases() {
        Entry d1 = Entry.normal(1, 1, bytes("some data"));
        Entry d2 = Entry.normal(1, 2, bytes("some data2"));
        Entry d1b = Entry.normal(1, 1, bytes("some data2"));
        Entry d2b = Entry.normal(1, 2, bytes("some data"));
        return Stream.of(
                Arguments.of(List.of(d1), 1L),
                Arguments.of(List.of(d1, d2), 2L),
                Arguments.of(List.of(d1b, d2b), 2L),
                Arguments.of(List.of(d1, d2), 1L));
    }

    @ParameterizedTest
    @MethodSource("followerCommitCases")
    @DisplayName("§5.3: a follower learns the commit index from AppendEntries and applies committed entries in log"
            + " order")
    void followerCommitsEntries(List<Entry> ents, long commit) {
        Raft r = newRaft(1, storage(1L, 2L, 3L));
        r.becomeFollower(1, 2);
        r.step(msg(MessageType.APP, 2, 1, 1).entries(ents).commit(commit).build());
        assertThat(r.raftLog.committed).isEqualTo(commit);
        assertThat(r.raftLog.nextEntries()).containsExactlyElementsOf(ents.subList(0, (int) commit));
    }

    static Stream<Arguments> handleAppCases() {
        // logTerm, index, commit, entries -> last index, commit, reject
        return Stream.of(
                Arguments.of(3L, 2L, 3L, List.of(), 2L, 0L, true), // previous log mismatch
                Arguments.of(3L, 3L, 3L, List.of(), 2L, 0L, true), // previous log entry missing
                Arguments.of(1L, 1L, 1L, List.of(), 2L, 1L, false),
                Arguments.of(0L, 0L, 1L, ents(1, 2), 1L, 1L, false),
                Arguments.of(2L, 2L, 3L, ents(3, 2, 2), 4L, 3L, false),
                Arguments.of(2L, 2L, 4L, ents(3, 2), 3L, 3L, false),
                Arguments.of(1L, 1L, 4L, ents(2, 2), 2L, 2L, false),
                // commit = min(leader commit, index of the last new entry)
                Arguments.of(1L, 1L, 3L, List.of(), 2L, 1L, false),
                Arguments.of(1L, 1L, 3L, ents(2, 2), 2L, 2L, false),
                Arguments.of(2L, 2L, 3L, List.of(), 2L, 2L, false),
                Arguments.of(2L, 2L, 4L, List.of(), 2L, 2L, false));
    }

    @ParameterizedTest
    @MethodSource("handleAppCases")
    @DisplayName("§5.3: a follower sets its commit index to min(leaderCommit, index of the last new entry) and never"
            + " beyond what it verified matches the leader")
    void followerCommitIsBoundedByLastNewEntry(long logTerm, long index, long commit, List<Entry> ents,
                                               long wantLast, long wantCommit, boolean wantReject) {
        Raft r = newRaft(1, storage(ents(1, 1, 2), null, 1L));
        r.becomeFollower(2, 0);
        r.step(msg(MessageType.APP, 2, 1, 2).logTerm(logTerm).index(index).commit(commit).entries(ents).build());
        assertThat(r.raftLog.lastIndex()).isEqualTo(wantLast);
        assertThat(r.raftLog.committed).isEqualTo(wantCommit);
        assertThat(take(r)).singleElement().satisfies(m -> assertThat(m.reject()).isEqualTo(wantReject));
    }

    @Test
    @DisplayName("§5.3: a follower advances its commit index from a heartbeat and never lowers it")
    void followerCommitFromHeartbeat() {
        for (long[] c : new long[][] {{3, 3}, {1, 2}}) {
            Raft r = newRaft(1, storage(ents(1, 1, 2, 3), null, 1L, 2L));
            r.becomeFollower(2, 2);
            r.raftLog.commitTo(2);
            r.step(msg(MessageType.HEARTBEAT, 2, 1, 2).commit(c[0]).build());
            assertThat(r.raftLog.committed).isEqualTo(c[1]);
            assertThat(take(r)).singleElement().extracting(Message::type).isEqualTo(MessageType.HEARTBEAT_RESP);
        }
    }

    @Test
    @DisplayName("§5.3: a heartbeat carries commit = min(leader commit, follower match), never more than the follower"
            + " is known to store")
    void heartbeatCommitBoundedByMatch() {
        MemoryStorage s = new MemoryStorage();
        s.applySnapshot(new Snapshot(new SnapshotMetadata(1000, 1, ConfState.ofVoters(1L, 2L, 3L)), null));
        Raft r = lead(newRaft(1, s));
        for (int i = 0; i < 10; i++) {
            r.step(prop(1, "x"));
        }
        take(r);
        Progress pr2 = r.trk.progress().get(2L);
        Progress pr3 = r.trk.progress().get(3L);
        pr2.match = 5;
        pr2.next = 6;
        pr3.match = r.raftLog.lastIndex();
        pr3.next = r.raftLog.lastIndex() + 1;
        r.step(beat(1));
        List<Message> msgs = take(r);
        assertThat(msgs).hasSize(2).allSatisfy(m -> {
            assertThat(m.type()).isEqualTo(MessageType.HEARTBEAT);
            assertThat(m.logTerm()).isZero();
            assertThat(m.entries()).isEmpty();
        });
        Map<Long, Long> commits = Map.of(2L, Math.min(r.raftLog.committed, 5), 3L, r.raftLog.committed);
        for (Message m : msgs) {
            assertThat(m.commit()).as("to %d", m.to()).isEqualTo(commits.get(m.to()));
        }
    }

    @Test
    @DisplayName("§5.3: over the network, a lagging follower's heartbeats never carry a commit index beyond its"
            + " log, and"
            + " it learns the commit index once it has caught up")
    void laggingFollowerHeartbeatCommit() {
        TestNetwork nt = TestNetwork.of(3, PLAIN);
        nt.campaign(1);
        nt.dropIf(m -> m.type() == MessageType.APP && m.to() == 3);
        nt.propose(1, "a");
        nt.propose(1, "b");
        assertThat(nt.raft(1).raftLog.committed).isEqualTo(3);
        nt.clearDelivered();
        nt.send(beat(1));
        assertThat(ofType(nt.delivered(), MessageType.HEARTBEAT)).filteredOn(m -> m.to() == 3)
                .singleElement().satisfies(m -> assertThat(m.commit()).isLessThanOrEqualTo(1));
        assertThat(nt.raft(3).raftLog.committed).isEqualTo(1);
        nt.recover();
        nt.send(beat(1));
        nt.send(beat(1));
        assertThat(nt.raft(3).raftLog.committed).isEqualTo(3);
        assertThat(nt.appliedData(3)).containsExactly("a", "b");
    }

    @Test
    @DisplayName("§5.3: once committed, the leader tells every follower through its next append (commit index in"
            + " AppendEntries), so all apply the same entries")
    void commitPropagatesThroughAppends() {
        TestNetwork nt = TestNetwork.of(3, PLAIN);
        nt.campaign(1);
        nt.clearDelivered();
        nt.propose(1, "x");
        long committed = nt.raft(1).raftLog.committed;
        assertThat(committed).isEqualTo(2);
        assertThat(ofType(nt.delivered(), MessageType.APP)).filteredOn(m -> m.commit() == committed)
                .extracting(Message::to).contains(2L, 3L);
        for (long id = 1; id <= 3; id++) {
            assertThat(nt.raft(id).raftLog.committed).isEqualTo(committed);
            assertThat(nt.appliedData(id)).containsExactly("x");
        }
    }

    @Test
    @DisplayName("§5.4 (Leader Completeness): a follower never truncates a committed entry: an append below its commit"
            + " index is answered with the commit index and leaves the log alone")
    void committedEntryIsNeverTruncated() {
        Raft r = newRaft(1, storage(ents(1, 1, 1), new HardState(1, 0, 2), 1L, 2L));
        r.becomeFollower(2, 2);
        r.step(msg(MessageType.APP, 2, 1, 2).index(0).logTerm(0).entries(ents(1, 2)).build());
        assertThat(take(r)).singleElement().satisfies(m -> {
            assertThat(m.reject()).isFalse();
            assertThat(m.index()).isEqualTo(2);
        });
        assertThat(logTerms(r)).containsExactly(1L, 1L);
        // Below the message layer the log itself refuses (a broken leader would be a fatal bug).
        assertThatThrownBy(() -> r.raftLog.maybeAppend(0, 0, 0, ents(1, 2)))
                .isInstanceOf(IllegalStateException.class);
    }
}
