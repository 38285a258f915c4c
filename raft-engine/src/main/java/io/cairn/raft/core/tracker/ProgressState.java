package io.cairn.raft.core.tracker;

/** How the leader replicates to one follower (etcd's StateType). */
public enum ProgressState {
    /**
     * The leader does not know the follower's last index: it sends at most one append per heartbeat
     * interval and probes backwards on rejections.
     */
    PROBE,
    /**
     * The follower is known to be in sync: the leader streams appends optimistically, flow-controlled
     * by {@link Inflights}.
     */
    REPLICATE,
    /** The leader has sent a snapshot and sends no appends until it is applied or reported failed. */
    SNAPSHOT
}
