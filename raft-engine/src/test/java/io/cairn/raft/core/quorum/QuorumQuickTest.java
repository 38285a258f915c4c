package io.cairn.raft.core.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Randomized (seeded, reproducible) checks of the quorum rules against naive definitions. */
@DisplayName("quorum: randomized checks against naive definitions")
class QuorumQuickTest {

    private static final int RUNS = 5_000;

    /**
     * etcd's alternativeMajorityCommittedIndex: the largest index that at least a majority of the
     * voters have acknowledged (an index is "acked" by every voter whose ack is at or above it).
     */
    static long alternativeCommittedIndex(MajorityConfig c, AckedIndexer l) {
        if (c.isEmpty()) {
            return Long.MAX_VALUE;
        }
        int q = c.size() / 2 + 1;
        long best = 0;
        for (long candidate : c.ids()) {
            long idx = l.ackedIndex(candidate);
            int votes = 0;
            for (long id : c.ids()) {
                if (l.ackedIndex(id) >= idx) {
                    votes++;
                }
            }
            if (votes >= q && idx > best) {
                best = idx;
            }
        }
        return best;
    }

    /** Sort the acknowledged indexes and take the (n/2+1)-th largest. */
    static long sortedCommittedIndex(MajorityConfig c, AckedIndexer l) {
        long[] acked = c.ids().stream().mapToLong(l::ackedIndex).toArray();
        Arrays.sort(acked);
        int n = acked.length;
        return acked[n - 1 - n / 2]; // (n/2+1)-th largest
    }

    private static MajorityConfig randomConfig(Random rnd, int maxSize, int idRange) {
        int n = rnd.nextInt(maxSize + 1);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(1L + rnd.nextInt(idRange));
        }
        return new MajorityConfig(ids);
    }

    private static TreeMap<Long, Long> randomAcks(Random rnd, int idRange) {
        TreeMap<Long, Long> acked = new TreeMap<>();
        for (long id = 1; id <= idRange; id++) {
            if (rnd.nextInt(4) != 0) { // some voters have not reported
                acked.put(id, (long) rnd.nextInt(20));
            }
        }
        return acked;
    }

    @Test
    @DisplayName("Raft thesis §3.6: committed index is the (n/2+1)-th largest acked index (naive sort and counting agree)")
    void majorityCommittedIndexMatchesNaive() {
        Random rnd = new Random(0x5eed_c0de);
        for (int run = 0; run < RUNS; run++) {
            MajorityConfig c = randomConfig(rnd, 9, 12);
            TreeMap<Long, Long> acked = randomAcks(rnd, 12);
            AckedIndexer l = id -> acked.getOrDefault(id, 0L);
            long got = c.committedIndex(l);
            assertThat(got).as("run %d cfg %s acks %s", run, c, acked).isEqualTo(alternativeCommittedIndex(c, l));
            if (!c.isEmpty()) {
                assertThat(got).as("run %d cfg %s acks %s", run, c, acked).isEqualTo(sortedCommittedIndex(c, l));
            }
        }
    }

    @Test
    @DisplayName("Raft thesis §3.6: raising one voter's ack never lowers the committed index")
    void committedIndexIsMonotonic() {
        Random rnd = new Random(42);
        for (int run = 0; run < RUNS; run++) {
            MajorityConfig c = randomConfig(rnd, 7, 9);
            MajorityConfig cj = randomConfig(rnd, 7, 9);
            JointConfig j = new JointConfig(c, cj);
            TreeMap<Long, Long> acked = randomAcks(rnd, 9);
            long before = j.committedIndex(id -> acked.getOrDefault(id, 0L));
            long id = 1 + rnd.nextInt(9);
            acked.merge(id, 1L + rnd.nextInt(5), Long::sum);
            long after = j.committedIndex(i -> acked.getOrDefault(i, 0L));
            assertThat(after).as("run %d", run).isGreaterThanOrEqualTo(before);
        }
    }

    @Test
    @DisplayName("Raft thesis §4.3: joint consensus commits the minimum of both majorities, symmetric in the halves")
    void jointCommittedIndexIsMinOfHalves() {
        Random rnd = new Random(7);
        for (int run = 0; run < RUNS; run++) {
            MajorityConfig c = randomConfig(rnd, 7, 9);
            MajorityConfig cj = randomConfig(rnd, 7, 9);
            TreeMap<Long, Long> acked = randomAcks(rnd, 9);
            AckedIndexer l = id -> acked.getOrDefault(id, 0L);
            long want = Math.min(alternativeCommittedIndex(c, l), alternativeCommittedIndex(cj, l));
            assertThat(new JointConfig(c, cj).committedIndex(l)).isEqualTo(want);
            assertThat(new JointConfig(cj, c).committedIndex(l)).isEqualTo(want);
        }
    }

    /** Naive vote rule: won with a majority of yes; lost once a majority can no longer say yes. */
    private static VoteResult naiveVote(MajorityConfig c, TreeMap<Long, Boolean> votes) {
        if (c.isEmpty()) {
            return VoteResult.WON;
        }
        int yes = 0;
        int no = 0;
        for (long id : c.ids()) {
            Boolean v = votes.get(id);
            if (Boolean.TRUE.equals(v)) {
                yes++;
            } else if (Boolean.FALSE.equals(v)) {
                no++;
            }
        }
        if (2 * yes > c.size()) {
            return VoteResult.WON;
        }
        if (2 * no >= c.size()) { // the yes votes can reach at most n - no <= n/2
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }

    @Test
    @DisplayName("Raft thesis §3.4/§4.3: vote outcome matches a naive count, joint needs both majorities")
    void voteResultMatchesNaive() {
        Random rnd = new Random(1234);
        for (int run = 0; run < RUNS; run++) {
            MajorityConfig c = randomConfig(rnd, 7, 9);
            MajorityConfig cj = randomConfig(rnd, 7, 9);
            TreeMap<Long, Boolean> votes = new TreeMap<>();
            for (long id = 1; id <= 10; id++) { // id 10 is never a voter: its vote must be ignored
                int r = rnd.nextInt(3);
                if (r > 0) {
                    votes.put(id, r == 1);
                }
            }
            VoteResult a = naiveVote(c, votes);
            VoteResult b = naiveVote(cj, votes);
            assertThat(c.voteResult(votes)).as("run %d %s %s", run, c, votes).isEqualTo(a);
            VoteResult want = a == VoteResult.WON && b == VoteResult.WON ? VoteResult.WON
                    : a == VoteResult.LOST || b == VoteResult.LOST ? VoteResult.LOST : VoteResult.PENDING;
            assertThat(new JointConfig(c, cj).voteResult(votes)).isEqualTo(want);
            assertThat(new JointConfig(cj, c).voteResult(votes)).isEqualTo(want);
        }
    }
}
