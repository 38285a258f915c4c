package io.cairn.raft.core.confchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.core.ConfChangeSingle;
import io.cairn.raft.core.ConfChangeType;
import io.cairn.raft.core.tracker.ProgressTracker;
import io.cairn.raft.core.tracker.TrackerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Port of etcd's TestConfChangeQuick (seeded): applying random changes one by one as simple changes
 * gives the same configuration and progresses as applying them all at once through a joint
 * configuration and leaving it, with or without autoLeave. Includes ADD_OBSERVER; a refused
 * observer promotion must be refused the same way on both paths.
 */
@DisplayName("confchange: simple and joint paths agree (randomized)")
class ConfChangeQuickTest {

    private static final int RUNS = 1000;
    private static final long LAST_INDEX = 10;
    private static final ConfChangeType[] TYPES = ConfChangeType.values();

    /** Either the resulting tracker description or the refusal message. */
    private record Outcome(String description, String error) {
    }

    private static ProgressTracker setup(List<ConfChangeSingle> initial) {
        ProgressTracker t = new ProgressTracker(10, 0);
        for (ConfChangeSingle cc : initial) {
            ChangeResult r = new Changer(t, LAST_INDEX).simple(List.of(cc));
            t.setConfig(r.config(), r.progress());
        }
        return t;
    }

    private static Outcome withSimple(List<ConfChangeSingle> initial, List<ConfChangeSingle> ccs) {
        ProgressTracker t = setup(initial);
        try {
            for (ConfChangeSingle cc : ccs) {
                ChangeResult r = new Changer(t, LAST_INDEX).simple(List.of(cc));
                t.setConfig(r.config(), r.progress());
            }
        } catch (ConfChangeException e) {
            return new Outcome(null, e.getMessage());
        }
        return new Outcome(t.toString(), null);
    }

    private static Outcome withJoint(List<ConfChangeSingle> initial, List<ConfChangeSingle> ccs) {
        ProgressTracker t = setup(initial);
        ChangeResult joint;
        ChangeResult jointAuto;
        try {
            joint = new Changer(t, LAST_INDEX).enterJoint(false, ccs);
            jointAuto = new Changer(t, LAST_INDEX).enterJoint(true, ccs);
        } catch (ConfChangeException e) {
            return new Outcome(null, e.getMessage());
        }
        TrackerConfig a = jointAuto.config();
        assertThat(a.autoLeave()).isTrue();
        assertThat(new TrackerConfig(a.voters(), a.learners(), a.learnersNext(), a.observers(), false))
                .isEqualTo(joint.config());
        assertThat(jointAuto.progress().toString()).isEqualTo(joint.progress().toString());
        ProgressTracker t2 = new ProgressTracker(10, 0);
        t2.setConfig(jointAuto.config(), jointAuto.progress());
        ChangeResult left2 = new Changer(t2, LAST_INDEX).leaveJoint();

        t.setConfig(joint.config(), joint.progress());
        ChangeResult left = new Changer(t, LAST_INDEX).leaveJoint();
        assertThat(left2.config()).isEqualTo(left.config());
        assertThat(ConfChangeDataDrivenTest.describe(left2)).isEqualTo(ConfChangeDataDrivenTest.describe(left));
        t.setConfig(left.config(), left.progress());
        return new Outcome(t.toString(), null);
    }

    @Test
    @DisplayName("Raft thesis §4.3: a joint change ends where the equivalent single-server changes end")
    void simpleAndJointAgree() {
        Random rnd = new Random(20190806);
        int refused = 0;
        for (int run = 0; run < RUNS; run++) {
            // Node 1 is always a voter and never touched, so no change removes all voters.
            List<ConfChangeSingle> initial = new ArrayList<>();
            initial.add(ConfChangeSingle.addVoter(1));
            for (int i = 1 + rnd.nextInt(5); i > 0; i--) {
                initial.add(ConfChangeSingle.addVoter(1 + rnd.nextInt(5)));
            }
            List<ConfChangeSingle> ccs = new ArrayList<>();
            for (int i = 1 + rnd.nextInt(9); i > 0; i--) {
                ccs.add(new ConfChangeSingle(TYPES[rnd.nextInt(TYPES.length)], 2 + rnd.nextInt(9)));
            }
            Outcome simple = withSimple(initial, ccs);
            Outcome joint = withJoint(initial, ccs);
            assertThat(joint).as("run %d: setup %s changes %s", run, initial, ccs).isEqualTo(simple);
            if (simple.error() != null) {
                assertThat(simple.error()).startsWith("cannot promote observer");
                refused++;
            }
        }
        assertThat(refused).as("some runs exercise the observer refusal").isPositive().isLessThan(RUNS / 2);
    }
}
