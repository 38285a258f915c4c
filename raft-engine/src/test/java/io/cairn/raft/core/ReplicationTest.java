package io.cairn.raft.core;

import static io.cairn.raft.core.RaftTestUtil.acceptAndReply;
import static io.cairn.raft.core.RaftTestUtil.allEntries;
import static io.cairn.raft.core.RaftTestUtil.beat;
import static io.cairn.raft.core.RaftTestUtil.bytes;
import static io.cairn.raft.core.RaftTestUtil.commitNoopEntry;
import static io.cairn.raft.core.RaftTestUtil.durable;
import static io.cairn.raft.core.RaftTestUtil.ents;
import static io.cairn.raft.core.RaftTestUtil.hup;
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
import io.cairn.raft.core.tracker.ProgressState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Log replication (Raft §5.3), fast backtracking, per-follower progress, pipelining, flow control,
 * message size limits and batching (thesis §10.2). Ported from etcd-raft's raft_paper_test.go,
 * raft_test.go and raft_flow_control_test.go.
 */
class ReplicationTest {

    private static final Consumer<RaftConfig> PLAIN = c -> c.preVote(false).checkQuorum(false);

    private static long[] terms(long... t) {
        return t;
    }

    // ------------------------------------------------------------------ §5.3 basics

    @Test
    @DisplayName("§5.3: the leader appends a proposal to its log and sends AppendEntries, naming the preceding entry,"
            + " to every follower in parallel")
    void leaderStartsReplication() {
        MemoryStorage s = storage(1L, 2L, 3L);
        Raft r = lead(newRaft(1, s));
        commitNoopEntry(r, s);
        long li = r.raftLog.lastIndex();
        r.step(prop(1, "some data"));
        assertThat(r.raftLog.lastIndex()).isEqualTo(li + 1);
        assertThat(r.raftLog.committed).isEqualTo(li);
        Entry want = Entry.normal(1, li + 1, bytes("some data"));
        List<Message> msgs = take(r);
        assertThat(msgs).extracting(Message::to).containsExactlyInAnyOrder(2L, 3L);
        assertThat(msgs).allSatisfy(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP);
            assertThat(m.term()).isEqualTo(1);
            assertThat(m.index()).isEqualTo(li);
            assertThat(m.logTerm()).isEqualTo(1);
            assertThat(m.commit()).isEqualTo(li);
            assertThat(m.entries()).containsExactly(want);
        });
        // and it is handed to the application to persist
        assertThat(r.raftLog.unstableEntries()).containsExactly(want);
    }

    @Test
    @DisplayName("§5.3: once a quorum stores the entry the leader commits it, hands it out for applying and tells"
            + " followers the new commit index")
    void leaderCommitsEntry() {
        MemoryStorage s = storage(1L, 2L, 3L);
        Raft r = lead(newRaft(1, s));
        commitNoopEntry(r, s);
        long li = r.raftLog.lastIndex();
        r.step(prop(1, "some data"));
        for (Message m : take(r)) {
            r.step(acceptAndReply(m));
        }
        assertThat(r.raftLog.committed).isEqualTo(li + 1);
        assertThat(r.raftLog.nextEntries()).containsExactly(Entry.normal(1, li + 1, bytes("some data")));
        List<Message> msgs = take(r);
        assertThat(msgs).extracting(Message::to).containsExactlyInAnyOrder(2L, 3L);
        assertThat(msgs).allSatisfy(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP);
            assertThat(m.commit()).isEqualTo(li + 1);
        });
    }

    static Stream<Arguments> checkAppCases() {
        // leader's (logTerm, index) -> response index, reject, hint, hint term
        return Stream.of(
                Arguments.of(0L, 0L, 1L, false, 0L, 0L), // below the commit index: answer with committed
                Arguments.of(1L, 1L, 1L, false, 0L, 0L), // matches a committed entry
                Arguments.of(2L, 2L, 2L, false, 0L, 0L), // matches an uncommitted entry
                Arguments.of(1L, 2L, 2L, true, 1L, 1L), // term mismatch at index 2
                Arguments.of(3L, 3L, 3L, true, 2L, 2L)); // no entry at index 3
    }

    @ParameterizedTest
    @MethodSource("checkAppCases")
    @DisplayName("§5.3: a follower refuses AppendEntries unless its log has an entry at the previous index with the"
            + " previous term; a refusal carries a hint of where the logs may match")
    void followerChecksAppend(long logTerm, long index, long wantIndex, boolean wantReject, long wantHint,
                              long wantHintTerm) {
        Raft r = newRaft(1, storage(ents(1, 1, 2), new HardState(0, 0, 1), 1L, 2L, 3L));
        r.becomeFollower(2, 2);
        r.step(msg(MessageType.APP, 2, 1, 2).logTerm(logTerm).index(index).build());
        assertThat(take(r)).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP_RESP);
            assertThat(m.to()).isEqualTo(2);
            assertThat(m.term()).isEqualTo(2);
            assertThat(m.index()).isEqualTo(wantIndex);
            assertThat(m.reject()).isEqualTo(wantReject);
            assertThat(m.rejectHint()).isEqualTo(wantHint);
            assertThat(m.logTerm()).isEqualTo(wantHintTerm);
        });
    }

    static Stream<Arguments> followerAppendCases() {
        return Stream.of(
                Arguments.of(2L, 2L, ents(3, 3), terms(1, 2, 3), ents(3, 3)),
                Arguments.of(1L, 1L, ents(2, 3, 4), terms(1, 3, 4), ents(2, 3, 4)),
                Arguments.of(0L, 0L, ents(1, 1), terms(1, 2), List.of()),
                Arguments.of(0L, 0L, ents(1, 3), terms(3), ents(1, 3)));
    }

    @ParameterizedTest
    @MethodSource("followerAppendCases")
    @DisplayName("§5.3: on a valid AppendEntries the follower deletes a conflicting entry and all that follow, appends"
            + " the new entries, and hands the new ones out to persist")
    void followerAppendsEntries(long index, long term, List<Entry> sent, long[] wantTerms, List<Entry> wantUnstable) {
        Raft r = newRaft(1, storage(ents(1, 1, 2), null, 1L, 2L, 3L));
        r.becomeFollower(2, 2);
        r.step(msg(MessageType.APP, 2, 1, 2).logTerm(term).index(index).entries(sent).build());
        assertThat(logTerms(r)).containsExactlyElementsOf(Arrays.stream(wantTerms).boxed().toList());
        assertThat(r.raftLog.unstableEntries()).containsExactlyElementsOf(wantUnstable);
    }

    @Test
    @DisplayName("§5.3: an append below the follower's commit index (stale, reordered) is answered with the commit"
            + " index, without touching the log")
    void staleAppendBelowCommit() {
        Raft r = newRaft(1, storage(ents(1, 1, 1, 1), new HardState(1, 0, 3), 1L, 2L));
        r.becomeFollower(1, 2);
        r.step(msg(MessageType.APP, 2, 1, 1).index(1).logTerm(1).entries(ents(2, 1)).commit(1).build());
        assertThat(take(r)).singleElement().satisfies(m -> {
            assertThat(m.reject()).isFalse();
            assertThat(m.index()).isEqualTo(3);
        });
        assertThat(r.raftLog.lastIndex()).isEqualTo(3);
        assertThat(r.raftLog.committed).isEqualTo(3);
    }

    static Stream<Arguments> figure7() {
        return Stream.of(
                Arguments.of("a", terms(1, 1, 1, 4, 4, 5, 5, 6, 6)),
                Arguments.of("b", terms(1, 1, 1, 4, 4)),
                Arguments.of("c", terms(1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6)),
                Arguments.of("d", terms(1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7)),
                Arguments.of("e", terms(1, 1, 1, 4, 4, 4, 4)),
                Arguments.of("f", terms(1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3)));
    }

    @ParameterizedTest(name = "figure 7 ({0})")
    @MethodSource("figure7")
    @DisplayName("§5.3 figure 7: the leader brings any follower's log (missing, extra or conflicting entries) into"
            + " consistency with its own")
    void leaderSyncsFollowerLog(String name, long[] followerTerms) {
        long term = 8;
        List<Entry> leaderLog = ents(1, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6);
        MemoryStorage s1 = storage(leaderLog, new HardState(term, 0, leaderLog.size()), 1L, 2L, 3L);
        MemoryStorage s2 = storage(ents(1, followerTerms), new HardState(term - 1, 0, 0), 1L, 2L, 3L);
        TestNetwork nt = TestNetwork.ofStorages(List.of(s1, s2, storage(1L, 2L, 3L)), 1, PLAIN);
        nt.removeNode(3); // a black hole: its vote is faked below
        nt.campaign(1);
        nt.send(msg(MessageType.VOTE_RESP, 3, 1, term + 1).build());
        assertThat(nt.raft(1).state).isEqualTo(StateType.LEADER);
        nt.propose(1, "x");
        assertThat(allEntries(nt.raft(2))).isEqualTo(allEntries(nt.raft(1)));
        assertThat(nt.raft(2).raftLog.committed).isEqualTo(nt.raft(1).raftLog.committed).isEqualTo(12);
    }

    // ------------------------------------------------------------------ fast backtracking

    static Stream<Arguments> fastRejection() {
        // leader log, follower log, follower compacted up to, hint term, hint index, next append term, index
        return Stream.of(
                Arguments.of(terms(1, 2, 2, 4, 4, 4, 4), terms(1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3), 0L, 3L, 7L, 2L, 3L),
                Arguments.of(terms(1, 2, 2, 3, 4, 4, 4, 5), terms(1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3), 0L, 3L, 8L, 3L, 4L),
                Arguments.of(terms(1, 1, 1, 1), terms(1, 2, 2, 4), 0L, 1L, 1L, 1L, 1L),
                Arguments.of(terms(1, 1, 1, 1, 1, 1), terms(1, 2, 2, 4), 0L, 1L, 1L, 1L, 1L),
                Arguments.of(terms(1, 1, 1, 1), terms(1, 2, 2, 4, 4, 4), 0L, 1L, 1L, 1L, 1L),
                Arguments.of(terms(1, 1, 1, 4, 5), terms(1, 1, 1, 4), 0L, 4L, 4L, 4L, 4L),
                Arguments.of(terms(2, 5, 5, 5, 5, 5, 5, 5, 5), terms(2, 4, 4, 4, 4, 4), 0L, 4L, 6L, 2L, 1L),
                Arguments.of(terms(2, 2, 2, 2, 2), terms(2, 4, 4, 4, 4, 4, 4, 4), 0L, 2L, 1L, 2L, 1L),
                Arguments.of(terms(1, 1, 3), terms(1, 1, 3, 3, 3), 5L, 0L, 3L, 1L, 2L));
    }

    @ParameterizedTest
    @MethodSource("fastRejection")
    @DisplayName("§5.3 (optimization): a rejecting follower hints the last (index, term) where its log may match, and"
            + " the leader jumps straight to the matching point of its own log")
    void fastLogRejection(long[] leaderTerms, long[] followerTerms, long followerCompact, long hintTerm,
                          long hintIndex, long nextTerm, long nextIndex) {
        Entry last = ents(1, leaderTerms).get(leaderTerms.length - 1);
        MemoryStorage s1 = storage(ents(1, leaderTerms), new HardState(last.term() - 1, 0, last.index()),
                1L, 2L, 3L);
        Raft n1 = newRaft(1, s1);
        n1.becomeCandidate();
        n1.becomeLeader();

        MemoryStorage s2 = storage(ents(1, followerTerms), new HardState(last.term(), 1, 0), 1L, 2L, 3L);
        Raft n2 = newRaft(2, s2);
        if (followerCompact != 0) {
            s2.compact(followerCompact);
        }
        n2.step(msg(MessageType.HEARTBEAT, 1, 2, 0).build());
        List<Message> msgs = take(n2);
        assertThat(msgs).singleElement().extracting(Message::type).isEqualTo(MessageType.HEARTBEAT_RESP);
        n1.step(msgs.get(0));
        msgs = take(n1);
        assertThat(msgs).singleElement().extracting(Message::type).isEqualTo(MessageType.APP);
        n2.step(msgs.get(0));
        msgs = take(n2);
        assertThat(msgs).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP_RESP);
            assertThat(m.reject()).isTrue();
            assertThat(m.logTerm()).as("hint term").isEqualTo(hintTerm);
            assertThat(m.rejectHint()).as("hint index").isEqualTo(hintIndex);
        });
        n1.step(msgs.get(0));
        msgs = take(n1);
        assertThat(msgs).isNotEmpty();
        assertThat(msgs.get(0).logTerm()).isEqualTo(nextTerm);
        assertThat(msgs.get(0).index()).isEqualTo(nextIndex);
    }

    @Test
    @DisplayName("§5.3 (optimization): a follower with a 1000-entry divergent tail is repaired in a couple of round"
            + " trips,"
            + " not one per entry")
    void longDivergentTailNeedsFewRoundTrips() {
        List<Entry> common = ents(1, 1, 1, 1, 1, 1);
        List<Entry> leaderLog = new ArrayList<>(common);
        for (int i = 0; i < 500; i++) {
            leaderLog.add(Entry.normal(3, 6 + i, null));
        }
        List<Entry> followerLog = new ArrayList<>(common);
        for (int i = 0; i < 1000; i++) {
            followerLog.add(Entry.normal(2, 6 + i, null));
        }
        MemoryStorage s1 = storage(leaderLog, new HardState(3, 0, 5), 1L, 2L, 3L);
        MemoryStorage s2 = storage(followerLog, new HardState(2, 0, 5), 1L, 2L, 3L);
        MemoryStorage s3 = storage(List.of(), new HardState(3, 0, 0), 1L, 2L, 3L);
        TestNetwork nt = TestNetwork.ofStorages(List.of(s1, s2, s3), 1, PLAIN);
        nt.clearDelivered();
        nt.campaign(1);
        assertThat(nt.leader()).isEqualTo(1);
        long rejections = nt.delivered().stream()
                .filter(m -> m.type() == MessageType.APP_RESP && m.from() == 2 && m.reject()).count();
        long appsTo2 = nt.delivered().stream().filter(m -> m.type() == MessageType.APP && m.to() == 2).count();
        assertThat(rejections).isLessThanOrEqualTo(2);
        assertThat(appsTo2).isLessThanOrEqualTo(4);
        assertThat(allEntries(nt.raft(2))).isEqualTo(allEntries(nt.raft(1)));
        assertThat(nt.raft(2).raftLog.lastIndex()).isEqualTo(506);
    }

    @Test
    @DisplayName("§5.3: a rejection that arrives out of order after the follower was reset to probing makes the leader"
            + " resend from the match index, never below it")
    void reorderedRejection() {
        Raft r1 = lead(newRaft(1, storage(1L, 2L)));
        r1.trk.progress().get(2L).becomeReplicate();
        Raft r2 = newRaft(2, storage(1L, 2L));
        r1.step(prop(1, "a"));
        Message req1 = single(take(r1));
        r1.step(prop(1, "b"));
        Message req2 = single(take(r1));
        // r2 gets the second append first: rejected with hint 0
        r2.step(req2);
        Message resp2 = single(take(r2));
        assertThat(resp2.reject()).isTrue();
        assertThat(resp2.rejectHint()).isZero();
        assertThat(resp2.index()).isEqualTo(2);
        r2.step(req1);
        Message m = single(take(r2));
        assertThat(m.reject()).isFalse();
        assertThat(m.index()).isEqualTo(2);
        r1.step(m);
        take(r1);
        assertThat(r1.trk.progress().get(2L).match).isEqualTo(2);
        r1.step(Message.builder(MessageType.UNREACHABLE).from(2).to(1).build());
        assertThat(r1.trk.progress().get(2L).state).isEqualTo(ProgressState.PROBE);
        r1.step(resp2);
        Message again = single(take(r1));
        assertThat(again.index()).isEqualTo(r1.trk.progress().get(2L).match);
    }

    private static Message single(List<Message> msgs) {
        assertThat(msgs).hasSize(1);
        return msgs.get(0);
    }

    // ------------------------------------------------------------------ progress states

    @Test
    @DisplayName("§5.3 (etcd progress): a follower moves PROBE → REPLICATE on a successful ack, back to PROBE on a"
            + " rejection or when unreachable, and to SNAPSHOT when the entries it needs are compacted (§7)")
    void progressStateTransitions() {
        MemoryStorage s = storage(1L, 2L, 3L);
        Raft r = lead(newRaft(1, s));
        Progress pr2 = r.trk.progress().get(2L);
        assertThat(pr2.state).isEqualTo(ProgressState.PROBE);
        assertThat(pr2.next).isEqualTo(1);

        r.bcastAppend();
        take(r);
        assertThat(pr2.isPaused()).as("a probe waits for its answer").isTrue();
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(1).build());
        assertThat(pr2.state).isEqualTo(ProgressState.REPLICATE);
        assertThat(pr2.match).isEqualTo(1);
        assertThat(pr2.next).isEqualTo(2);

        r.step(Message.builder(MessageType.UNREACHABLE).from(2).to(1).build());
        assertThat(pr2.state).isEqualTo(ProgressState.PROBE);
        assertThat(pr2.next).isEqualTo(2);
        // an ack of what is already matched brings a probing follower back to REPLICATE
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(1).build());
        assertThat(pr2.state).isEqualTo(ProgressState.REPLICATE);

        r.step(prop(1, "x"));
        r.step(prop(1, "y"));
        take(r);
        assertThat(pr2.next).isEqualTo(4);
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(3).reject(true).rejectHint(1).logTerm(1).build());
        assertThat(pr2.state).isEqualTo(ProgressState.PROBE);
        assertThat(pr2.next).isEqualTo(2);
        assertThat(take(r)).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP);
            assertThat(m.index()).isEqualTo(1);
        });
        // a stale (duplicated) rejection, for an index other than the probe's, changes nothing
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(3).reject(true).rejectHint(1).logTerm(1).build());
        assertThat(pr2.next).isEqualTo(2);
        assertThat(take(r)).isEmpty();

        // Node 2 acks everything; node 3 never answered. Commit, apply, snapshot and compact.
        durable(r);
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(3).build());
        take(r);
        assertThat(r.raftLog.committed).isEqualTo(3);
        nextEnts(r, s);
        s.createSnapshot(3, r.trk.confState(), bytes("state"));
        s.compact(3);
        Progress pr3 = r.trk.progress().get(3L);
        assertThat(pr3.match).isZero();
        // The leader hears from node 3 (so it is active) and finds its entries compacted: snapshot.
        r.step(msg(MessageType.HEARTBEAT_RESP, 3, 1, r.term).build());
        List<Message> msgs = take(r);
        assertThat(ofType(msgs, MessageType.SNAP)).singleElement().satisfies(m -> {
            assertThat(m.to()).isEqualTo(3);
            assertThat(m.snapshot().index()).isEqualTo(3);
        });
        assertThat(pr3.state).isEqualTo(ProgressState.SNAPSHOT);
        assertThat(pr3.pendingSnapshot).isEqualTo(3);
        // No appends while the snapshot is in flight.
        r.step(prop(1, "z"));
        assertThat(take(r)).noneMatch(m -> m.to() == 3);
        // The follower acks the snapshot index: back to replicating from the log.
        r.step(msg(MessageType.APP_RESP, 3, 1, r.term).index(3).build());
        assertThat(pr3.state).isEqualTo(ProgressState.REPLICATE);
        assertThat(pr3.match).isEqualTo(3);
        assertThat(ofType(take(r), MessageType.APP)).anySatisfy(m -> {
            assertThat(m.to()).isEqualTo(3);
            assertThat(m.entries()).extracting(Entry::index).contains(4L);
        });
    }

    /** A storage whose snapshot or entries can be made to fail, delegating to a MemoryStorage. */
    static final class FlakyStorage extends LogStorageDelegate {
        final MemoryStorage s;
        boolean snapshotBusy;
        boolean emptySnapshot;
        boolean entriesBroken;

        FlakyStorage(MemoryStorage s) {
            super(s);
            this.s = s;
        }

        @Override
        public List<Entry> entries(long lo, long hi, long maxSizeBytes) {
            if (entriesBroken) {
                throw new StorageException(StorageException.Kind.UNAVAILABLE, "disk on fire");
            }
            return s.entries(lo, hi, maxSizeBytes);
        }

        @Override
        public Snapshot snapshot() {
            if (snapshotBusy) {
                throw new StorageException(StorageException.Kind.SNAPSHOT_TEMPORARILY_UNAVAILABLE, "busy");
            }
            return emptySnapshot ? Snapshot.EMPTY : s.snapshot();
        }
    }

    @Test
    @DisplayName("§7: the leader sends a snapshot only to a follower it heard from recently, and retries later when the"
            + " snapshot is temporarily unavailable; other storage failures are fatal")
    void snapshotOnlyToActiveFollowerAndWhenAvailable() {
        MemoryStorage ms = storage(1L, 2L, 3L);
        FlakyStorage fs = new FlakyStorage(ms);
        Raft r = new Raft(RaftTestUtil.config(1, fs));
        lead(r);
        r.step(prop(1, "a"));
        durable(r);
        take(r);
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(2).build());
        take(r);
        assertThat(r.raftLog.committed).isEqualTo(2);
        nextEnts(r, ms);
        ms.createSnapshot(2, r.trk.confState(), null);
        ms.compact(2);
        Progress pr3 = r.trk.progress().get(3L);
        pr3.becomeProbe();
        pr3.recentActive = false;
        r.step(prop(1, "b"));
        assertThat(take(r)).noneMatch(m -> m.to() == 3);
        assertThat(pr3.state).isEqualTo(ProgressState.PROBE);

        fs.snapshotBusy = true;
        r.step(msg(MessageType.HEARTBEAT_RESP, 3, 1, r.term).build());
        assertThat(take(r)).noneMatch(m -> m.to() == 3);
        assertThat(pr3.state).isEqualTo(ProgressState.PROBE);
        assertThat(pr3.recentActive).isTrue();

        fs.snapshotBusy = false;
        r.step(msg(MessageType.HEARTBEAT_RESP, 3, 1, r.term).build());
        assertThat(ofType(take(r), MessageType.SNAP)).singleElement().extracting(m -> m.snapshot().index())
                .isEqualTo(2L);
        assertThat(pr3.state).isEqualTo(ProgressState.SNAPSHOT);

        // A compacted log without a snapshot to send is a broken storage.
        pr3.becomeProbe();
        pr3.next = 1;
        fs.emptySnapshot = true;
        assertThatThrownBy(() -> r.step(msg(MessageType.HEARTBEAT_RESP, 3, 1, r.term).build()))
                .isInstanceOf(IllegalStateException.class);
        fs.emptySnapshot = false;
        // Any storage error other than COMPACTED is fatal.
        nextEnts(r, ms); // entry 3 is now read from the storage
        fs.entriesBroken = true;
        pr3.msgAppFlowPaused = false;
        Progress pr2 = r.trk.progress().get(2L);
        pr2.becomeProbe();
        pr2.next = 3;
        assertThatThrownBy(() -> r.step(msg(MessageType.HEARTBEAT_RESP, 2, 1, r.term).build()))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.UNAVAILABLE));
    }

    @Test
    @DisplayName("§7 (etcd progress): a failed snapshot sends the follower back to probing from its match; a reported"
            + " success probes after the snapshot; either way it waits before the next append")
    void snapshotStatusReports() {
        Raft r = lead(newRaft(1, storage(1L, 2L)));
        Progress pr = r.trk.progress().get(2L);
        pr.match = 0;
        pr.becomeSnapshot(10);
        r.step(Message.builder(MessageType.SNAP_STATUS).from(2).to(1).reject(true).build());
        assertThat(pr.state).isEqualTo(ProgressState.PROBE);
        assertThat(pr.next).isEqualTo(1);
        assertThat(pr.isPaused()).isTrue();

        pr.becomeSnapshot(10);
        r.step(Message.builder(MessageType.SNAP_STATUS).from(2).to(1).build());
        assertThat(pr.state).isEqualTo(ProgressState.PROBE);
        assertThat(pr.next).isEqualTo(11);
        assertThat(pr.isPaused()).isTrue();

        // A report for a follower not in SNAPSHOT is ignored.
        r.step(Message.builder(MessageType.SNAP_STATUS).from(2).to(1).build());
        assertThat(pr.state).isEqualTo(ProgressState.PROBE);
        assertThat(pr.next).isEqualTo(11);
    }

    @Test
    @DisplayName("§5.3 (etcd progress): in PROBE at most one append is in flight; further proposals wait for a response"
            + " or a heartbeat response")
    void probeSendsOneAppendAtATime() {
        Raft r = lead(newRaft(1, storage(1L, 2L)));
        Progress pr = r.trk.progress().get(2L);
        pr.becomeProbe();
        r.step(prop(1, "d0"));
        assertThat(take(r)).singleElement().satisfies(m -> assertThat(m.index()).isZero());
        for (int round = 0; round < 3; round++) {
            assertThat(pr.msgAppFlowPaused).isTrue();
            for (int j = 0; j < 10; j++) {
                r.step(prop(1, "d"));
                assertThat(take(r)).isEmpty();
            }
            r.step(beat(1));
            assertThat(pr.msgAppFlowPaused).isTrue();
            assertThat(take(r)).singleElement().extracting(Message::type).isEqualTo(MessageType.HEARTBEAT);
        }
        // a heartbeat response lets one more probe go out
        r.step(msg(MessageType.HEARTBEAT_RESP, 2, 1, r.term).build());
        assertThat(take(r)).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP);
            assertThat(m.index()).isZero();
        });
        assertThat(pr.msgAppFlowPaused).isTrue();
    }

    @Test
    @DisplayName("§5.3 (etcd progress): a probing follower gets a single append for several proposals")
    void probePausesAfterOneMessage() {
        Raft r = lead(newRaft(1, storage(1L, 2L)));
        r.step(prop(1, "a"));
        r.step(prop(1, "b"));
        r.step(prop(1, "c"));
        assertThat(take(r)).hasSize(1);
    }

    @Test
    @DisplayName("thesis §10.2.1: in REPLICATE the leader pipelines appends optimistically: each proposal is sent at"
            + " once, next advances without waiting for acks")
    void replicatePipelinesAppends() {
        Raft r = lead(newRaft(1, storage(1L, 2L)));
        Progress pr = r.trk.progress().get(2L);
        pr.becomeReplicate();
        for (int i = 0; i < 10; i++) {
            r.step(prop(1, "d" + i));
            Message m = single(take(r));
            assertThat(m.type()).isEqualTo(MessageType.APP);
            assertThat(m.entries()).last().extracting(Entry::index).isEqualTo(r.raftLog.lastIndex());
            assertThat(pr.next).isEqualTo(r.raftLog.lastIndex() + 1);
        }
        assertThat(pr.match).isZero();
        assertThat(pr.inflights.count()).isEqualTo(10);
    }

    @Test
    @DisplayName("thesis §10.2.1: a proposal advances next optimistically only for a replicating follower, not a"
            + " probing one")
    void leaderIncreasesNextOnlyInReplicate() {
        for (ProgressState st : List.of(ProgressState.REPLICATE, ProgressState.PROBE)) {
            Raft r = newRaft(1, storage(1L, 2L));
            r.raftLog.append(ents(1, 1, 2, 3));
            r.becomeCandidate();
            r.becomeLeader();
            Progress pr = r.trk.progress().get(2L);
            pr.state = st;
            pr.next = 2;
            r.step(prop(1, "somedata"));
            assertThat(pr.next).as("%s", st).isEqualTo(st == ProgressState.REPLICATE ? 6 : 2);
        }
    }

    @Test
    @DisplayName("§5.3 (etcd progress), thesis §10.2.1: the leader's own progress tracks its log as its writes become"
            + " durable, not as it appends")
    void leaderOwnProgress() {
        Raft r = lead(newRaft(1, storage(1L, 2L)));
        r.trk.progress().get(2L).becomeReplicate();
        for (int i = 0; i < 5; i++) {
            r.step(prop(1, "foo"));
        }
        assertThat(r.trk.progress().get(1L).match).isZero();
        durable(r);
        assertThat(r.trk.progress().get(1L).match).isEqualTo(6);
        assertThat(r.trk.progress().get(1L).next).isEqualTo(7);
        List<Entry> unstable = r.raftLog.unstableEntries();
        assertThat(unstable).hasSize(6);
        assertThat(unstable.get(0).data()).isEmpty();
        assertThat(unstable.get(5).data()).isEqualTo(bytes("foo"));
    }

    static Stream<Arguments> appRespCases() {
        // index, reject -> match, next, #msgs, msg index, msg commit
        return Stream.of(
                Arguments.of(3L, true, 0L, 3L, 0, 0L, 0L), // stale rejection: ignored
                Arguments.of(2L, true, 0L, 2L, 1, 1L, 0L), // rejection: lower next and probe again
                Arguments.of(2L, false, 2L, 4L, 2, 2L, 2L), // ack: commit and broadcast it
                Arguments.of(0L, false, 0L, 4L, 1, 0L, 0L)); // ack of the match: replicate from there
    }

    @ParameterizedTest
    @MethodSource("appRespCases")
    @DisplayName("§5.3: the leader handles append responses: ignores stale ones, lowers next on a rejection, advances"
            + " match (and commit) on an ack")
    void leaderHandlesAppendResponse(long index, boolean reject, long wantMatch, long wantNext, int wantMsgs,
                                     long wantIndex, long wantCommit) {
        Raft r = newRaft(1, storage(ents(1, 1, 1), null, 1L, 2L, 3L));
        lead(r);
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(index).reject(reject).rejectHint(index).build());
        Progress p = r.trk.progress().get(2L);
        assertThat(p.match).isEqualTo(wantMatch);
        assertThat(p.next).isEqualTo(wantNext);
        List<Message> msgs = take(r);
        assertThat(msgs).hasSize(wantMsgs).allSatisfy(m -> {
            assertThat(m.index()).isEqualTo(wantIndex);
            assertThat(m.commit()).isEqualTo(wantCommit);
        });
    }

    @Test
    @DisplayName("§5.3: a heartbeat response from a lagging follower triggers a (re)send of the missing entries; once"
            + " it has caught up, heartbeat responses send nothing")
    void heartbeatResponseResendsToLaggingFollower() {
        Raft r = newRaft(1, storage(ents(1, 1, 2, 3), null, 1L, 2L));
        lead(r);
        r.raftLog.commitTo(r.raftLog.lastIndex());
        r.step(msg(MessageType.HEARTBEAT_RESP, 2, 1, r.term).build());
        Message m = single(take(r));
        assertThat(m.type()).isEqualTo(MessageType.APP);
        r.step(msg(MessageType.HEARTBEAT_RESP, 2, 1, r.term).build());
        m = single(take(r));
        assertThat(m.type()).isEqualTo(MessageType.APP);
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(m.index() + m.entries().size()).build());
        take(r);
        r.step(msg(MessageType.HEARTBEAT_RESP, 2, 1, r.term).build());
        assertThat(take(r)).isEmpty();
    }

    @Test
    @DisplayName("§5.3: a follower that acked leaves the wait state and gets new entries at once; one still probing"
            + " gets them only after its own ack")
    void appendResponseReleasesWait() {
        MemoryStorage s = storage(1L, 2L, 3L);
        Raft r = lead(newRaft(1, s));
        nextEnts(r, s);
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(1).build());
        assertThat(r.raftLog.committed).isEqualTo(1);
        take(r);
        r.step(prop(1, (String) null));
        Message m = single(take(r));
        assertThat(m.to()).isEqualTo(2);
        assertThat(m.entries()).singleElement().extracting(Entry::index).isEqualTo(2L);
        r.step(msg(MessageType.APP_RESP, 3, 1, r.term).index(1).build());
        m = single(take(r));
        assertThat(m.to()).isEqualTo(3);
        assertThat(m.entries()).singleElement().extracting(Entry::index).isEqualTo(2L);
    }

    @Test
    @DisplayName("§5.3: a heartbeat response unpauses a paused follower")
    void heartbeatResponseUnpauses() {
        Raft r = lead(newRaft(1, storage(1L, 2L)));
        Progress pr = r.trk.progress().get(2L);
        pr.msgAppFlowPaused = true;
        r.step(beat(1));
        assertThat(pr.msgAppFlowPaused).isTrue();
        pr.becomeReplicate();
        assertThat(pr.msgAppFlowPaused).isFalse();
        pr.msgAppFlowPaused = true;
        r.step(msg(MessageType.HEARTBEAT_RESP, 2, 1, r.term).build());
        assertThat(pr.msgAppFlowPaused).isFalse();
    }

    // ------------------------------------------------------------------ flow control

    private static Raft flowLeader(int maxInflight) {
        Raft r = lead(newRaft(1, storage(1L, 2L), c -> c.maxInflightMsgs(maxInflight)));
        r.trk.progress().get(2L).becomeReplicate();
        return r;
    }

    @Test
    @DisplayName("thesis §10.2.1 (flow control): appends fill the inflight window up to maxInflightMsgs; when it is"
            + " full"
            + " nothing more is sent")
    void inflightWindowByCount() {
        int max = 8;
        Raft r = flowLeader(max);
        Progress pr = r.trk.progress().get(2L);
        for (int i = 0; i < max; i++) {
            r.step(prop(1, "somedata"));
            assertThat(single(take(r)).type()).isEqualTo(MessageType.APP);
        }
        assertThat(pr.isPaused()).isTrue();
        assertThat(pr.inflights.full()).isTrue();
        for (int i = 0; i < 10; i++) {
            r.step(prop(1, "somedata"));
            assertThat(take(r)).isEmpty();
        }
    }

    @Test
    @DisplayName("thesis §10.2.1 (flow control): an ack frees every inflight append up to its index and sending"
            + " resumes;"
            + " an out-of-date ack frees nothing")
    void inflightWindowMovesForward() {
        int max = 8;
        Raft r = flowLeader(max);
        Progress pr = r.trk.progress().get(2L);
        for (int i = 0; i < max; i++) {
            r.step(prop(1, "somedata"));
            take(r);
        }
        // index 1 is the empty entry, 2 the first proposal (sent together)
        for (int tt = 2; tt < max; tt++) {
            r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(tt).build());
            take(r);
            r.step(prop(1, "somedata"));
            assertThat(single(take(r)).type()).isEqualTo(MessageType.APP);
            assertThat(pr.isPaused()).isTrue();
            for (int i = 0; i < tt; i++) {
                r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(i).build());
                assertThat(pr.isPaused()).isTrue();
            }
        }
    }

    @Test
    @DisplayName("thesis §10.2.1 (flow control): with a full window each heartbeat response lets exactly one empty"
            + " append through (so a window of lost messages cannot stall replication)")
    void fullWindowHeartbeatSendsOneEmptyAppend() {
        int max = 8;
        Raft r = flowLeader(max);
        Progress pr = r.trk.progress().get(2L);
        for (int i = 0; i < max; i++) {
            r.step(prop(1, "somedata"));
            take(r);
        }
        for (int tt = 1; tt < 5; tt++) {
            for (int i = 0; i < tt; i++) {
                assertThat(pr.isPaused()).isTrue();
                r.step(msg(MessageType.HEARTBEAT_RESP, 2, 1, r.term).build());
                Message m = single(take(r));
                assertThat(m.type()).isEqualTo(MessageType.APP);
                assertThat(m.entries()).isEmpty();
            }
            for (int i = 0; i < 10; i++) {
                assertThat(pr.isPaused()).isTrue();
                r.step(prop(1, "somedata"));
                assertThat(take(r)).isEmpty();
            }
            r.step(msg(MessageType.HEARTBEAT_RESP, 2, 1, r.term).build());
            take(r);
        }
    }

    @Test
    @DisplayName("thesis §10.2.1 (flow control): the window is also limited by inflight bytes (maxInflightBytes) and"
            + " messages by maxSizePerMsg; acks resume sending")
    void inflightWindowByBytes() {
        Raft r = lead(newRaft(1, storage(1L, 2L),
                c -> c.maxInflightMsgs(3).maxSizePerMsg(2048).maxInflightBytes(9000)));
        Progress pr = r.trk.progress().get(2L);
        pr.becomeProbe();
        String blob = "a".repeat(1000);
        String large = "b".repeat(5000);
        for (int i = 0; i < 22; i++) {
            r.step(prop(1, i >= 10 && i < 16 ? large : blob));
        }
        List<Message> ms = take(r);
        // PROBE: one append with the empty entry and the first proposal.
        assertThat(ms).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP);
            assertThat(m.entries()).hasSize(2);
            assertThat(m.entries().get(0).data()).isEmpty();
            assertThat(m.entries().get(1).data()).hasSize(1000);
        });
        long index = ms.get(0).entries().get(1).index();
        index = ackAndVerify(r, index, 2, 2, 2); // REPLICATE: three messages, window full by count
        index = ackAndVerify(r, index, 2, 1, 1); // the third carries one large entry
        index = ackAndVerify(r, index, 1, 1); // large entries: window full by bytes after two
        index = ackAndVerify(r, index, 1, 1);
        index = ackAndVerify(r, index, 1, 2, 2); // small entries again
        index = ackAndVerify(r, index, 2);
        assertThat(index).isEqualTo(23);
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(index).build());
        assertThat(r.trk.progress().get(2L).match).isEqualTo(23);
        assertThat(r.trk.progress().get(2L).inflights.count()).isZero();
    }

    private static long ackAndVerify(Raft r, long index, int... expEntries) {
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(index).build());
        List<Message> ms = take(r);
        assertThat(ms).extracting(m -> m.entries().size()).containsExactly(
                Arrays.stream(expEntries).boxed().toArray(Integer[]::new));
        assertThat(ms).allSatisfy(m -> assertThat(m.type()).isEqualTo(MessageType.APP));
        List<Entry> last = ms.get(ms.size() - 1).entries();
        return last.isEmpty() ? index : last.get(last.size() - 1).index();
    }

    @Test
    @DisplayName("thesis §10.2.1: maxSizePerMsg splits a long backlog across several append messages (at least one"
            + " entry each), all of which arrive")
    void maxSizePerMsgSplitsEntries() {
        TestNetwork nt = TestNetwork.of(3, c -> PLAIN.andThen(x -> x.maxSizePerMsg(100)).accept(c));
        nt.campaign(1);
        nt.isolate(3);
        for (int i = 0; i < 10; i++) {
            nt.propose(1, "e" + i + "-" + "x".repeat(40));
        }
        nt.recover();
        nt.clearDelivered();
        nt.send(beat(1));
        List<Message> apps = nt.delivered().stream()
                .filter(m -> m.type() == MessageType.APP && m.to() == 3 && !m.entries().isEmpty()).toList();
        assertThat(apps.size()).isGreaterThan(1);
        for (Message m : apps) {
            long size = m.entries().stream().mapToLong(Entry::sizeBytes).sum();
            assertThat(m.entries().size() == 1 || size <= 100).as("append %s", m).isTrue();
        }
        assertThat(nt.appliedData(3)).hasSize(10);
        assertThat(nt.logsMatch()).isTrue();
    }

    @Test
    @DisplayName("thesis §10.2.1 (batching): proposeBatch of N entries appends them together and sends ONE append per"
            + " follower carrying all N")
    void proposeBatchSendsOneAppendPerFollower() {
        TestNetwork nt = TestNetwork.of(5, PLAIN);
        nt.campaign(1);
        nt.clearDelivered();
        List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            batch.add(bytes("b" + i));
        }
        long before = nt.node(1).lastIndex();
        nt.node(1).proposeBatch(batch);
        assertThat(nt.node(1).lastIndex()).isEqualTo(before + 20);
        nt.stabilize();
        List<Message> apps = nt.delivered().stream()
                .filter(m -> m.type() == MessageType.APP && !m.entries().isEmpty()).toList();
        assertThat(apps).extracting(Message::to).containsExactlyInAnyOrder(2L, 3L, 4L, 5L);
        assertThat(apps).allSatisfy(m -> assertThat(m.entries()).hasSize(20));
        for (long id = 1; id <= 5; id++) {
            assertThat(nt.appliedData(id)).hasSize(20).startsWith("b0").endsWith("b19");
        }
        // An empty batch is a no-op.
        nt.node(1).proposeBatch(List.of());
        assertThat(nt.node(1).lastIndex()).isEqualTo(before + 20);
    }

    @Test
    @DisplayName("thesis §10.2.1 (batching, contrast): N separate proposals produce N appends per replicating follower")
    void separateProposalsSendSeparateAppends() {
        TestNetwork nt = TestNetwork.of(3, PLAIN);
        nt.campaign(1);
        nt.clearDelivered();
        for (int i = 0; i < 5; i++) {
            nt.node(1).propose(bytes("p" + i));
        }
        nt.stabilize();
        long appsTo2 = nt.delivered().stream()
                .filter(m -> m.type() == MessageType.APP && m.to() == 2 && !m.entries().isEmpty()).count();
        assertThat(appsTo2).isEqualTo(5);
    }

    @Test
    @DisplayName("thesis §10.2 (bounded leader memory, etcd MaxUncommittedEntriesSize): the leader refuses"
            + " proposals that would push its uncommitted payload"
            + " over the cap; one oversized proposal passes when nothing is uncommitted; empty entries always pass")
    void uncommittedEntryLimit() {
        int maxEntries = 64;
        byte[] data = bytes("testdata");
        Raft r = newRaft(1, storage(1L, 2L, 3L),
                c -> c.maxUncommittedEntriesSize((long) maxEntries * data.length).maxInflightMsgs(2 * maxEntries));
        lead(r);
        assertThat(r.uncommittedSize).isZero();
        r.trk.progress().get(2L).becomeReplicate();
        r.trk.progress().get(3L).becomeReplicate();
        Message p = Message.builder(MessageType.PROP).from(1).to(1)
                .entries(List.of(Entry.proposal(EntryType.NORMAL, data))).build();
        for (int i = 0; i < maxEntries; i++) {
            r.step(p);
        }
        assertThatThrownBy(() -> r.step(p)).isInstanceOfSatisfying(ProposalDroppedException.class,
                e -> assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.UNCOMMITTED_SIZE_LIMIT));
        assertThat(take(r)).hasSize(maxEntries * 2);
        // as if these entries had been committed and applied
        r.reduceUncommittedSize(r.raftLog.slice(2, r.raftLog.lastIndex() + 1, RaftLog.NO_LIMIT));
        assertThat(r.uncommittedSize).isZero();

        List<Entry> large = new ArrayList<>();
        for (int i = 0; i < 2 * maxEntries; i++) {
            large.add(Entry.proposal(EntryType.NORMAL, data));
        }
        long first = r.raftLog.lastIndex() + 1;
        r.step(Message.builder(MessageType.PROP).from(1).to(1).entries(large).build());
        List<Entry> largeInLog = r.raftLog.slice(first, r.raftLog.lastIndex() + 1, RaftLog.NO_LIMIT);
        assertThatThrownBy(() -> r.step(p)).isInstanceOf(ProposalDroppedException.class);
        r.step(prop(1, (String) null));
        assertThat(take(r)).hasSize(4);
        r.reduceUncommittedSize(largeInLog);
        assertThat(r.uncommittedSize).isZero();
        // reducing below zero clamps
        r.uncommittedSize = 8;
        r.reduceUncommittedSize(largeInLog);
        assertThat(r.uncommittedSize).isZero();
    }

    @Test
    @DisplayName("thesis §10.2 (bounded leader memory, etcd MaxUncommittedEntriesSize): a new leader counts the"
            + " uncommitted tail it inherits, so the cap"
            + " survives elections")
    void uncommittedCapSurvivesElection() {
        Raft r = newRaft(1, storage(ents(1, 1), null, 1L, 2L, 3L), c -> c.maxUncommittedEntriesSize(10));
        r.raftLog.append(List.of(Entry.normal(1, 2, bytes("0123456789"))));
        lead(r);
        assertThat(r.uncommittedSize).isEqualTo(10);
        assertThatThrownBy(() -> r.step(prop(1, "x"))).isInstanceOf(ProposalDroppedException.class);
    }

    @Test
    @DisplayName("thesis §10.2 (bounded leader memory, etcd MaxUncommittedEntriesSize): entries already committed"
            + " when a node became leader were never"
            + " counted, so applying them does not release any of the cap")
    void entriesCommittedBeforeLeadershipDoNotReduceCap() {
        List<Entry> log = List.of(Entry.normal(1, 1, bytes("aaaa")), Entry.normal(1, 2, bytes("bbbb")),
                Entry.normal(1, 3, bytes("cc")));
        Raft r = newRaft(1, storage(log, new HardState(1, 0, 2), 1L, 2L, 3L), c -> c.maxUncommittedEntriesSize(100));
        lead(r);
        assertThat(r.uncommittedSize).isEqualTo(2);
        r.reduceUncommittedSize(log.subList(0, 2));
        assertThat(r.uncommittedSize).isEqualTo(2);
        r.reduceUncommittedSize(log.subList(2, 3));
        assertThat(r.uncommittedSize).isZero();
    }

    // ------------------------------------------------------------------ proposals over the network

    @Test
    @DisplayName("§5.3: a proposal is replicated to and applied by every node (also after a new leader is elected)")
    void logReplication() {
        TestNetwork nt = TestNetwork.of(3, PLAIN);
        nt.campaign(1);
        nt.propose(1, "somedata");
        for (long id = 1; id <= 3; id++) {
            assertThat(nt.raft(id).raftLog.committed).isEqualTo(2);
            assertThat(nt.appliedData(id)).containsExactly("somedata");
        }
        nt.send(Message.builder(MessageType.HUP).from(1).to(2).build());
        assertThat(nt.leader()).isEqualTo(2);
        nt.send(Message.builder(MessageType.PROP).from(1).to(2)
                .entries(List.of(Entry.proposal(EntryType.NORMAL, bytes("other")))).build());
        for (long id = 1; id <= 3; id++) {
            assertThat(nt.raft(id).raftLog.committed).isEqualTo(4);
            assertThat(nt.appliedData(id)).containsExactly("somedata", "other");
        }
    }

    @Test
    @DisplayName("§5.3: a follower forwards a proposal to the leader, which replicates it")
    void proposalByProxy() {
        for (boolean thirdUp : List.of(true, false)) {
            TestNetwork nt = TestNetwork.of(3, PLAIN);
            if (!thirdUp) {
                nt.removeNode(3);
            }
            nt.campaign(1);
            nt.propose(2, "somedata");
            assertThat(logTerms(nt.raft(1))).containsExactly(1L, 1L);
            assertThat(nt.raft(1).raftLog.committed).isEqualTo(2);
            assertThat(nt.logsMatch()).isTrue();
            assertThat(nt.appliedData(2)).containsExactly("somedata");
        }
    }

    @Test
    @DisplayName("§5.3: a proposal succeeds only when a leader exists; without a quorum the candidate drops it and no"
            + " log changes")
    void proposalNeedsLeader() {
        record Case(int size, List<Long> down, boolean success) {
        }
        for (Case c : List.of(new Case(3, List.of(), true), new Case(3, List.of(3L), true),
                new Case(3, List.of(2L, 3L), false), new Case(4, List.of(2L, 3L), false),
                new Case(5, List.of(2L, 3L), true))) {
            TestNetwork nt = TestNetwork.of(c.size(), PLAIN);
            c.down().forEach(nt::removeNode);
            nt.campaign(1);
            nt.send(prop(1, "somedata")); // RawNode.step drops a refused proposal silently
            for (long id : nt.ids()) {
                assertThat(logTerms(nt.raft(id))).as("%s node %d", c, id)
                        .isEqualTo(c.success() ? List.of(1L, 1L) : List.of());
            }
            assertThat(nt.raft(1).term).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("§5.3: RawNode.propose throws when no leader is known, when forwarding is disabled, or on a candidate")
    void proposalDroppedReasons() {
        TestNetwork nt = TestNetwork.of(3, PLAIN);
        assertThatThrownBy(() -> nt.node(2).propose(bytes("x"))).isInstanceOfSatisfying(ProposalDroppedException.class,
                e -> assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.NO_LEADER));
        nt.isolate(1);
        nt.campaign(1);
        assertThat(nt.raft(1).state).isEqualTo(StateType.CANDIDATE);
        assertThatThrownBy(() -> nt.node(1).propose(bytes("x"))).isInstanceOfSatisfying(ProposalDroppedException.class,
                e -> assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.NO_LEADER));

        TestNetwork nf = TestNetwork.of(3, c -> PLAIN.andThen(x -> x.disableProposalForwarding(true)).accept(c));
        nf.campaign(1);
        assertThatThrownBy(() -> nf.node(2).propose(bytes("x"))).isInstanceOfSatisfying(ProposalDroppedException.class,
                e -> assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.FORWARDING_DISABLED));
        // forwarded over the network, the refusal is silent
        nf.send(prop(2, "y"));
        assertThat(nf.raft(1).raftLog.lastIndex()).isEqualTo(1);
        assertThatThrownBy(() -> nf.raft(1).step(Message.builder(MessageType.PROP).from(1).to(1).build()))
                .as("an empty proposal is a programming error").isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("§5.1 / §5.3: an append from a deposed leader (stale term) is ignored and does not touch the log")
    void oldMessagesIgnored() {
        TestNetwork nt = TestNetwork.of(3, PLAIN);
        nt.campaign(1);
        nt.campaign(2);
        nt.campaign(1);
        assertThat(nt.raft(1).term).isEqualTo(3);
        nt.send(msg(MessageType.APP, 2, 1, 2).index(2).logTerm(2).entries(ents(3, 2)).build());
        nt.propose(1, "somedata");
        for (long id = 1; id <= 3; id++) {
            assertThat(logTerms(nt.raft(id))).containsExactly(1L, 2L, 3L, 3L);
            assertThat(nt.raft(id).raftLog.committed).isEqualTo(4);
        }
        assertThat(nt.appliedData(3)).containsExactly("somedata");
    }

    @Test
    @DisplayName("§5.3: with a lossy network (30% drops) all nodes still converge on the same log via heartbeats and"
            + " retries")
    void convergesOverLossyNetwork() {
        TestNetwork nt = TestNetwork.of(3, 7, c -> c.maxInflightMsgs(4));
        nt.elect(1);
        for (long a = 1; a <= 3; a++) {
            for (long b = 1; b <= 3; b++) {
                if (a != b) {
                    nt.drop(a, b, 0.3);
                }
            }
        }
        for (int i = 0; i < 30; i++) {
            long leader = nt.leader();
            if (leader != 0) {
                try {
                    nt.node(leader).propose(bytes("v" + i));
                } catch (ProposalDroppedException e) {
                    // a leader change in progress
                }
            }
            nt.tickAll(1);
        }
        nt.recover();
        nt.tickAll(5 * RaftTestUtil.ELECTION);
        long leader = nt.leader();
        assertThat(leader).isNotZero();
        nt.propose(leader, "final");
        assertThat(nt.logsMatch()).isTrue();
        for (long id = 1; id <= 3; id++) {
            assertThat(nt.appliedData(id)).isEqualTo(nt.appliedData(1)).contains("final");
        }
    }

    @Test
    @DisplayName("§5.3: UNREACHABLE for a probing follower and HUP on a leader are no-ops; the leader ignores"
            + " responses from nodes it does not track")
    void unreachableOnProbingFollowerIsNoop() {
        Raft r = lead(newRaft(1, storage(1L, 2L)));
        Progress pr = r.trk.progress().get(2L);
        pr.next = 1;
        r.step(Message.builder(MessageType.UNREACHABLE).from(2).to(1).build());
        assertThat(pr.state).isEqualTo(ProgressState.PROBE);
        assertThat(pr.next).isEqualTo(1);
        r.step(hup(1));
        assertThat(r.state).isEqualTo(StateType.LEADER);
        // responses from a node without progress are ignored by the leader
        r.step(msg(MessageType.APP_RESP, 9, 1, r.term).index(1).build());
        assertThat(take(r)).isEmpty();
    }
}
