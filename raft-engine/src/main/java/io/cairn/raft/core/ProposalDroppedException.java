package io.cairn.raft.core;

/**
 * A proposal (or conf change, or forwarded read) was not accepted. The caller may retry,
 * possibly on another node; nothing was appended to the log.
 */
public final class ProposalDroppedException extends RaftException {

    /** Why a proposal was dropped. */
    public enum Reason {
        NO_LEADER,
        LEADER_TRANSFER_IN_PROGRESS,
        UNCOMMITTED_SIZE_LIMIT,
        FORWARDING_DISABLED,
        NOT_A_MEMBER
    }

    private final Reason reason;

    public ProposalDroppedException(Reason reason, String message) {
        super("proposal dropped: " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
