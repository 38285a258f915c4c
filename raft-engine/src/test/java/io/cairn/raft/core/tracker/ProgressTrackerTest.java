package io.cairn.raft.core.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.quorum.JointConfig;
import io.cairn.raft.core.quorum.MajorityConfig;
import io.cairn.raft.core.quorum.VoteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ProgressTracker")
class ProgressTrackerTest {

    /** Voters (in) && (out), learners, learnersNext, observers; every member gets a progress. */
    private static ProgressTracker tracker(List<Long> in, List<Long> out, List<Long> learners,
                                           List<Long> learnersNext, List<Long> observers) {
        ProgressTracker t = new ProgressTracker(8, 0);
        TreeMap<Long, Progress> prs = new TreeMap<>();
        for (List<Long> ids : List.of(in, out, learnersNext)) {
            for (long id : ids) {
                prs.put(id, new Progress(1, new Inflights(8, 0), false));
            }
        }
        for (long id : learners) {
            prs.put(id, new Progress(1, new Inflights(8, 0), true));
        }
        t.setConfig(new TrackerConfig(new JointConfig(new MajorityConfig(in), new MajorityConfig(out)), learners,
                learnersNext, observers, !out.isEmpty()), prs);
        return t;
    }

    @Test
    @DisplayName("a new tracker is empty: no voters, committed is Long.MAX_VALUE, elections are won trivially")
    void fresh() {
        ProgressTracker t = new ProgressTracker(16, 1024);
        assertThat(t.maxInflight()).isEqualTo(16);
        assertThat(t.maxInflightBytes()).isEqualTo(1024);
        assertThat(t.config()).isEqualTo(TrackerConfig.EMPTY);
        assertThat(t.progress()).isEmpty();
        assertThat(t.isSingleton()).isFalse();
        assertThat(t.committed()).isEqualTo(Long.MAX_VALUE);
        assertThat(t.confState().equivalent(ConfState.EMPTY)).isTrue();
        assertThat(t.voterNodes()).isEmpty();
        assertThat(t.learnerNodes()).isEmpty();
        assertThat(t.tallyVotes()).isEqualTo(new ProgressTracker.TallyResult(0, 0, VoteResult.WON));
        assertThat(t).hasToString("voters=()");
    }

    @Test
    @DisplayName("limits are validated")
    void validation() {
        assertThatThrownBy(() -> new ProgressTracker(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProgressTracker(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("setConfig requires a progress for every member and copies the map")
    void setConfigValidates() {
        ProgressTracker t = new ProgressTracker(4, 0);
        TreeMap<Long, Progress> prs = new TreeMap<>();
        prs.put(1L, new Progress(1, new Inflights(4, 0), false));
        JointConfig v = new JointConfig(MajorityConfig.of(1), MajorityConfig.of(2));
        assertThatThrownBy(() -> t.setConfig(new TrackerConfig(v, Set.of(), Set.of(), Set.of(), false), prs))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no progress for 2");
        JointConfig v1 = new JointConfig(MajorityConfig.of(1));
        assertThatThrownBy(() -> t.setConfig(new TrackerConfig(v1, Set.of(3L), Set.of(), Set.of(), false), prs))
                .hasMessage("no progress for 3");
        assertThatThrownBy(() -> t.setConfig(new TrackerConfig(v1, Set.of(), Set.of(4L), Set.of(), false), prs))
                .hasMessage("no progress for 4");
        assertThatThrownBy(() -> t.setConfig(null, prs)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> t.setConfig(TrackerConfig.EMPTY, null)).isInstanceOf(NullPointerException.class);
        assertThat(t.config()).isEqualTo(TrackerConfig.EMPTY);

        TrackerConfig ok = new TrackerConfig(v1, Set.of(), Set.of(), Set.of(), false);
        t.setConfig(ok, prs);
        prs.clear();
        assertThat(t.progress()).containsOnlyKeys(1L);
        assertThat(t.config()).isSameAs(ok);
        assertThat(t.isSingleton()).isTrue();
        assertThat(t).hasToString("voters=(1)\n1: StateProbe match=0 next=1 inactive");
    }

    @Test
    @DisplayName("progress() is the live sorted map and visit() walks it in ascending id order")
    void visitInOrder() {
        ProgressTracker t = tracker(List.of(5L, 3L, 9L), List.of(), List.of(7L, 1L), List.of(), List.of());
        List<Long> seen = new ArrayList<>();
        t.visit((id, p) -> seen.add(id));
        assertThat(seen).containsExactly(1L, 3L, 5L, 7L, 9L);
        t.progress().get(3L).match = 42;
        assertThat(t.progress().get(3L).match).isEqualTo(42);
        assertThat(t.progress()).isInstanceOf(TreeMap.class);
    }

    @Test
    @DisplayName("Raft thesis §3.6: committed is the majority of voters' match; learners don't count")
    void committedMajority() {
        ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(), List.of(4L), List.of(), List.of());
        t.progress().get(1L).match = 10;
        t.progress().get(2L).match = 8;
        t.progress().get(3L).match = 2;
        t.progress().get(4L).match = 100;
        assertThat(t.committed()).isEqualTo(8);
        assertThat(t.isSingleton()).isFalse();
    }

    @Test
    @DisplayName("Raft thesis §4.3: in a joint config, committed needs both majorities")
    void committedJoint() {
        ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(3L, 4L, 5L), List.of(), List.of(), List.of());
        long[] match = {0, 10, 9, 8, 3, 2};
        t.visit((id, p) -> p.match = match[id.intValue()]);
        assertThat(t.committed()).isEqualTo(3);
        assertThat(t.isSingleton()).isFalse();
        // A voter without progress counts as 0 (defensive: setConfig prevents it).
        t.progress().remove(4L);
        assertThat(t.committed()).isEqualTo(2);
    }

    @Test
    @DisplayName("a single voter with learners is a singleton; a joint config never is")
    void singleton() {
        assertThat(tracker(List.of(1L), List.of(), List.of(2L), List.of(), List.of()).isSingleton()).isTrue();
        assertThat(tracker(List.of(1L), List.of(1L), List.of(), List.of(), List.of()).isSingleton()).isFalse();
    }

    @Test
    @DisplayName("Raft thesis §6.2 (check quorum): a quorum of recently active voters; learners don't count")
    void quorumActive() {
        ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(), List.of(4L, 5L), List.of(), List.of());
        t.progress().get(1L).recentActive = true;
        t.progress().get(4L).recentActive = true;
        t.progress().get(5L).recentActive = true;
        assertThat(t.quorumActive()).isFalse();
        t.progress().get(3L).recentActive = true;
        assertThat(t.quorumActive()).isTrue();

        ProgressTracker j = tracker(List.of(1L, 2L, 3L), List.of(4L, 5L, 6L), List.of(), List.of(), List.of());
        j.visit((id, p) -> p.recentActive = id <= 3);
        assertThat(j.quorumActive()).as("outgoing majority inactive").isFalse();
        j.progress().get(4L).recentActive = true;
        j.progress().get(6L).recentActive = true;
        assertThat(j.quorumActive()).isTrue();
    }

    @Test
    @DisplayName("voterNodes is the sorted union of both halves; learnerNodes excludes learnersNext; confState round-trips")
    void nodesAndConfState() {
        ProgressTracker t = tracker(List.of(3L, 1L, 2L), List.of(1L, 2L, 4L), List.of(6L, 5L), List.of(4L),
                List.of(4L, 6L));
        assertThat(t.voterNodes()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(t.learnerNodes()).containsExactly(5L, 6L);
        assertThat(t.isObserver(6)).isTrue();
        assertThat(t.isObserver(4)).isTrue();
        assertThat(t.isObserver(5)).isFalse();
        assertThat(t.isObserver(1)).isFalse();
        ConfState cs = t.confState();
        assertThat(cs.voters()).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(cs.votersOutgoing()).containsExactlyInAnyOrder(1L, 2L, 4L);
        assertThat(cs.learners()).containsExactlyInAnyOrder(5L, 6L);
        assertThat(cs.learnersNext()).containsExactlyInAnyOrder(4L);
        assertThat(cs.observers()).containsExactlyInAnyOrder(4L, 6L);
        assertThat(cs.autoLeave()).isTrue();
    }

    @Test
    @DisplayName("Raft thesis §3.4: votes are tallied for voters only, the first vote of a node counts")
    void tallyVotes() {
        ProgressTracker t = tracker(List.of(1L, 2L, 3L, 4L, 5L), List.of(), List.of(6L), List.of(), List.of());
        t.recordVote(1, true);
        t.recordVote(6, true); // learner: ignored
        t.recordVote(9, true); // unknown: ignored
        assertThat(t.tallyVotes()).isEqualTo(new ProgressTracker.TallyResult(1, 0, VoteResult.PENDING));
        t.recordVote(2, false);
        t.recordVote(2, true); // second vote of 2 does not count
        assertThat(t.votes()).containsEntry(2L, false).hasSize(4);
        t.recordVote(3, false);
        assertThat(t.tallyVotes()).isEqualTo(new ProgressTracker.TallyResult(1, 2, VoteResult.PENDING));
        t.recordVote(4, false);
        assertThat(t.tallyVotes()).isEqualTo(new ProgressTracker.TallyResult(1, 3, VoteResult.LOST));
        t.resetVotes();
        assertThat(t.votes()).isEmpty();
        for (long id = 1; id <= 3; id++) {
            t.recordVote(id, true);
        }
        assertThat(t.tallyVotes()).isEqualTo(new ProgressTracker.TallyResult(3, 0, VoteResult.WON));
        assertThatThrownBy(() -> t.votes().put(7L, true)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("Raft thesis §4.3: a joint election needs both majorities")
    void tallyVotesJoint() {
        ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(3L, 4L, 5L), List.of(), List.of(), List.of());
        t.recordVote(1, true);
        t.recordVote(2, true);
        assertThat(t.tallyVotes()).isEqualTo(new ProgressTracker.TallyResult(2, 0, VoteResult.PENDING));
        t.recordVote(4, false);
        t.recordVote(5, false);
        assertThat(t.tallyVotes()).isEqualTo(new ProgressTracker.TallyResult(2, 2, VoteResult.LOST));
    }
}
