package io.cairn.raft.core;

/** How the leader confirms it is still leader before answering a ReadIndex request. */
public enum ReadOnlyOption {
    /** A heartbeat round acknowledged by a quorum (Raft thesis §6.4). */
    SAFE,
    /**
     * A leader lease (thesis §6.4.1): within an election timeout of a heartbeat a quorum acked,
     * no other leader can exist, so the read is answered at once. Requires CheckQuorum; falls back
     * to {@link #SAFE} whenever the lease is not currently held. Assumes bounded clock drift: every
     * node's ticks advance at the same rate.
     */
    LEASE_BASED
}
