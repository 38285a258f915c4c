package io.cairn.raft.core;

import io.cairn.raft.core.tracker.Progress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The public face of the Raft core (etcd-raft's RawNode): a pure, single-threaded state machine.
 * Feed it with {@link #tick()}, {@link #step(Message)}, {@link #propose(byte[])} and friends;
 * when {@link #hasReady()}, take a {@link #ready()}, handle it as its documentation says, and
 * {@link #advance(Ready)}.
 *
 * <p>Not thread-safe: one thread at a time.
 */
public final class RawNode {
    private final Raft raft;
    private SoftState prevSoftState;
    private HardState prevHardState;

    public RawNode(RaftConfig config) {
        this.raft = new Raft(config);
        this.prevSoftState = raft.softState();
        this.prevHardState = raft.hardState();
    }

    public long id() {
        return raft.id;
    }

    /** Advances the logical clock by one tick: elections, heartbeats and timeouts run on ticks. */
    public void tick() {
        raft.tick();
    }

    /**
     * Starts an election now (pre-vote first if enabled). Like a forced election it ends this
     * node's promise not to vote (CheckQuorum), so it may void a live leader's lease: meant for
     * tests and tools; the runtime only campaigns on election timeouts.
     */
    public void campaign() {
        raft.step(Message.builder(MessageType.HUP).from(raft.id).build());
    }

    /**
     * Proposes data to be appended to the log. On a follower the proposal is forwarded to the
     * leader (unless forwarding is disabled); it may still be lost on the way, so callers track
     * their proposals and retry on timeout.
     *
     * @throws ProposalDroppedException if it was refused here
     */
    public void propose(byte[] data) {
        proposeBatch(List.of(data));
    }

    /**
     * Proposes several entries at once: they are appended together and replicated in one append
     * message (batching).
     *
     * @throws ProposalDroppedException if they were refused here (all or nothing)
     */
    public void proposeBatch(List<byte[]> data) {
        if (data.isEmpty()) {
            return;
        }
        List<Entry> ents = new java.util.ArrayList<>(data.size());
        for (byte[] d : data) {
            ents.add(Entry.proposal(EntryType.NORMAL, d));
        }
        raft.step(Message.builder(MessageType.PROP).from(raft.id).entries(ents).build());
    }

    /**
     * Proposes a membership change. When the entry is applied, the application must call
     * {@link #applyConfChange(ConfChange)}. A change proposed while another is pending is turned
     * into an empty entry (and so has no effect).
     */
    public void proposeConfChange(ConfChange cc) {
        Entry e = Entry.proposal(EntryType.CONF_CHANGE, cc.encode());
        raft.step(Message.builder(MessageType.PROP).from(raft.id).entries(List.of(e)).build());
    }

    /** Applies a committed conf change to the node's configuration; returns the new membership. */
    public ConfState applyConfChange(ConfChange cc) {
        return raft.applyConfChange(cc);
    }

    /** Decodes the conf change held by a committed {@link EntryType#CONF_CHANGE} entry. */
    public static ConfChange confChangeOf(Entry e) {
        if (e.type() != EntryType.CONF_CHANGE) {
            throw new IllegalArgumentException("not a conf change entry: " + e);
        }
        return Raft.decodeConfChange(e);
    }

    /**
     * Steps a message received from the network. Local message types are refused, and responses
     * from nodes not in the configuration are ignored. Proposals forwarded to a node that is not
     * the leader are dropped silently (the proposer retries).
     */
    public void step(Message m) {
        if (m.type().isLocal()) {
            throw new IllegalArgumentException("cannot step raft local message " + m.type());
        }
        if (!raft.trk.progress().containsKey(m.from()) && m.type().isResponse()) {
            return; // a response from a peer not in the configuration
        }
        try {
            raft.step(m);
        } catch (ProposalDroppedException e) {
            // A forwarded proposal, read or transfer request reached a node that cannot take it.
        }
    }

    /**
     * Requests a linearizable read. A {@link ReadState} with the same unique {@code context} comes
     * back in a later Ready once leadership is confirmed; the read may proceed after applying up to
     * its index. Requests can be lost with a leader change: retry on timeout.
     *
     * @throws ProposalDroppedException if there is no known leader, or this node is a learner that
     *                                  is not an observer
     */
    public void readIndex(byte[] context) {
        if (context == null || context.length == 0) {
            throw new IllegalArgumentException("read index context must not be empty");
        }
        if (raft.isLearner && !raft.trk.isObserver(raft.id)) {
            throw new ProposalDroppedException(ProposalDroppedException.Reason.NOT_A_MEMBER,
                    "node " + raft.id + " is a learner; only voters and observers serve reads");
        }
        raft.step(Message.builder(MessageType.READ_INDEX).from(raft.id).context(context).build());
    }

    /**
     * How many ReadIndex requests this node, as leader, answered from its lease without a
     * heartbeat round (cheap; for counters and tests).
     */
    public long leaseReads() {
        return raft.leaseReads;
    }

    /** Asks the leader to hand leadership to {@code transferee} (thesis §3.10). */
    public void transferLeader(long transferee) {
        raft.step(Message.builder(MessageType.TRANSFER_LEADER).from(transferee).build());
    }

    /** Tells the leader that {@code id} could not be reached (its appends were likely lost). */
    public void reportUnreachable(long id) {
        raft.step(Message.builder(MessageType.UNREACHABLE).from(id).build());
    }

    /** Tells the leader whether sending a snapshot to {@code id} succeeded. */
    public void reportSnapshot(long id, boolean succeeded) {
        raft.step(Message.builder(MessageType.SNAP_STATUS).from(id).reject(!succeeded).build());
    }

    /**
     * Tells the node it will not be ticked for a while (the runtime hibernates idle groups).
     * Drops the leader lease and marks peers inactive, so neither a frozen lease nor stale
     * liveness survives the pause; call {@link #tick()} again to resume.
     */
    public void hibernate() {
        raft.hibernate();
    }

    /** Called for every changed group on every runtime loop iteration: compares fields, allocates nothing. */
    public boolean hasReady() {
        if (raft.lead != prevSoftState.lead() || raft.state != prevSoftState.raftState()) {
            return true;
        }
        long commit = raft.raftLog.committed;
        boolean hardStateEmpty = raft.term == 0 && raft.vote == 0 && commit == 0;
        if (!hardStateEmpty && (raft.term != prevHardState.term() || raft.vote != prevHardState.vote()
                || commit != prevHardState.commit())) {
            return true;
        }
        return raft.raftLog.hasPendingSnapshot() || !raft.msgs.isEmpty()
                || !raft.raftLog.unstable.entries.isEmpty() || raft.raftLog.hasNextEntries()
                || !raft.readStates.isEmpty();
    }

    /** Collects what the application must do; follow with {@link #advance(Ready)}. */
    public Ready ready() {
        SoftState ss = raft.softState();
        HardState hs = raft.hardState();
        List<Entry> entries = raft.raftLog.unstableEntries();
        Snapshot snap = raft.raftLog.unstable.snapshot != null ? raft.raftLog.unstable.snapshot : Snapshot.EMPTY;
        // prevHardState is what the last advanced (so durable) Ready wrote, or what was loaded.
        boolean termDurable = hs.sameTermAndVote(prevHardState);
        Ready rd = new Ready(
                ss.equals(prevSoftState) ? null : ss,
                hs.equals(prevHardState) ? null : hs,
                raft.readStates.isEmpty() ? List.of() : List.copyOf(raft.readStates),
                entries,
                snap,
                raft.raftLog.nextEntries(),
                raft.msgs.isEmpty() ? List.of() : List.copyOf(raft.msgs),
                !entries.isEmpty() || !termDurable,
                termDurable);
        if (rd.softState() != null) {
            prevSoftState = rd.softState();
        }
        raft.readStates.clear();
        raft.msgs.clear();
        return rd;
    }

    /**
     * Tells the core the Ready was handled: its snapshot, entries and hard state are durable and
     * its committed entries applied. This is also the durability report a leader waits for before
     * it counts its own copy of the entries towards commitment (thesis §10.2.1): a single-node
     * group commits its entries here, and a leader's entries commit only once a quorum that
     * includes its own (now durable) copy, or a quorum of followers, has them.
     */
    public void advance(Ready rd) {
        if (rd.hardState() != null) {
            prevHardState = rd.hardState();
        }
        raft.reduceUncommittedSize(rd.committedEntries());
        long newApplied = 0;
        if (!rd.committedEntries().isEmpty()) {
            newApplied = rd.committedEntries().get(rd.committedEntries().size() - 1).index();
        } else if (!rd.snapshot().isEmpty()) {
            newApplied = rd.snapshot().index();
        }
        if (newApplied > 0) {
            raft.appliedTo(newApplied);
        }
        if (!rd.entries().isEmpty()) {
            Entry last = rd.entries().get(rd.entries().size() - 1);
            raft.raftLog.stableTo(last.index(), last.term());
            // Stale when leadership changed since the Ready was taken: the core ignores it then.
            raft.logDurable(last.index(), last.term());
        }
        if (!rd.snapshot().isEmpty()) {
            raft.raftLog.stableSnapTo(rd.snapshot().index());
        }
    }

    public Status status() {
        Map<Long, Progress> prs = new TreeMap<>();
        if (raft.state == StateType.LEADER) {
            raft.trk.visit((id, pr) -> prs.put(id, pr.copy()));
        }
        return new Status(raft.id, raft.hardState(), raft.softState(), raft.raftLog.applied, raft.trk.confState(),
                prs, raft.leadTransferee, raft.uncommittedSize, raft.leaseValid());
    }

    /** The current membership. */
    public ConfState confState() {
        return raft.trk.confState();
    }

    /** The commit index this node knows (cheap, unlike {@link #status()}). */
    public long commitIndex() {
        return raft.raftLog.committed;
    }

    /** Last log index (stable or not). */
    public long lastIndex() {
        return raft.raftLog.lastIndex();
    }

    /** Term of the log entry at {@code index}, or 0 when it is compacted away or beyond the log. */
    public long termAt(long index) {
        return raft.raftLog.termOrZero(index);
    }

    /** The current term (cheap, unlike {@link #status()}). */
    public long term() {
        return raft.term;
    }

    /** The leader this node knows of, or 0 (cheap, unlike {@link #status()}). */
    public long leaderId() {
        return raft.lead;
    }

    /**
     * On a leader: how many other voters' logs are known to hold {@code index} (their match
     * index; learners do not count), without copying the progress like {@link #status()}.
     * 0 elsewhere.
     */
    public int othersHolding(long index) {
        if (raft.state != StateType.LEADER) {
            return 0;
        }
        int[] n = {0};
        raft.trk.visit((id, pr) -> {
            if (id != raft.id && !pr.isLearner && pr.match >= index) {
                n[0]++;
            }
        });
        return n[0];
    }

    /** Whether this node currently believes it is the leader. */
    public boolean isLeader() {
        return raft.state == StateType.LEADER;
    }

    /**
     * The leader lease as a reader on another thread may use it without this node, or null (see
     * {@link LeaseRead}): only a leader with {@link ReadOnlyOption#LEASE_BASED} reads, a lease
     * clock, a valid unfenced lease and an entry of its term committed has one.
     */
    public LeaseRead leaseRead() {
        return raft.leaseRead();
    }

    /** Package-private access for tests in this package. */
    Raft raft() {
        return raft;
    }
}
