package io.cairn.raft.core;

import java.util.Set;
import java.util.TreeSet;

/**
 * The membership of a group as of some log index, as stored in snapshots.
 *
 * @param voters         voters of the incoming (or only) majority
 * @param votersOutgoing voters of the outgoing majority; empty unless in a joint configuration
 * @param learners       non-voting members (observers included)
 * @param learnersNext   voters of the outgoing config that become learners when the joint config is left
 * @param observers      the learners (or learnersNext) that are BW-Raft observers: they serve
 *                       ReadIndex reads and cannot be promoted to voters
 * @param autoLeave      whether the leader leaves the joint configuration by itself
 */
public record ConfState(Set<Long> voters, Set<Long> votersOutgoing, Set<Long> learners,
                        Set<Long> learnersNext, Set<Long> observers, boolean autoLeave) {

    public static final ConfState EMPTY = new ConfState(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), false);

    public ConfState {
        voters = Set.copyOf(new TreeSet<>(voters));
        votersOutgoing = Set.copyOf(votersOutgoing);
        learners = Set.copyOf(learners);
        learnersNext = Set.copyOf(learnersNext);
        observers = Set.copyOf(observers);
    }

    /** A plain configuration of voters only. */
    public static ConfState ofVoters(Long... ids) {
        return new ConfState(Set.of(ids), Set.of(), Set.of(), Set.of(), Set.of(), false);
    }

    public boolean isJoint() {
        return !votersOutgoing.isEmpty();
    }

    /** Compares membership regardless of set iteration order. */
    public boolean equivalent(ConfState o) {
        return voters.equals(o.voters) && votersOutgoing.equals(o.votersOutgoing)
                && learners.equals(o.learners) && learnersNext.equals(o.learnersNext)
                && observers.equals(o.observers) && autoLeave == o.autoLeave;
    }

    @Override
    public String toString() {
        return "voters=" + new TreeSet<>(voters)
                + (votersOutgoing.isEmpty() ? "" : "&&" + new TreeSet<>(votersOutgoing))
                + " learners=" + new TreeSet<>(learners)
                + (learnersNext.isEmpty() ? "" : " learners_next=" + new TreeSet<>(learnersNext))
                + (observers.isEmpty() ? "" : " observers=" + new TreeSet<>(observers))
                + (autoLeave ? " autoleave" : "");
    }
}
