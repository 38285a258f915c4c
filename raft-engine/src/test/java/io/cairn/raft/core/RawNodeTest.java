package io.cairn.raft.core;

import static io.cairn.raft.core.RaftTestUtil.bytes;
import static io.cairn.raft.core.RaftTestUtil.config;
import static io.cairn.raft.core.RaftTestUtil.ents;
import static io.cairn.raft.core.RaftTestUtil.msg;
import static io.cairn.raft.core.RaftTestUtil.storage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.tracker.ProgressState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@link RawNode} / {@link Ready} contract: what must be persisted (and synced) before messages
 * are sent, committed entries handed out exactly once, soft and hard state reported only on change,
 * restart from storage, and the guards on {@link RawNode#step}. Raft §5 (persistent state: term, vote,
 * log before responding), thesis §3.8 and §10.2; ported from etcd-raft's rawnode_test.go.
 */
class RawNodeTest {

    private static RawNode newNode(long id, MemoryStorage s) {
        return new RawNode(config(id, s));
    }

    private static RawNode newNode(long id, MemoryStorage s, Consumer<RaftConfig> tweak) {
        RaftConfig c = config(id, s);
        tweak.accept(c);
        return new RawNode(c);
    }

    private static List<Ready> drain(RawNode n, MemoryStorage s) {
        List<Ready> out = new ArrayList<>();
        while (n.hasReady()) {
            out.add(RaftTestUtil.handleReady(n, s));
        }
        return out;
    }

    // ------------------------------------------------------------------ step guards

    @ParameterizedTest
    @EnumSource(MessageType.class)
    @DisplayName("§5 (message handling): RawNode.step refuses local message types (they come from tick/campaign/"
            + "report*, never from the network) and accepts the others")
    void stepRefusesLocalMessages(MessageType t) {
        RawNode n = newNode(1, storage(1L, 2L, 3L));
        Message m = msg(t, 2, 1, 1).build();
        if (t.isLocal()) {
            assertThatThrownBy(() -> n.step(m)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(t.name());
        } else if (t == MessageType.SNAP || t == MessageType.PROP) {
            // need a payload: covered elsewhere
            assertThat(t.isLocal()).isFalse();
        } else {
            n.step(m);
        }
    }

    @Test
    @DisplayName("§5 (message handling): responses from peers outside the configuration are ignored; requests from"
            + " them are still processed")
    void responsesFromUnknownPeersIgnored() {
        MemoryStorage s = storage(1L, 2L, 3L);
        RawNode n = newNode(1, s);
        n.campaign();
        n.step(msg(MessageType.VOTE_RESP, 2, 1, 1).build());
        assertThat(n.isLeader()).isTrue();
        drain(n, s);
        long term = n.raft().term;
        for (MessageType t : MessageType.values()) {
            if (t.isResponse() && !t.isLocal()) {
                n.step(msg(t, 9, 1, term + 5).index(1).build());
            }
        }
        assertThat(n.isLeader()).isTrue();
        assertThat(n.raft().term).isEqualTo(term);
        assertThat(n.hasReady()).isFalse();
        // a request (not a response) from node 9 with a higher term is handled: the leader steps down
        n.step(msg(MessageType.APP, 9, 1, term + 5).build());
        assertThat(n.isLeader()).isFalse();
        assertThat(n.raft().term).isEqualTo(term + 5);
    }

    @Test
    @DisplayName("§5.3: a proposal refused by the core throws from propose, but is dropped silently when it arrives"
            + " from the network through step")
    void proposalDropSemantics() {
        MemoryStorage s = storage(1L, 2L, 3L);
        RawNode n = newNode(1, s);
        assertThatThrownBy(() -> n.propose(bytes("x"))).isInstanceOfSatisfying(ProposalDroppedException.class,
                e -> assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.NO_LEADER));
        assertThatThrownBy(() -> n.proposeConfChange(ConfChange.of(ConfChangeSingle.addVoter(4))))
                .isInstanceOf(ProposalDroppedException.class);
        n.step(Message.builder(MessageType.PROP).from(2).to(1)
                .entries(List.of(Entry.proposal(EntryType.NORMAL, bytes("x")))).build());
        assertThat(n.lastIndex()).isZero();
        assertThat(n.hasReady()).isFalse();
    }

    @Test
    @DisplayName("thesis §6.4: readIndex requires a non-empty, unique request context")
    void readIndexNeedsContext() {
        RawNode n = newNode(1, storage(1L));
        assertThatThrownBy(() -> n.readIndex(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> n.readIndex(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> n.readIndex(bytes("ctx"))).isInstanceOf(ProposalDroppedException.class);
    }

    @Test
    @DisplayName("thesis §6.4: reads are refused by a candidate (no leader) and by a learner that is not an observer")
    void readIndexRefusals() {
        RawNode c = newNode(1, storage(1L, 2L, 3L));
        c.campaign();
        assertThatThrownBy(() -> c.readIndex(bytes("ctx"))).isInstanceOfSatisfying(ProposalDroppedException.class,
                e -> assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.NO_LEADER));
        MemoryStorage ls = MemoryStorage.withMembers(
                new ConfState(java.util.Set.of(2L), java.util.Set.of(), java.util.Set.of(1L), java.util.Set.of(),
                        java.util.Set.of(), false));
        RawNode learner = newNode(1, ls);
        assertThatThrownBy(() -> learner.readIndex(bytes("ctx"))).isInstanceOfSatisfying(
                ProposalDroppedException.class,
                e -> assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.NOT_A_MEMBER));
    }

    @Test
    @DisplayName("§5 (persistent state): a node refuses to start from a hard state whose commit index is beyond its log"
            + " (lost or corrupted storage)")
    void corruptHardStateRefused() {
        MemoryStorage s = storage(ents(1, 1), new HardState(1, 0, 5), 1L);
        assertThatThrownBy(() -> newNode(1, s)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    @DisplayName("§5.2 / §10.2 (configuration): RawNode validates its configuration (ids, timeouts, window and size"
            + " limits, lease reads need CheckQuorum)")
    void configValidation() {
        MemoryStorage s = storage(1L);
        List<Consumer<RaftConfig>> bad = List.of(
                c -> c.id(0),
                c -> c.storage(null),
                c -> c.heartbeatTick(0),
                c -> c.electionTick(1),
                c -> c.maxInflightMsgs(0),
                c -> c.maxInflightBytes(-1),
                c -> c.maxSizePerMsg(100).maxInflightBytes(50),
                c -> c.maxSizePerMsg(0),
                c -> c.maxCommittedSizePerReady(0),
                c -> c.maxUncommittedEntriesSize(-1),
                c -> c.readOnlyOption(ReadOnlyOption.LEASE_BASED).checkQuorum(false));
        for (Consumer<RaftConfig> b : bad) {
            RaftConfig c = config(1, s);
            b.accept(c);
            assertThatThrownBy(() -> new RawNode(c)).isInstanceOf(IllegalArgumentException.class);
        }
        RaftConfig ok = RaftConfig.of(1, s);
        assertThat(ok.electionTick()).isEqualTo(10);
        assertThat(ok.heartbeatTick()).isEqualTo(1);
        assertThat(ok.preVote()).isTrue();
        assertThat(ok.checkQuorum()).isTrue();
        assertThat(ok.readOnlyOption()).isEqualTo(ReadOnlyOption.SAFE);
        assertThat(ok.disableProposalForwarding()).isFalse();
        assertThat(ok.maxInflightBytes()).isZero();
        assertThat(ok.maxUncommittedEntriesSize()).isZero();
        assertThat(ok.applied()).isZero();
        assertThat(ok.id()).isEqualTo(1);
        assertThat(ok.storage()).isSameAs(s);
        assertThat(ok.random().nextInt()).as("default randomness is seeded by id")
                .isEqualTo(new java.util.Random(1).nextInt());
        RaftConfig lease = RaftConfig.of(1, s).readOnlyOption(ReadOnlyOption.LEASE_BASED);
        assertThat(new RawNode(lease).id()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ Ready contract

    @Test
    @DisplayName("§5.2 / §5.3, thesis §10.2.1: a single node's first Ready after campaigning carries the new soft"
            + " state, the hard state (term, vote), the empty entry to persist, and must be synced; the entry commits"
            + " only when advance reports it durable, and the next Ready hands it out")
    void firstReadyOfSingleNode() {
        MemoryStorage s = storage(1L);
        RawNode n = newNode(1, s);
        assertThat(n.hasReady()).isFalse();
        assertThat(n.ready().isEmpty()).isTrue();
        n.campaign();
        assertThat(n.hasReady()).isTrue();
        Ready rd = n.ready();
        assertThat(rd.softState()).isEqualTo(new SoftState(1, StateType.LEADER));
        assertThat(rd.hardState()).isEqualTo(new HardState(1, 1, 0));
        assertThat(rd.entries()).containsExactly(Entry.normal(1, 1, null));
        assertThat(rd.committedEntries()).isEmpty();
        assertThat(rd.messages()).isEmpty();
        assertThat(rd.snapshot().isEmpty()).isTrue();
        assertThat(rd.mustSync()).isTrue();
        // Not committed while the write is in flight, however long it takes.
        n.tick();
        assertThat(n.raft().raftLog.committed).isZero();
        s.append(rd.entries());
        s.setHardState(rd.hardState());
        n.advance(rd);

        assertThat(n.raft().raftLog.committed).isEqualTo(1);
        assertThat(n.hasReady()).isTrue();
        Ready second = RaftTestUtil.handleReady(n, s);
        assertThat(second.softState()).isNull();
        assertThat(second.hardState()).isEqualTo(new HardState(1, 1, 1));
        assertThat(second.entries()).isEmpty();
        assertThat(second.committedEntries()).containsExactly(Entry.normal(1, 1, null));
        assertThat(second.mustSync()).isFalse();
        // after advance there is nothing left
        assertThat(n.hasReady()).isFalse();
        assertThat(n.ready().isEmpty()).isTrue();
        assertThat(n.raft().raftLog.applied).isEqualTo(1);
        assertThat(n.raft().raftLog.unstable.offset).isEqualTo(2);
        assertThat(s.lastIndex()).isEqualTo(1);
        assertThat(s.hardState()).isEqualTo(new HardState(1, 1, 1));
    }

    @Test
    @DisplayName("§5.3: committed entries are handed out exactly once, across Readys")
    void committedEntriesHandedOutOnce() {
        MemoryStorage s = storage(1L);
        RawNode n = newNode(1, s);
        n.campaign();
        drain(n, s);
        List<Entry> applied = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            n.propose(bytes("p" + i));
            for (Ready rd : drain(n, s)) {
                applied.addAll(rd.committedEntries());
            }
        }
        assertThat(applied).extracting(Entry::index).containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(applied).extracting(e -> new String(e.data())).containsExactly("p0", "p1", "p2", "p3", "p4");
        assertThat(n.hasReady()).isFalse();
    }

    @Test
    @DisplayName("§5 (persistent state): hardState is reported only when term, vote or commit changed; a Ready with"
            + " only messages has no hard state and needs no sync")
    void hardStateOnlyWhenChanged() {
        MemoryStorage s = storage(1L, 2L);
        RawNode n = newNode(1, s);
        n.campaign();
        Ready rd = RaftTestUtil.handleReady(n, s);
        assertThat(rd.hardState()).isEqualTo(new HardState(1, 1, 0));
        assertThat(rd.mustSync()).isTrue();
        assertThat(rd.messages()).singleElement().extracting(Message::type).isEqualTo(MessageType.VOTE);
        n.step(msg(MessageType.VOTE_RESP, 2, 1, 1).build());
        rd = RaftTestUtil.handleReady(n, s);
        assertThat(rd.hardState()).as("became leader: term and vote unchanged").isNull();
        assertThat(rd.softState()).isEqualTo(new SoftState(1, StateType.LEADER));
        assertThat(rd.entries()).hasSize(1);
        assertThat(rd.mustSync()).as("new entries").isTrue();
        // a heartbeat: messages only
        n.tick();
        rd = RaftTestUtil.handleReady(n, s);
        assertThat(rd.messages()).extracting(Message::type).containsOnly(MessageType.HEARTBEAT);
        assertThat(rd.hardState()).isNull();
        assertThat(rd.softState()).isNull();
        assertThat(rd.entries()).isEmpty();
        assertThat(rd.mustSync()).isFalse();
        // an ack commits the entry: the commit index changes, which needs no sync
        n.step(msg(MessageType.APP_RESP, 2, 1, 1).index(1).build());
        rd = RaftTestUtil.handleReady(n, s);
        assertThat(rd.hardState()).isEqualTo(new HardState(1, 1, 1));
        assertThat(rd.committedEntries()).hasSize(1);
        assertThat(rd.mustSync()).isFalse();
        drain(n, s);
        assertThat(n.hasReady()).isFalse();
    }

    @Test
    @DisplayName("§5 (persistent state) / §5.2: a granted vote is reported with the hard state that records it, in the"
            + " same Ready as the response, and must be synced before the response is sent")
    void voteMustBeSyncedBeforeResponse() {
        MemoryStorage s = storage(1L, 2L, 3L);
        RawNode n = newNode(2, s);
        n.step(msg(MessageType.VOTE, 1, 2, 1).index(0).logTerm(0).build());
        Ready rd = n.ready();
        assertThat(rd.hardState()).isEqualTo(new HardState(1, 1, 0));
        assertThat(rd.mustSync()).isTrue();
        assertThat(rd.messages()).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.VOTE_RESP);
            assertThat(m.reject()).isFalse();
        });
        n.advance(rd);
        // An append's ack travels with the entries it acknowledges, to be synced first.
        n.step(msg(MessageType.APP, 1, 2, 1).index(0).logTerm(0).entries(ents(1, 1)).commit(0).build());
        rd = n.ready();
        assertThat(rd.entries()).hasSize(1);
        assertThat(rd.mustSync()).isTrue();
        assertThat(rd.softState()).isEqualTo(new SoftState(1, StateType.FOLLOWER));
        assertThat(rd.messages()).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP_RESP);
            assertThat(m.index()).isEqualTo(1);
        });
        s.append(rd.entries());
        n.advance(rd);
        // A heartbeat moving only the commit index: hard state reported, no sync needed.
        n.step(msg(MessageType.HEARTBEAT, 1, 2, 1).commit(1).build());
        rd = n.ready();
        assertThat(rd.hardState()).isEqualTo(new HardState(1, 1, 1));
        assertThat(rd.mustSync()).isFalse();
        assertThat(rd.committedEntries()).hasSize(1);
        n.advance(rd);
        assertThat(n.hasReady()).isFalse();
    }

    @Test
    @DisplayName("§5.2: soft state (leader, role) is reported only when it changes")
    void softStateOnlyWhenChanged() {
        TestNetwork nt = TestNetwork.of(3, c -> c.preVote(false).checkQuorum(false));
        List<SoftState> seen = new ArrayList<>();
        nt.onReady(rd -> {
            if (rd.softState() != null) {
                seen.add(rd.softState());
            }
        });
        nt.campaign(1);
        assertThat(seen).contains(new SoftState(0, StateType.CANDIDATE), new SoftState(1, StateType.LEADER),
                new SoftState(1, StateType.FOLLOWER));
        seen.clear();
        nt.propose(1, "x");
        nt.tickAll(3);
        assertThat(seen).isEmpty();
        nt.campaign(2);
        assertThat(seen).contains(new SoftState(0, StateType.FOLLOWER), new SoftState(2, StateType.LEADER),
                new SoftState(2, StateType.FOLLOWER));
    }

    @Test
    @DisplayName("§5.3: Ready.isEmpty is false whenever any part needs handling")
    void readyIsEmpty() {
        List<Message> none = List.of();
        List<Entry> noEnts = List.of();
        Ready empty = new Ready(null, null, List.of(), noEnts, Snapshot.EMPTY, noEnts, none, false);
        assertThat(empty.isEmpty()).isTrue();
        assertThat(new Ready(new SoftState(1, StateType.LEADER), null, List.of(), noEnts, Snapshot.EMPTY, noEnts, none,
                false).isEmpty()).isFalse();
        assertThat(new Ready(null, new HardState(1, 0, 0), List.of(), noEnts, Snapshot.EMPTY, noEnts, none, false)
                .isEmpty()).isFalse();
        assertThat(new Ready(null, null, List.of(new ReadState(1, bytes("c"))), noEnts, Snapshot.EMPTY, noEnts, none,
                false).isEmpty()).isFalse();
        assertThat(new Ready(null, null, List.of(), ents(1, 1), Snapshot.EMPTY, noEnts, none, true).isEmpty())
                .isFalse();
        assertThat(new Ready(null, null, List.of(),
                noEnts, new Snapshot(new SnapshotMetadata(1, 1, ConfState.EMPTY), null), noEnts, none, true)
                .isEmpty()).isFalse();
        assertThat(new Ready(null, null, List.of(), noEnts, Snapshot.EMPTY, ents(1, 1), none, false).isEmpty())
                .isFalse();
        assertThat(new Ready(null, null, List.of(), noEnts, Snapshot.EMPTY, noEnts,
                List.of(msg(MessageType.APP, 1, 2, 1).build()), false).isEmpty()).isFalse();
    }

    // ------------------------------------------------------------------ restart

    @Test
    @DisplayName("§5 (persistent state): a node restarted from storage keeps term, vote and log, reports no hard state"
            + " at first, and hands out the committed entries not yet applied")
    void restartFromStorage() {
        List<Entry> es = List.of(Entry.normal(1, 1, null), Entry.normal(1, 2, bytes("foo")));
        HardState hs = new HardState(1, 0, 1);
        MemoryStorage s = storage(es, hs, 1L);
        RawNode n = newNode(1, s);
        assertThat(n.raft().term).isEqualTo(1);
        Ready rd = n.ready();
        assertThat(rd.hardState()).isNull();
        assertThat(rd.entries()).isEmpty();
        assertThat(rd.committedEntries()).containsExactly(es.get(0));
        assertThat(rd.mustSync()).isFalse();
        n.advance(rd);
        assertThat(n.hasReady()).isFalse();
        assertThat(n.status().hardState()).isEqualTo(hs);
        assertThat(n.status().applied()).isEqualTo(1);
    }

    @Test
    @DisplayName("§5 (persistent state): with the applied index configured, entries up to it are not handed out again")
    void restartWithAppliedIndex() {
        List<Entry> es = ents(1, 1, 1, 1, 1);
        MemoryStorage s = storage(es, new HardState(1, 1, 4), 1L);
        RawNode n = newNode(1, s, c -> c.applied(3));
        Ready rd = n.ready();
        assertThat(rd.committedEntries()).extracting(Entry::index).containsExactly(4L);
        n.advance(rd);
        assertThat(n.hasReady()).isFalse();
        RawNode all = newNode(1, s, c -> c.applied(4));
        assertThat(all.hasReady()).isFalse();
    }

    @Test
    @DisplayName("§7: a node restarted from a snapshot plus a log tail starts after the snapshot and hands out only the"
            + " committed tail")
    void restartFromSnapshot() {
        MemoryStorage s = new MemoryStorage();
        s.applySnapshot(new Snapshot(new SnapshotMetadata(2, 1, ConfState.ofVoters(1L, 2L)), null));
        s.append(List.of(Entry.normal(1, 3, bytes("foo"))));
        s.setHardState(new HardState(1, 0, 3));
        RawNode n = newNode(1, s);
        Ready rd = n.ready();
        assertThat(rd.hardState()).isNull();
        assertThat(rd.committedEntries()).containsExactly(Entry.normal(1, 3, bytes("foo")));
        n.advance(rd);
        assertThat(n.hasReady()).isFalse();
        assertThat(n.confState().voters()).containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    @DisplayName("§5.3: a restarted node pages committed entries by maxCommittedSizePerReady and still delivers all of"
            + " them, in order, once")
    void commitPaginationAfterRestart() {
        List<Entry> es = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            es.add(Entry.normal(1, i, bytes("a".repeat(100))));
        }
        MemoryStorage s = storage(es, new HardState(1, 1, 10), 1L, 2L);
        long perEntry = es.get(0).sizeBytes();
        RawNode n = newNode(1, s, c -> c.maxCommittedSizePerReady(3 * perEntry));
        List<Long> applied = new ArrayList<>();
        int readies = 0;
        while (n.hasReady()) {
            Ready rd = RaftTestUtil.handleReady(n, s);
            readies++;
            assertThat(rd.committedEntries().stream().mapToLong(Entry::sizeBytes).sum())
                    .isLessThanOrEqualTo(3 * perEntry);
            rd.committedEntries().forEach(e -> applied.add(e.index()));
        }
        assertThat(applied).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(readies).isGreaterThanOrEqualTo(4);
    }

    // ------------------------------------------------------------------ other API

    @Test
    @DisplayName("thesis §4.1: a conf change is proposed as a CONF_CHANGE entry, decoded from it, and applied to the"
            + " configuration when committed")
    void proposeAndApplyConfChange() {
        MemoryStorage s = storage(1L);
        RawNode n = newNode(1, s);
        n.campaign();
        drain(n, s);
        ConfChange cc = ConfChange.of(ConfChangeSingle.addVoter(2));
        n.proposeConfChange(cc);
        List<Entry> committed = new ArrayList<>();
        for (Ready rd : drain(n, s)) {
            committed.addAll(rd.committedEntries());
        }
        assertThat(committed).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EntryType.CONF_CHANGE);
            assertThat(RawNode.confChangeOf(e)).isEqualTo(cc);
        });
        assertThat(n.confState().voters()).containsExactlyInAnyOrder(1L, 2L);
        assertThatThrownBy(() -> RawNode.confChangeOf(Entry.normal(1, 1, null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(RawNode.confChangeOf(new Entry(1, 1, EntryType.CONF_CHANGE, null)).isLeaveJoint()).isTrue();
    }

    @Test
    @DisplayName("thesis §6.4: a single voter answers a read at once with its commit index, reported in the next Ready")
    void readIndexOnSingleNode() {
        MemoryStorage s = storage(1L);
        RawNode n = newNode(1, s);
        n.campaign();
        drain(n, s);
        n.readIndex(bytes("ctx1"));
        assertThat(n.hasReady()).isTrue();
        Ready rd = RaftTestUtil.handleReady(n, s);
        assertThat(rd.readStates()).singleElement().satisfies(r -> {
            assertThat(r.index()).isEqualTo(1);
            assertThat(r.requestCtx()).isEqualTo(bytes("ctx1"));
        });
        assertThat(n.hasReady()).isFalse();
    }

    @Test
    @DisplayName("§5.3: status reports the node's state, and per-follower progress only on the leader")
    void status() {
        TestNetwork nt = TestNetwork.of(3, c -> c.preVote(false).checkQuorum(false));
        nt.campaign(1);
        nt.propose(1, "x");
        Status st = nt.node(1).status();
        assertThat(st.id()).isEqualTo(1);
        assertThat(st.softState()).isEqualTo(new SoftState(1, StateType.LEADER));
        assertThat(st.hardState()).isEqualTo(new HardState(1, 1, 2));
        assertThat(st.applied()).isEqualTo(2);
        assertThat(st.progress()).containsOnlyKeys(1L, 2L, 3L);
        assertThat(st.progress().get(2L).match).isEqualTo(2);
        assertThat(st.progress().get(2L).state).isEqualTo(ProgressState.REPLICATE);
        assertThat(st.leaseValid()).isFalse();
        assertThat(st.leadTransferee()).isZero();
        assertThat(st.config().voters()).containsExactlyInAnyOrder(1L, 2L, 3L);
        // the progress is a copy
        st.progress().get(2L).match = 0;
        assertThat(nt.raft(1).trk.progress().get(2L).match).isEqualTo(2);
        Status fs = nt.node(2).status();
        assertThat(fs.progress()).isEmpty();
        assertThat(fs.softState()).isEqualTo(new SoftState(1, StateType.FOLLOWER));
        assertThat(nt.node(2).id()).isEqualTo(2);
        assertThat(nt.node(2).isLeader()).isFalse();
        assertThat(nt.node(2).lastIndex()).isEqualTo(2);
    }

    @Test
    @DisplayName("§5.3 / §7: reportUnreachable and reportSnapshot feed the leader's per-follower progress")
    void reportsReachTheLeader() {
        TestNetwork nt = TestNetwork.of(3, c -> c.preVote(false).checkQuorum(false));
        nt.campaign(1);
        RawNode n = nt.node(1);
        assertThat(nt.raft(1).trk.progress().get(2L).state).isEqualTo(ProgressState.REPLICATE);
        n.reportUnreachable(2);
        assertThat(nt.raft(1).trk.progress().get(2L).state).isEqualTo(ProgressState.PROBE);
        nt.raft(1).trk.progress().get(3L).becomeSnapshot(5);
        n.reportSnapshot(3, false);
        assertThat(nt.raft(1).trk.progress().get(3L).state).isEqualTo(ProgressState.PROBE);
        nt.raft(1).trk.progress().get(3L).becomeSnapshot(5);
        n.reportSnapshot(3, true);
        assertThat(nt.raft(1).trk.progress().get(3L).state).isEqualTo(ProgressState.PROBE);
        assertThat(nt.raft(1).trk.progress().get(3L).next).isEqualTo(6);
    }

    @Test
    @DisplayName("§7: a snapshot received from the leader comes out in a Ready; after it is persisted and advanced the"
            + " node continues from its index")
    void snapshotThroughReady() {
        MemoryStorage s = storage(1L, 2L);
        RawNode n = newNode(2, s);
        Snapshot snap = new Snapshot(new SnapshotMetadata(10, 2, ConfState.ofVoters(1L, 2L)), bytes("state"));
        n.step(msg(MessageType.SNAP, 1, 2, 2).snapshot(snap).build());
        Ready rd = n.ready();
        assertThat(rd.snapshot()).isSameAs(snap);
        assertThat(rd.committedEntries()).isEmpty();
        assertThat(rd.hardState()).isEqualTo(new HardState(2, 0, 10));
        assertThat(rd.messages()).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APP_RESP);
            assertThat(m.index()).isEqualTo(10);
        });
        s.applySnapshot(rd.snapshot());
        s.setHardState(rd.hardState());
        n.advance(rd);
        assertThat(n.raft().raftLog.applied).isEqualTo(10);
        assertThat(n.raft().raftLog.hasPendingSnapshot()).isFalse();
        assertThat(n.hasReady()).isFalse();
        assertThat(n.lastIndex()).isEqualTo(10);
    }

    @Test
    @DisplayName("thesis §10.2 (bounded leader memory, etcd MaxUncommittedEntriesSize): a partitioned leader stops"
            + " accepting proposals at the cap, and accepts"
            + " them again once the backlog commits and is applied (advance releases it)")
    void boundedLogGrowthWithPartition() {
        byte[] data = bytes("testdata");
        TestNetwork nt = TestNetwork.of(3, c -> c.preVote(false).checkQuorum(false)
                .maxUncommittedEntriesSize(16L * data.length));
        nt.campaign(1);
        nt.isolate(1);
        int accepted = 0;
        for (int i = 0; i < 32; i++) {
            try {
                nt.node(1).propose(data);
                accepted++;
            } catch (ProposalDroppedException e) {
                assertThat(e.reason()).isEqualTo(ProposalDroppedException.Reason.UNCOMMITTED_SIZE_LIMIT);
            }
        }
        nt.stabilize();
        assertThat(accepted).isEqualTo(16);
        assertThat(nt.raft(1).uncommittedSize).isEqualTo(16L * data.length);
        nt.recover();
        nt.send(RaftTestUtil.beat(1));
        nt.stabilize();
        assertThat(nt.raft(1).uncommittedSize).isZero();
        nt.node(1).propose(data);
        nt.stabilize();
        assertThat(nt.appliedData(2)).hasSize(17);
    }

    @Test
    @DisplayName("§5.2: campaign through RawNode starts an election (pre-vote first when enabled) and"
            + " transferLeader on a"
            + " follower without a leader is refused")
    void campaignAndTransfer() {
        MemoryStorage s = storage(1L, 2L, 3L);
        RawNode n = newNode(1, s, c -> c.preVote(true));
        n.campaign();
        assertThat(n.raft().state).isEqualTo(StateType.PRE_CANDIDATE);
        Ready rd = RaftTestUtil.handleReady(n, s);
        assertThat(rd.messages()).extracting(Message::type).containsOnly(MessageType.PRE_VOTE);
        assertThat(rd.hardState()).isNull(); // a pre-vote changes neither term nor vote
        assertThat(rd.mustSync()).isFalse();
        RawNode f = newNode(2, storage(1L, 2L, 3L));
        assertThatThrownBy(() -> f.transferLeader(3)).isInstanceOf(ProposalDroppedException.class);
        assertThat(Arrays.asList(MessageType.values())).allSatisfy(t -> assertThat(MessageType.ofCode(t.code()))
                .isEqualTo(t));
    }
}
