package io.cairn.raft.core;

import java.util.List;

/**
 * Everything the application must do after feeding the core, in this order:
 * <ol>
 *   <li>persist {@code snapshot} (if not empty), {@code entries} and {@code hardState} (if not
 *       null) to stable storage, with an fsync if {@code mustSync};</li>
 *   <li>send {@code messages} (only after step 1: a vote or an append ack must never be sent
 *       before what it promises is durable), except those {@link #sendableBeforePersist}, which
 *       may leave as soon as step 1 has started;</li>
 *   <li>apply {@code committedEntries} (calling {@link RawNode#applyConfChange} for conf change
 *       entries) and serve {@code readStates} once applied up to their index;</li>
 *   <li>call {@link RawNode#advance(Ready)}: it tells the core that step 1 is durable.</li>
 * </ol>
 *
 * <p>A leader counts its own copy of its entries towards commitment only when {@code advance}
 * reports them durable, so it may send them to followers while its own write is in flight (Raft
 * thesis §10.2.1): the leader's fsync then runs in parallel with the followers' instead of before
 * them. {@code committedEntries} may therefore include entries of this very Ready's
 * {@code entries} (a quorum of followers persisted them first): apply them only after step 1, as
 * the order above says.
 *
 * @param softState        new leader/role if it changed since the last Ready, else null
 * @param hardState        new hard state if it changed, else null
 * @param readStates       answered ReadIndex requests
 * @param entries          entries to append to stable storage
 * @param snapshot         snapshot to install, or {@link Snapshot#EMPTY}
 * @param committedEntries entries to apply
 * @param messages         messages to send
 * @param mustSync         whether the write must be synced (term, vote or entries changed)
 * @param termDurable      whether this node's term and vote were already durable when the Ready
 *                         was taken (the Ready does not change them)
 */
public record Ready(SoftState softState, HardState hardState, List<ReadState> readStates,
                    List<Entry> entries, Snapshot snapshot, List<Entry> committedEntries,
                    List<Message> messages, boolean mustSync, boolean termDurable) {

    /** A Ready whose messages all wait for its write ({@code termDurable} false). */
    public Ready(SoftState softState, HardState hardState, List<ReadState> readStates, List<Entry> entries,
                 Snapshot snapshot, List<Entry> committedEntries, List<Message> messages, boolean mustSync) {
        this(softState, hardState, readStates, entries, snapshot, committedEntries, messages, mustSync, false);
    }

    /**
     * Whether {@code m} may be sent before this Ready's write is durable: the leader's appends,
     * heartbeats and snapshots to followers, unless this Ready changes the term or vote. They
     * promise nothing about this node's disk (a heartbeat's commit index and an append's entries
     * are the leader's view, and commitment never counts the leader's copy before it is durable).
     * The term must be durable first, though: a single voter that became leader in this Ready and
     * crashed before writing its term could be elected again in the same term and write other
     * entries at the same (index, term) its learners already hold. Everything else waits for the
     * write: append and vote responses (durable before acknowledged), vote requests (the
     * candidate's own term and vote), and the rest, which gains nothing by leaving early.
     */
    public boolean sendableBeforePersist(Message m) {
        return termDurable && isReplication(m.type());
    }

    /** The message types a leader replicates with: appends, heartbeats, snapshots. */
    static boolean isReplication(MessageType t) {
        return t == MessageType.APP || t == MessageType.HEARTBEAT || t == MessageType.SNAP;
    }

    /** Whether there is nothing at all to do. */
    public boolean isEmpty() {
        return softState == null && hardState == null && readStates.isEmpty() && entries.isEmpty()
                && snapshot.isEmpty() && committedEntries.isEmpty() && messages.isEmpty();
    }
}
