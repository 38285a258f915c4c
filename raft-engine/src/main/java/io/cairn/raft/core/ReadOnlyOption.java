package io.cairn.raft.core;

/** How the leader confirms it is still leader before answering a ReadIndex request. */
public enum ReadOnlyOption {
    /** A heartbeat round acknowledged by a quorum (Raft thesis §6.4). */
    SAFE,
    /**
     * A leader lease (thesis §6.4.1): within an election timeout (less a drift margin) of the send
     * time of a heartbeat a quorum acked, no other leader can exist, so the read is answered at
     * once. Requires CheckQuorum; falls back to {@link #SAFE} whenever the lease is not currently
     * held. Timed by {@link RaftConfig#leaseClock} when one is given (the runtime always gives
     * one): then a late or bursty ticker cannot stretch it. Without a clock it is timed in ticks
     * and assumes every node's ticks keep pace with real time.
     */
    LEASE_BASED
}
