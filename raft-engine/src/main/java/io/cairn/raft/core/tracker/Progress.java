package io.cairn.raft.core.tracker;

import java.util.Objects;

/**
 * A follower's progress as seen by the leader (etcd's tracker.Progress, v3.6 semantics). The Raft
 * core reads and writes the public fields directly; the methods implement the state transitions.
 *
 * <p>Invariant: {@code 0 <= match < next}. In {@link ProgressState#SNAPSHOT},
 * {@code next == pendingSnapshot + 1}.
 */
public final class Progress {

    /** The index up to which the follower's log is known to match the leader's. Does not regress. */
    public long match;

    /**
     * The index of the next entry to send. Entries in {@code (match, next)} are in flight.
     */
    public long next;

    /** The highest commit index sent to the follower (in flight); see {@link #canBumpCommit}. */
    private long sentCommit;

    /** How the leader currently replicates to the follower. */
    public ProgressState state = ProgressState.PROBE;

    /**
     * In {@link ProgressState#SNAPSHOT}: the leader's last index when it decided a snapshot was
     * needed (the index of the snapshot sent). Replication stays paused until the follower acks
     * an index that reconnects it to the log, or the snapshot is reported.
     */
    public long pendingSnapshot;

    /**
     * Whether the follower was heard from recently (reset by the leader each election timeout
     * for check-quorum). The leader's own progress is always active. New progresses created by a
     * configuration change start active, so a fresh node does not make the leader step down.
     */
    public boolean recentActive;

    /**
     * Whether the append flow is throttled: in PROBE after a probe was sent, in REPLICATE when
     * {@link #inflights} is saturated. Reset on a heartbeat response (by the core) and on
     * {@link #maybeUpdate}/{@link #maybeDecrTo}. See {@link #isPaused()}.
     */
    public boolean msgAppFlowPaused;

    /** The appends in flight (used in REPLICATE). */
    public final Inflights inflights;

    /** Whether this progress tracks a learner (a non-voting member; observers included). */
    public boolean isLearner;

    /**
     * Reserved for BW-Raft secretaries: the id of the secretary that relays the leader's log to this
     * peer, or 0 when the leader sends to it directly. Nothing uses it yet; it is carried along by
     * {@link #copy()} and otherwise left untouched by this class.
     */
    public long relay;

    /**
     * A progress in {@link ProgressState#PROBE} with {@code match == 0}, not recently active,
     * not paused.
     *
     * @param next      the next index to send, at least 1
     * @param inflights the flow-control window (owned by this progress from now on)
     * @param isLearner whether the peer is a learner
     */
    public Progress(long next, Inflights inflights, boolean isLearner) {
        if (next < 1) {
            throw new IllegalArgumentException("next must be >= 1: " + next);
        }
        this.next = next;
        this.inflights = Objects.requireNonNull(inflights, "inflights");
        this.isLearner = isLearner;
    }

    /** The highest commit index in flight to the follower. */
    public long sentCommit() {
        return sentCommit;
    }

    /** Moves to {@code newState}, clearing {@link #msgAppFlowPaused}, {@link #pendingSnapshot}
     *  and the inflights. */
    public void resetState(ProgressState newState) {
        msgAppFlowPaused = false;
        pendingSnapshot = 0;
        state = Objects.requireNonNull(newState, "state");
        inflights.reset();
    }

    /**
     * Moves to PROBE. {@code next} becomes {@code match + 1}, or, coming from SNAPSHOT, the larger of
     * that and {@code pendingSnapshot + 1} (the snapshot is assumed to have been delivered).
     */
    public void becomeProbe() {
        if (state == ProgressState.SNAPSHOT) {
            long pending = pendingSnapshot;
            resetState(ProgressState.PROBE);
            next = Math.max(match + 1, pending + 1);
        } else {
            resetState(ProgressState.PROBE);
            next = match + 1;
        }
        sentCommit = Math.min(sentCommit, next - 1);
    }

    /** Moves to REPLICATE with {@code next = match + 1}. */
    public void becomeReplicate() {
        resetState(ProgressState.REPLICATE);
        next = match + 1;
    }

    /** Moves to SNAPSHOT for a snapshot at {@code snapshotIndex}; {@code next} follows it. */
    public void becomeSnapshot(long snapshotIndex) {
        resetState(ProgressState.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
        next = snapshotIndex + 1;
        sentCommit = snapshotIndex;
    }

    /**
     * Records that an append of {@code entries} consecutive entries starting at {@code next},
     * totalling {@code bytes}, was sent. In REPLICATE, {@code next} advances and the append is
     * tracked in the inflights; the flow pauses when they are full. In PROBE, a non-empty append
     * pauses the flow until a response or heartbeat response.
     *
     * @throws IllegalStateException in SNAPSHOT, where no append may be sent
     */
    public void sentEntries(int entries, long bytes) {
        switch (state) {
            case REPLICATE -> {
                if (entries > 0) {
                    next += entries;
                    inflights.add(next - 1, bytes);
                }
                // An append that fills the inflights (or was sent when full) counts as a probe.
                msgAppFlowPaused = inflights.full();
            }
            case PROBE -> {
                if (entries > 0) {
                    msgAppFlowPaused = true;
                }
            }
            default -> throw new IllegalStateException("sending append in unhandled state " + state);
        }
    }

    /**
     * Whether sending commit index {@code index} could advance the follower's commit index: it is
     * higher than what was sent and what was sent does not already cover everything up to
     * {@code next - 1}.
     */
    public boolean canBumpCommit(long index) {
        return index > sentCommit && sentCommit < next - 1;
    }

    /** Records that commit index {@code commit} was sent to the follower. */
    public void sentCommit(long commit) {
        sentCommit = commit;
    }

    /**
     * Handles an append acknowledgement for index {@code n}. Returns false (and changes nothing) if
     * it is stale ({@code n <= match}); otherwise raises {@code match} (and {@code next} if needed)
     * and un-pauses the flow.
     */
    public boolean maybeUpdate(long n) {
        if (n <= match) {
            return false;
        }
        match = n;
        next = Math.max(next, n + 1);
        msgAppFlowPaused = false;
        return true;
    }

    /**
     * Handles a rejection of the append at index {@code rejected}, with the follower's hint
     * {@code matchHint} (the highest index at which it may match). Returns false for a stale
     * rejection (in REPLICATE: {@code rejected <= match}; otherwise: {@code rejected != next - 1}).
     * Otherwise lowers {@code next} (to {@code match + 1} in REPLICATE; to
     * {@code max(min(rejected, matchHint + 1), match + 1)} otherwise) and returns true.
     */
    public boolean maybeDecrTo(long rejected, long matchHint) {
        if (state == ProgressState.REPLICATE) {
            if (rejected <= match) {
                return false;
            }
            next = match + 1;
            sentCommit = Math.min(sentCommit, next - 1);
            return true;
        }
        if (next - 1 != rejected) {
            return false;
        }
        next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
        sentCommit = Math.min(sentCommit, next - 1);
        msgAppFlowPaused = false;
        return true;
    }

    /**
     * Whether sending appends to this follower is throttled: PROBE and REPLICATE when
     * {@link #msgAppFlowPaused}, always in SNAPSHOT.
     */
    public boolean isPaused() {
        return switch (state) {
            case PROBE, REPLICATE -> msgAppFlowPaused;
            case SNAPSHOT -> true;
        };
    }

    /** A deep copy (with its own {@link Inflights}). */
    public Progress copy() {
        Progress p = new Progress(Math.max(next, 1), inflights.copy(), isLearner);
        p.match = match;
        p.next = next;
        p.sentCommit = sentCommit;
        p.state = state;
        p.pendingSnapshot = pendingSnapshot;
        p.recentActive = recentActive;
        p.msgAppFlowPaused = msgAppFlowPaused;
        p.relay = relay;
        return p;
    }

    /** The etcd spelling of a state, e.g. {@code StateProbe}. */
    static String stateName(ProgressState s) {
        return switch (s) {
            case PROBE -> "StateProbe";
            case REPLICATE -> "StateReplicate";
            case SNAPSHOT -> "StateSnapshot";
        };
    }

    /** Like etcd, e.g. {@code StateReplicate match=4 next=7 learner paused inflight=2[full]}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(stateName(state)).append(" match=").append(match).append(" next=").append(next);
        if (isLearner) {
            b.append(" learner");
        }
        if (isPaused()) {
            b.append(" paused");
        }
        if (pendingSnapshot > 0) {
            b.append(" pendingSnap=").append(pendingSnapshot);
        }
        if (!recentActive) {
            b.append(" inactive");
        }
        int n = inflights.count();
        if (n > 0) {
            b.append(" inflight=").append(n);
            if (inflights.full()) {
                b.append("[full]");
            }
        }
        if (relay != 0) {
            b.append(" relay=").append(relay);
        }
        return b.toString();
    }
}
