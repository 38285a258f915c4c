package io.cairn.raft.core.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * etcd's quorum datadriven tests ({@code quorum/datadriven_test.go}) over the ported golden cases,
 * with the same cross-checks the etcd harness makes on every case: an alternative commit
 * computation, the majority joined with the empty and with itself, lowering acks below the result,
 * and swapping the halves of a joint configuration.
 */
@DisplayName("quorum golden cases (etcd quorum/testdata)")
class QuorumDataDrivenTest {

    static Stream<Arguments> cases() {
        List<DataDriven.Case> all = new ArrayList<>();
        all.addAll(DataDriven.parse("majority_commit.txt", QuorumGolden.MAJORITY_COMMIT));
        all.addAll(DataDriven.parse("joint_commit.txt", QuorumGolden.JOINT_COMMIT));
        all.addAll(DataDriven.parse("majority_vote.txt", QuorumGolden.MAJORITY_VOTE));
        all.addAll(DataDriven.parse("joint_vote.txt", QuorumGolden.JOINT_VOTE));
        return all.stream().map(c -> Arguments.of(Named.of(c.toString(), c)));
    }

    @Test
    @DisplayName("all four etcd golden files are ported")
    void goldenFilesArePorted() {
        assertThat(DataDriven.parse("majority_commit.txt", QuorumGolden.MAJORITY_COMMIT)).hasSize(16);
        assertThat(DataDriven.parse("joint_commit.txt", QuorumGolden.JOINT_COMMIT)).hasSize(50);
        assertThat(DataDriven.parse("majority_vote.txt", QuorumGolden.MAJORITY_VOTE)).hasSize(22);
        assertThat(DataDriven.parse("joint_vote.txt", QuorumGolden.JOINT_VOTE)).hasSize(39);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("Raft thesis §3.6/§4.3: committed index and vote outcome of majority and joint quorums")
    void golden(DataDriven.Case c) {
        List<Long> ids = longs(c.vals("cfg"));
        boolean joint = c.has("cfgj");
        List<Long> idsj = c.vals("cfgj").equals(List.of("zero")) ? List.of() : longs(c.vals("cfgj"));
        MajorityConfig cfg = new MajorityConfig(ids);
        MajorityConfig cfgj = new MajorityConfig(idsj);
        List<String> input = c.cmd().equals("vote") ? c.vals("votes") : c.vals("idx");
        assertThat(input).as("one input per voter").hasSameSizeAs(new JointConfig(cfg, cfgj).ids());
        Map<Long, String> raw = assign(input, ids, idsj);

        String actual = switch (c.cmd()) {
            case "committed" -> committed(cfg, cfgj, joint, raw);
            case "vote" -> vote(cfg, cfgj, joint, raw);
            default -> throw new AssertionError("unknown command " + c.cmd());
        };
        assertThat(actual).isEqualTo(c.expected());
    }

    /** Maps the inputs to the voters in order of first appearance in (cfg, cfgj); "_" means absent. */
    private static Map<Long, String> assign(List<String> input, List<Long> ids, List<Long> idsj) {
        Map<Long, String> m = new LinkedHashMap<>();
        int p = 0;
        List<Long> order = new ArrayList<>(ids);
        order.addAll(idsj);
        for (long id : order) {
            if (!m.containsKey(id) && p < input.size()) {
                m.put(id, input.get(p++));
            }
        }
        m.values().removeIf("_"::equals);
        return m;
    }

    private static String committed(MajorityConfig c, MajorityConfig cj, boolean joint, Map<Long, String> raw) {
        TreeMap<Long, Long> acked = new TreeMap<>();
        raw.forEach((id, v) -> acked.put(id, Long.parseLong(v)));
        AckedIndexer l = id -> acked.getOrDefault(id, 0L);
        long idx;
        if (!joint) {
            idx = c.committedIndex(l);
            assertThat(QuorumQuickTest.alternativeCommittedIndex(c, l)).as("via alternative computation")
                    .isEqualTo(idx);
            assertThat(new JointConfig(c, MajorityConfig.EMPTY).committedIndex(l)).as("via zero-joint quorum")
                    .isEqualTo(idx);
            assertThat(new JointConfig(c, c).committedIndex(l)).as("via self-joint quorum").isEqualTo(idx);
            // If the result is above a voter's ack, lowering that ack further must not change it.
            for (long id : c.ids()) {
                long own = l.ackedIndex(id);
                if (idx > own && own > 0) {
                    assertThat(c.committedIndex(overlay(acked, id, own - 1))).as("overlaying %d->%d", id, own - 1)
                            .isEqualTo(idx);
                    assertThat(c.committedIndex(overlay(acked, id, 0))).as("overlaying %d->0", id).isEqualTo(idx);
                }
            }
        } else {
            idx = new JointConfig(c, cj).committedIndex(l);
            assertThat(new JointConfig(cj, c).committedIndex(l)).as("via symmetry").isEqualTo(idx);
        }
        return idx == Long.MAX_VALUE ? "∞" : Long.toString(idx);
    }

    private static AckedIndexer overlay(Map<Long, Long> acked, long id, long idx) {
        TreeMap<Long, Long> m = new TreeMap<>(acked);
        m.put(id, idx);
        return i -> m.getOrDefault(i, 0L);
    }

    private static String vote(MajorityConfig c, MajorityConfig cj, boolean joint, Map<Long, String> raw) {
        TreeMap<Long, Boolean> votes = new TreeMap<>();
        raw.forEach((id, v) -> votes.put(id, switch (v) {
            case "y" -> true;
            case "n" -> false;
            default -> throw new AssertionError("unknown vote " + v);
        }));
        VoteResult r;
        if (!joint) {
            r = c.voteResult(votes);
        } else {
            r = new JointConfig(c, cj).voteResult(votes);
            assertThat(new JointConfig(cj, c).voteResult(votes)).as("via symmetry").isEqualTo(r);
        }
        return switch (r) {
            case WON -> "VoteWon";
            case LOST -> "VoteLost";
            case PENDING -> "VotePending";
        };
    }

    private static List<Long> longs(List<String> vals) {
        return vals.stream().map(Long::parseLong).toList();
    }
}
