package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.core.Entry;
import io.cairn.store.types.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md rule 2: the same log applied to two fresh replicas gives byte-identical state. Two
 * stores get the same 30,000 random commands of every family (with retries of the same
 * session/sequence, expirations, and active-expiry deletions proposed from one of them), in
 * differently sized apply batches, on different threads' clocks; their replies and their full
 * RocksDB contents must be equal.
 */
class DeterminismTest {
    static final int COMMANDS = 30_000;

    @TempDir
    Path a;
    @TempDir
    Path b;

    @Test
    void theSameLogGivesByteIdenticalStoresWhateverTheBatching() {
        Random r = new Random(20261129);
        CommandGenerator gen = new CommandGenerator(r, 12);
        try (ReplicaFixture left = new ReplicaFixture(a, 4); ReplicaFixture right = new ReplicaFixture(b, 4)) {
            List<Entry> log = new ArrayList<>();
            long now = 1_800_000_000_000L;
            long[] seqs = new long[5];
            StoreCommand previous = null;
            List<Object> leftReplies = new ArrayList<>();
            int errors = 0;
            int pending = 0;
            for (int i = 0; i < COMMANDS; i++) {
                now += r.nextInt(20);
                StoreCommand c;
                if (previous != null && r.nextInt(50) == 0) {
                    c = previous; // a retry of the same write
                } else if (r.nextInt(200) == 0) {
                    // active expiry proposed by the "leader" (left) with its view of expired keys
                    List<byte[]> due = left.sm.expiredKeys(now, 16);
                    byte[][] argv = new byte[due.size() + 1][];
                    argv[0] = ShardStateMachine.EXPIRED.getBytes();
                    for (int k = 0; k < due.size(); k++) {
                        argv[k + 1] = due.get(k);
                    }
                    c = new StoreCommand(0, 0, 0, now, r.nextLong(), argv);
                } else {
                    int s = r.nextInt(seqs.length);
                    long seq = ++seqs[s];
                    c = new StoreCommand(s + 1, seq, seq - 1 - r.nextInt(3), now, r.nextLong(), gen.next());
                }
                previous = c.session() != 0 ? c : previous;
                log.add(left.entry(c));
                pending++;
                // left applies in batches of 1..50 (it needs its own state for expiredKeys)
                if (pending >= 1 + r.nextInt(50)) {
                    leftReplies.addAll(left.sm.apply(log.subList(log.size() - pending, log.size())));
                    pending = 0;
                }
            }
            if (pending > 0) {
                leftReplies.addAll(left.sm.apply(log.subList(log.size() - pending, log.size())));
            }
            List<Object> rightReplies = new ArrayList<>();
            Random batches = new Random(7);
            for (int i = 0; i < log.size(); ) {
                int n = Math.min(log.size() - i, 1 + batches.nextInt(7));
                rightReplies.addAll(right.sm.apply(log.subList(i, i + n)));
                i += n;
            }
            for (Object o : leftReplies) {
                if (o instanceof Reply.Err) {
                    errors++;
                }
            }
            assertThat(rightReplies).isEqualTo(leftReplies);
            List<String> leftContents = left.contents();
            assertThat(leftContents.size()).as("the log built real state").isGreaterThan(500);
            assertThat(errors).as("most commands succeed").isLessThan(COMMANDS / 4);
            assertThat(right.contents()).isEqualTo(leftContents);
            assertThat(right.sm.appliedIndex()).isEqualTo(left.sm.appliedIndex()).isEqualTo(log.size());
        }
    }
}
