package io.cairn.raft.core;

import io.cairn.raft.core.confchange.ChangeResult;
import io.cairn.raft.core.confchange.Changer;
import io.cairn.raft.core.confchange.Restore;
import io.cairn.raft.core.quorum.JointConfig;
import io.cairn.raft.core.quorum.VoteResult;
import io.cairn.raft.core.tracker.Inflights;
import io.cairn.raft.core.tracker.Progress;
import io.cairn.raft.core.tracker.ProgressState;
import io.cairn.raft.core.tracker.ProgressTracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The Raft state machine of one node (a port of etcd-raft's {@code raft.go}). Single-threaded and
 * pure: it does no I/O, reads no clock and uses no randomness but the seeded source in its config.
 * Inputs arrive through {@link #step(Message)} and {@link #tick()}; outputs accumulate in
 * {@link #msgs}, {@link #readStates} and the log, and {@link RawNode} hands them out as a
 * {@link Ready}.
 *
 * <p>Behaviour per role is swapped on role change ({@code becomeFollower} etc. set {@link #stepFn}
 * and {@link #tickFn}) rather than switched on in every method.
 */
final class Raft {
    static final long NONE = 0;

    /** Context of votes sent on a leadership transfer; such votes ignore the leader lease. */
    static final byte[] CAMPAIGN_TRANSFER = "CampaignTransfer".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private enum CampaignType { PRE_ELECTION, ELECTION, TRANSFER }

    @FunctionalInterface
    private interface StepFn {
        void step(Message m);
    }

    final long id;
    long term;
    long vote;
    List<ReadState> readStates = new ArrayList<>();
    final RaftLog raftLog;
    final long maxMsgSize;
    final long maxUncommittedSize;
    final ProgressTracker trk;
    StateType state;
    /** Whether this node is a learner (non-voting) in the current configuration. */
    boolean isLearner;
    List<Message> msgs = new ArrayList<>();
    long lead;
    /** Id of the leader transfer target when its value is not zero (thesis §3.10). */
    long leadTransferee;
    /**
     * Only one conf change may be pending (in the log, but not yet applied) at a time. This is the
     * log index of the latest pending one; a proposal is refused while it exceeds applied.
     */
    long pendingConfIndex;
    /** Estimate of the payload bytes of uncommitted entries in the leader's log. */
    long uncommittedSize;
    /**
     * Entries at or below this index were committed when this node became leader: they were never
     * counted in {@link #uncommittedSize}, so applying them must not reduce it.
     */
    long uncommittedFloor;
    ReadOnly readOnly;
    final ReadOnlyOption readOnlyOption;
    /** Ticks since it reached the last election timeout (leader/candidate) or last heard from a valid leader (follower). */
    int electionElapsed;
    /** Leader only: ticks since the last heartbeat. */
    int heartbeatElapsed;
    final boolean checkQuorum;
    final boolean preVote;
    final int heartbeatTimeout;
    final int electionTimeout;
    /** Random in [electionTimeout, 2 * electionTimeout - 1], reset on every role change. */
    int randomizedElectionTimeout;
    final boolean disableProposalForwarding;
    private Runnable tickFn;
    private StepFn stepFn;
    private final Random random;
    /** ReadIndex requests received before the leader committed an entry of its term. */
    List<Message> pendingReadIndexMessages = new ArrayList<>();

    /** Ticks since this node started. */
    long ticks;
    /**
     * Leader only: per voter, 1 + the lease time (see {@link #leaseNow()}) at which the newest
     * heartbeat it acknowledged was sent. Heartbeats carry that time and followers echo it.
     */
    final Map<Long, Long> leaseAcks = new TreeMap<>();
    /** Leader only: set once TIMEOUT_NOW was sent this term; forced votes void the lease. */
    boolean leaseFenced;
    /** The lease clock (monotonic nanoseconds), or null: leases and promises timed in ticks only. */
    private final LongSupplier leaseClock;
    private final long leaseClockOrigin;
    /** How long a follower refuses votes after hearing from a leader, in clock nanoseconds. */
    private final long promiseNanos;
    /** How long a lease lasts from the send time of a heartbeat, in clock nanoseconds. */
    private final long leaseNanos;
    /**
     * The last contact with a leader (an append, heartbeat or snapshot of the current leader), in
     * ticks and in clock time: for an election timeout after it this node promised not to vote in
     * or start an election (thesis §4.2.3), which is what the leader's lease rests on. Kept across
     * term changes: a node that learns of a higher term from a stray response still owes the
     * promise. Starts at this node's start: after a (re)start it cannot know what it promised
     * before the crash, so it keeps the promise for one election timeout.
     */
    long contactTick;
    private long contactNanos;
    /** Reads answered from the lease, without a heartbeat round (a counter for the runtime). */
    long leaseReads;

    Raft(RaftConfig c) {
        c.validate();
        this.id = c.id();
        this.raftLog = new RaftLog(c.storage(), c.maxCommittedSizePerReady());
        LogStorage.InitialState is = c.storage().initialState();
        this.maxMsgSize = c.maxSizePerMsg();
        this.maxUncommittedSize = c.maxUncommittedEntriesSize() == 0 ? Long.MAX_VALUE : c.maxUncommittedEntriesSize();
        this.trk = new ProgressTracker(c.maxInflightMsgs(), c.maxInflightBytes());
        this.electionTimeout = c.electionTick();
        this.heartbeatTimeout = c.heartbeatTick();
        this.checkQuorum = c.checkQuorum();
        this.preVote = c.preVote();
        this.readOnlyOption = c.readOnlyOption();
        this.readOnly = new ReadOnly();
        this.disableProposalForwarding = c.disableProposalForwarding();
        this.random = c.random();
        this.leaseClock = c.leaseClock();
        this.leaseClockOrigin = leaseClock == null ? 0 : leaseClock.getAsLong();
        this.promiseNanos = leaseClock == null ? 0 : c.electionTick() * c.tickNanos();
        this.leaseNanos = (long) (promiseNanos * (1 - c.leaseDriftMargin()));
        this.contactTick = 0;
        this.contactNanos = leaseNow();

        ChangeResult restored = Restore.restore(new Changer(trk, raftLog.lastIndex()), is.confState());
        ConfState cs = switchToConfig(restored);
        if (!cs.equivalent(is.confState())) {
            throw new IllegalStateException("conf state mismatch after restore: " + cs + " vs " + is.confState());
        }
        if (!is.hardState().isEmpty()) {
            loadState(is.hardState());
        }
        if (c.applied() > 0) {
            raftLog.appliedTo(c.applied());
        }
        becomeFollower(term, NONE);
    }

    boolean hasLeader() {
        return lead != NONE;
    }

    SoftState softState() {
        return new SoftState(lead, state);
    }

    HardState hardState() {
        return new HardState(term, vote, raftLog.committed);
    }

    // ---------------------------------------------------------------- sending

    /** Stamps {@code from} and term (except on proposals and forwarded reads) and queues the message. */
    private void send(Message.Builder b) {
        if (b.from == NONE) {
            b.from(id);
        }
        MessageType t = b.type;
        if (t == MessageType.VOTE || t == MessageType.VOTE_RESP || t == MessageType.PRE_VOTE
                || t == MessageType.PRE_VOTE_RESP) {
            // All {pre-,}campaign messages need to have the term set when sending: the term of the
            // campaign for requests, and the term of the vote for responses.
            if (b.term == 0) {
                throw new IllegalStateException("term should be set when sending " + t);
            }
        } else {
            if (b.term != 0) {
                throw new IllegalStateException("term should not be set when sending " + t + " (was " + b.term + ")");
            }
            // Proposals are a way to forward to the leader and should be treated as local
            // messages; forwarded reads likewise.
            if (t != MessageType.PROP && t != MessageType.READ_INDEX) {
                b.term(term);
            }
        }
        msgs.add(b.build());
    }

    private void sendAppend(long to) {
        maybeSendAppend(to, true);
    }

    /**
     * Sends an append with new entries (if any) and the commit index to {@code to}, or a snapshot
     * if the entries it needs are compacted. Returns whether a message was sent. With
     * {@code sendIfEmpty} false nothing is sent when there are no new entries.
     */
    private boolean maybeSendAppend(long to, boolean sendIfEmpty) {
        Progress pr = trk.progress().get(to);
        if (pr.isPaused()) {
            return false;
        }
        long prevIndex = pr.next - 1;
        long prevTerm;
        List<Entry> ents = List.of();
        try {
            prevTerm = raftLog.term(prevIndex);
            // In a throttled REPLICATE state only send empty appends, to ensure progress:
            // otherwise, if the window is full and every message in it was lost, replication to
            // that follower would stall until a heartbeat response.
            if (pr.state != ProgressState.REPLICATE || !pr.inflights.full()) {
                ents = raftLog.entries(pr.next, maxMsgSize);
            }
        } catch (StorageException e) {
            if (e.kind() != StorageException.Kind.COMPACTED) {
                throw e;
            }
            // The entries the follower needs are compacted: send a snapshot (§7).
            return maybeSendSnapshot(to, pr);
        }
        if (ents.isEmpty() && !sendIfEmpty) {
            return false;
        }
        long bytes = 0;
        for (Entry e : ents) {
            bytes += e.payloadSize();
        }
        send(Message.builder(MessageType.APP).to(to).index(prevIndex).logTerm(prevTerm).entries(ents)
                .commit(raftLog.committed));
        pr.sentEntries(ents.size(), bytes);
        pr.sentCommit(raftLog.committed);
        return true;
    }

    private boolean maybeSendSnapshot(long to, Progress pr) {
        if (!pr.recentActive) {
            // Don't ship a (possibly large) snapshot to a node we have not heard from recently.
            return false;
        }
        Snapshot snapshot;
        try {
            snapshot = raftLog.snapshot();
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.SNAPSHOT_TEMPORARILY_UNAVAILABLE) {
                return false;
            }
            throw e;
        }
        if (snapshot.isEmpty()) {
            throw new IllegalStateException("need non-empty snapshot");
        }
        pr.becomeSnapshot(snapshot.index());
        send(Message.builder(MessageType.SNAP).to(to).snapshot(snapshot));
        return true;
    }

    /**
     * A heartbeat carries the commit index (never beyond what the follower is known to have) and
     * the leader's lease time of sending in {@code index}, echoed back for the lease. The time is
     * taken when the message is queued, before it can leave: never later than the follower's
     * receipt.
     */
    private void sendHeartbeat(long to, byte[] ctx, long sentAt) {
        Progress pr = trk.progress().get(to);
        long commit = Math.min(pr.match, raftLog.committed);
        send(Message.builder(MessageType.HEARTBEAT).to(to).commit(commit).index(sentAt).context(ctx));
        pr.sentCommit(commit);
    }

    /** Sends appends to all peers, per their progress. */
    void bcastAppend() {
        trk.visit((pid, pr) -> {
            if (pid != id) {
                sendAppend(pid);
            }
        });
    }

    void bcastHeartbeat() {
        bcastHeartbeatWithCtx(readOnly.lastPendingRequestCtx());
    }

    private void bcastHeartbeatWithCtx(byte[] ctx) {
        long sentAt = leaseNow();
        trk.visit((pid, pr) -> {
            if (pid != id) {
                sendHeartbeat(pid, ctx, sentAt);
            }
        });
    }

    /**
     * The time leases are measured in: clock nanoseconds since this node started (&gt;= 1) with a
     * lease clock, else ticks. Only differences of one node's own readings are ever compared.
     */
    private long leaseNow() {
        return leaseClock == null ? ticks : leaseClock.getAsLong() - leaseClockOrigin + 1;
    }

    /** Records a message of the current leader: the start of this node's promise not to vote. */
    private void leaderContact() {
        contactTick = ticks;
        if (leaseClock != null) {
            contactNanos = leaseNow();
        }
    }

    /**
     * Whether this node is bound by its promise (CheckQuorum, thesis §4.2.3): a leader, or a node
     * that heard from a leader (or started) less than an election timeout ago, by its ticks or by
     * its clock — whichever is longer, so a bursty ticker cannot cut the promise short.
     */
    boolean promised() {
        if (!checkQuorum) {
            return false;
        }
        return state == StateType.LEADER || ticks - contactTick < electionTimeout || promisedByClock();
    }

    /**
     * Releases this node from its promise: the leader it was made to fenced its lease (it sent
     * TIMEOUT_NOW, which also shows as a forced vote).
     */
    void endPromise() {
        contactTick = ticks - electionTimeout;
        contactNanos = leaseNow() - promiseNanos;
    }

    private boolean promisedByClock() {
        return checkQuorum && leaseClock != null && leaseNow() - contactNanos < promiseNanos;
    }

    private void sendTimeoutNow(long to) {
        leaseFenced = true;
        send(Message.builder(MessageType.TIMEOUT_NOW).to(to));
    }

    // ---------------------------------------------------------------- commit and log

    /**
     * Advances the commit index to what a quorum has matched, but only if that entry is of the
     * current term (Raft §5.4.2); returns whether it moved.
     */
    boolean maybeCommit() {
        return raftLog.maybeCommit(trk.committed(), term);
    }

    private void reset(long newTerm) {
        if (term != newTerm) {
            term = newTerm;
            vote = NONE;
        }
        lead = NONE;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        resetRandomizedElectionTimeout();
        abortLeaderTransfer();
        trk.resetVotes();
        long last = raftLog.lastIndex();
        for (Map.Entry<Long, Progress> e : trk.progress().entrySet()) {
            Progress old = e.getValue();
            Progress pr = new Progress(last + 1, new Inflights(trk.maxInflight(), trk.maxInflightBytes()),
                    old.isLearner);
            pr.relay = old.relay;
            if (e.getKey() == id) {
                pr.match = last;
            }
            e.setValue(pr);
        }
        pendingConfIndex = 0;
        uncommittedSize = 0;
        readOnly = new ReadOnly();
        leaseAcks.clear();
        leaseFenced = false;
    }

    /**
     * Appends proposals to the leader's log, assigning term and index. Returns false, appending
     * nothing, if they would push the uncommitted bytes over the cap.
     */
    private boolean appendEntry(List<Entry> es) {
        long li = raftLog.lastIndex();
        List<Entry> positioned = new ArrayList<>(es.size());
        for (int i = 0; i < es.size(); i++) {
            positioned.add(es.get(i).withPosition(term, li + 1 + i));
        }
        if (!increaseUncommittedSize(positioned)) {
            return false;
        }
        raftLog.append(positioned);
        // The leader does not count its own copy yet: the entries are not durable here. It may
        // send them to followers in parallel with its own write (thesis §10.2.1), and counts
        // itself once the application reports the write durable (logDurable). Our caller calls
        // bcastAppend.
        return true;
    }

    /**
     * The application reports this node's log durable up to ({@code index}, {@code term}): the
     * entry there and every entry before it are on stable storage (etcd's
     * MsgStorageAppendResp). A leader counts its own copy towards commitment only from here
     * (thesis §10.2.1), so it may replicate to followers while its own write is in flight.
     *
     * <p>Stale reports are ignored: a node that is not the leader, or leads another term than
     * {@code term}, or whose log no longer holds that entry. Every entry of the current term in a
     * leader's log is its own, appended in this term, so a report in the current term that
     * matches the log covers exactly the prefix this leader wrote. Returns whether the commit
     * index moved.
     */
    boolean logDurable(long index, long term) {
        if (state != StateType.LEADER || term != this.term || !raftLog.matchTerm(index, term)) {
            return false;
        }
        Progress self = trk.progress().get(id);
        if (self == null || !self.maybeUpdate(index) || !maybeCommit()) {
            return false;
        }
        // As on an append response that moved the commit index: pending reads may be answered,
        // and followers learn the new commit index.
        releasePendingReadIndexMessages();
        bcastAppend();
        return true;
    }

    /**
     * Accounts for new uncommitted entries. A proposal is refused if something is already
     * uncommitted and this would exceed the cap; an entry alone larger than the cap still goes
     * through when nothing is uncommitted, so the log can always make progress.
     */
    private boolean increaseUncommittedSize(List<Entry> ents) {
        long s = 0;
        for (Entry e : ents) {
            s += e.payloadSize();
        }
        if (uncommittedSize > 0 && s > 0 && uncommittedSize + s > maxUncommittedSize) {
            return false;
        }
        uncommittedSize += s;
        return true;
    }

    /** Accounts for entries that got committed (called as they are handed out for applying). */
    void reduceUncommittedSize(List<Entry> ents) {
        if (uncommittedSize == 0) {
            return; // fast path for non-leader nodes
        }
        long s = 0;
        for (Entry e : ents) {
            if (e.index() > uncommittedFloor) {
                s += e.payloadSize();
            }
        }
        // uncommittedSize may underestimate the size of the uncommitted tail (entries of
        // earlier terms), so clamp at zero.
        uncommittedSize = Math.max(0, uncommittedSize - s);
    }

    // ---------------------------------------------------------------- ticks

    void tick() {
        ticks++;
        tickFn.run();
    }

    /**
     * Followers and candidates: campaign when the election timeout passes — by ticks, and, with a
     * lease clock, by the clock too: ticks that came in a burst (a ticker catching up) must not
     * start an election while the promise to the last leader still holds in real time.
     */
    private void tickElection() {
        electionElapsed++;
        if (promotable() && pastElectionTimeout() && !promisedByClock()) {
            electionElapsed = 0;
            step(Message.builder(MessageType.HUP).from(id).build());
        }
    }

    /** Leaders: heartbeat, check quorum, abort a stuck leadership transfer. */
    private void tickHeartbeat() {
        heartbeatElapsed++;
        electionElapsed++;

        if (electionElapsed >= electionTimeout) {
            electionElapsed = 0;
            if (checkQuorum) {
                step(Message.builder(MessageType.CHECK_QUORUM).from(id).build());
            }
            // If the leader could not transfer leadership within one election timeout, it takes
            // back the lead (thesis §3.10).
            if (state == StateType.LEADER && leadTransferee != NONE) {
                abortLeaderTransfer();
            }
        }
        if (state != StateType.LEADER) {
            return;
        }
        if (heartbeatElapsed >= heartbeatTimeout) {
            heartbeatElapsed = 0;
            step(Message.builder(MessageType.BEAT).from(id).build());
        }
    }

    // ---------------------------------------------------------------- role changes

    void becomeFollower(long newTerm, long newLead) {
        stepFn = this::stepFollower;
        reset(newTerm);
        tickFn = this::tickElection;
        lead = newLead;
        state = StateType.FOLLOWER;
    }

    void becomeCandidate() {
        if (state == StateType.LEADER) {
            throw new IllegalStateException("invalid transition [leader -> candidate]");
        }
        stepFn = this::stepCandidate;
        reset(term + 1);
        tickFn = this::tickElection;
        vote = id;
        state = StateType.CANDIDATE;
    }

    void becomePreCandidate() {
        if (state == StateType.LEADER) {
            throw new IllegalStateException("invalid transition [leader -> pre-candidate]");
        }
        // Becoming a pre-candidate changes our step functions and state, but doesn't change
        // anything else. In particular it does not increase the term or change the vote (§9.6).
        stepFn = this::stepCandidate;
        trk.resetVotes();
        tickFn = this::tickElection;
        lead = NONE;
        state = StateType.PRE_CANDIDATE;
    }

    void becomeLeader() {
        if (state == StateType.FOLLOWER) {
            throw new IllegalStateException("invalid transition [follower -> leader]");
        }
        stepFn = this::stepLeader;
        reset(term);
        tickFn = this::tickHeartbeat;
        lead = id;
        state = StateType.LEADER;
        // Followers enter replicate mode when they've been successfully probed; the leader is
        // trivially in this state.
        Progress self = trk.progress().get(id);
        self.becomeReplicate();
        // The leader always has recentActive == true; CHECK_QUORUM makes sure to preserve this.
        self.recentActive = true;

        // Conservatively set pendingConfIndex to the last index in the log: there may or may not
        // be a pending config change, but it is safe to delay any future one until all pending
        // entries are committed, and scanning the tail could be expensive.
        pendingConfIndex = raftLog.lastIndex();

        // The uncommitted-size cap survives term changes: entries left uncommitted by earlier
        // leaders count against it, so a run of elections cannot pile up an unbounded tail.
        uncommittedSize = 0;
        uncommittedFloor = raftLog.committed;
        if (raftLog.committed < raftLog.lastIndex()) {
            for (Entry e : raftLog.slice(raftLog.committed + 1, raftLog.lastIndex() + 1, RaftLog.NO_LIMIT)) {
                uncommittedSize += e.payloadSize();
            }
        }

        // The empty entry of the new term (§5.4.2, thesis §6.4): committing it commits all
        // earlier entries and lets ReadIndex proceed. Its payload is 0 bytes, so it is never refused.
        if (!appendEntry(List.of(Entry.proposal(EntryType.NORMAL, null)))) {
            throw new IllegalStateException("empty entry was dropped");
        }
    }

    private void hup(CampaignType t) {
        if (state == StateType.LEADER) {
            return;
        }
        if (!promotable()) {
            return;
        }
        // A node must not campaign while a conf change it has committed is not yet applied: its
        // view of the configuration may be stale.
        if (raftLog.committed > raftLog.applied) {
            for (Entry e : raftLog.slice(raftLog.applied + 1, raftLog.committed + 1, RaftLog.NO_LIMIT)) {
                if (e.type() == EntryType.CONF_CHANGE) {
                    return;
                }
            }
        }
        campaign(t);
    }

    private void campaign(CampaignType t) {
        // A node that campaigns has given up its leader. On a timeout its promise has run out by
        // ticks and by clock already (tickElection); an explicit campaign (RawNode.campaign, never
        // used by the runtime) breaks it, like a forced election.
        endPromise();
        long voteTerm;
        MessageType voteMsg;
        if (t == CampaignType.PRE_ELECTION) {
            becomePreCandidate();
            voteMsg = MessageType.PRE_VOTE;
            // PreVote RPCs are sent for the next term before we've incremented term.
            voteTerm = term + 1;
        } else {
            becomeCandidate();
            voteMsg = MessageType.VOTE;
            voteTerm = term;
        }
        if (poll(id, true) == VoteResult.WON) {
            // We won the election after voting for ourselves (a single-node cluster).
            if (t == CampaignType.PRE_ELECTION) {
                campaign(CampaignType.ELECTION);
            } else {
                becomeLeader();
            }
            return;
        }
        byte[] ctx = t == CampaignType.TRANSFER ? CAMPAIGN_TRANSFER : null;
        for (long vid : trk.config().voters().ids()) {
            if (vid == id) {
                continue;
            }
            send(Message.builder(voteMsg).term(voteTerm).to(vid).index(raftLog.lastIndex())
                    .logTerm(raftLog.lastTerm()).context(ctx));
        }
    }

    private VoteResult poll(long from, boolean granted) {
        trk.recordVote(from, granted);
        return trk.tallyVotes().result();
    }

    // ---------------------------------------------------------------- step

    /** Handles one message; local messages have term 0. */
    void step(Message m) {
        if (m.term() == 0) {
            // local message (or a forwarded proposal / read)
        } else if (m.term() > term) {
            if (m.type() == MessageType.VOTE || m.type() == MessageType.PRE_VOTE) {
                boolean force = Arrays.equals(m.context(), CAMPAIGN_TRANSFER);
                if (force) {
                    // Sent only after a leader fenced its lease with TIMEOUT_NOW.
                    endPromise();
                } else if (promised()) {
                    // If a server receives a RequestVote request within the minimum election
                    // timeout of hearing from a current leader, it does not update its term or
                    // grant its vote (thesis §4.2.3). The minimum, not the randomized timeout:
                    // the leader's lease is bounded by it.
                    return;
                }
            }
            if (m.type() == MessageType.PRE_VOTE) {
                // Never change our term in response to a PreVote.
            } else if (m.type() == MessageType.PRE_VOTE_RESP && !m.reject()) {
                // We send pre-vote requests with a term in our future. If the pre-vote is granted,
                // we will increment our term when we get a quorum. If it is not, the term comes
                // from the node that rejected our vote so we should become a follower at the new term.
            } else if (m.type() == MessageType.APP || m.type() == MessageType.HEARTBEAT
                    || m.type() == MessageType.SNAP) {
                becomeFollower(m.term(), m.from());
            } else {
                becomeFollower(m.term(), NONE);
            }
        } else if (m.term() < term) {
            if ((checkQuorum || preVote) && (m.type() == MessageType.HEARTBEAT || m.type() == MessageType.APP)) {
                // A leader at a lower term: this node may have advanced its term while
                // partitioned. With CheckQuorum or PreVote we may never otherwise tell the stale
                // leader; answering lets it step down (and, with PreVote, lets us rejoin).
                send(Message.builder(MessageType.APP_RESP).to(m.from()));
            } else if (m.type() == MessageType.PRE_VOTE || m.type() == MessageType.VOTE) {
                // Reject with our term (Raft §5.1: a stale candidate learns the current term from
                // the reply). etcd ignores stale VOTEs, which can stall a group for ever: a voter
                // that ran ahead in term while holding a stale membership never sends to the
                // candidate it needs, and the candidate never learns the higher term (found by the
                // simulator, seed 6750).
                send(Message.builder(m.type().voteResponse()).to(m.from()).term(term).reject(true));
            }
            // ignore other cases
            return;
        }

        switch (m.type()) {
            case HUP:
                hup(preVote ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
                break;
            case VOTE:
            case PRE_VOTE:
                stepVote(m);
                break;
            default:
                stepFn.step(m);
        }
    }

    private void stepVote(Message m) {
        // We can vote if this is a repeat of a vote we've already cast...
        boolean canVote = vote == m.from()
                // ...we haven't voted and we don't think there's a leader yet in this term...
                || (vote == NONE && lead == NONE)
                // ...or this is a PreVote for a future term...
                || (m.type() == MessageType.PRE_VOTE && m.term() > term);
        // ...and we owe no leader our promise: a stray response of a higher term may have moved this
        // node to a term with no known leader while it still owes the last one (the higher-term
        // check in step() does not see votes of that same term)...
        if (canVote && vote != m.from() && !Arrays.equals(m.context(), CAMPAIGN_TRANSFER) && promised()) {
            canVote = false;
        }
        // ...and we believe the candidate is up to date (§5.4.1).
        if (canVote && raftLog.isUpToDate(m.index(), m.logTerm())) {
            // Learners must be allowed to cast votes: a learner may have been promoted without
            // having learned about it yet.
            send(Message.builder(m.type().voteResponse()).to(m.from()).term(m.term()));
            if (m.type() == MessageType.VOTE) {
                // Only record real votes.
                electionElapsed = 0;
                vote = m.from();
            }
        } else {
            send(Message.builder(m.type().voteResponse()).to(m.from()).term(term).reject(true));
        }
    }

    private void stepLeader(Message m) {
        // These message types do not require any progress for m.from.
        switch (m.type()) {
            case BEAT:
                bcastHeartbeat();
                return;
            case CHECK_QUORUM:
                if (!trk.quorumActive()) {
                    // A leader that has not heard from a quorum for an election timeout steps down
                    // (thesis §6.2).
                    becomeFollower(term, NONE);
                }
                // Mark everyone (but ourselves) as inactive in preparation for the next check.
                trk.visit((pid, pr) -> {
                    if (pid != id) {
                        pr.recentActive = false;
                    }
                });
                return;
            case PROP:
                stepLeaderPropose(m);
                return;
            case READ_INDEX:
                stepLeaderReadIndex(m);
                return;
            default:
                break;
        }

        // All other message types require a progress for m.from.
        Progress pr = trk.progress().get(m.from());
        if (pr == null) {
            return;
        }
        switch (m.type()) {
            case APP_RESP:
                handleAppendResponse(m, pr);
                break;
            case HEARTBEAT_RESP:
                handleHeartbeatResponse(m, pr);
                break;
            case SNAP_STATUS:
                if (pr.state != ProgressState.SNAPSHOT) {
                    return;
                }
                if (m.reject()) {
                    // The order matters, or we would probe from the snapshot index although the
                    // snapshot never got applied.
                    pr.pendingSnapshot = 0;
                }
                pr.becomeProbe();
                // If the snapshot finished, wait for the APP_RESP before sending the next append;
                // if it failed, wait for a heartbeat interval before the next try.
                pr.msgAppFlowPaused = true;
                break;
            case UNREACHABLE:
                // During optimistic replication, if the remote becomes unreachable, a message was
                // most likely lost.
                if (pr.state == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
                break;
            case TRANSFER_LEADER:
                stepLeaderTransfer(m, pr);
                break;
            default:
                break;
        }
    }

    private void stepLeaderPropose(Message m) {
        if (m.entries().isEmpty()) {
            throw new IllegalStateException(id + " stepped empty PROP");
        }
        if (!trk.progress().containsKey(id)) {
            // This node was removed from the configuration while serving as leader.
            throw new ProposalDroppedException(ProposalDroppedException.Reason.NOT_A_MEMBER,
                    "node " + id + " is not a member of the group");
        }
        if (leadTransferee != NONE) {
            throw new ProposalDroppedException(ProposalDroppedException.Reason.LEADER_TRANSFER_IN_PROGRESS,
                    "leadership transfer to " + leadTransferee + " in progress");
        }
        List<Entry> ents = m.entries();
        List<Entry> accepted = null;
        // Only recorded once the entries are appended: a refused proposal leaves nothing pending.
        long newPendingConfIndex = pendingConfIndex;
        for (int i = 0; i < ents.size(); i++) {
            Entry e = ents.get(i);
            if (e.type() != EntryType.CONF_CHANGE) {
                continue;
            }
            ConfChange cc = decodeConfChange(e);
            boolean alreadyPending = newPendingConfIndex > raftLog.applied;
            boolean alreadyJoint = trk.config().voters().isJoint();
            boolean wantsLeaveJoint = cc.isLeaveJoint();
            String refused = null;
            if (alreadyPending) {
                refused = "possible unapplied conf change at index " + newPendingConfIndex + " (applied to "
                        + raftLog.applied + ")";
            } else if (alreadyJoint && !wantsLeaveJoint) {
                refused = "must transition out of joint config first";
            } else if (!alreadyJoint && wantsLeaveJoint) {
                refused = "not in joint state; refusing empty conf change";
            }
            if (accepted == null) {
                accepted = new ArrayList<>(ents);
            }
            if (refused != null) {
                // Keep the position so callers can match indexes; the entry becomes a no-op.
                accepted.set(i, Entry.proposal(EntryType.NORMAL, null));
            } else {
                newPendingConfIndex = raftLog.lastIndex() + i + 1;
            }
        }
        if (!appendEntry(accepted == null ? ents : accepted)) {
            throw new ProposalDroppedException(ProposalDroppedException.Reason.UNCOMMITTED_SIZE_LIMIT,
                    "uncommitted log size " + uncommittedSize + " bytes would exceed the limit of "
                            + maxUncommittedSize + " bytes");
        }
        pendingConfIndex = newPendingConfIndex;
        bcastAppend();
    }

    private void stepLeaderReadIndex(Message m) {
        if (m.from() != id && m.from() != NONE) {
            Progress pr = trk.progress().get(m.from());
            if (pr == null || (pr.isLearner && !trk.isObserver(m.from()))) {
                return; // only voters and observers are served reads
            }
        }
        // only one voting member (the leader) in the cluster
        if (trk.isSingleton()) {
            respondToReadIndex(m, raftLog.committed);
            return;
        }
        // Postpone read only requests until this leader has committed an entry of its term
        // (thesis §6.4 step 1): before that its commit index may be stale.
        if (!committedEntryInCurrentTerm()) {
            pendingReadIndexMessages.add(m);
            return;
        }
        sendReadIndexResponse(m);
    }

    private void sendReadIndexResponse(Message m) {
        if (readOnlyOption == ReadOnlyOption.LEASE_BASED && leaseValid()) {
            leaseReads++;
            respondToReadIndex(m, raftLog.committed);
            return;
        }
        // Confirm leadership with a heartbeat round acknowledged by a quorum.
        readOnly.addRequest(raftLog.committed, m);
        // The local node automatically acks the request.
        readOnly.recvAck(id, m.context());
        bcastHeartbeatWithCtx(m.context());
    }

    /**
     * Whether this leader holds a lease now: a quorum (joint-aware; the leader counts as acking
     * now) acknowledged a heartbeat sent less than a lease length ago. Each of them refuses votes
     * and does not campaign for an election timeout after receiving it (CheckQuorum), so no other
     * leader can have been elected in the meantime (thesis §6.4.1). With a lease clock the length
     * is {@code electionTick * tickNanos * (1 - leaseDriftMargin)} of clock time, judged at this
     * call, so a stalled or late ticker cannot stretch it; without one, {@code electionTick} ticks.
     */
    boolean leaseValid() {
        if (state != StateType.LEADER || leaseFenced || !checkQuorum) {
            return false;
        }
        long now = leaseNow();
        long q = leaseStart(now);
        long length = leaseClock == null ? electionTimeout : leaseNanos;
        return q > 0 && now < (q - 1) + length;
    }

    /** 1 + the lease time the quorum's acks date the lease from, the leader acking at {@code now}; 0: none. */
    private long leaseStart(long now) {
        return trk.config().voters().committedIndex(vid -> vid == id ? now + 1 : leaseAcks.getOrDefault(vid, 0L));
    }

    /**
     * The lease as a reader on another thread may use it (see {@link LeaseRead}), or null when
     * this node cannot answer a read from its lease now: not a leader with LEASE_BASED reads and
     * a lease clock, fenced, without a valid lease, or before it committed an entry of its term
     * (its commit index may be stale then, thesis §6.4 step 1). {@code validUntil} is where
     * {@link #leaseValid()} would turn false if no ack came in and nothing ended the lease: acks
     * only move the lease forward, so it is never later than this core's judgement until one of
     * the events that drop the lease (see docs/raft-engine.md, "Leases").
     */
    LeaseRead leaseRead() {
        if (readOnlyOption != ReadOnlyOption.LEASE_BASED || leaseClock == null || state != StateType.LEADER
                || leaseFenced || !checkQuorum || !committedEntryInCurrentTerm()) {
            return null;
        }
        long now = leaseNow();
        long q = leaseStart(now);
        if (q <= 0 || now >= (q - 1) + leaseNanos) {
            return null;
        }
        // leaseNow() = clock - origin + 1 < (q - 1) + leaseNanos  <=>  clock < q - 2 + leaseNanos + origin
        return new LeaseRead(term, raftLog.committed, q - 2 + leaseNanos + leaseClockOrigin);
    }

    /**
     * Called when the runtime stops ticking this node (hibernation). A leader's lease is measured
     * in ticks, so it is dropped rather than frozen, and every peer is marked inactive: after
     * waking, reads go through a heartbeat round and CheckQuorum needs fresh contact.
     */
    void hibernate() {
        leaseAcks.clear();
        if (state == StateType.LEADER) {
            // The next CheckQuorum comes a full election timeout after waking.
            electionElapsed = 0;
        }
        trk.visit((pid, pr) -> {
            if (pid != id) {
                pr.recentActive = false;
            }
        });
    }

    private void respondToReadIndex(Message req, long readIndex) {
        if (req.from() == NONE || req.from() == id) {
            readStates.add(new ReadState(readIndex, req.context()));
            return;
        }
        send(Message.builder(MessageType.READ_INDEX_RESP).to(req.from()).index(readIndex).context(req.context()));
    }

    private void releasePendingReadIndexMessages() {
        if (pendingReadIndexMessages.isEmpty()) {
            return;
        }
        List<Message> pending = pendingReadIndexMessages;
        pendingReadIndexMessages = new ArrayList<>();
        for (Message m : pending) {
            sendReadIndexResponse(m);
        }
    }

    boolean committedEntryInCurrentTerm() {
        return raftLog.termOrZero(raftLog.committed) == term;
    }

    private void handleAppendResponse(Message m, Progress pr) {
        pr.recentActive = true;
        if (m.reject()) {
            // The follower's log does not contain (m.index, term at m.index). Its hint
            // (rejectHint, logTerm) is the largest position where its log may match ours; find
            // the last index in our log at or below it whose term is <= logTerm, and probe there
            // (fast backtracking, §5.3).
            long nextProbeIdx = m.rejectHint();
            if (m.logTerm() > 0) {
                nextProbeIdx = raftLog.findConflictByTerm(m.rejectHint(), m.logTerm())[0];
            }
            if (pr.maybeDecrTo(m.index(), nextProbeIdx)) {
                if (pr.state == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
                sendAppend(m.from());
            }
            return;
        }
        // Update tracking if the response moves the match index, or if it can move a probing
        // peer back into REPLICATE.
        if (!(pr.maybeUpdate(m.index()) || (pr.match == m.index() && pr.state == ProgressState.PROBE))) {
            return;
        }
        if (pr.state == ProgressState.PROBE) {
            pr.becomeReplicate();
        } else if (pr.state == ProgressState.SNAPSHOT && pr.match + 1 >= raftLog.firstIndex()) {
            // The follower caught up past the compacted prefix, by whatever snapshot: replicate
            // from the log again (via PROBE, which takes the pending snapshot into account).
            pr.becomeProbe();
            pr.becomeReplicate();
        } else if (pr.state == ProgressState.REPLICATE) {
            pr.inflights.freeLE(m.index());
        }

        if (maybeCommit()) {
            // The committed index moved for this term, so pending reads may be answered.
            releasePendingReadIndexMessages();
            bcastAppend();
        } else if (m.from() != id && pr.canBumpCommit(raftLog.committed)) {
            // This follower may be missing the latest commit index, so send it.
            sendAppend(m.from());
        }
        // Flow control information changed, which may allow sending several (size-limited)
        // messages at once: send as many as the window allows, without empty ones.
        if (m.from() != id) {
            while (maybeSendAppend(m.from(), false)) {
                // keep sending
            }
        }
        // Leadership transfer in progress: the target is now up to date.
        if (m.from() == leadTransferee && pr.match == raftLog.lastIndex()) {
            sendTimeoutNow(m.from());
        }
    }

    private void handleHeartbeatResponse(Message m, Progress pr) {
        pr.recentActive = true;
        pr.msgAppFlowPaused = false;
        if (m.reject() && m.rejectHint() < pr.match) {
            // The follower lost entries it had acknowledged (see handleHeartbeat): forget what it
            // matched and probe from what it has. Commit never moves back, so this is safe; a
            // delayed duplicate of such a response only costs a re-probe.
            pr.match = m.rejectHint();
            pr.becomeProbe();
            sendAppend(m.from());
            return;
        }
        if (m.index() >= 0 && trk.config().voters().ids().contains(m.from())) {
            leaseAcks.merge(m.from(), m.index() + 1, Math::max);
        }
        // Even a paused follower (full window) gets an (empty) append, so that it recovers if
        // every message in the window was lost; a caught-up follower in PROBE gets one too so it
        // can move back to REPLICATE.
        if (pr.match < raftLog.lastIndex() || pr.state == ProgressState.PROBE) {
            sendAppend(m.from());
        }
        if (m.context().length == 0) {
            return;
        }
        Map<Long, Boolean> acks = readOnly.recvAck(m.from(), m.context());
        if (acks == null || trk.config().voters().voteResult(acks) != VoteResult.WON) {
            return;
        }
        for (ReadOnly.Status rs : readOnly.advance(m.context())) {
            respondToReadIndex(rs.req, rs.index);
        }
    }

    private void stepLeaderTransfer(Message m, Progress pr) {
        if (pr.isLearner) {
            return; // learners and observers cannot lead
        }
        long transferee = m.from();
        if (leadTransferee != NONE) {
            if (leadTransferee == transferee) {
                return; // the same transfer is already in progress
            }
            abortLeaderTransfer();
        }
        if (transferee == id) {
            return; // already leader
        }
        // Transfer leadership should be finished in one election timeout (thesis §3.10).
        electionElapsed = 0;
        leadTransferee = transferee;
        if (pr.match == raftLog.lastIndex()) {
            sendTimeoutNow(transferee);
        } else {
            sendAppend(transferee);
        }
    }

    /** Candidates and pre-candidates. */
    private void stepCandidate(Message m) {
        // Only handle vote responses of our own candidacy: while a CANDIDATE we may still get stale
        // PRE_VOTE_RESPs of this term from our pre-candidate state.
        MessageType myVoteRespType = state == StateType.PRE_CANDIDATE ? MessageType.PRE_VOTE_RESP
                : MessageType.VOTE_RESP;
        switch (m.type()) {
            case PROP:
                throw new ProposalDroppedException(ProposalDroppedException.Reason.NO_LEADER,
                        "no leader (node " + id + " is campaigning in term " + term + ")");
            case READ_INDEX:
                throw new ProposalDroppedException(ProposalDroppedException.Reason.NO_LEADER,
                        "read index: no leader (node " + id + " is campaigning in term " + term + ")");
            case APP:
                becomeFollower(m.term(), m.from()); // always m.term == term
                handleAppendEntries(m);
                break;
            case HEARTBEAT:
                becomeFollower(m.term(), m.from());
                handleHeartbeat(m);
                break;
            case SNAP:
                becomeFollower(m.term(), m.from());
                handleSnapshot(m);
                break;
            default:
                if (m.type() == myVoteRespType) {
                    VoteResult res = poll(m.from(), !m.reject());
                    if (res == VoteResult.WON) {
                        if (state == StateType.PRE_CANDIDATE) {
                            campaign(CampaignType.ELECTION);
                        } else {
                            becomeLeader();
                            bcastAppend();
                        }
                    } else if (res == VoteResult.LOST) {
                        // PRE_VOTE_RESP contains the future term of the pre-candidate:
                        // m.term > term; reuse term.
                        becomeFollower(term, NONE);
                    }
                }
                // TIMEOUT_NOW and anything else: ignored while campaigning.
        }
    }

    private void stepFollower(Message m) {
        switch (m.type()) {
            case PROP:
                if (lead == NONE) {
                    throw new ProposalDroppedException(ProposalDroppedException.Reason.NO_LEADER,
                            "no leader at term " + term);
                }
                if (disableProposalForwarding) {
                    throw new ProposalDroppedException(ProposalDroppedException.Reason.FORWARDING_DISABLED,
                            "node " + id + " is not the leader (leader is " + lead + ") and forwarding is disabled");
                }
                send(m.toBuilder().to(lead));
                break;
            case APP:
                electionElapsed = 0;
                lead = m.from();
                handleAppendEntries(m);
                break;
            case HEARTBEAT:
                electionElapsed = 0;
                lead = m.from();
                handleHeartbeat(m);
                break;
            case SNAP:
                electionElapsed = 0;
                lead = m.from();
                handleSnapshot(m);
                break;
            case TRANSFER_LEADER:
                if (lead == NONE) {
                    throw new ProposalDroppedException(ProposalDroppedException.Reason.NO_LEADER,
                            "no leader at term " + term + "; cannot transfer leadership");
                }
                send(m.toBuilder().to(lead));
                break;
            case TIMEOUT_NOW:
                // The leader fenced its lease when it sent this: the promise to it is void.
                endPromise();
                // Leadership transfers never use pre-vote even if preVote is true; we know we are
                // not recovering from a partition so there is no need for the extra round trip.
                hup(CampaignType.TRANSFER);
                break;
            case READ_INDEX:
                if (lead == NONE) {
                    throw new ProposalDroppedException(ProposalDroppedException.Reason.NO_LEADER,
                            "read index: no leader at term " + term);
                }
                send(m.toBuilder().to(lead));
                break;
            case READ_INDEX_RESP:
                readStates.add(new ReadState(m.index(), m.context()));
                break;
            default:
                break;
        }
    }

    private void handleAppendEntries(Message m) {
        leaderContact();
        if (m.index() < raftLog.committed) {
            send(Message.builder(MessageType.APP_RESP).to(m.from()).index(raftLog.committed));
            return;
        }
        long lastNew = raftLog.maybeAppend(m.index(), m.logTerm(), m.commit(), m.entries());
        if (lastNew >= 0) {
            send(Message.builder(MessageType.APP_RESP).to(m.from()).index(lastNew));
            return;
        }
        // Our log does not match the leader's at m.index. Hint the largest (index, term) where
        // the logs may match: the last position at or below m.index whose term is <= m.logTerm.
        // This skips the follower's whole uncommitted tail of higher terms in one round trip.
        long hintIndex = Math.min(m.index(), raftLog.lastIndex());
        long[] hint = raftLog.findConflictByTerm(hintIndex, m.logTerm());
        send(Message.builder(MessageType.APP_RESP).to(m.from()).index(m.index()).reject(true)
                .rejectHint(hint[0]).logTerm(hint[1]));
    }

    private void handleHeartbeat(Message m) {
        leaderContact();
        long last = raftLog.lastIndex();
        if (m.commit() > last) {
            // A heartbeat's commit never exceeds what this node acknowledged, and acknowledged
            // entries are never truncated: this node lost its log (a wiped disk). Tell the leader
            // how far it really is, so it re-probes and sends a snapshot instead of wedging.
            send(Message.builder(MessageType.HEARTBEAT_RESP).to(m.from()).index(m.index()).context(m.context())
                    .reject(true).rejectHint(last));
            return;
        }
        raftLog.commitTo(m.commit());
        send(Message.builder(MessageType.HEARTBEAT_RESP).to(m.from()).index(m.index()).context(m.context()));
    }

    private void handleSnapshot(Message m) {
        leaderContact();
        if (restore(m.snapshot())) {
            send(Message.builder(MessageType.APP_RESP).to(m.from()).index(raftLog.lastIndex()));
        } else {
            send(Message.builder(MessageType.APP_RESP).to(m.from()).index(raftLog.committed));
        }
    }

    /**
     * Recovers the log and configuration from a snapshot. Returns false if the snapshot is not
     * newer than what is committed here, or this node already holds its last entry (then only the
     * commit index moves).
     */
    boolean restore(Snapshot s) {
        if (s.index() <= raftLog.committed) {
            return false;
        }
        if (state != StateType.FOLLOWER) {
            // Defense in depth: a leader should never get here; step down into the next term
            // rather than restore.
            becomeFollower(term + 1, NONE);
            return false;
        }
        // A snapshot whose membership does not include this node is installed all the same (unlike
        // etcd, which drops it): a node added after the leader's latest snapshot was taken can only
        // catch up through that snapshot, and learns of its own addition from the log after it.
        // Until then it is in no role here (not promotable), which every path below tolerates.
        ConfState cs = s.metadata().confState();
        // We have the entry at the snapshot's index: just fast-forward the commit index.
        if (raftLog.matchTerm(s.index(), s.term())) {
            raftLog.commitTo(s.index());
            return false;
        }
        raftLog.restore(s);
        // Reset the configuration and add the (potentially updated) peers anew.
        ProgressTracker fresh = new ProgressTracker(trk.maxInflight(), trk.maxInflightBytes());
        ChangeResult r = Restore.restore(new Changer(fresh, raftLog.lastIndex()), cs);
        ConfState got = switchToConfig(r);
        if (!got.equivalent(cs)) {
            throw new IllegalStateException("conf state mismatch after snapshot restore: " + got + " vs " + cs);
        }
        Progress self = trk.progress().get(id);
        if (self != null) {
            self.maybeUpdate(self.next - 1);
        }
        return true;
    }

    /** Whether this node can become leader: a voter, with no snapshot pending installation. */
    boolean promotable() {
        Progress pr = trk.progress().get(id);
        return pr != null && !pr.isLearner && !raftLog.hasPendingSnapshot();
    }

    // ---------------------------------------------------------------- configuration

    ConfState applyConfChange(ConfChange cc) {
        Changer changer = new Changer(trk, raftLog.lastIndex());
        ChangeResult r;
        if (cc.isLeaveJoint()) {
            r = changer.leaveJoint();
        } else if (cc.entersJoint()) {
            r = changer.enterJoint(cc.autoLeave(), cc.changes());
        } else {
            r = changer.simple(cc.changes());
        }
        return switchToConfig(r);
    }

    /**
     * Installs a new configuration. A leader that is no longer a voter steps down, after telling
     * the most up-to-date remaining voter to campaign at once (so the group is not leaderless for
     * an election timeout). Otherwise the leader commits what the new quorum allows and probes new
     * members.
     */
    private ConfState switchToConfig(ChangeResult r) {
        trk.setConfig(r.config(), r.progress());
        // A lease is held against one configuration's quorums: the next heartbeat round renews it.
        leaseAcks.clear();
        ConfState cs = trk.confState();
        Progress self = trk.progress().get(id);
        isLearner = self != null && self.isLearner;

        if ((self == null || isLearner) && state == StateType.LEADER) {
            long successor = NONE;
            for (long vid : trk.config().voters().ids()) {
                Progress pr = trk.progress().get(vid);
                if (vid != id && pr != null && pr.match == raftLog.lastIndex()) {
                    successor = vid;
                    break;
                }
            }
            if (successor != NONE) {
                sendTimeoutNow(successor);
            }
            becomeFollower(term, NONE);
            return cs;
        }
        // The remaining steps only make sense if this node is the leader and there are other nodes.
        if (state != StateType.LEADER || cs.voters().isEmpty()) {
            return cs;
        }
        if (maybeCommit()) {
            // The new configuration commits more entries: broadcast to everyone in it.
            bcastAppend();
        } else {
            // Otherwise still probe the new replicas; no reason to let them wait a heartbeat.
            trk.visit((pid, pr) -> {
                if (pid != id) {
                    maybeSendAppend(pid, false);
                }
            });
        }
        // If the transfer target was removed or demoted, abort the transfer.
        if (leadTransferee != NONE && !trk.config().voters().ids().contains(leadTransferee)) {
            abortLeaderTransfer();
        }
        return cs;
    }

    static ConfChange decodeConfChange(Entry e) {
        // An empty payload is the leave-joint change the leader proposes by itself.
        return e.data().length == 0 ? ConfChange.leaveJoint() : ConfChange.decode(e.data());
    }

    /**
     * Called once the application has been handed entries up to {@code newApplied}. If the
     * configuration is joint and auto-leaving, and its conf change is now applied, the leader
     * proposes to leave it (thesis §4.3).
     */
    void appliedTo(long newApplied) {
        long oldApplied = raftLog.applied;
        raftLog.appliedTo(newApplied);
        if (trk.config().autoLeave() && oldApplied <= pendingConfIndex && newApplied >= pendingConfIndex
                && state == StateType.LEADER) {
            // An empty payload decodes to the leave-joint change and counts 0 bytes, so the
            // uncommitted cap can never refuse it.
            if (!appendEntry(List.of(Entry.proposal(EntryType.CONF_CHANGE, null)))) {
                throw new IllegalStateException("refused un-refusable auto-leaving conf change");
            }
            pendingConfIndex = raftLog.lastIndex();
            bcastAppend();
        }
    }

    private void loadState(HardState hs) {
        if (hs.commit() < raftLog.committed || hs.commit() > raftLog.lastIndex()) {
            throw new IllegalStateException("hs.commit " + hs.commit() + " is out of range [" + raftLog.committed
                    + ", " + raftLog.lastIndex() + "]");
        }
        raftLog.committed = hs.commit();
        term = hs.term();
        vote = hs.vote();
    }

    private boolean pastElectionTimeout() {
        return electionElapsed >= randomizedElectionTimeout;
    }

    private void resetRandomizedElectionTimeout() {
        randomizedElectionTimeout = electionTimeout + random.nextInt(electionTimeout);
    }

    void abortLeaderTransfer() {
        leadTransferee = NONE;
    }
}
