package io.cairn.raft.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Helpers for tests that drive one {@link Raft} or {@link RawNode} directly, as etcd's
 * {@code newTestRaft}, {@code readMessages}, {@code nextEnts}, {@code index(i).terms(...)} do. Not a
 * network: tests route the messages they care about by hand. Plain Raft by default: PreVote and
 * CheckQuorum OFF (etcd's test defaults), election 10, heartbeat 1.
 */
final class RaftTestUtil {
    private RaftTestUtil() {
    }

    static final int ELECTION = 10;
    static final int HEARTBEAT = 1;

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ membership, storage, config

    /** Founding voters 1..n. */
    static Long[] ids(int n) {
        Long[] ids = new Long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (long) (i + 1);
        }
        return ids;
    }

    static ConfState voters(Long... ids) {
        return ConfState.ofVoters(ids);
    }

    static ConfState conf(Set<Long> voters, Set<Long> learners) {
        return new ConfState(voters, Set.of(), learners, Set.of(), Set.of(), false);
    }

    static MemoryStorage storage(Long... voters) {
        return MemoryStorage.withMembers(ConfState.ofVoters(voters));
    }

    /** A storage with founding voters, the given entries and hard state ({@code null} = none). */
    static MemoryStorage storage(List<Entry> ents, HardState hs, Long... voters) {
        MemoryStorage s = storage(voters);
        s.append(ents);
        if (hs != null) {
            s.setHardState(hs);
        }
        return s;
    }

    static Snapshot snapshot(long index, long term, ConfState cs) {
        return new Snapshot(new SnapshotMetadata(index, term, cs), bytes("snap@" + index));
    }

    /** etcd's test config: no check-quorum, no pre-vote, election 10, heartbeat 1. */
    static RaftConfig config(long id, LogStorage s) {
        return RaftConfig.of(id, s).electionTick(ELECTION).heartbeatTick(HEARTBEAT).checkQuorum(false)
                .preVote(false);
    }

    static Raft newRaft(long id, MemoryStorage s) {
        return new Raft(config(id, s));
    }

    /** A Raft on {@link #config} as changed by {@code tweak} (e.g. {@code c -> c.preVote(true)}). */
    static Raft newRaft(long id, MemoryStorage s, UnaryOperator<RaftConfig> tweak) {
        return new Raft(tweak.apply(config(id, s)));
    }

    /** A RawNode on {@link #config} as changed by {@code tweak} ({@code c -> c} for none). */
    static RawNode newRawNode(long id, MemoryStorage s, UnaryOperator<RaftConfig> tweak) {
        return new RawNode(tweak.apply(config(id, s)));
    }

    /** Makes {@code r} leader of the next term without an election and drops what it sent. */
    static Raft lead(Raft r) {
        r.becomeCandidate();
        r.becomeLeader();
        take(r);
        return r;
    }

    static void setRandomizedElectionTimeout(Raft r, int v) {
        r.randomizedElectionTimeout = v;
    }

    // ------------------------------------------------------------------ messages

    /**
     * The node's own write of its whole log completed: reports it durable up to its last entry,
     * as {@link RawNode#advance} does (a leader counts its own copy towards commitment from then
     * on, thesis §10.2.1). Storage is not touched. Returns {@code r}.
     */
    static Raft durable(Raft r) {
        r.logDurable(r.raftLog.lastIndex(), r.raftLog.lastTerm());
        return r;
    }

    /** Returns and clears the messages {@code r} queued (etcd's {@code readMessages}). */
    static List<Message> take(Raft r) {
        List<Message> out = new ArrayList<>(r.msgs);
        r.msgs.clear();
        return out;
    }

    static List<Message> ofType(List<Message> msgs, MessageType t) {
        return msgs.stream().filter(m -> m.type() == t).toList();
    }

    static Message.Builder msg(MessageType t, long from, long to, long term) {
        return Message.builder(t).from(from).to(to).term(term);
    }

    /** A follower's positive append response to {@code leader}, in the leader's term. */
    static Message appResp(Raft leader, long from, long index) {
        return msg(MessageType.APP_RESP, from, leader.id, leader.term).index(index).build();
    }

    /**
     * A local proposal of one NORMAL entry per element of {@code data}; a {@code null} element is an
     * empty entry (call as {@code prop(id, (String) null)}).
     */
    static Message prop(long from, String... data) {
        List<Entry> ents = Arrays.stream(data)
                .map(d -> Entry.proposal(EntryType.NORMAL, d == null ? null : bytes(d))).toList();
        return Message.builder(MessageType.PROP).from(from).to(from).entries(ents).build();
    }

    /** A local proposal of one CONF_CHANGE entry carrying {@code cc}. */
    static Message propConfChange(long from, ConfChange cc) {
        return Message.builder(MessageType.PROP).from(from).to(from)
                .entries(List.of(Entry.proposal(EntryType.CONF_CHANGE, cc.encode()))).build();
    }

    static Message hup(long id) {
        return Message.builder(MessageType.HUP).from(id).to(id).build();
    }

    static Message beat(long id) {
        return Message.builder(MessageType.BEAT).from(id).to(id).build();
    }

    /** The follower's positive answer to an append: it now has everything up to the last entry sent. */
    static Message acceptAndReply(Message app) {
        if (app.type() != MessageType.APP) {
            throw new IllegalArgumentException("not an append: " + app);
        }
        return Message.builder(MessageType.APP_RESP).from(app.to()).to(app.from()).term(app.term())
                .index(app.index() + app.entries().size()).build();
    }

    // ------------------------------------------------------------------ entries and logs

    /** etcd's {@code index(first).terms(t...)}: entries at first, first+1, ... with those terms. */
    static List<Entry> ents(long first, long... terms) {
        List<Entry> out = new ArrayList<>(terms.length);
        for (int i = 0; i < terms.length; i++) {
            out.add(new Entry(terms[i], first + i, EntryType.NORMAL, null));
        }
        return out;
    }

    /** etcd's {@code index(first).termRange(from, to)}: entry i has term from + (i - first). */
    static List<Entry> termRange(long first, long fromTerm, long toTerm) {
        List<Entry> out = new ArrayList<>();
        for (long t = fromTerm; t < toTerm; t++) {
            out.add(new Entry(t, first + (t - fromTerm), EntryType.NORMAL, null));
        }
        return out;
    }

    /** Whether an entry is an empty NORMAL entry (a new leader's entry or a refused conf change). */
    static boolean isEmptyNormal(Entry e) {
        return e.type() == EntryType.NORMAL && e.data().length == 0;
    }

    /** Terms of every entry of {@code r}'s log, stable and unstable, from the first index. */
    static List<Long> logTerms(Raft r) {
        List<Long> out = new ArrayList<>();
        for (long i = r.raftLog.firstIndex(); i <= r.raftLog.lastIndex(); i++) {
            out.add(r.raftLog.term(i));
        }
        return out;
    }

    /** All entries of {@code r}'s log from the first index. */
    static List<Entry> allEntries(Raft r) {
        RaftLog l = r.raftLog;
        return l.slice(l.firstIndex(), l.lastIndex() + 1, RaftLog.NO_LIMIT);
    }

    // ------------------------------------------------------------------ persisting and applying

    /**
     * etcd's {@code nextEnts}, at the log level only: persists the unstable entries to {@code s},
     * marks them stable, reports them durable (a leader counts its own copy from then on; the
     * messages that may cause are left queued) and returns (and marks applied in the {@link RaftLog}) the committed entries
     * not yet applied. Does not handle a pending snapshot, does not release the uncommitted-size
     * budget and bypasses {@link Raft#appliedTo} (so no auto-leave); see {@link #nextEntsLikeRawNode}
     * for all of that.
     */
    static List<Entry> nextEnts(Raft r, MemoryStorage s) {
        List<Entry> unstable = r.raftLog.unstableEntries();
        s.append(unstable);
        if (!unstable.isEmpty()) {
            Entry last = unstable.get(unstable.size() - 1);
            r.raftLog.stableTo(last.index(), last.term());
            r.logDurable(last.index(), last.term());
        }
        List<Entry> ents = r.raftLog.nextEntries();
        if (!ents.isEmpty()) {
            r.raftLog.appliedTo(ents.get(ents.size() - 1).index());
        }
        return ents;
    }

    /**
     * {@link #nextEnts} the way {@link RawNode#advance} would finish it: also persists a pending
     * snapshot into {@code s}, releases the returned entries from the uncommitted-size budget
     * ({@link Raft#reduceUncommittedSize}) and marks them applied through {@link Raft#appliedTo}, so
     * a leader auto-leaves a joint configuration once its entry is applied. Conf changes are not
     * applied: tests do that themselves when they mean to.
     */
    static List<Entry> nextEntsLikeRawNode(Raft r, MemoryStorage s) {
        if (r.raftLog.hasPendingSnapshot()) {
            Snapshot snap = r.raftLog.unstable.snapshot;
            s.applySnapshot(snap);
            r.raftLog.stableSnapTo(snap.index());
        }
        List<Entry> unstable = r.raftLog.unstableEntries();
        if (!unstable.isEmpty()) {
            s.append(unstable);
            Entry last = unstable.get(unstable.size() - 1);
            r.raftLog.stableTo(last.index(), last.term());
            r.logDurable(last.index(), last.term());
        }
        List<Entry> ents = r.raftLog.nextEntries();
        r.reduceUncommittedSize(ents);
        if (!ents.isEmpty()) {
            r.appliedTo(ents.get(ents.size() - 1).index());
        }
        return ents;
    }

    /**
     * Leader only: replicates and commits its empty entry on every follower (acks all appends),
     * persists and applies it (with {@link #nextEnts}), and drops the resulting messages (etcd's
     * {@code commitNoopEntry}).
     */
    static void commitNoopEntry(Raft r, MemoryStorage s) {
        if (r.state != StateType.LEADER) {
            throw new IllegalStateException("not leader");
        }
        r.bcastAppend();
        for (Message m : take(r)) {
            if (m.type() != MessageType.APP || m.entries().size() != 1 || m.entries().get(0).data().length != 0) {
                throw new IllegalStateException("not a message to append the empty entry: " + m);
            }
            r.step(acceptAndReply(m));
        }
        take(r);
        nextEnts(r, s);
    }

    /**
     * Handles one Ready of a stand-alone RawNode the way an application would: persist snapshot,
     * entries and hard state, apply committed conf changes, then advance. Returns the Ready.
     */
    static Ready handleReady(RawNode n, MemoryStorage s) {
        Ready rd = n.ready();
        if (!rd.snapshot().isEmpty()) {
            s.applySnapshot(rd.snapshot());
        }
        s.append(rd.entries());
        if (rd.hardState() != null) {
            s.setHardState(rd.hardState());
        }
        for (Entry e : rd.committedEntries()) {
            if (e.type() == EntryType.CONF_CHANGE) {
                n.applyConfChange(RawNode.confChangeOf(e));
            }
        }
        n.advance(rd);
        return rd;
    }
}
