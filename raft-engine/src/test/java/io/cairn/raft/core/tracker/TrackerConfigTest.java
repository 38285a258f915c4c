package io.cairn.raft.core.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.quorum.JointConfig;
import io.cairn.raft.core.quorum.MajorityConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TrackerConfig")
class TrackerConfigTest {

    @Test
    @DisplayName("EMPTY has no members")
    void empty() {
        TrackerConfig c = TrackerConfig.EMPTY;
        assertThat(c.voters().ids()).isEmpty();
        assertThat(c.voters().isJoint()).isFalse();
        assertThat(c.learners()).isEmpty();
        assertThat(c.learnersNext()).isEmpty();
        assertThat(c.observers()).isEmpty();
        assertThat(c.autoLeave()).isFalse();
        assertThat(c).hasToString("voters=()");
    }

    @Test
    @DisplayName("toString follows etcd's Config.String, with observers after learners_next")
    void string() {
        TrackerConfig c = new TrackerConfig(new JointConfig(MajorityConfig.of(1, 2), MajorityConfig.of(1, 3)),
                List.of(5L, 4L), List.of(3L), List.of(4L, 3L), true);
        assertThat(c).hasToString("voters=(1 2)&&(1 3) learners=(4 5) learners_next=(3) observers=(3 4) autoleave");
        TrackerConfig plain = new TrackerConfig(new JointConfig(MajorityConfig.of(1)), List.of(), List.of(),
                List.of(), false);
        assertThat(plain).hasToString("voters=(1)");
    }

    @Test
    @DisplayName("sets are sorted, copied and unmodifiable; equality is by value")
    void valueSemantics() {
        List<Long> learners = new java.util.ArrayList<>(List.of(9L, 7L));
        TrackerConfig c = new TrackerConfig(new JointConfig(MajorityConfig.of(1)), learners, Set.of(), Set.of(7L),
                false);
        learners.add(8L);
        assertThat(c.learners()).containsExactly(7L, 9L);
        assertThatThrownBy(() -> c.learners().add(1L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> c.learnersNext().add(1L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> c.observers().add(1L)).isInstanceOf(UnsupportedOperationException.class);
        TrackerConfig same = new TrackerConfig(new JointConfig(MajorityConfig.of(1)), List.of(7L, 9L), List.of(),
                List.of(7L), false);
        assertThat(c).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo("x");
        JointConfig v = new JointConfig(MajorityConfig.of(1));
        assertThat(c).isNotEqualTo(new TrackerConfig(new JointConfig(MajorityConfig.of(2)), List.of(7L, 9L),
                List.of(), List.of(7L), false));
        assertThat(c).isNotEqualTo(new TrackerConfig(v, List.of(7L), List.of(), List.of(7L), false));
        assertThat(c).isNotEqualTo(new TrackerConfig(v, List.of(7L, 9L), List.of(9L), List.of(7L), false));
        assertThat(c).isNotEqualTo(new TrackerConfig(v, List.of(7L, 9L), List.of(), List.of(), false));
        assertThat(c).isNotEqualTo(new TrackerConfig(v, List.of(7L, 9L), List.of(), List.of(7L), true));
    }

    @Test
    @DisplayName("nulls are rejected")
    void nulls() {
        JointConfig v = new JointConfig(MajorityConfig.of(1));
        assertThatThrownBy(() -> new TrackerConfig(null, List.of(), List.of(), List.of(), false))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new TrackerConfig(v, null, List.of(), List.of(), false))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new TrackerConfig(v, List.of(), List.of(), Arrays.asList(1L, null), false))
                .isInstanceOf(NullPointerException.class);
    }
}
