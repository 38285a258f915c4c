package io.cairn.raft.core;

/**
 * The state a node must persist before it sends any message that depends on it.
 *
 * @param term   current term
 * @param vote   node voted for in {@code term}, 0 for none
 * @param commit highest index known committed (persisting it is an optimisation, not a rule)
 */
public record HardState(long term, long vote, long commit) {
    public static final HardState EMPTY = new HardState(0, 0, 0);

    public boolean isEmpty() {
        return term == 0 && vote == 0 && commit == 0;
    }

    /**
     * Whether {@code other} has this term and vote: a change from one to the other moves at most
     * the commit index, which needs no fsync (etcd-raft's {@code MustSync}).
     */
    public boolean sameTermAndVote(HardState other) {
        return term == other.term && vote == other.vote;
    }
}
