package io.cairn.raft.core.confchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.ConfChangeSingle;
import io.cairn.raft.core.quorum.JointConfig;
import io.cairn.raft.core.quorum.MajorityConfig;
import io.cairn.raft.core.tracker.Inflights;
import io.cairn.raft.core.tracker.Progress;
import io.cairn.raft.core.tracker.ProgressState;
import io.cairn.raft.core.tracker.ProgressTracker;
import io.cairn.raft.core.tracker.TrackerConfig;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Changer")
class ChangerTest {

    private static ProgressTracker install(ProgressTracker t, ChangeResult r) {
        t.setConfig(r.config(), r.progress());
        return t;
    }

    private static ProgressTracker voters(long lastIndex, ConfChangeSingle... ccs) {
        ProgressTracker t = new ProgressTracker(5, 100);
        for (ConfChangeSingle cc : ccs) {
            install(t, new Changer(t, lastIndex).simple(List.of(cc)));
        }
        return t;
    }

    @Test
    @DisplayName("a new member probes from max(lastIndex, 1), is recently active and gets the tracker's inflight limits")
    void newProgress() {
        ProgressTracker t = new ProgressTracker(5, 100);
        ChangeResult r = new Changer(t, 0).simple(List.of(ConfChangeSingle.addVoter(1)));
        Progress p = r.progress().get(1L);
        assertThat(p.next).isEqualTo(1);
        assertThat(p.match).isZero();
        assertThat(p.state).isEqualTo(ProgressState.PROBE);
        assertThat(p.recentActive).isTrue();
        assertThat(p.isLearner).isFalse();
        assertThat(p.inflights.maxCount()).isEqualTo(5);
        assertThat(p.inflights.maxBytes()).isEqualTo(100);
        install(t, r);

        Progress l = new Changer(t, 42).simple(List.of(ConfChangeSingle.addLearner(2))).progress().get(2L);
        assertThat(l.next).isEqualTo(42);
        assertThat(l.isLearner).isTrue();
        assertThat(l.recentActive).isTrue();
    }

    @Test
    @DisplayName("changes are computed on deep copies: the tracker and its progresses are untouched, state is carried over")
    void deepCopies() {
        ProgressTracker t = voters(3, ConfChangeSingle.addVoter(1), ConfChangeSingle.addVoter(2));
        Progress p1 = t.progress().get(1L);
        p1.becomeReplicate();
        p1.maybeUpdate(7);
        p1.sentEntries(2, 20);
        p1.relay = 2;
        TrackerConfig before = t.config();

        ChangeResult r = new Changer(t, 10).simple(List.of(ConfChangeSingle.addLearner(1)));
        Progress c1 = r.progress().get(1L);
        assertThat(c1).isNotSameAs(p1);
        assertThat(c1.inflights).isNotSameAs(p1.inflights);
        assertThat(c1.isLearner).isTrue();
        assertThat(p1.isLearner).as("original untouched").isFalse();
        assertThat(c1.match).isEqualTo(7);
        assertThat(c1.next).isEqualTo(10);
        assertThat(c1.state).isEqualTo(ProgressState.REPLICATE);
        assertThat(c1.inflights.count()).isEqualTo(1);
        assertThat(c1.relay).isEqualTo(2);
        assertThat(t.config()).isSameAs(before);
        assertThat(r.progress().get(2L)).isNotSameAs(t.progress().get(2L));

        c1.inflights.freeLE(100);
        assertThat(p1.inflights.count()).isEqualTo(1);
        assertThat(r.progress()).isInstanceOf(TreeMap.class);
    }

    @Test
    @DisplayName("Raft thesis §4.3: entering a joint config copies the voters to the outgoing half")
    void enterJointCopiesOutgoing() {
        ProgressTracker t = voters(1, ConfChangeSingle.addVoter(1), ConfChangeSingle.addVoter(2),
                ConfChangeSingle.addVoter(3));
        ChangeResult r = new Changer(t, 5).enterJoint(true, List.of(ConfChangeSingle.remove(3),
                ConfChangeSingle.addVoter(4), ConfChangeSingle.addVoter(5)));
        JointConfig v = r.config().voters();
        assertThat(v.incoming()).isEqualTo(MajorityConfig.of(1, 2, 4, 5));
        assertThat(v.outgoing()).isEqualTo(MajorityConfig.of(1, 2, 3));
        assertThat(r.config().autoLeave()).isTrue();
        assertThat(r.progress()).as("3 is kept while it is an outgoing voter").containsOnlyKeys(1L, 2L, 3L, 4L, 5L);
        install(t, r);
        ChangeResult left = new Changer(t, 6).leaveJoint();
        assertThat(left.config().voters().isJoint()).isFalse();
        assertThat(left.config().autoLeave()).isFalse();
        assertThat(left.progress()).containsOnlyKeys(1L, 2L, 4L, 5L);
    }

    @Test
    @DisplayName("refused changes: ConfChangeException (an IllegalArgumentException) with etcd's messages")
    void refusals() {
        ProgressTracker t = voters(1, ConfChangeSingle.addVoter(1));
        assertThatThrownBy(() -> new Changer(t, 1).enterJoint(false, List.of(ConfChangeSingle.remove(1))))
                .isInstanceOf(ConfChangeException.class).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("removed all voters");
        assertThatThrownBy(() -> new Changer(t, 1).simple(List.of(ConfChangeSingle.addVoter(2),
                ConfChangeSingle.addVoter(3)))).hasMessage("more than one voter changed without entering joint config");
        assertThatThrownBy(() -> new Changer(t, 1).leaveJoint()).hasMessage("can't leave a non-joint config");
        install(t, new Changer(t, 1).simple(List.of(ConfChangeSingle.addObserver(9))));
        assertThatThrownBy(() -> new Changer(t, 1).simple(List.of(ConfChangeSingle.addVoter(9))))
                .isInstanceOf(ConfChangeException.class)
                .hasMessage("cannot promote observer 9 to voter; remove it first");
    }

    @Test
    @DisplayName("node id 0 cannot be expressed (etcd's zero.txt ignores it; here ConfChangeSingle rejects it)")
    void zeroId() {
        assertThatThrownBy(() -> ConfChangeSingle.addVoter(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("arguments are validated")
    void arguments() {
        ProgressTracker t = new ProgressTracker(1, 0);
        assertThatThrownBy(() -> new Changer(null, 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Changer(t, -1)).isInstanceOf(IllegalArgumentException.class);
        Changer c = new Changer(t, 3);
        assertThat(c.tracker()).isSameAs(t);
        assertThat(c.lastIndex()).isEqualTo(3);
        assertThatThrownBy(() -> c.simple(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> c.enterJoint(false, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new ChangeResult(null, new TreeMap<>())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new ChangeResult(TrackerConfig.EMPTY, null)).isInstanceOf(NullPointerException.class);
    }

    // --- invariant checks on a corrupted tracker (etcd's checkInvariants) ---

    private static Progress pr(boolean learner) {
        return new Progress(1, new Inflights(4, 0), learner);
    }

    private static ProgressTracker corrupt(JointConfig voters, Set<Long> learners, Set<Long> learnersNext,
                                           Set<Long> observers, boolean autoLeave, TreeMap<Long, Progress> prs) {
        ProgressTracker t = new ProgressTracker(4, 0);
        t.setConfig(new TrackerConfig(voters, learners, learnersNext, observers, autoLeave), prs);
        return t;
    }

    private static TreeMap<Long, Progress> prs(long... learnerFlags) {
        // pairs of (id, 0|1 learner)
        TreeMap<Long, Progress> m = new TreeMap<>();
        for (int i = 0; i < learnerFlags.length; i += 2) {
            m.put(learnerFlags[i], pr(learnerFlags[i + 1] == 1));
        }
        return m;
    }

    private static void assertCorrupt(ProgressTracker t, String message) {
        assertThatThrownBy(() -> new Changer(t, 1).simple(List.of())).isInstanceOf(IllegalStateException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> new Changer(t, 1).enterJoint(false, List.of()))
                .isInstanceOf(IllegalStateException.class).hasMessage(message);
        assertThatThrownBy(() -> new Changer(t, 1).leaveJoint()).isInstanceOf(IllegalStateException.class)
                .hasMessage(message);
    }

    @Test
    @DisplayName("invariant: every member has a progress")
    void invariantProgress() {
        ProgressTracker t = corrupt(new JointConfig(MajorityConfig.of(1, 2)), Set.of(), Set.of(), Set.of(), false,
                prs(1, 0, 2, 0));
        t.progress().remove(2L);
        assertCorrupt(t, "no progress for 2");
    }

    @Test
    @DisplayName("invariant: learnersNext are outgoing voters not yet marked learner")
    void invariantLearnersNext() {
        assertCorrupt(corrupt(new JointConfig(MajorityConfig.of(1), MajorityConfig.of(1)), Set.of(), Set.of(2L),
                Set.of(), false, prs(1, 0, 2, 0)), "2 is in LearnersNext, but not Voters[1]");
        assertCorrupt(corrupt(new JointConfig(MajorityConfig.of(1), MajorityConfig.of(1, 2)), Set.of(), Set.of(2L),
                Set.of(), false, prs(1, 0, 2, 1)), "2 is in LearnersNext, but is already marked as learner");
        assertCorrupt(corrupt(new JointConfig(MajorityConfig.of(1)), Set.of(), Set.of(2L), Set.of(), false,
                prs(1, 0, 2, 0)), "2 is in LearnersNext, but not Voters[1]");
    }

    @Test
    @DisplayName("invariant: learners and voters are disjoint, and learners are marked")
    void invariantLearners() {
        assertCorrupt(corrupt(new JointConfig(MajorityConfig.of(1), MajorityConfig.of(1, 2)), Set.of(2L), Set.of(),
                Set.of(), false, prs(1, 0, 2, 1)), "2 is in Learners and Voters[1]");
        assertCorrupt(corrupt(new JointConfig(MajorityConfig.of(1, 2)), Set.of(2L), Set.of(), Set.of(), false,
                prs(1, 0, 2, 1)), "2 is in Learners and Voters[0]");
        assertCorrupt(corrupt(new JointConfig(MajorityConfig.of(1)), Set.of(2L), Set.of(), Set.of(), false,
                prs(1, 0, 2, 0)), "2 is in Learners, but is not marked as learner");
    }

    @Test
    @DisplayName("invariant (BW-Raft): observers are learners or staged learners")
    void invariantObservers() {
        assertCorrupt(corrupt(new JointConfig(MajorityConfig.of(1, 2)), Set.of(), Set.of(), Set.of(2L), false,
                prs(1, 0, 2, 0)), "2 is in Observers, but not in Learners or LearnersNext");
    }

    @Test
    @DisplayName("invariant: autoLeave only in a joint config")
    void invariantAutoLeave() {
        assertCorrupt(corrupt(new JointConfig(MajorityConfig.of(1)), Set.of(), Set.of(), Set.of(), true,
                prs(1, 0)), "AutoLeave must be false when not joint");
    }
}
