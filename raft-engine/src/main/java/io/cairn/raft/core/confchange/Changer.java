package io.cairn.raft.core.confchange;

import io.cairn.raft.core.ConfChangeSingle;
import io.cairn.raft.core.quorum.JointConfig;
import io.cairn.raft.core.quorum.MajorityConfig;
import io.cairn.raft.core.tracker.Inflights;
import io.cairn.raft.core.tracker.Progress;
import io.cairn.raft.core.tracker.ProgressTracker;
import io.cairn.raft.core.tracker.TrackerConfig;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Computes configuration changes (etcd's confchange.Changer): simple changes that alter the voters
 * by at most one, and joint consensus (Raft thesis §4.3) for anything else. Each method validates
 * the change and returns the new configuration with deep copies of the progresses; the tracker
 * itself is not modified, the caller installs the result with {@link ProgressTracker#setConfig}.
 *
 * <p>BW-Raft observers: {@code ADD_OBSERVER} makes a node a learner exactly as {@code ADD_LEARNER}
 * does (including staging a demoted outgoing voter in learnersNext) and marks it an observer.
 * {@code ADD_LEARNER} on an observer keeps it a learner but no longer an observer.
 * {@code ADD_VOTER} on an observer is refused; {@code REMOVE_NODE} also drops the observer mark.
 */
public final class Changer {

    private final ProgressTracker tracker;
    private final long lastIndex;

    /**
     * @param tracker   the tracker holding the active configuration (read only)
     * @param lastIndex the leader's last log index; new progresses start probing at
     *                  {@code max(lastIndex, 1)}
     */
    public Changer(ProgressTracker tracker, long lastIndex) {
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        if (lastIndex < 0) {
            throw new IllegalArgumentException("lastIndex must be >= 0: " + lastIndex);
        }
        this.lastIndex = lastIndex;
    }

    public ProgressTracker tracker() {
        return tracker;
    }

    public long lastIndex() {
        return lastIndex;
    }

    /**
     * Enters a joint configuration: the outgoing half becomes a copy of the current voters, then
     * {@code changes} are applied to the incoming half ({@code C_old,new}).
     *
     * @throws ConfChangeException if the configuration is already joint or has no voters, or the
     *                             changes are invalid
     */
    public ChangeResult enterJoint(boolean autoLeave, List<ConfChangeSingle> changes) {
        Objects.requireNonNull(changes, "changes");
        Working w = checkAndCopy();
        if (w.isJoint()) {
            throw new ConfChangeException("config is already joint");
        }
        if (w.incoming.isEmpty()) {
            // Changes to an empty config are allowed (bootstrap, tests), but it can't become joint.
            throw new ConfChangeException("can't make a zero-voter config joint");
        }
        w.outgoing.addAll(w.incoming);
        apply(w, changes);
        w.autoLeave = autoLeave;
        return checkAndReturn(w);
    }

    /**
     * Leaves a joint configuration ({@code C_new}): the outgoing half is dropped, staged learners
     * (learnersNext) become learners and voters of the outgoing half only are no longer tracked.
     *
     * @throws ConfChangeException if the configuration is not joint
     */
    public ChangeResult leaveJoint() {
        Working w = checkAndCopy();
        if (!w.isJoint()) {
            throw new ConfChangeException("can't leave a non-joint config");
        }
        for (long id : w.learnersNext) {
            w.learners.add(id);
            w.progress.get(id).isLearner = true;
        }
        w.learnersNext.clear();
        for (long id : w.outgoing) {
            if (!w.incoming.contains(id) && !w.learners.contains(id)) {
                w.progress.remove(id);
            }
        }
        w.outgoing.clear();
        w.autoLeave = false;
        return checkAndReturn(w);
    }

    /**
     * Applies {@code changes} that together change the voters by at most one (Raft thesis §4.1:
     * single-server changes keep any two majorities overlapping).
     *
     * @throws ConfChangeException if the configuration is joint, more than one voter changes, no
     *                             voter would be left, or a change is invalid
     */
    public ChangeResult simple(List<ConfChangeSingle> changes) {
        Objects.requireNonNull(changes, "changes");
        Working w = checkAndCopy();
        if (w.isJoint()) {
            throw new ConfChangeException("can't apply simple config change in joint config");
        }
        apply(w, changes);
        if (symdiff(tracker.config().voters().incoming().ids(), w.incoming) > 1) {
            throw new ConfChangeException("more than one voter changed without entering joint config");
        }
        return checkAndReturn(w);
    }

    // ---------------------------------------------------------------------------------------------

    /** A mutable copy of the configuration being changed. */
    private static final class Working {
        final TreeSet<Long> incoming;
        final TreeSet<Long> outgoing;
        final TreeSet<Long> learners;
        final TreeSet<Long> learnersNext;
        final TreeSet<Long> observers;
        boolean autoLeave;
        final TreeMap<Long, Progress> progress;

        Working(TrackerConfig cfg, Map<Long, Progress> progress) {
            incoming = new TreeSet<>(cfg.voters().incoming().ids());
            outgoing = new TreeSet<>(cfg.voters().outgoing().ids());
            learners = new TreeSet<>(cfg.learners());
            learnersNext = new TreeSet<>(cfg.learnersNext());
            observers = new TreeSet<>(cfg.observers());
            autoLeave = cfg.autoLeave();
            this.progress = new TreeMap<>();
            progress.forEach((id, p) -> this.progress.put(id, p.copy()));
        }

        boolean isJoint() {
            return !outgoing.isEmpty();
        }

        TrackerConfig toConfig() {
            return new TrackerConfig(new JointConfig(new MajorityConfig(incoming), new MajorityConfig(outgoing)),
                    learners, learnersNext, observers, autoLeave);
        }
    }

    private Working checkAndCopy() {
        Working w = new Working(tracker.config(), tracker.progress());
        checkInvariants(w);
        return w;
    }

    private static ChangeResult checkAndReturn(Working w) {
        checkInvariants(w);
        return new ChangeResult(w.toConfig(), w.progress);
    }

    /**
     * Checks that the configuration and the progresses agree (etcd's checkInvariants, plus the
     * observer rule). A violation is a bug (or a corrupted tracker), not a bad request.
     */
    private static void checkInvariants(Working w) {
        for (Set<Long> ids : List.of(w.incoming, w.outgoing, w.learners, w.learnersNext)) {
            for (long id : ids) {
                if (!w.progress.containsKey(id)) {
                    throw new IllegalStateException("no progress for " + id);
                }
            }
        }
        // A staged learner was staged because it is still a voter in the outgoing config.
        for (long id : w.learnersNext) {
            if (!w.outgoing.contains(id)) {
                throw new IllegalStateException(id + " is in LearnersNext, but not Voters[1]");
            }
            if (w.progress.get(id).isLearner) {
                throw new IllegalStateException(id + " is in LearnersNext, but is already marked as learner");
            }
        }
        // Learners and voters don't intersect at all.
        for (long id : w.learners) {
            if (w.outgoing.contains(id)) {
                throw new IllegalStateException(id + " is in Learners and Voters[1]");
            }
            if (w.incoming.contains(id)) {
                throw new IllegalStateException(id + " is in Learners and Voters[0]");
            }
            if (!w.progress.get(id).isLearner) {
                throw new IllegalStateException(id + " is in Learners, but is not marked as learner");
            }
        }
        for (long id : w.observers) {
            if (!w.learners.contains(id) && !w.learnersNext.contains(id)) {
                throw new IllegalStateException(id + " is in Observers, but not in Learners or LearnersNext");
            }
        }
        // (LearnersNext is empty when not joint: implied by LearnersNext being a subset of Voters[1].)
        if (!w.isJoint() && w.autoLeave) {
            throw new IllegalStateException("AutoLeave must be false when not joint");
        }
    }

    /** Applies the changes in order; voter changes always go to the incoming half. */
    private void apply(Working w, List<ConfChangeSingle> changes) {
        for (ConfChangeSingle cc : changes) {
            long id = cc.nodeId();
            switch (cc.type()) {
                case ADD_VOTER -> makeVoter(w, id);
                case ADD_LEARNER -> {
                    makeLearner(w, id);
                    w.observers.remove(id);
                }
                case ADD_OBSERVER -> {
                    makeLearner(w, id);
                    w.observers.add(id);
                }
                case REMOVE_NODE -> remove(w, id);
            }
        }
        if (w.incoming.isEmpty()) {
            throw new ConfChangeException("removed all voters");
        }
    }

    /** Adds {@code id} as a voter of the incoming half, or promotes it (learner or staged learner). */
    private void makeVoter(Working w, long id) {
        Progress p = w.progress.get(id);
        if (p == null) {
            initProgress(w, id, false);
            return;
        }
        if (w.observers.contains(id)) {
            throw new ConfChangeException("cannot promote observer " + id + " to voter; remove it first");
        }
        p.isLearner = false;
        w.learners.remove(id);
        w.learnersNext.remove(id);
        w.incoming.add(id);
    }

    /**
     * Makes {@code id} a learner, or, if it is still a voter of the outgoing half, stages it in
     * learnersNext so that it becomes a learner when the joint configuration is left (a peer is
     * never tracked as voter and learner at once).
     */
    private void makeLearner(Working w, long id) {
        Progress p = w.progress.get(id);
        if (p == null) {
            initProgress(w, id, true);
            return;
        }
        if (p.isLearner) {
            return;
        }
        // Remove any voter in the incoming config, but keep the progress.
        remove(w, id);
        w.progress.put(id, p);
        if (w.outgoing.contains(id)) {
            w.learnersNext.add(id);
        } else {
            p.isLearner = true;
            w.learners.add(id);
        }
    }

    /** Removes {@code id} from the incoming half and the learners; keeps its progress while it is an
     *  outgoing voter. */
    private static void remove(Working w, long id) {
        if (!w.progress.containsKey(id)) {
            return;
        }
        w.incoming.remove(id);
        w.learners.remove(id);
        w.learnersNext.remove(id);
        w.observers.remove(id);
        if (!w.outgoing.contains(id)) {
            w.progress.remove(id);
        }
    }

    private void initProgress(Working w, long id, boolean isLearner) {
        if (isLearner) {
            w.learners.add(id);
        } else {
            w.incoming.add(id);
        }
        // Probing from the last index is optimistic; the follower will likely need a snapshot.
        Progress p = new Progress(Math.max(lastIndex, 1),
                new Inflights(tracker.maxInflight(), tracker.maxInflightBytes()), isLearner);
        // A new node counts as recently active, so check-quorum doesn't make the leader step down
        // before the node had a chance to answer.
        p.recentActive = true;
        w.progress.put(id, p);
    }

    /** |l \ r| + |r \ l|. */
    private static int symdiff(Set<Long> l, Set<Long> r) {
        int n = 0;
        for (long id : l) {
            if (!r.contains(id)) {
                n++;
            }
        }
        for (long id : r) {
            if (!l.contains(id)) {
                n++;
            }
        }
        return n;
    }
}
