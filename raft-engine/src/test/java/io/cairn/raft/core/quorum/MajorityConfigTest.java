package io.cairn.raft.core.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MajorityConfig")
class MajorityConfigTest {

    @Test
    @DisplayName("ids are deduplicated, sorted and unmodifiable")
    void idsSortedUnique() {
        MajorityConfig c = new MajorityConfig(List.of(3L, 1L, 2L, 3L));
        assertThat(c.ids()).containsExactly(1L, 2L, 3L);
        assertThat(c.size()).isEqualTo(3);
        assertThat(c.isEmpty()).isFalse();
        assertThat(c.contains(2)).isTrue();
        assertThat(c.contains(4)).isFalse();
        assertThatThrownBy(() -> c.ids().add(9L)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(c).isEqualTo(MajorityConfig.of(1, 2, 3)).hasSameHashCodeAs(MajorityConfig.of(3, 2, 1));
        assertThat(c).isNotEqualTo(MajorityConfig.of(1, 2)).isNotEqualTo("(1 2 3)");
    }

    @Test
    @DisplayName("null ids are rejected")
    void rejectsNull() {
        assertThatThrownBy(() -> new MajorityConfig(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new MajorityConfig(Arrays.asList(1L, null)))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> MajorityConfig.of(1).committedIndex(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> MajorityConfig.of(1).voteResult(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    @DisplayName("toString is etcd's (1 2 3)")
    void string() {
        assertThat(MajorityConfig.of(3, 1, 2)).hasToString("(1 2 3)");
        assertThat(MajorityConfig.EMPTY).hasToString("()");
        assertThat(MajorityConfig.EMPTY.isEmpty()).isTrue();
        assertThat(MajorityConfig.EMPTY.size()).isZero();
    }

    @Test
    @DisplayName("the empty config commits everything (Long.MAX_VALUE) and wins every vote, so it is neutral in a joint config")
    void emptyConfigIsNeutral() {
        assertThat(MajorityConfig.EMPTY.committedIndex(id -> 5)).isEqualTo(Long.MAX_VALUE);
        assertThat(MajorityConfig.EMPTY.voteResult(Map.of())).isEqualTo(VoteResult.WON);
        assertThat(MajorityConfig.EMPTY.voteResult(Map.of(1L, false))).isEqualTo(VoteResult.WON);
    }

    @Test
    @DisplayName("Raft thesis §3.6: with 5 voters, the 3rd largest ack is committed; unknown voters count as 0")
    void committedIndexFiveVoters() {
        MajorityConfig c = MajorityConfig.of(1, 2, 3, 4, 5);
        Map<Long, Long> acked = Map.of(1L, 10L, 2L, 7L, 3L, 9L, 4L, 3L);
        assertThat(c.committedIndex(id -> acked.getOrDefault(id, 0L))).isEqualTo(7);
        assertThat(c.committedIndex(id -> id == 1 ? 10 : 0)).isZero();
    }

    @Test
    @DisplayName("Raft thesis §3.4: an even-sized config needs n/2+1 votes; a tie loses")
    void evenSizedVotes() {
        MajorityConfig c = MajorityConfig.of(1, 2, 3, 4);
        assertThat(c.voteResult(Map.of(1L, true, 2L, true))).isEqualTo(VoteResult.PENDING);
        assertThat(c.voteResult(Map.of(1L, true, 2L, true, 3L, false, 4L, false))).isEqualTo(VoteResult.LOST);
        assertThat(c.voteResult(Map.of(1L, true, 2L, true, 3L, true))).isEqualTo(VoteResult.WON);
        // Votes of non-members are ignored.
        assertThat(c.voteResult(Map.of(1L, true, 2L, true, 7L, true, 8L, true))).isEqualTo(VoteResult.PENDING);
    }
}
