package io.cairn.raft.core.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("JointConfig")
class JointConfigTest {

    @Test
    @DisplayName("a config with an empty outgoing half is not joint and behaves like its incoming half")
    void nonJoint() {
        JointConfig j = new JointConfig(MajorityConfig.of(1, 2, 3));
        assertThat(j.isJoint()).isFalse();
        assertThat(j.outgoing()).isSameAs(MajorityConfig.EMPTY);
        assertThat(new JointConfig(MajorityConfig.of(1, 2, 3), null)).isEqualTo(j).hasSameHashCodeAs(j);
        assertThat(j).hasToString("(1 2 3)");
        assertThat(j.ids()).containsExactly(1L, 2L, 3L);
        assertThat(j.committedIndex(id -> id * 10)).isEqualTo(20);
        assertThat(j.voteResult(Map.of(1L, true, 3L, true))).isEqualTo(VoteResult.WON);
        assertThatThrownBy(() -> new JointConfig(null, MajorityConfig.EMPTY)).isInstanceOf(NullPointerException.class);
    }

    @Test
    @DisplayName("joint: ids are the sorted union, toString is incoming&&outgoing")
    void joint() {
        JointConfig j = new JointConfig(MajorityConfig.of(1, 2, 5), MajorityConfig.of(4, 2, 3));
        assertThat(j.isJoint()).isTrue();
        assertThat(j.incoming()).isEqualTo(MajorityConfig.of(1, 2, 5));
        assertThat(j.outgoing()).isEqualTo(MajorityConfig.of(2, 3, 4));
        assertThat(j.ids()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThatThrownBy(() -> j.ids().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(j).hasToString("(1 2 5)&&(2 3 4)");
        assertThat(j).isNotEqualTo(new JointConfig(MajorityConfig.of(2, 3, 4), MajorityConfig.of(1, 2, 5)));
        assertThat(j).isNotEqualTo(new JointConfig(MajorityConfig.of(1, 2, 5), MajorityConfig.of(2, 3)));
        assertThat(j).isNotEqualTo("x");
    }

    @Test
    @DisplayName("Raft thesis §4.3: joint consensus needs both majorities to commit")
    void jointCommitNeedsBoth() {
        JointConfig j = new JointConfig(MajorityConfig.of(1, 2, 3), MajorityConfig.of(3, 4, 5));
        Map<Long, Long> acked = Map.of(1L, 9L, 2L, 9L, 3L, 4L, 4L, 6L, 5L, 2L);
        // incoming commits 9, outgoing only 4.
        assertThat(j.committedIndex(id -> acked.getOrDefault(id, 0L))).isEqualTo(4);
    }

    @Test
    @DisplayName("Raft thesis §4.3: joint consensus needs both majorities to elect; either losing loses")
    void jointVoteNeedsBoth() {
        JointConfig j = new JointConfig(MajorityConfig.of(1, 2, 3), MajorityConfig.of(3, 4, 5));
        assertThat(j.voteResult(Map.of(1L, true, 2L, true))).isEqualTo(VoteResult.PENDING);
        assertThat(j.voteResult(Map.of(1L, true, 2L, true, 4L, false, 5L, false))).isEqualTo(VoteResult.LOST);
        assertThat(j.voteResult(Map.of(1L, true, 2L, true, 3L, true, 4L, true))).isEqualTo(VoteResult.WON);
        assertThat(j.voteResult(Map.of(1L, false, 2L, false))).isEqualTo(VoteResult.LOST);
        assertThat(j.voteResult(Map.of(1L, false, 2L, false, 3L, false, 4L, false))).isEqualTo(VoteResult.LOST);
    }
}
