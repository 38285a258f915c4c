package io.cairn.raft.core.quorum;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An immutable set of voter ids deciding by simple majority (Raft thesis §3.6: a log entry is
 * committed once a majority of the voters has stored it; §3.4: a candidate wins with the votes of a
 * majority).
 *
 * <p>By convention the empty configuration commits "everything" ({@link Long#MAX_VALUE}) and wins
 * every vote, so that a {@link JointConfig} whose outgoing half is empty behaves exactly like its
 * incoming half.
 */
public final class MajorityConfig {

    /** The configuration without voters. */
    public static final MajorityConfig EMPTY = new MajorityConfig(Set.of());

    private final long[] sorted;
    private final SortedSet<Long> ids;

    /**
     * @param ids the voter ids; duplicates are ignored, {@code null} elements are rejected
     */
    public MajorityConfig(Collection<Long> ids) {
        Objects.requireNonNull(ids, "ids");
        TreeSet<Long> set = new TreeSet<>();
        for (Long id : ids) {
            set.add(Objects.requireNonNull(id, "voter id"));
        }
        this.ids = Collections.unmodifiableSortedSet(set);
        this.sorted = set.stream().mapToLong(Long::longValue).toArray();
    }

    /** Convenience factory. */
    public static MajorityConfig of(long... ids) {
        return new MajorityConfig(Arrays.stream(ids).boxed().toList());
    }

    /** The voter ids in ascending order (unmodifiable). */
    public Set<Long> ids() {
        return ids;
    }

    public int size() {
        return sorted.length;
    }

    public boolean isEmpty() {
        return sorted.length == 0;
    }

    public boolean contains(long id) {
        return Arrays.binarySearch(sorted, id) >= 0;
    }

    /**
     * The largest index acknowledged by a majority of the voters: sort the acknowledged indexes and
     * take the (n/2+1)-th largest. Voters that have not reported count as 0. The empty configuration
     * returns {@link Long#MAX_VALUE}.
     */
    public long committedIndex(AckedIndexer indexer) {
        Objects.requireNonNull(indexer, "indexer");
        int n = sorted.length;
        if (n == 0) {
            return Long.MAX_VALUE;
        }
        long[] acked = new long[n];
        for (int i = 0; i < n; i++) {
            acked[i] = indexer.ackedIndex(sorted[i]);
        }
        Arrays.sort(acked);
        return acked[n - (n / 2 + 1)];
    }

    /**
     * Counts {@code votes} (voter id to granted/rejected) of the voters of this configuration; votes
     * of other ids are ignored and voters without an entry are pending. The empty configuration wins.
     */
    public VoteResult voteResult(Map<Long, Boolean> votes) {
        Objects.requireNonNull(votes, "votes");
        if (sorted.length == 0) {
            return VoteResult.WON;
        }
        int granted = 0;
        int missing = 0;
        for (long id : sorted) {
            Boolean v = votes.get(id);
            if (v == null) {
                missing++;
            } else if (v) {
                granted++;
            }
        }
        int quorum = sorted.length / 2 + 1;
        if (granted >= quorum) {
            return VoteResult.WON;
        }
        if (granted + missing >= quorum) {
            return VoteResult.PENDING;
        }
        return VoteResult.LOST;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MajorityConfig m && Arrays.equals(sorted, m.sorted);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sorted);
    }

    /** Like etcd: {@code (1 2 3)}, {@code ()} when empty. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < sorted.length; i++) {
            if (i > 0) {
                b.append(' ');
            }
            b.append(sorted[i]);
        }
        return b.append(')').toString();
    }
}
