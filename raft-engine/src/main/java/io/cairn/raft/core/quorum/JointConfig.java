package io.cairn.raft.core.quorum;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Two (possibly overlapping) majority configurations that must both agree: Raft thesis §4.3, joint
 * consensus ({@code C_old,new}). The outgoing half is {@link MajorityConfig#EMPTY} when the
 * configuration is not joint, in which case it behaves exactly like the incoming half.
 */
public final class JointConfig {

    private final MajorityConfig incoming;
    private final MajorityConfig outgoing;
    private final SortedSet<Long> ids;

    /**
     * @param incoming the incoming (or only) majority
     * @param outgoing the outgoing majority; {@code null} is taken as {@link MajorityConfig#EMPTY}
     */
    public JointConfig(MajorityConfig incoming, MajorityConfig outgoing) {
        this.incoming = Objects.requireNonNull(incoming, "incoming");
        this.outgoing = outgoing == null ? MajorityConfig.EMPTY : outgoing;
        TreeSet<Long> all = new TreeSet<>(this.incoming.ids());
        all.addAll(this.outgoing.ids());
        this.ids = Collections.unmodifiableSortedSet(all);
    }

    /** A non-joint configuration. */
    public JointConfig(MajorityConfig incoming) {
        this(incoming, MajorityConfig.EMPTY);
    }

    public MajorityConfig incoming() {
        return incoming;
    }

    public MajorityConfig outgoing() {
        return outgoing;
    }

    /** Whether the outgoing majority is non-empty. */
    public boolean isJoint() {
        return !outgoing.isEmpty();
    }

    /** The voters of both halves, ascending (unmodifiable). */
    public Set<Long> ids() {
        return ids;
    }

    /** The largest index committed in both majorities, i.e. the minimum of the two. */
    public long committedIndex(AckedIndexer indexer) {
        return Math.min(incoming.committedIndex(indexer), outgoing.committedIndex(indexer));
    }

    /** WON only if both majorities won; LOST if either lost; PENDING otherwise. */
    public VoteResult voteResult(Map<Long, Boolean> votes) {
        VoteResult r1 = incoming.voteResult(votes);
        VoteResult r2 = outgoing.voteResult(votes);
        if (r1 == r2) {
            return r1;
        }
        if (r1 == VoteResult.LOST || r2 == VoteResult.LOST) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JointConfig j && incoming.equals(j.incoming) && outgoing.equals(j.outgoing);
    }

    @Override
    public int hashCode() {
        return incoming.hashCode() * 31 + outgoing.hashCode();
    }

    /** {@code (1 2 3)} or, when joint, {@code (1 2 3)&&(1 2 4)} (incoming first). */
    @Override
    public String toString() {
        return isJoint() ? incoming + "&&" + outgoing : incoming.toString();
    }
}
