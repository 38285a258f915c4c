package io.cairn.raft.core;

import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Parameters of one Raft node. Mutable while being built (fluent setters); validated when the
 * node is created. Times are in ticks: the application decides how long a tick is.
 */
public final class RaftConfig {
    private long id;
    private LogStorage storage;
    private int electionTick = 10;
    private int heartbeatTick = 1;
    private long applied;
    private long maxSizePerMsg = 1024 * 1024;
    private long maxCommittedSizePerReady = 8L * 1024 * 1024;
    private long maxUncommittedEntriesSize;
    private int maxInflightMsgs = 256;
    private long maxInflightBytes;
    private boolean checkQuorum = true;
    private boolean preVote = true;
    private ReadOnlyOption readOnlyOption = ReadOnlyOption.SAFE;
    private boolean disableProposalForwarding;
    private Random random;
    private LongSupplier leaseClock;
    private long tickNanos;
    private double leaseDriftMargin = 0.1;

    public static RaftConfig of(long id, LogStorage storage) {
        return new RaftConfig().id(id).storage(storage);
    }

    /** Checks the configuration; throws {@link IllegalArgumentException} naming the bad value. */
    public void validate() {
        if (id == 0) {
            throw new IllegalArgumentException("cannot use 0 as id");
        }
        if (storage == null) {
            throw new IllegalArgumentException("storage cannot be null");
        }
        if (heartbeatTick <= 0) {
            throw new IllegalArgumentException("heartbeat tick must be greater than 0, got " + heartbeatTick);
        }
        if (electionTick <= heartbeatTick) {
            throw new IllegalArgumentException("election tick (" + electionTick
                    + ") must be greater than heartbeat tick (" + heartbeatTick + ")");
        }
        if (maxInflightMsgs <= 0) {
            throw new IllegalArgumentException("max inflight messages must be greater than 0, got " + maxInflightMsgs);
        }
        if (maxInflightBytes < 0) {
            throw new IllegalArgumentException("max inflight bytes must be >= 0 (0 = no limit)");
        }
        if (maxInflightBytes != 0 && maxInflightBytes < maxSizePerMsg) {
            throw new IllegalArgumentException("max inflight bytes (" + maxInflightBytes
                    + ") must be >= max message size (" + maxSizePerMsg + ")");
        }
        if (maxSizePerMsg <= 0 || maxCommittedSizePerReady <= 0) {
            throw new IllegalArgumentException("message and ready size limits must be positive");
        }
        if (maxUncommittedEntriesSize < 0) {
            throw new IllegalArgumentException("max uncommitted entries size must be >= 0 (0 = no limit)");
        }
        if (readOnlyOption == ReadOnlyOption.LEASE_BASED && !checkQuorum) {
            throw new IllegalArgumentException("CheckQuorum must be enabled when ReadOnlyOption is LEASE_BASED");
        }
        if (leaseClock != null && tickNanos <= 0) {
            throw new IllegalArgumentException("lease clock needs the tick length in nanoseconds (> 0), got "
                    + tickNanos);
        }
        if (!(leaseDriftMargin >= 0 && leaseDriftMargin < 1)) {
            throw new IllegalArgumentException("lease drift margin must be in [0, 1), got " + leaseDriftMargin);
        }
    }

    public long id() {
        return id;
    }

    public RaftConfig id(long v) {
        id = v;
        return this;
    }

    public LogStorage storage() {
        return storage;
    }

    public RaftConfig storage(LogStorage v) {
        storage = v;
        return this;
    }

    /** Ticks without hearing from a leader before a follower campaigns (randomized in [n, 2n)). */
    public int electionTick() {
        return electionTick;
    }

    public RaftConfig electionTick(int v) {
        electionTick = v;
        return this;
    }

    /** Ticks between leader heartbeats. */
    public int heartbeatTick() {
        return heartbeatTick;
    }

    public RaftConfig heartbeatTick(int v) {
        heartbeatTick = v;
        return this;
    }

    /** Last index the application applied before a restart (0 if unknown); committed entries up
     *  to it are not handed out again. */
    public long applied() {
        return applied;
    }

    public RaftConfig applied(long v) {
        applied = v;
        return this;
    }

    /** Bytes of entries in one append message (at least one entry is always sent). */
    public long maxSizePerMsg() {
        return maxSizePerMsg;
    }

    public RaftConfig maxSizePerMsg(long v) {
        maxSizePerMsg = v;
        return this;
    }

    /** Bytes of committed entries in one {@link Ready}. */
    public long maxCommittedSizePerReady() {
        return maxCommittedSizePerReady;
    }

    public RaftConfig maxCommittedSizePerReady(long v) {
        maxCommittedSizePerReady = v;
        return this;
    }

    /** Cap on the payload bytes of uncommitted entries at the leader; 0 = no cap. */
    public long maxUncommittedEntriesSize() {
        return maxUncommittedEntriesSize;
    }

    public RaftConfig maxUncommittedEntriesSize(long v) {
        maxUncommittedEntriesSize = v;
        return this;
    }

    /** Append messages in flight to one follower (optimistic pipelining window). */
    public int maxInflightMsgs() {
        return maxInflightMsgs;
    }

    public RaftConfig maxInflightMsgs(int v) {
        maxInflightMsgs = v;
        return this;
    }

    /** Payload bytes in flight to one follower; 0 = no byte limit. */
    public long maxInflightBytes() {
        return maxInflightBytes;
    }

    public RaftConfig maxInflightBytes(long v) {
        maxInflightBytes = v;
        return this;
    }

    public boolean checkQuorum() {
        return checkQuorum;
    }

    public RaftConfig checkQuorum(boolean v) {
        checkQuorum = v;
        return this;
    }

    public boolean preVote() {
        return preVote;
    }

    public RaftConfig preVote(boolean v) {
        preVote = v;
        return this;
    }

    public ReadOnlyOption readOnlyOption() {
        return readOnlyOption;
    }

    public RaftConfig readOnlyOption(ReadOnlyOption v) {
        readOnlyOption = v;
        return this;
    }

    /** If set, followers refuse proposals instead of forwarding them to the leader. */
    public boolean disableProposalForwarding() {
        return disableProposalForwarding;
    }

    public RaftConfig disableProposalForwarding(boolean v) {
        disableProposalForwarding = v;
        return this;
    }

    /** The only source of randomness of the node (election timeouts). Default: seeded by id. */
    /** Monotonic clock of the lease in nanoseconds (any origin), or null: see {@link #leaseClock(LongSupplier, long)}. */
    public LongSupplier leaseClock() {
        return leaseClock;
    }

    /** Nominal length of a tick in nanoseconds, as the application ticks (0 without a lease clock). */
    public long tickNanos() {
        return tickNanos;
    }

    /**
     * Times leases and election promises by a monotonic clock (e.g. {@code System::nanoTime}) as
     * well as by ticks, so a late or bursty ticker can neither stretch a leader's lease nor shorten
     * a follower's promise not to vote (see docs/raft-engine.md, "Leases"). The core reads the
     * clock only through this supplier. {@code tickNanos} is how long the application means a tick
     * to be: a follower refuses votes for {@code electionTick * tickNanos} after hearing from a
     * leader, and a lease lasts {@code electionTick * tickNanos * (1 - leaseDriftMargin)} from the
     * send time of the heartbeat a quorum acknowledged. Without a clock, leases are timed in ticks
     * only, which is sound only if ticks never fall behind real time (deterministic tests).
     */
    public RaftConfig leaseClock(LongSupplier clock, long tickNanos) {
        this.leaseClock = clock;
        this.tickNanos = tickNanos;
        return this;
    }

    /** Fraction of the election timeout a lease gives up to clock-rate differences between nodes [0.1]. */
    public double leaseDriftMargin() {
        return leaseDriftMargin;
    }

    public RaftConfig leaseDriftMargin(double v) {
        leaseDriftMargin = v;
        return this;
    }

    public Random random() {
        return random != null ? random : new Random(id);
    }

    public RaftConfig random(Random v) {
        random = v;
        return this;
    }
}
