package io.cairn.raft.core;

import static io.cairn.raft.core.RaftTestUtil.appResp;
import static io.cairn.raft.core.RaftTestUtil.durable;
import static io.cairn.raft.core.RaftTestUtil.conf;
import static io.cairn.raft.core.RaftTestUtil.lead;
import static io.cairn.raft.core.RaftTestUtil.msg;
import static io.cairn.raft.core.RaftTestUtil.newRaft;
import static io.cairn.raft.core.RaftTestUtil.newRawNode;
import static io.cairn.raft.core.RaftTestUtil.nextEntsLikeRawNode;
import static io.cairn.raft.core.RaftTestUtil.ofType;
import static io.cairn.raft.core.RaftTestUtil.prop;
import static io.cairn.raft.core.RaftTestUtil.snapshot;
import static io.cairn.raft.core.RaftTestUtil.storage;
import static io.cairn.raft.core.RaftTestUtil.take;
import static io.cairn.raft.core.RaftTestUtil.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.tracker.Progress;
import io.cairn.raft.core.tracker.ProgressState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Log compaction and snapshot installation (Raft §7, thesis §5). */
class SnapshotTest {

    /** Snapshot at index 11, term 11, voters {1,2}: etcd's {@code testingSnap}. */
    private static final Snapshot TESTING_SNAP = snapshot(11, 11, voters(1L, 2L));

    /** Storage holding {@link #TESTING_SNAP} (and the matching hard state), as after a restart. */
    private static MemoryStorage storageAtTestingSnap() {
        MemoryStorage s = storage(1L, 2L);
        s.applySnapshot(TESTING_SNAP);
        s.setHardState(new HardState(11, 0, 11));
        return s;
    }

    /** Node 1 as leader of term 12 over a log compacted up to 11 (entry 12 is its empty entry). */
    private static Raft leaderAtTestingSnap() {
        return lead(newRaft(1, storageAtTestingSnap()));
    }

    // ------------------------------------------------------------------ leader side

    @Nested
    @DisplayName("leader sending snapshots")
    class LeaderSide {

        @Test
        @DisplayName("Raft §7: when the entries a follower needs are compacted, the leader sends its snapshot and the progress enters SNAPSHOT")
        void sendsSnapshotWhenFollowerNeedsCompactedEntries() {
            Raft r = leaderAtTestingSnap();
            Progress pr2 = r.trk.progress().get(2L);
            assertThat(pr2.next).isEqualTo(12);

            // Node 2 rejects the probe at 11: it has nothing; the leader backs off to index 1,
            // which is compacted.
            r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(11).reject(true).rejectHint(0).build());

            List<Message> snaps = ofType(take(r), MessageType.SNAP);
            assertThat(snaps).hasSize(1);
            assertThat(snaps.get(0).to()).isEqualTo(2);
            assertThat(snaps.get(0).term()).isEqualTo(r.term);
            assertThat(snaps.get(0).snapshot().metadata()).isEqualTo(TESTING_SNAP.metadata());
            assertThat(pr2.state).isEqualTo(ProgressState.SNAPSHOT);
            assertThat(pr2.pendingSnapshot).isEqualTo(11);
            assertThat(pr2.next).isEqualTo(12);
        }

        @Test
        @DisplayName("Raft §7: a follower being sent a snapshot gets no appends until the snapshot is reported")
        void pendingSnapshotPausesReplication() {
            Raft r = leaderAtTestingSnap();
            r.trk.progress().get(2L).becomeSnapshot(11);

            r.step(prop(1, "somedata"));

            assertThat(take(r)).isEmpty();
            assertThat(r.raftLog.lastIndex()).isEqualTo(13);
        }

        @Test
        @DisplayName("Raft §7: a failed snapshot send (reportSnapshot false) drops the pending snapshot and probes from match+1, paused")
        void reportSnapshotFailure() {
            MemoryStorage s = storageAtTestingSnap();
            RawNode rn = newRawNode(1, s, c -> c);
            Raft r = lead(rn.raft());
            Progress pr2 = r.trk.progress().get(2L);
            pr2.becomeSnapshot(11);

            rn.reportSnapshot(2, false);

            assertThat(pr2.state).isEqualTo(ProgressState.PROBE);
            assertThat(pr2.pendingSnapshot).isZero();
            assertThat(pr2.next).isEqualTo(1);
            assertThat(pr2.msgAppFlowPaused).isTrue();
            assertThat(take(r)).isEmpty();

            // The next heartbeat response un-pauses the flow; the entries are still compacted, so
            // the leader retries with a snapshot.
            pr2.recentActive = true;
            r.step(msg(MessageType.HEARTBEAT_RESP, 2, 1, r.term).build());
            List<Message> out = take(r);
            assertThat(ofType(out, MessageType.SNAP)).hasSize(1);
            assertThat(pr2.state).isEqualTo(ProgressState.SNAPSHOT);
        }

        @Test
        @DisplayName("Raft §7: a delivered snapshot (reportSnapshot true) moves the follower to PROBE just past the snapshot, paused until it acks")
        void reportSnapshotSuccess() {
            MemoryStorage s = storageAtTestingSnap();
            RawNode rn = newRawNode(1, s, c -> c);
            Raft r = lead(rn.raft());
            Progress pr2 = r.trk.progress().get(2L);
            pr2.becomeSnapshot(11);

            rn.reportSnapshot(2, true);

            assertThat(pr2.state).isEqualTo(ProgressState.PROBE);
            assertThat(pr2.pendingSnapshot).isZero();
            assertThat(pr2.next).isEqualTo(12);
            assertThat(pr2.msgAppFlowPaused).isTrue();

            // The follower's ack of the snapshot index moves it to REPLICATE and the leader sends
            // the rest of the log.
            r.step(appResp(r, 2, 11));
            assertThat(pr2.state).isEqualTo(ProgressState.REPLICATE);
            assertThat(pr2.match).isEqualTo(11);
            List<Message> apps = ofType(take(r), MessageType.APP);
            assertThat(apps).isNotEmpty();
            assertThat(apps.get(0).index()).isEqualTo(11);
            assertThat(apps.get(0).entries()).extracting(Entry::index).containsExactly(12L);
        }

        @Test
        @DisplayName("Raft §7: a snapshot status for a follower that is not in SNAPSHOT state is ignored")
        void snapshotStatusOutsideSnapshotStateIgnored() {
            MemoryStorage s = storageAtTestingSnap();
            RawNode rn = newRawNode(1, s, c -> c);
            Raft r = lead(rn.raft());
            Progress pr2 = r.trk.progress().get(2L);
            r.step(appResp(r, 2, 12));
            assertThat(pr2.state).isEqualTo(ProgressState.REPLICATE);
            long next = pr2.next;

            rn.reportSnapshot(2, false);

            assertThat(pr2.state).isEqualTo(ProgressState.REPLICATE);
            assertThat(pr2.next).isEqualTo(next);
            assertThat(pr2.match).isEqualTo(12);
        }

        @Test
        @DisplayName("Raft §7: an ack at or past the pending snapshot index ends the SNAPSHOT state early and replication resumes")
        void ackPastPendingSnapshotAbortsIt() {
            Raft r = leaderAtTestingSnap();
            Progress pr2 = r.trk.progress().get(2L);
            pr2.becomeSnapshot(11);

            r.step(appResp(r, 2, 11));

            assertThat(pr2.pendingSnapshot).isZero();
            assertThat(pr2.state).isEqualTo(ProgressState.REPLICATE);
            // The leader sent its empty entry 12 and optimistically advanced next.
            assertThat(pr2.next).isEqualTo(13);
            assertThat(pr2.inflights.count()).isEqualTo(1);
        }

        @Test
        @DisplayName("Raft §7: the leader does not send a snapshot to a follower it has not heard from recently")
        void noSnapshotToInactiveFollower() {
            Raft r = leaderAtTestingSnap();
            Progress pr2 = r.trk.progress().get(2L);
            pr2.next = 1; // node 2 needs index 1, which is compacted
            pr2.recentActive = false;

            r.step(prop(1, "somedata"));

            assertThat(ofType(take(r), MessageType.SNAP)).isEmpty();
            assertThat(pr2.state).isEqualTo(ProgressState.PROBE);
        }

        @Test
        @DisplayName("Raft §7: when storage says a snapshot is temporarily unavailable, the leader sends nothing and retries later")
        void snapshotTemporarilyUnavailable() {
            MemoryStorage inner = storageAtTestingSnap();
            boolean[] unavailable = {true};
            LogStorage s = new LogStorageDelegate(inner) {
                @Override
                public Snapshot snapshot() {
                    if (unavailable[0]) {
                        throw new StorageException(StorageException.Kind.SNAPSHOT_TEMPORARILY_UNAVAILABLE, "busy");
                    }
                    return inner.snapshot();
                }
            };
            Raft r = new Raft(RaftTestUtil.config(1, s));
            lead(r);
            // Move the leader's empty entry to storage so that raftLog.snapshot() asks the storage.
            inner.append(r.raftLog.unstableEntries());
            r.raftLog.stableTo(12, r.term);
            Progress pr2 = r.trk.progress().get(2L);

            r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(11).reject(true).build());
            assertThat(ofType(take(r), MessageType.SNAP)).isEmpty();
            assertThat(pr2.state).isEqualTo(ProgressState.PROBE);

            unavailable[0] = false;
            r.step(msg(MessageType.HEARTBEAT_RESP, 2, 1, r.term).build());
            assertThat(ofType(take(r), MessageType.SNAP)).hasSize(1);
            assertThat(pr2.state).isEqualTo(ProgressState.SNAPSHOT);
        }

        @Test
        @DisplayName("Raft §7: compacting the leader's log past a follower's match makes the leader fall back to a snapshot instead of losing entries")
        void compactionPastFollowerMatchFallsBackToSnapshot() {
            MemoryStorage s = storage(1L, 2L, 3L);
            Raft r = lead(newRaft(1, s));
            // Node 3 acks everything, node 2 only the leader's empty entry.
            r.step(appResp(r, 2, 1));
            r.step(appResp(r, 3, 1));
            for (int i = 0; i < 9; i++) {
                r.step(prop(1, "e" + i));
            }
            durable(r);
            r.step(appResp(r, 3, 10));
            assertThat(r.raftLog.committed).isEqualTo(10);
            nextEntsLikeRawNode(r, s);
            take(r);

            // The application snapshots at 10 and compacts: entries 2..10 that node 2 lacks are gone.
            s.createSnapshot(10, voters(1L, 2L, 3L), RaftTestUtil.bytes("state@10"));
            s.compact(10);
            Progress pr2 = r.trk.progress().get(2L);
            pr2.becomeProbe();

            r.step(msg(MessageType.HEARTBEAT_RESP, 2, 1, r.term).build());
            List<Message> out = take(r);
            assertThat(ofType(out, MessageType.APP)).filteredOn(m -> m.to() == 2).isEmpty();
            List<Message> snaps = ofType(out, MessageType.SNAP);
            assertThat(snaps).hasSize(1);
            assertThat(snaps.get(0).snapshot().index()).isEqualTo(10);
            assertThat(pr2.state).isEqualTo(ProgressState.SNAPSHOT);
            assertThat(pr2.pendingSnapshot).isEqualTo(10);
        }
    }

    // ------------------------------------------------------------------ follower side

    @Nested
    @DisplayName("follower installing snapshots")
    class FollowerSide {

        @Test
        @DisplayName("Raft §7: restoring a snapshot replaces the log, sets commit to its index and installs its configuration")
        void restore() {
            Raft r = newRaft(1, storage(1L, 2L));
            Snapshot snap = snapshot(11, 11, voters(1L, 2L, 3L));

            assertThat(r.restore(snap)).isTrue();

            assertThat(r.raftLog.lastIndex()).isEqualTo(11);
            assertThat(r.raftLog.term(11)).isEqualTo(11);
            assertThat(r.raftLog.committed).isEqualTo(11);
            assertThat(r.raftLog.hasPendingSnapshot()).isTrue();
            assertThat(r.trk.confState().voters()).containsExactlyInAnyOrder(1L, 2L, 3L);
            // Installing it a second time is a no-op.
            assertThat(r.restore(snap)).isFalse();
        }

        @Test
        @DisplayName("Raft §7: a snapshot message from the leader surfaces in Ready.snapshot, is acked at its index, and after applySnapshot the log starts after it")
        void snapshotMessageThroughReady() {
            MemoryStorage s = storage(1L, 2L);
            RawNode rn = newRawNode(2, s, c -> c);
            Snapshot snap = snapshot(11, 11, voters(1L, 2L));

            rn.step(msg(MessageType.SNAP, 1, 2, 12).snapshot(snap).build());

            assertThat(rn.raft().lead).isEqualTo(1);
            assertThat(rn.raft().term).isEqualTo(12);
            assertThat(rn.hasReady()).isTrue();
            Ready rd = rn.ready();
            assertThat(rd.snapshot()).isEqualTo(snap);
            assertThat(rd.hardState().commit()).isEqualTo(11);
            assertThat(rd.committedEntries()).isEmpty();
            assertThat(rd.messages()).singleElement().satisfies(m -> {
                assertThat(m.type()).isEqualTo(MessageType.APP_RESP);
                assertThat(m.to()).isEqualTo(1);
                assertThat(m.index()).isEqualTo(11);
                assertThat(m.reject()).isFalse();
            });
            s.applySnapshot(rd.snapshot());
            s.setHardState(rd.hardState());
            rn.advance(rd);

            assertThat(rn.raft().raftLog.hasPendingSnapshot()).isFalse();
            assertThat(rn.raft().raftLog.applied).isEqualTo(11);
            assertThat(s.firstIndex()).isEqualTo(12);
            assertThat(s.snapshot().data()).isEqualTo(snap.data());

            // Entries after the snapshot are now accepted.
            rn.step(msg(MessageType.APP, 1, 2, 12).index(11).logTerm(11).commit(12)
                    .entries(List.of(Entry.normal(12, 12, RaftTestUtil.bytes("x")))).build());
            Ready rd2 = rn.ready();
            assertThat(rd2.entries()).extracting(Entry::index).containsExactly(12L);
            assertThat(rd2.committedEntries()).extracting(Entry::index).containsExactly(12L);
        }

        @Test
        @DisplayName("Raft §7: a snapshot at or below the commit index is stale: it is ignored and answered with the commit index")
        void staleSnapshotIgnored() {
            MemoryStorage s = storage(1L, 2L);
            s.append(List.of(Entry.normal(1, 1, null), Entry.normal(1, 2, null), Entry.normal(1, 3, null)));
            s.setHardState(new HardState(1, 0, 3));
            Raft r = newRaft(2, s);

            r.step(msg(MessageType.SNAP, 1, 2, 1).snapshot(snapshot(2, 1, voters(1L, 2L))).build());

            assertThat(r.raftLog.hasPendingSnapshot()).isFalse();
            assertThat(r.raftLog.lastIndex()).isEqualTo(3);
            assertThat(take(r)).singleElement().satisfies(m -> {
                assertThat(m.type()).isEqualTo(MessageType.APP_RESP);
                assertThat(m.index()).isEqualTo(3);
            });
            // The storage refuses to go back to an older snapshot as well.
            s.applySnapshot(snapshot(3, 1, voters(1L, 2L)));
            assertThatThrownBy(() -> s.applySnapshot(snapshot(2, 1, voters(1L, 2L))))
                    .isInstanceOf(StorageException.class)
                    .extracting(e -> ((StorageException) e).kind())
                    .isEqualTo(StorageException.Kind.SNAPSHOT_OUT_OF_DATE);
        }

        @Test
        @DisplayName("Raft §5.1, §7: a snapshot message from a leader of an older term is ignored")
        void snapshotFromOldTermIgnored() {
            MemoryStorage s = storage(1L, 2L);
            s.setHardState(new HardState(5, 0, 0));
            Raft r = newRaft(2, s, c -> c.checkQuorum(true).preVote(true));

            r.step(msg(MessageType.SNAP, 1, 2, 3).snapshot(snapshot(11, 3, voters(1L, 2L))).build());

            assertThat(r.term).isEqualTo(5);
            assertThat(r.lead).isZero();
            assertThat(r.raftLog.hasPendingSnapshot()).isFalse();
            assertThat(r.raftLog.lastIndex()).isZero();
            assertThat(take(r)).isEmpty();
        }

        @Test
        @DisplayName("Raft §7: if the follower already has the snapshot's last entry, it keeps its log and only fast-forwards its commit index")
        void restoreWhenEntryPresentFastForwardsCommit() {
            MemoryStorage s = storage(1L, 2L);
            s.append(List.of(Entry.normal(1, 1, null), Entry.normal(1, 2, null), Entry.normal(1, 3, null)));
            s.setHardState(new HardState(1, 0, 1));
            Raft r = newRaft(2, s);
            assertThat(r.raftLog.committed).isEqualTo(1);

            r.step(msg(MessageType.SNAP, 1, 2, 1).snapshot(snapshot(2, 1, voters(1L, 2L))).build());

            assertThat(r.raftLog.committed).isEqualTo(2);
            assertThat(r.raftLog.hasPendingSnapshot()).isFalse();
            assertThat(r.raftLog.lastIndex()).isEqualTo(3);
            assertThat(r.raftLog.term(3)).isEqualTo(1);
            assertThat(take(r)).singleElement().satisfies(m -> {
                assertThat(m.type()).isEqualTo(MessageType.APP_RESP);
                assertThat(m.reject()).isFalse();
                assertThat(m.index()).isEqualTo(2);
            });
        }

        @Test
        @DisplayName("Raft §7: if the follower's entry at the snapshot index has another term, the whole log is replaced by the snapshot")
        void restoreWhenEntryConflictsReplacesLog() {
            MemoryStorage s = storage(1L, 2L);
            s.append(List.of(Entry.normal(1, 1, null), Entry.normal(2, 2, null), Entry.normal(2, 3, null)));
            s.setHardState(new HardState(2, 0, 1));
            Raft r = newRaft(2, s);

            r.step(msg(MessageType.SNAP, 1, 2, 3).snapshot(snapshot(3, 3, voters(1L, 2L))).build());

            assertThat(r.raftLog.hasPendingSnapshot()).isTrue();
            assertThat(r.raftLog.lastIndex()).isEqualTo(3);
            assertThat(r.raftLog.term(3)).isEqualTo(3);
            assertThat(r.raftLog.committed).isEqualTo(3);
            assertThat(take(r)).singleElement().satisfies(m -> assertThat(m.index()).isEqualTo(3));
        }

        @Test
        @DisplayName("Raft §7, thesis §4.2.1: a node with a snapshot pending installation does not campaign")
        void pendingSnapshotDoesNotCampaign() {
            MemoryStorage s = storage(1L, 2L, 3L);
            RawNode rn = newRawNode(2, s, c -> c);
            Raft r = rn.raft();
            assertThat(r.restore(snapshot(11, 11, voters(1L, 2L, 3L)))).isTrue();
            assertThat(r.promotable()).isFalse();

            for (int i = 0; i < 3 * RaftTestUtil.ELECTION; i++) {
                rn.tick();
            }
            rn.campaign();
            assertThat(r.state).isEqualTo(StateType.FOLLOWER);
            assertThat(ofType(r.msgs, MessageType.VOTE)).isEmpty();

            // Once the snapshot is persisted the node may campaign.
            RaftTestUtil.handleReady(rn, s);
            assertThat(r.promotable()).isTrue();
            rn.campaign();
            assertThat(r.state).isEqualTo(StateType.CANDIDATE);
            assertThat(ofType(take(r), MessageType.VOTE)).hasSize(2);
        }

        @Test
        @DisplayName("Raft §7, thesis §4.1: a snapshot taken before a node was added is installed, but the node stays non-voting until it learns of its addition from the log")
        void snapshotWithoutSelf() {
            // NOTE: etcd drops such a snapshot; this core deliberately installs it (Raft.restore)
            // because a node added after the leader's latest snapshot can only catch up through it.
            MemoryStorage s = new MemoryStorage();
            RawNode rn = newRawNode(3, s, c -> c);
            Raft r = rn.raft();

            rn.step(msg(MessageType.SNAP, 1, 3, 2).snapshot(snapshot(10, 2, voters(1L, 2L))).build());
            assertThat(r.raftLog.lastIndex()).isEqualTo(10);
            assertThat(r.trk.confState().voters()).containsExactlyInAnyOrder(1L, 2L);
            RaftTestUtil.handleReady(rn, s);

            assertThat(r.promotable()).isFalse();
            for (int i = 0; i < 3 * RaftTestUtil.ELECTION; i++) {
                rn.tick();
            }
            rn.campaign();
            assertThat(r.state).isEqualTo(StateType.FOLLOWER);
            assertThat(ofType(r.msgs, MessageType.VOTE)).isEmpty();

            // The log after the snapshot adds node 3; once applied, node 3 is a voter.
            Entry add3 = new Entry(2, 11, EntryType.CONF_CHANGE,
                    ConfChange.of(ConfChangeSingle.addVoter(3)).encode());
            rn.step(msg(MessageType.APP, 1, 3, 2).index(10).logTerm(2).commit(11).entries(List.of(add3)).build());
            Ready rd = RaftTestUtil.handleReady(rn, s);
            assertThat(rd.committedEntries()).containsExactly(add3);
            assertThat(r.trk.confState().voters()).containsExactlyInAnyOrder(1L, 2L, 3L);
            assertThat(r.promotable()).isTrue();
        }

        @Test
        @DisplayName("Raft §7, thesis §4.2.1: restoring a snapshot whose configuration has this node as learner makes it a learner")
        void restoreWithLearner() {
            Raft r = newRaft(3, storage(1L, 2L, 3L));
            Snapshot snap = snapshot(11, 11, conf(Set.of(1L, 2L), Set.of(3L)));

            assertThat(r.restore(snap)).isTrue();

            assertThat(r.isLearner).isTrue();
            assertThat(r.trk.progress().get(3L).isLearner).isTrue();
            assertThat(r.trk.confState().learners()).containsExactly(3L);
            assertThat(r.trk.confState().voters()).containsExactlyInAnyOrder(1L, 2L);
            assertThat(r.promotable()).isFalse();
        }

        @Test
        @DisplayName("Raft §7, thesis §4.2.1: a snapshot may turn a learner into a voter")
        void restoreLearnerPromotion() {
            MemoryStorage s = MemoryStorage.withMembers(conf(Set.of(1L, 2L), Set.of(3L)));
            Raft r = newRaft(3, s);
            assertThat(r.isLearner).isTrue();

            assertThat(r.restore(snapshot(11, 11, voters(1L, 2L, 3L)))).isTrue();

            assertThat(r.isLearner).isFalse();
            assertThat(r.trk.progress().get(3L).isLearner).isFalse();
        }

        @Test
        @DisplayName("Raft §7, thesis §4.3: a snapshot taken in a joint configuration restores both voter sets")
        void restoreWithVotersOutgoing() {
            Raft r = newRaft(1, storage(1L, 2L));
            ConfState joint = new ConfState(Set.of(2L, 3L, 4L), Set.of(1L, 2L, 3L), Set.of(), Set.of(), Set.of(), true);

            assertThat(r.restore(snapshot(11, 11, joint))).isTrue();

            assertThat(r.trk.config().voters().isJoint()).isTrue();
            assertThat(r.trk.confState().equivalent(joint)).isTrue();
            assertThat(r.trk.progress().keySet()).containsExactly(1L, 2L, 3L, 4L);
            // Node 1 is only an outgoing voter but may still campaign once the snapshot is persisted.
            r.raftLog.stableSnapTo(11);
            assertThat(r.promotable()).isTrue();
        }

        @Test
        @DisplayName("Raft §7: the application can snapshot only applied, existing entries and compacts once")
        void storageSnapshotAndCompactionContract() {
            MemoryStorage s = storage(1L);
            s.append(List.of(Entry.normal(1, 1, null), Entry.normal(1, 2, null), Entry.normal(2, 3, null)));

            Snapshot snap = s.createSnapshot(2, null, RaftTestUtil.bytes("d"));
            assertThat(snap.index()).isEqualTo(2);
            assertThat(snap.term()).isEqualTo(1);
            assertThat(snap.metadata().confState().voters()).containsExactly(1L);
            assertThatThrownBy(() -> s.createSnapshot(2, null, null)).isInstanceOf(StorageException.class);
            assertThatThrownBy(() -> s.createSnapshot(4, null, null)).isInstanceOf(IllegalArgumentException.class);

            s.compact(2);
            assertThat(s.firstIndex()).isEqualTo(3);
            assertThat(s.term(2)).isEqualTo(1);
            assertThat(s.lastIndex()).isEqualTo(3);
            assertThatThrownBy(() -> s.compact(2)).isInstanceOf(StorageException.class);
            assertThatThrownBy(() -> s.entries(2, 4, Long.MAX_VALUE))
                    .isInstanceOf(StorageException.class)
                    .extracting(e -> ((StorageException) e).kind()).isEqualTo(StorageException.Kind.COMPACTED);
        }
    }

    // ------------------------------------------------------------------ end to end

    @Nested
    @DisplayName("through the network")
    class ThroughNetwork {

        /** Node {@code id}'s application snapshots its state at its applied index and compacts its log. */
        private Snapshot compact(TestNetwork nt, long id) {
            MemoryStorage s = nt.storage(id);
            long applied = nt.appliedIndex(id);
            Snapshot snap = s.createSnapshot(applied, nt.node(id).confState(),
                    TestNetwork.bytes(String.join(",", stateOf(nt, id))));
            s.compact(applied);
            return snap;
        }

        /** What node {@code id}'s state machine holds: its last snapshot's data plus what it applied after. */
        private List<String> stateOf(TestNetwork nt, long id) {
            List<String> out = new java.util.ArrayList<>();
            Snapshot snap = nt.storage(id).snapshot();
            long from = 0;
            if (!snap.isEmpty()) {
                String d = new String(snap.data(), java.nio.charset.StandardCharsets.UTF_8);
                if (!d.isEmpty()) {
                    out.addAll(List.of(d.split(",")));
                }
                from = snap.index();
            }
            for (Entry e : nt.applied(id)) {
                if (e.index() > from && e.type() == EntryType.NORMAL && e.data().length > 0) {
                    out.add(new String(e.data(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return out;
        }

        @Test
        @DisplayName("Raft §7: a follower that missed compacted entries is caught up by InstallSnapshot; its progress goes SNAPSHOT -> PROBE (on a failed send) -> SNAPSHOT -> REPLICATE")
        void laggingFollowerCaughtUpBySnapshot() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.isolate(3);
            for (int i = 0; i < 10; i++) {
                nt.propose(1, "v" + i);
            }
            Snapshot snap = compact(nt, 1);
            assertThat(snap.index()).isEqualTo(11);
            Raft leader = nt.raft(1);
            Progress pr3 = leader.trk.progress().get(3L);

            // First attempt: the snapshot is lost on the way; the transport reports the failure.
            nt.recover();
            nt.dropIf(m -> m.type() == MessageType.SNAP);
            nt.tick(1, 1);
            assertThat(pr3.state).isEqualTo(ProgressState.SNAPSHOT);
            assertThat(pr3.pendingSnapshot).isEqualTo(11);
            nt.node(1).reportSnapshot(3, false);
            assertThat(pr3.state).isEqualTo(ProgressState.PROBE);
            assertThat(pr3.pendingSnapshot).isZero();

            // Second attempt after the next heartbeat goes through.
            nt.recover();
            nt.clearDelivered();
            nt.tick(1, 1);
            assertThat(ofType(nt.delivered(), MessageType.SNAP)).singleElement()
                    .satisfies(m -> assertThat(m.to()).isEqualTo(3));
            assertThat(pr3.state).isEqualTo(ProgressState.REPLICATE);
            assertThat(pr3.match).isEqualTo(leader.raftLog.lastIndex());

            Raft r3 = nt.raft(3);
            assertThat(nt.storage(3).snapshot().index()).isEqualTo(11);
            assertThat(r3.raftLog.firstIndex()).isEqualTo(12);
            assertThat(r3.raftLog.committed).isEqualTo(leader.raftLog.committed);
            assertThat(nt.appliedIndex(3)).isEqualTo(11);
            assertThat(stateOf(nt, 3)).isEqualTo(stateOf(nt, 1));

            // And replication continues normally from the log.
            nt.propose(1, "after");
            assertThat(nt.appliedData(3)).containsExactly("after");
            assertThat(stateOf(nt, 3)).isEqualTo(stateOf(nt, 1)).endsWith("v9", "after");
        }

        @Test
        @DisplayName("Raft §7: a follower whose missing entries are still in the leader's log gets them by AppendEntries, not a snapshot")
        void noSnapshotWhileEntriesAvailable() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.isolate(3);
            for (int i = 0; i < 5; i++) {
                nt.propose(1, "v" + i);
            }
            nt.recover();
            nt.clearDelivered();
            nt.tick(1, 1);
            assertThat(ofType(nt.delivered(), MessageType.SNAP)).isEmpty();
            assertThat(nt.appliedData(3)).containsExactly("v0", "v1", "v2", "v3", "v4");
        }

        @Test
        @DisplayName("Raft §7: after repeated compactions on every node while one node is partitioned, all replicas converge to the same state and keep committing")
        void compactionNeverLosesEntries() {
            TestNetwork nt = TestNetwork.of(5);
            nt.elect(1);
            int seq = 0;
            for (int round = 0; round < 4; round++) {
                long lagging = 2 + round; // 2, 3, 4, 5 in turn
                nt.isolate(lagging);
                for (int i = 0; i < 7; i++) {
                    nt.propose(1, "e" + seq++);
                }
                // Every connected node compacts up to what it applied.
                for (long id : nt.ids()) {
                    if (id != lagging && nt.appliedIndex(id) > nt.storage(id).snapshot().index()) {
                        compact(nt, id);
                    }
                }
                nt.recover();
                nt.clearDelivered();
                nt.tickAll(1);
                assertThat(ofType(nt.delivered(), MessageType.SNAP)).as("snapshots in round %d", round)
                        .singleElement().satisfies(m -> assertThat(m.to()).isEqualTo(lagging));
                for (long id : nt.ids()) {
                    assertThat(nt.raft(id).raftLog.committed)
                            .as("commit of node %d after round %d", id, round)
                            .isEqualTo(nt.raft(1).raftLog.committed);
                }
            }
            nt.propose(1, "final");
            List<String> expected = new java.util.ArrayList<>();
            for (int i = 0; i < seq; i++) {
                expected.add("e" + i);
            }
            expected.add("final");
            for (long id : nt.ids()) {
                assertThat(stateOf(nt, id)).as("state of node %d", id).isEqualTo(expected);
                assertThat(nt.raft(id).raftLog.lastIndex()).isEqualTo(nt.raft(1).raftLog.lastIndex());
                assertThat(nt.raft(id).raftLog.lastTerm()).isEqualTo(nt.raft(1).raftLog.lastTerm());
            }
        }

        @Test
        @DisplayName("Raft §7, thesis §4.1: a node added after the leader's latest snapshot starts empty, installs that snapshot and then becomes a voter from the log")
        void newNodeCaughtUpBySnapshotTakenBeforeItsAddition() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            for (int i = 0; i < 5; i++) {
                nt.propose(1, "v" + i);
            }
            compact(nt, 1);
            nt.addNode(4, new MemoryStorage());
            nt.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.addVoter(4)));
            nt.stabilize();
            nt.tickAll(2);

            assertThat(nt.confChangeErrors(4)).isEmpty();
            assertThat(nt.storage(4).snapshot().index()).isEqualTo(6);
            assertThat(nt.node(4).confState().voters()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
            assertThat(nt.raft(4).promotable()).isTrue();
            assertThat(nt.raft(1).trk.progress().get(4L).state).isEqualTo(ProgressState.REPLICATE);

            nt.propose(1, "w");
            assertThat(stateOf(nt, 4)).isEqualTo(stateOf(nt, 1)).endsWith("v4", "w");
        }

        @Test
        @DisplayName("Raft §7: a follower restarted after installing a snapshot recovers the snapshot's configuration and log position from storage")
        void restartAfterSnapshot() {
            TestNetwork nt = TestNetwork.of(3);
            nt.elect(1);
            nt.isolate(3);
            for (int i = 0; i < 4; i++) {
                nt.propose(1, "v" + i);
            }
            compact(nt, 1);
            nt.recover();
            nt.tickAll(1);
            assertThat(nt.storage(3).snapshot().index()).isEqualTo(5);

            RawNode again = nt.restart(3);
            assertThat(again.raft().raftLog.firstIndex()).isEqualTo(6);
            assertThat(again.raft().raftLog.committed).isGreaterThanOrEqualTo(5);
            assertThat(again.confState().voters()).containsExactlyInAnyOrder(1L, 2L, 3L);
            nt.propose(1, "x");
            assertThat(stateOf(nt, 3)).isEqualTo(stateOf(nt, 1));
        }
    }
}
