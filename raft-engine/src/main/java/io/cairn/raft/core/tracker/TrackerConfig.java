package io.cairn.raft.core.tracker;

import io.cairn.raft.core.quorum.JointConfig;
import io.cairn.raft.core.quorum.MajorityConfig;

import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The membership tracked by a {@link ProgressTracker} (etcd's tracker.Config), immutable.
 *
 * <ul>
 *   <li>{@code voters}: the (possibly joint) voter configuration.</li>
 *   <li>{@code learners}: non-voting members. Invariant: disjoint from both halves of
 *       {@code voters}, so every peer has one role regardless of joint consensus.</li>
 *   <li>{@code learnersNext}: outgoing voters being demoted to learners, who become learners when
 *       the joint configuration is left (they cannot be learners yet: they are still voters in the
 *       outgoing half). Empty unless joint. Invariant: a subset of {@code voters.outgoing()}.</li>
 *   <li>{@code observers} (BW-Raft extension): a subset of {@code learners ∪ learnersNext}
 *       marking learners that serve ReadIndex reads and must never be promoted to voter.</li>
 *   <li>{@code autoLeave}: in a joint configuration, whether the leader leaves it by itself.
 *       False unless joint.</li>
 * </ul>
 *
 * The constructor only copies; the invariants are enforced by the configuration changer.
 */
public final class TrackerConfig {

    /** No voters, no learners. */
    public static final TrackerConfig EMPTY = new TrackerConfig(
            new JointConfig(MajorityConfig.EMPTY, MajorityConfig.EMPTY), Set.of(), Set.of(), Set.of(), false);

    private final JointConfig voters;
    private final SortedSet<Long> learners;
    private final SortedSet<Long> learnersNext;
    private final SortedSet<Long> observers;
    private final boolean autoLeave;

    public TrackerConfig(JointConfig voters, Collection<Long> learners, Collection<Long> learnersNext,
                         Collection<Long> observers, boolean autoLeave) {
        this.voters = Objects.requireNonNull(voters, "voters");
        this.learners = sortedCopy(learners, "learners");
        this.learnersNext = sortedCopy(learnersNext, "learnersNext");
        this.observers = sortedCopy(observers, "observers");
        this.autoLeave = autoLeave;
    }

    private static SortedSet<Long> sortedCopy(Collection<Long> ids, String what) {
        Objects.requireNonNull(ids, what);
        TreeSet<Long> s = new TreeSet<>();
        for (Long id : ids) {
            s.add(Objects.requireNonNull(id, what + " id"));
        }
        return Collections.unmodifiableSortedSet(s);
    }

    public JointConfig voters() {
        return voters;
    }

    /** Ascending, unmodifiable. */
    public Set<Long> learners() {
        return learners;
    }

    /** Ascending, unmodifiable. */
    public Set<Long> learnersNext() {
        return learnersNext;
    }

    /** Ascending, unmodifiable. */
    public Set<Long> observers() {
        return observers;
    }

    public boolean autoLeave() {
        return autoLeave;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrackerConfig c && voters.equals(c.voters) && learners.equals(c.learners)
                && learnersNext.equals(c.learnersNext) && observers.equals(c.observers)
                && autoLeave == c.autoLeave;
    }

    @Override
    public int hashCode() {
        return Objects.hash(voters, learners, learnersNext, observers, autoLeave);
    }

    /**
     * Like etcd's Config.String plus observers, e.g.
     * {@code voters=(1 2)&&(1 3) learners=(4) learners_next=(3) observers=(4) autoleave};
     * empty sets are left out.
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("voters=").append(voters);
        if (!learners.isEmpty()) {
            b.append(" learners=").append(new MajorityConfig(learners));
        }
        if (!learnersNext.isEmpty()) {
            b.append(" learners_next=").append(new MajorityConfig(learnersNext));
        }
        if (!observers.isEmpty()) {
            b.append(" observers=").append(new MajorityConfig(observers));
        }
        if (autoLeave) {
            b.append(" autoleave");
        }
        return b.toString();
    }
}
