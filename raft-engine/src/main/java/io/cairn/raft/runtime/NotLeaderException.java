package io.cairn.raft.runtime;

/** The request needs the group's leader and this replica is not it. */
public final class NotLeaderException extends RuntimeException {
    private final long groupId;
    private final long leaderHint;

    public NotLeaderException(long groupId, long leaderHint) {
        super("group " + groupId + ": not the leader" + (leaderHint == 0 ? " (leader unknown)" : " (leader is node " + leaderHint + ")"),
                null, false, false);
        this.groupId = groupId;
        this.leaderHint = leaderHint;
    }

    public long groupId() {
        return groupId;
    }

    /** The node believed to lead the group, or 0 if unknown. */
    public long leaderHint() {
        return leaderHint;
    }
}
