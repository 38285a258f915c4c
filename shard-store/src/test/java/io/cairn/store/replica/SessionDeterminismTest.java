package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.core.Entry;
import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md rule 2 for exactly-once state (docs/storage-format.md, "Sessions"): where a reply is
 * kept (inline in the header or in its own record) is decided from the stored header alone, and
 * the header cache only saves lookups. Two replicas fed the same log of one-in-flight,
 * pipelined and out-of-order writes, duplicates, stale retries and session expiry, one in
 * different batches and restarted (cold cache) along the way, reply alike and hold
 * byte-identical data.
 */
class SessionDeterminismTest {
    @TempDir
    Path a;
    @TempDir
    Path b;

    static byte[][] argv(String... xs) {
        byte[][] out = new byte[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            out[i] = xs[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    @Test
    void sessionHeavyLogGivesByteIdenticalReplicasWhateverTheBatchingAndRestarts() {
        Random r = new Random(5150);
        List<StoreCommand> commands = new ArrayList<>();
        int sessions = 6;
        long[] seq = new long[sessions];
        long[] acked = new long[sessions];
        long now = 1_800_000_000_000L;
        for (int i = 0; i < 4000; i++) {
            now += r.nextInt(3) == 0 ? r.nextInt((int) (Sessions.IDLE_EXPIRY_MS / 20)) : r.nextInt(10);
            if (r.nextInt(250) == 0) {
                now += Sessions.IDLE_EXPIRY_MS; // every session idle: the next expiry drops them
            }
            int s = r.nextInt(sessions);
            int kind = r.nextInt(20);
            if (kind == 0) {
                commands.add(new StoreCommand(0, 0, 0, now, r.nextLong(), argv(ShardStateMachine.EXPIRE_SESSIONS)));
                continue;
            }
            if (kind <= 3 && !commands.isEmpty()) {
                StoreCommand old = commands.get(Math.max(0, commands.size() - 1 - r.nextInt(30)));
                commands.add(new StoreCommand(old.session(), old.seq(), old.acked(), now, old.seed(), old.argv()));
                continue;
            }
            long next = ++seq[s];
            boolean pipelined = s >= sessions / 2;
            if (pipelined) {
                acked[s] = Math.max(acked[s], next - 1 - r.nextInt(6));
            } else {
                acked[s] = next - 1;
            }
            String key = "k" + r.nextInt(20);
            byte[][] args = switch (r.nextInt(4)) {
                case 0 -> argv("incr", "n" + r.nextInt(5));
                case 1 -> argv("getset", key, "v" + i);
                case 2 -> argv("set", key, "w" + i, "px", Integer.toString(1 + r.nextInt(100_000)));
                default -> argv("append", key, "x".repeat(r.nextInt(300)));
            };
            StoreCommand c = new StoreCommand(s + 1, next, acked[s], now, r.nextLong(), args);
            if (pipelined && r.nextInt(8) == 0 && !commands.isEmpty()) {
                commands.add(commands.size() - 1, c); // overtakes the previous write
            } else {
                commands.add(c);
            }
        }
        try (ReplicaFixture left = new ReplicaFixture(a, 4)) {
            List<Entry> log = new ArrayList<>();
            for (StoreCommand c : commands) {
                log.add(left.entry(c));
            }
            List<Object> leftReplies = new ArrayList<>();
            Random batches = new Random(1);
            for (int i = 0; i < log.size(); ) {
                int n = Math.min(log.size() - i, 1 + batches.nextInt(40));
                leftReplies.addAll(left.sm.apply(log.subList(i, i + n)));
                i += n;
            }
            List<Object> rightReplies = new ArrayList<>();
            ReplicaFixture right = new ReplicaFixture(b, 4);
            try {
                for (int i = 0; i < log.size(); ) {
                    if (i > 0 && batches.nextInt(100) == 0) {
                        right.close(); // a restart: the header cache starts empty
                        right = new ReplicaFixture(b, 4);
                        assertThat(right.sm.appliedIndex()).isEqualTo(i);
                    }
                    int n = Math.min(log.size() - i, 1 + batches.nextInt(3));
                    rightReplies.addAll(right.sm.apply(log.subList(i, i + n)));
                    i += n;
                }
                assertThat(rightReplies).isEqualTo(leftReplies);
                assertThat(leftReplies).as("some duplicates were refused as stale")
                        .contains(new Reply.Err(Sessions.TOO_OLD));
                long dropped = 0;
                for (int i = 0; i < commands.size(); i++) {
                    if (new String(commands.get(i).argv()[0], StandardCharsets.UTF_8)
                            .equals(ShardStateMachine.EXPIRE_SESSIONS)) {
                        dropped += ((Reply.Int) leftReplies.get(i)).value();
                    }
                }
                assertThat(dropped).as("sessions dropped by expiry, then written again").isPositive();
                assertThat(right.contents()).isEqualTo(left.contents());
                InlineReplyTest.assertCacheMatchesDb(right);
                InlineReplyTest.assertCacheMatchesDb(left);
            } finally {
                right.close();
            }
        }
    }
}
