package io.cairn.raft.core.confchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.core.ConfChangeSingle;
import io.cairn.raft.core.ConfChangeType;
import io.cairn.raft.core.quorum.DataDriven;
import io.cairn.raft.core.tracker.Progress;
import io.cairn.raft.core.tracker.ProgressTracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * etcd's confchange datadriven test ({@code confchange/datadriven_test.go}): each file is a sequence
 * of {@code simple}, {@code enter-joint [autoleave=true]} and {@code leave-joint} commands over one
 * tracker (max 10 inflights), with lastIndex starting at 0 and incremented after every command.
 * Tokens: {@code vN} add voter, {@code lN} add learner, {@code rN} remove, {@code oN} add observer.
 *
 * <p>Additionally checks that computing a change never modifies the tracker, so a refused change
 * leaves the configuration as it was.
 */
@DisplayName("confchange golden cases (etcd confchange/testdata + observers)")
class ConfChangeDataDrivenTest {

    static Stream<Arguments> files() {
        return Stream.of(
                Arguments.of("simple_safety.txt", ConfChangeGolden.SIMPLE_SAFETY),
                Arguments.of("simple_idempotency.txt", ConfChangeGolden.SIMPLE_IDEMPOTENCY),
                Arguments.of("simple_promote_demote.txt", ConfChangeGolden.SIMPLE_PROMOTE_DEMOTE),
                Arguments.of("joint_safety.txt", ConfChangeGolden.JOINT_SAFETY),
                Arguments.of("joint_autoleave.txt", ConfChangeGolden.JOINT_AUTOLEAVE),
                Arguments.of("joint_idempotency.txt", ConfChangeGolden.JOINT_IDEMPOTENCY),
                Arguments.of("joint_learners_next.txt", ConfChangeGolden.JOINT_LEARNERS_NEXT),
                Arguments.of("observers.txt", ConfChangeGolden.OBSERVERS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    @DisplayName("Raft thesis §4.1/§4.3: single-server and joint membership changes")
    void golden(String file, String text) {
        List<DataDriven.Case> cases = DataDriven.parse(file, text);
        assertThat(cases).isNotEmpty();
        ProgressTracker tracker = new ProgressTracker(10, 0);
        long lastIndex = 0;
        for (DataDriven.Case c : cases) {
            String actual = run(tracker, lastIndex, c);
            lastIndex++;
            assertThat(actual).as(c.toString()).isEqualTo(c.expected());
        }
    }

    static List<ConfChangeSingle> parseChanges(String input) {
        List<ConfChangeSingle> ccs = new ArrayList<>();
        for (String tok : input.split("\\s+")) {
            if (tok.isEmpty()) {
                continue;
            }
            ConfChangeType type = switch (tok.charAt(0)) {
                case 'v' -> ConfChangeType.ADD_VOTER;
                case 'l' -> ConfChangeType.ADD_LEARNER;
                case 'r' -> ConfChangeType.REMOVE_NODE;
                case 'o' -> ConfChangeType.ADD_OBSERVER;
                default -> throw new AssertionError("unknown token " + tok);
            };
            ccs.add(new ConfChangeSingle(type, Long.parseLong(tok.substring(1))));
        }
        return ccs;
    }

    private static String run(ProgressTracker tracker, long lastIndex, DataDriven.Case c) {
        Changer changer = new Changer(tracker, lastIndex);
        List<ConfChangeSingle> ccs = parseChanges(c.input());
        String before = tracker.toString();
        ChangeResult r;
        try {
            r = switch (c.cmd()) {
                case "simple" -> changer.simple(ccs);
                case "enter-joint" -> changer.enterJoint(c.vals("autoleave").equals(List.of("true")), ccs);
                case "leave-joint" -> {
                    assertThat(ccs).as("leave-joint takes no input").isEmpty();
                    yield changer.leaveJoint();
                }
                default -> throw new AssertionError("unknown command " + c.cmd());
            };
        } catch (ConfChangeException e) {
            assertThat(tracker.toString()).as("a refused change leaves the tracker as it was").isEqualTo(before);
            return e.getMessage();
        }
        assertThat(tracker.toString()).as("computing a change does not modify the tracker").isEqualTo(before);
        tracker.setConfig(r.config(), r.progress());
        return describe(r);
    }

    /** etcd's "%s\n%s" of Config and ProgressMap. */
    static String describe(ChangeResult r) {
        StringBuilder b = new StringBuilder(r.config().toString());
        for (Map.Entry<Long, Progress> e : r.progress().entrySet()) {
            b.append('\n').append(e.getKey()).append(": ").append(e.getValue());
        }
        return b.toString();
    }
}
