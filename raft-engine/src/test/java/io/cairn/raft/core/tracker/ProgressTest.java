package io.cairn.raft.core.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Ported from etcd's tracker/progress_test.go (v3.6 semantics), plus the flow-control methods. */
@DisplayName("Progress (leader's view of a follower)")
class ProgressTest {

    private static Progress progress(ProgressState state, long match, long next) {
        Progress p = new Progress(Math.max(next, 1), new Inflights(256, 0), false);
        p.state = state;
        p.match = match;
        p.next = next;
        return p;
    }

    @Test
    @DisplayName("a new progress probes from next, with match 0, inactive and unpaused")
    void newProgress() {
        Inflights in = new Inflights(4, 0);
        Progress p = new Progress(7, in, true);
        assertThat(p.next).isEqualTo(7);
        assertThat(p.match).isZero();
        assertThat(p.state).isEqualTo(ProgressState.PROBE);
        assertThat(p.recentActive).isFalse();
        assertThat(p.msgAppFlowPaused).isFalse();
        assertThat(p.isLearner).isTrue();
        assertThat(p.inflights).isSameAs(in);
        assertThat(p.relay).isZero();
        assertThat(p.sentCommit()).isZero();
        assertThatThrownBy(() -> new Progress(0, in, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Progress(1, null, false)).isInstanceOf(NullPointerException.class);
    }

    @Test
    @DisplayName("toString is etcd's (etcd TestProgressString), plus relay")
    void string() {
        Inflights ins = new Inflights(1, 0);
        ins.add(123, 1);
        Progress p = new Progress(3, ins, true);
        p.match = 2;
        p.state = ProgressState.SNAPSHOT;
        p.pendingSnapshot = 123;
        p.recentActive = false;
        p.msgAppFlowPaused = true;
        assertThat(p).hasToString("StateSnapshot match=2 next=3 learner paused pendingSnap=123 inactive inflight=1[full]");

        Progress q = new Progress(5, new Inflights(4, 0), false);
        q.recentActive = true;
        q.becomeReplicate();
        q.next = 5;
        q.inflights.add(4, 1);
        q.relay = 9;
        assertThat(q).hasToString("StateReplicate match=0 next=5 inflight=1 relay=9");
        q.becomeProbe();
        assertThat(q).hasToString("StateProbe match=0 next=1 relay=9");
    }

    @ParameterizedTest(name = "{0} paused={1} -> {2}")
    @CsvSource({
        "PROBE, false, false",
        "PROBE, true, true",
        "REPLICATE, false, false",
        "REPLICATE, true, true",
        "SNAPSHOT, false, true",
        "SNAPSHOT, true, true",
    })
    @DisplayName("isPaused: the flag in PROBE and REPLICATE, always in SNAPSHOT (etcd TestProgressIsPaused)")
    void isPaused(ProgressState state, boolean paused, boolean want) {
        Progress p = progress(state, 0, 1);
        p.msgAppFlowPaused = paused;
        assertThat(p.isPaused()).isEqualTo(want);
    }

    @Test
    @DisplayName("maybeUpdate and maybeDecrTo un-pause the flow (etcd TestProgressResume)")
    void resume() {
        Progress p = progress(ProgressState.PROBE, 0, 2);
        p.msgAppFlowPaused = true;
        p.maybeDecrTo(1, 1);
        assertThat(p.msgAppFlowPaused).isFalse();
        p.msgAppFlowPaused = true;
        p.maybeUpdate(2);
        assertThat(p.msgAppFlowPaused).isFalse();
    }

    static Stream<Arguments> becomeProbeCases() {
        return Stream.of(
                Arguments.of("from replicate", ProgressState.REPLICATE, 0L, 2L),
                Arguments.of("snapshot finish", ProgressState.SNAPSHOT, 10L, 11L),
                Arguments.of("snapshot failure", ProgressState.SNAPSHOT, 0L, 2L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("becomeProbeCases")
    @DisplayName("becomeProbe resumes at match+1, or after a delivered snapshot (etcd TestProgressBecomeProbe)")
    void becomeProbe(String name, ProgressState from, long pendingSnapshot, long wantNext) {
        Progress p = progress(from, 1, 5);
        p.pendingSnapshot = pendingSnapshot;
        p.msgAppFlowPaused = true;
        p.inflights.add(3, 10);
        p.sentCommit(4);
        p.becomeProbe();
        assertThat(p.state).isEqualTo(ProgressState.PROBE);
        assertThat(p.match).isEqualTo(1);
        assertThat(p.next).isEqualTo(wantNext);
        assertThat(p.pendingSnapshot).isZero();
        assertThat(p.msgAppFlowPaused).isFalse();
        assertThat(p.inflights.count()).isZero();
        assertThat(p.sentCommit()).as("sentCommit < next").isEqualTo(Math.min(4, wantNext - 1));
    }

    @Test
    @DisplayName("becomeReplicate resets next to match+1 (etcd TestProgressBecomeReplicate)")
    void becomeReplicate() {
        Progress p = progress(ProgressState.PROBE, 1, 5);
        p.msgAppFlowPaused = true;
        p.becomeReplicate();
        assertThat(p.state).isEqualTo(ProgressState.REPLICATE);
        assertThat(p.match).isEqualTo(1);
        assertThat(p.next).isEqualTo(2);
        assertThat(p.msgAppFlowPaused).isFalse();
    }

    @Test
    @DisplayName("becomeSnapshot records the snapshot; next and sentCommit follow it (etcd TestProgressBecomeSnapshot)")
    void becomeSnapshot() {
        Progress p = progress(ProgressState.PROBE, 1, 5);
        p.becomeSnapshot(10);
        assertThat(p.state).isEqualTo(ProgressState.SNAPSHOT);
        assertThat(p.match).isEqualTo(1);
        assertThat(p.pendingSnapshot).isEqualTo(10);
        assertThat(p.next).isEqualTo(11);
        assertThat(p.sentCommit()).isEqualTo(10);
        assertThat(p.isPaused()).isTrue();
    }

    @ParameterizedTest(name = "update {0} -> match={1} next={2} ok={3}")
    @CsvSource({
        "2, 3, 5, false", // do not decrease match, next
        "3, 3, 5, false", // do not decrease next
        "4, 4, 5, true",  // increase match, do not decrease next
        "5, 5, 6, true",  // increase match, next
    })
    @DisplayName("maybeUpdate ignores stale acks and keeps match < next (etcd TestProgressUpdate)")
    void maybeUpdate(long update, long wantMatch, long wantNext, boolean wantOk) {
        Progress p = progress(ProgressState.PROBE, 3, 5);
        assertThat(p.maybeUpdate(update)).isEqualTo(wantOk);
        assertThat(p.match).isEqualTo(wantMatch);
        assertThat(p.next).isEqualTo(wantNext);
    }

    @ParameterizedTest(name = "{0} m={1} n={2} rejected={3} hint={4} -> {5} next={6}")
    @CsvSource({
        "REPLICATE, 5, 10, 5, 5, false, 10", // rejected <= match: stale
        "REPLICATE, 5, 10, 4, 4, false, 10", // rejected <= match: stale
        "REPLICATE, 5, 10, 9, 9, true, 6",   // rejected > match: back to match+1
        "PROBE, 0, 0, 0, 0, false, 0",       // next-1 != rejected: stale
        "PROBE, 0, 10, 5, 5, false, 10",     // next-1 != rejected: stale
        "PROBE, 0, 10, 9, 9, true, 9",       // next decremented by one
        "PROBE, 0, 2, 1, 1, true, 1",        // next decremented by one
        "PROBE, 0, 1, 0, 0, true, 1",        // next <= 1: reset to 1
        "PROBE, 0, 10, 9, 2, true, 3",       // down to min(rejected, hint+1)
        "PROBE, 0, 10, 9, 0, true, 1",       // hint 0: reset to 1
    })
    @DisplayName("maybeDecrTo ignores stale rejections and lowers next otherwise (etcd TestProgressMaybeDecr)")
    void maybeDecrTo(ProgressState state, long m, long n, long rejected, long hint, boolean want, long wantNext) {
        Progress p = progress(state, m, n);
        assertThat(p.maybeDecrTo(rejected, hint)).isEqualTo(want);
        assertThat(p.match).isEqualTo(m);
        assertThat(p.next).isEqualTo(wantNext);
    }

    @Test
    @DisplayName("maybeDecrTo regresses sentCommit below the new next")
    void maybeDecrToRegressesSentCommit() {
        Progress p = progress(ProgressState.REPLICATE, 5, 10);
        p.sentCommit(9);
        assertThat(p.maybeDecrTo(9, 9)).isTrue();
        assertThat(p.sentCommit()).isEqualTo(5);

        Progress q = progress(ProgressState.PROBE, 0, 10);
        q.sentCommit(9);
        assertThat(q.maybeDecrTo(9, 2)).isTrue();
        assertThat(q.sentCommit()).isEqualTo(2);
    }

    @Test
    @DisplayName("sentEntries in REPLICATE advances next, tracks the append, and pauses once the window is full")
    void sentEntriesReplicate() {
        Progress p = new Progress(1, new Inflights(2, 0), false);
        p.becomeReplicate();
        p.sentEntries(3, 30);
        assertThat(p.next).isEqualTo(4);
        assertThat(p.inflights.count()).isEqualTo(1);
        assertThat(p.inflights.bytes()).isEqualTo(30);
        assertThat(p.msgAppFlowPaused).isFalse();
        p.sentEntries(0, 0); // an empty append (e.g. commit-only) does not use the window
        assertThat(p.next).isEqualTo(4);
        assertThat(p.inflights.count()).isEqualTo(1);
        p.sentEntries(1, 10);
        assertThat(p.next).isEqualTo(5);
        assertThat(p.msgAppFlowPaused).isTrue();
        assertThat(p.isPaused()).isTrue();
        p.inflights.freeLE(3);
        p.sentEntries(0, 0); // a probe while not full clears the pause
        assertThat(p.msgAppFlowPaused).isFalse();
    }

    @Test
    @DisplayName("sentEntries in REPLICATE pauses on the soft byte limit")
    void sentEntriesByteLimit() {
        Progress p = new Progress(1, new Inflights(100, 50), false);
        p.becomeReplicate();
        p.sentEntries(1, 49);
        assertThat(p.msgAppFlowPaused).isFalse();
        p.sentEntries(1, 1);
        assertThat(p.msgAppFlowPaused).isTrue();
    }

    @Test
    @DisplayName("sentEntries in PROBE pauses only after a non-empty append and never moves next")
    void sentEntriesProbe() {
        Progress p = new Progress(4, new Inflights(2, 0), false);
        p.sentEntries(0, 0);
        assertThat(p.msgAppFlowPaused).isFalse();
        p.sentEntries(2, 20);
        assertThat(p.msgAppFlowPaused).isTrue();
        assertThat(p.next).isEqualTo(4);
        assertThat(p.inflights.count()).isZero();
    }

    @Test
    @DisplayName("sentEntries in SNAPSHOT is a bug")
    void sentEntriesSnapshot() {
        Progress p = new Progress(4, new Inflights(2, 0), false);
        p.becomeSnapshot(9);
        assertThatThrownBy(() -> p.sentEntries(1, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SNAPSHOT");
    }

    @Test
    @DisplayName("canBumpCommit: only a higher commit, and only while the sent commit is below next-1")
    void canBumpCommit() {
        Progress p = progress(ProgressState.REPLICATE, 3, 6);
        assertThat(p.canBumpCommit(0)).isFalse();
        assertThat(p.canBumpCommit(1)).isTrue();
        p.sentCommit(4);
        assertThat(p.sentCommit()).isEqualTo(4);
        assertThat(p.canBumpCommit(4)).isFalse();
        assertThat(p.canBumpCommit(9)).isTrue();
        p.sentCommit(5); // == next-1: the follower's commit cannot go further with what it has
        assertThat(p.canBumpCommit(9)).isFalse();
        p.next = 8;
        assertThat(p.canBumpCommit(9)).isTrue();
    }

    @Test
    @DisplayName("copy is deep and carries every field, relay and sentCommit included")
    void copy() {
        Progress p = new Progress(5, new Inflights(4, 10), true);
        p.match = 4;
        p.state = ProgressState.REPLICATE;
        p.pendingSnapshot = 3;
        p.recentActive = true;
        p.msgAppFlowPaused = true;
        p.relay = 7;
        p.sentCommit(2);
        p.inflights.add(5, 1);
        Progress c = p.copy();
        assertThat(c).isNotSameAs(p).hasToString(p.toString());
        assertThat(c.inflights).isNotSameAs(p.inflights);
        assertThat(c.match).isEqualTo(4);
        assertThat(c.next).isEqualTo(5);
        assertThat(c.state).isEqualTo(ProgressState.REPLICATE);
        assertThat(c.pendingSnapshot).isEqualTo(3);
        assertThat(c.recentActive).isTrue();
        assertThat(c.msgAppFlowPaused).isTrue();
        assertThat(c.isLearner).isTrue();
        assertThat(c.relay).isEqualTo(7);
        assertThat(c.sentCommit()).isEqualTo(2);
        assertThat(c.inflights.count()).isEqualTo(1);
        c.inflights.freeLE(5);
        c.match = 9;
        assertThat(p.inflights.count()).isEqualTo(1);
        assertThat(p.match).isEqualTo(4);
    }

    @Test
    @DisplayName("resetState clears pause, pending snapshot and inflights")
    void resetState() {
        Progress p = new Progress(5, new Inflights(4, 0), false);
        p.msgAppFlowPaused = true;
        p.pendingSnapshot = 3;
        p.inflights.add(4, 1);
        p.resetState(ProgressState.REPLICATE);
        assertThat(p.state).isEqualTo(ProgressState.REPLICATE);
        assertThat(p.msgAppFlowPaused).isFalse();
        assertThat(p.pendingSnapshot).isZero();
        assertThat(p.inflights.count()).isZero();
        assertThatThrownBy(() -> p.resetState(null)).isInstanceOf(NullPointerException.class);
    }
}
