package io.cairn.raft.core.quorum;

/** The outcome of a vote counted against a quorum configuration. */
public enum VoteResult {
    /** Neither a quorum of "yes" nor a quorum of "no" votes has been reached yet. */
    PENDING,
    /** A quorum of "no" votes has been reached: the vote can no longer be won. */
    LOST,
    /** A quorum of "yes" votes has been reached. */
    WON
}
