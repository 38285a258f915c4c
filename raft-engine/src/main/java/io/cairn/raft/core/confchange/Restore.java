package io.cairn.raft.core.confchange;

import io.cairn.raft.core.ConfChangeSingle;
import io.cairn.raft.core.ConfChangeType;
import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.tracker.ProgressTracker;
import io.cairn.raft.core.tracker.TrackerConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Rebuilds a configuration from a {@link ConfState} (etcd's confchange.Restore), by replaying
 * configuration changes so that every invariant check of {@link Changer} applies.
 */
public final class Restore {

    private Restore() {
    }

    /**
     * Builds the configuration described by {@code cs}, as etcd does: for a joint {@code cs}, first
     * add the outgoing voters one by one (simple changes), then enter the joint configuration with
     * the changes that turn that into the incoming one: remove the outgoing voters, add the voters,
     * then the learners and the learnersNext (as observers where {@code cs} says so). Ids are
     * replayed in ascending order. For a non-joint {@code cs}, the same incoming changes are applied
     * one by one as simple changes.
     *
     * <p>The construction always starts from the empty configuration: only the changer's
     * {@code lastIndex} and the tracker's inflight limits are used, not its current membership.
     * An empty {@code cs} gives the empty configuration.
     *
     * @throws ConfChangeException if {@code cs} is not a valid configuration (e.g. learners but no
     *                             voters, or an observer that is not a learner)
     */
    public static ChangeResult restore(Changer changer, ConfState cs) {
        for (long id : new TreeSet<>(cs.observers())) {
            if (!cs.learners().contains(id) && !cs.learnersNext().contains(id)) {
                throw new ConfChangeException("observer " + id + " is not a learner");
            }
        }
        List<ConfChangeSingle> outgoing = new ArrayList<>();
        List<ConfChangeSingle> incoming = new ArrayList<>();
        // Example: voters=(1 2 3) learners=(5) outgoing=(1 2 4 6) learners_next=(4) gives
        //   outgoing: v1 v2 v4 v6
        //   incoming: r1 r2 r4 r6 v1 v2 v3 l5 l4
        // i.e. (1 2 4 6) first, then the joint (1 2 3)&&(1 2 4 6) learners=(5) learners_next=(4).
        for (long id : new TreeSet<>(cs.votersOutgoing())) {
            outgoing.add(ConfChangeSingle.addVoter(id));
            incoming.add(ConfChangeSingle.remove(id));
        }
        for (long id : new TreeSet<>(cs.voters())) {
            incoming.add(ConfChangeSingle.addVoter(id));
        }
        for (long id : new TreeSet<>(cs.learners())) {
            incoming.add(learner(cs, id));
        }
        // Nodes to become learners that are still voters in the outgoing config.
        for (long id : new TreeSet<>(cs.learnersNext())) {
            incoming.add(learner(cs, id));
        }

        ProgressTracker scratch = new ProgressTracker(changer.tracker().maxInflight(),
                changer.tracker().maxInflightBytes());
        ChangeResult result = new ChangeResult(TrackerConfig.EMPTY, new TreeMap<>());
        if (outgoing.isEmpty()) {
            for (ConfChangeSingle cc : incoming) {
                result = new Changer(scratch, changer.lastIndex()).simple(List.of(cc));
                scratch.setConfig(result.config(), result.progress());
            }
        } else {
            for (ConfChangeSingle cc : outgoing) {
                result = new Changer(scratch, changer.lastIndex()).simple(List.of(cc));
                scratch.setConfig(result.config(), result.progress());
            }
            result = new Changer(scratch, changer.lastIndex()).enterJoint(cs.autoLeave(), incoming);
        }
        return result;
    }

    private static ConfChangeSingle learner(ConfState cs, long id) {
        return new ConfChangeSingle(
                cs.observers().contains(id) ? ConfChangeType.ADD_OBSERVER : ConfChangeType.ADD_LEARNER, id);
    }
}
