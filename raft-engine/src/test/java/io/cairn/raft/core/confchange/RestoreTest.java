package io.cairn.raft.core.confchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.ConfChangeSingle;
import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.tracker.Progress;
import io.cairn.raft.core.tracker.ProgressTracker;
import io.cairn.raft.core.tracker.TrackerConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Port of etcd's TestRestore (unit cases and seeded quickcheck), with observers. */
@DisplayName("Restore (configuration from a ConfState)")
class RestoreTest {

    private static Set<Long> ids(long... ids) {
        Set<Long> s = new HashSet<>();
        for (long id : ids) {
            s.add(id);
        }
        return s;
    }

    /** Restores cs on a fresh tracker, installs it and returns the tracker. */
    private static ProgressTracker restore(ConfState cs) {
        ProgressTracker t = new ProgressTracker(20, 0);
        ChangeResult r = Restore.restore(new Changer(t, 10), cs);
        t.setConfig(r.config(), r.progress());
        return t;
    }

    static Stream<ConfState> units() {
        return Stream.of(
                ConfState.EMPTY,
                ConfState.ofVoters(1L, 2L, 3L),
                new ConfState(ids(1, 2, 3), ids(), ids(4, 5, 6), ids(), ids(), false),
                new ConfState(ids(1, 2, 3), ids(1, 2, 4, 6), ids(5), ids(4), ids(), false),
                new ConfState(ids(1, 2, 3), ids(1, 2, 4, 6), ids(5), ids(4), ids(), true),
                // BW-Raft observers among learners and staged learners.
                new ConfState(ids(1, 2, 3), ids(), ids(4, 5, 6), ids(), ids(5, 6), false),
                new ConfState(ids(1, 2, 3), ids(1, 2, 4, 6), ids(5, 7), ids(4, 6), ids(4, 7), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("units")
    @DisplayName("restoring a ConfState and reading it back gives the same ConfState")
    void roundTripUnits(ConfState cs) {
        ProgressTracker t = restore(cs);
        assertThat(t.confState()).isEqualTo(cs);
        assertThat(t.confState().equivalent(cs)).isTrue();
    }

    @Test
    @DisplayName("the empty ConfState gives the empty configuration")
    void empty() {
        ChangeResult r = Restore.restore(new Changer(new ProgressTracker(4, 0), 3), ConfState.EMPTY);
        assertThat(r.config()).isEqualTo(TrackerConfig.EMPTY);
        assertThat(r.progress()).isEmpty();
    }

    @Test
    @DisplayName("the restored joint config has the expected shape (etcd's restore.go example)")
    void jointShape() {
        ProgressTracker t = restore(new ConfState(ids(1, 2, 3), ids(1, 2, 4, 6), ids(5), ids(4), ids(4), true));
        assertThat(t.config()).hasToString(
                "voters=(1 2 3)&&(1 2 4 6) learners=(5) learners_next=(4) observers=(4) autoleave");
        assertThat(t.progress()).containsOnlyKeys(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(t.progress().get(4L).isLearner).isFalse();
        assertThat(t.progress().get(5L).isLearner).isTrue();
        ChangeResult left = new Changer(t, 11).leaveJoint();
        assertThat(left.config()).hasToString("voters=(1 2 3) learners=(4 5) observers=(4)");
    }

    @Test
    @DisplayName("progresses are new: next = max(lastIndex, 1), recently active, tracker's inflight limits")
    void newProgresses() {
        ProgressTracker t = new ProgressTracker(7, 99);
        ChangeResult r = Restore.restore(new Changer(t, 0), new ConfState(ids(1), ids(), ids(2), ids(), ids(), false));
        for (Progress p : r.progress().values()) {
            assertThat(p.next).isEqualTo(1);
            assertThat(p.recentActive).isTrue();
            assertThat(p.inflights.maxCount()).isEqualTo(7);
            assertThat(p.inflights.maxBytes()).isEqualTo(99);
        }
        assertThat(Restore.restore(new Changer(t, 55), ConfState.ofVoters(1L)).progress().get(1L).next)
                .isEqualTo(55);
    }

    @Test
    @DisplayName("restore starts from scratch: the changer's current membership is neither used nor modified")
    void ignoresCurrentMembership() {
        ProgressTracker t = new ProgressTracker(4, 0);
        for (long id = 7; id <= 9; id++) {
            ChangeResult r = new Changer(t, 1).simple(List.of(ConfChangeSingle.addVoter(id)));
            t.setConfig(r.config(), r.progress());
        }
        String before = t.toString();
        ChangeResult r = Restore.restore(new Changer(t, 5), ConfState.ofVoters(1L, 2L));
        assertThat(r.config()).hasToString("voters=(1 2)");
        assertThat(r.progress()).containsOnlyKeys(1L, 2L);
        assertThat(t.toString()).isEqualTo(before);
    }

    @Test
    @DisplayName("invalid ConfStates are refused")
    void invalid() {
        Changer c = new Changer(new ProgressTracker(4, 0), 1);
        assertThatThrownBy(() -> Restore.restore(c, new ConfState(ids(1), ids(), ids(2), ids(), ids(3), false)))
                .isInstanceOf(ConfChangeException.class).hasMessage("observer 3 is not a learner");
        assertThatThrownBy(() -> Restore.restore(c, new ConfState(ids(), ids(), ids(2), ids(), ids(), false)))
                .isInstanceOf(ConfChangeException.class).hasMessage("removed all voters");
    }

    @Test
    @DisplayName("autoLeave of a non-joint ConfState is ignored, as in etcd")
    void autoLeaveNonJoint() {
        ProgressTracker t = restore(new ConfState(ids(1), ids(), ids(), ids(), ids(), true));
        assertThat(t.config().autoLeave()).isFalse();
    }

    /** etcd's rndConfChange generator, plus a random set of observers among the learners. */
    private static ConfState randomConfState(Random rnd) {
        int nVoters = 1 + rnd.nextInt(5);
        int nLearners = rnd.nextInt(5);
        int nRemovedVoters = rnd.nextInt(3);
        List<Long> pool = new ArrayList<>();
        for (long id = 1; id <= 2L * (nVoters + nLearners + nRemovedVoters); id++) {
            pool.add(id);
        }
        Collections.shuffle(pool, rnd);
        List<Long> voters = new ArrayList<>(pool.subList(0, nVoters));
        List<Long> rest = pool.subList(nVoters, pool.size());
        List<Long> learners = new ArrayList<>(rest.subList(0, nLearners));
        rest = rest.subList(nLearners, rest.size());
        List<Long> outgoing = new ArrayList<>();
        int nRetained = rnd.nextInt(nVoters + 1);
        if (nRetained > 0 || nRemovedVoters > 0) {
            outgoing.addAll(voters.subList(0, nRetained));
            outgoing.addAll(rest.subList(0, nRemovedVoters));
        }
        List<Long> learnersNext = new ArrayList<>();
        if (nRemovedVoters > 0) {
            learnersNext.addAll(rest.subList(0, rnd.nextInt(nRemovedVoters + 1)));
        }
        Set<Long> observers = new HashSet<>();
        for (long id : learners) {
            if (rnd.nextBoolean()) {
                observers.add(id);
            }
        }
        for (long id : learnersNext) {
            if (rnd.nextBoolean()) {
                observers.add(id);
            }
        }
        boolean autoLeave = !outgoing.isEmpty() && rnd.nextBoolean();
        return new ConfState(Set.copyOf(voters), Set.copyOf(outgoing), Set.copyOf(learners),
                Set.copyOf(learnersNext), observers, autoLeave);
    }

    @Test
    @DisplayName("quickcheck: tracker.confState() after restore equals the input, for 1000 random valid ConfStates")
    void roundTripRandom() {
        Random rnd = new Random(2019);
        int joint = 0;
        int withObservers = 0;
        for (int run = 0; run < 1000; run++) {
            ConfState cs = randomConfState(rnd);
            ProgressTracker t = restore(cs);
            assertThat(t.confState()).as("run %d: %s", run, cs).isEqualTo(cs);
            // Every member has a progress, learners are marked as such.
            for (long id : cs.learners()) {
                assertThat(t.progress().get(id).isLearner).isTrue();
            }
            for (long id : t.voterNodes()) {
                assertThat(t.progress().get(id).isLearner).isFalse();
            }
            joint += cs.isJoint() ? 1 : 0;
            withObservers += cs.observers().isEmpty() ? 0 : 1;
        }
        assertThat(joint).isBetween(100, 900);
        assertThat(withObservers).isBetween(100, 900);
    }
}
