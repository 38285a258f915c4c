package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DESIGN.md rule 3 and the Raft thesis §6.3: a retried write is applied at most once. */
class ExactlyOnceTest {
    @TempDir
    Path dir;

    private static StoreCommand write(long session, long seq, long acked, long now, String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return new StoreCommand(session, seq, acked, now, 7, argv);
    }

    private static long integer(Reply r) {
        return ((Reply.Int) r).value();
    }

    @Test
    void incrRetriedAfterATimeoutIncrementsOnceAndReturnsTheFirstReply() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 3)) {
            long now = 1_000_000;
            assertThat(integer(f.apply(write(11, 1, 0, now, "incr", "counter")))).isEqualTo(1);
            // the client timed out and retried: a second entry with the same (session, seq)
            assertThat(integer(f.apply(write(11, 1, 0, now + 5, "incr", "counter")))).isEqualTo(1);
            assertThat(integer(f.apply(write(11, 2, 1, now + 6, "incr", "counter")))).isEqualTo(2);
            // another session's writes are independent
            assertThat(integer(f.apply(write(12, 1, 0, now + 7, "incr", "counter")))).isEqualTo(3);
            assertThat(f.sm.read(new byte[][] {"get".getBytes(), "counter".getBytes()}))
                    .isEqualTo(new Reply.Bulk("3".getBytes()));
        }
    }

    @Test
    void pipelinedWritesOfOneSessionAreEachRememberedUntilAcknowledged() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 3)) {
            for (int seq = 1; seq <= 5; seq++) {
                f.apply(write(21, seq, 0, 100, "rpush", "l", "v" + seq));
            }
            // retries of any in-flight write return its own reply
            assertThat(integer(f.apply(write(21, 3, 0, 101, "rpush", "l", "v3")))).isEqualTo(3);
            assertThat(integer(f.apply(write(21, 5, 0, 101, "rpush", "l", "v5")))).isEqualTo(5);
            // acknowledging up to 4 forgets replies 1..4; a retry of 2 is now refused, not applied
            f.apply(write(21, 6, 4, 102, "rpush", "l", "v6"));
            assertThat(f.apply(write(21, 2, 4, 103, "rpush", "l", "v2"))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertThat(integer(f.sm.read(new byte[][] {"llen".getBytes(), "l".getBytes()}))).isEqualTo(6);
        }
    }

    // the store sends a request's consecutive writes to a group as one entry: each keeps its identity
    @Test
    void aBatchEntryAppliesEachCommandOnceInOrderAndARetryOfItReturnsTheSameReplies() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 3)) {
            StoreCommand[] batch = {
                write(51, 1, 0, 100, "rpush", "l", "a"),
                write(52, 1, 0, 100, "incr", "c"),
                write(51, 2, 0, 100, "rpush", "l", "b"),
                write(52, 2, 0, 100, "get", "l"), // a wrong type: an error for this command only
                write(51, 3, 0, 100, "incr", "c"),
            };
            List<Object> replies = f.applyBatch(batch);
            assertThat(replies).hasSize(5);
            assertThat(integer((Reply) replies.get(0))).isEqualTo(1);
            assertThat(integer((Reply) replies.get(1))).isEqualTo(1);
            assertThat(integer((Reply) replies.get(2))).isEqualTo(2);
            assertThat(replies.get(3)).isInstanceOf(Reply.Err.class);
            assertThat(integer((Reply) replies.get(4))).isEqualTo(2);
            // the gateway retried the whole batch (its outcome was lost): nothing applied twice
            assertThat(f.applyBatch(batch)).isEqualTo(replies);
            // and one command of it, alone
            assertThat(integer(f.apply(write(51, 2, 0, 101, "rpush", "l", "b")))).isEqualTo(2);
            assertThat(integer(f.sm.read(new byte[][] {"llen".getBytes(), "l".getBytes()}))).isEqualTo(2);
            assertThat(f.sm.read(new byte[][] {"get".getBytes(), "c".getBytes()}))
                    .isEqualTo(new Reply.Bulk("2".getBytes()));
        }
    }

    // a batch changes a session's header in memory and writes it once at its end: later writes of
    // the batch must still see what earlier ones did (a new session's first write too)
    @Test
    void writesOfOneSessionInOneBatchSeeEachOthersEffectOnTheSession() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 3)) {
            List<Object> replies = f.applyBatch(
                    write(71, 1, 0, 100, "incr", "d"),
                    write(71, 1, 0, 100, "incr", "d"), // a duplicate of the new session's first write
                    write(71, 3, 0, 100, "incr", "d"), // overtakes 2
                    write(71, 2, 1, 100, "incr", "d"), // acknowledges 1
                    write(71, 1, 1, 100, "incr", "d"), // a stale retry
                    write(71, 3, 1, 100, "incr", "d")); // a duplicate of an inline reply
            assertThat(replies).containsExactly(Reply.integer(1), Reply.integer(1), Reply.integer(2),
                    Reply.integer(3), new Reply.Err(Sessions.TOO_OLD), Reply.integer(2));
            assertThat(f.sm.read(new byte[][] {"get".getBytes(), "d".getBytes()}))
                    .isEqualTo(new Reply.Bulk("3".getBytes()));
            // written once, as the batch left it: 1 acknowledged, 3 and 2 inline in that order
            try (io.cairn.store.types.RocksKv kv = io.cairn.store.types.RocksKv.snapshot(f.db.rocks())) {
                byte[] header = kv.get(io.cairn.store.types.KeyCodec.sessionKey(3, 71));
                assertThat(Sessions.inlineSeqs(header)).containsExactly(3L, 2L);
                assertThat(Sessions.recordMax(header)).isZero();
            }
            // the next batch reads it back
            assertThat(f.applyBatch(write(71, 2, 1, 101, "incr", "d"), write(71, 4, 3, 101, "incr", "d"),
                    write(71, 3, 3, 101, "incr", "d")))
                    .containsExactly(Reply.integer(3), Reply.integer(4), new Reply.Err(Sessions.TOO_OLD));
        }
    }

    // collections created by commands of one entry get distinct versions (they share the entry's index;
    // same slot, so equal versions would mean the same member keys)
    @Test
    void collectionsCreatedInOneBatchEntryAreIndependent() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 3)) {
            f.applyBatch(write(61, 1, 0, 100, "hset", "{t}h1", "f", "one"),
                    write(61, 2, 0, 100, "hset", "{t}h2", "f", "two"),
                    write(61, 3, 0, 100, "sadd", "s1", "m"),
                    write(61, 4, 0, 100, "del", "{t}h1"));
            assertThat(f.sm.read(new byte[][] {"hget".getBytes(), "{t}h2".getBytes(), "f".getBytes()}))
                    .isEqualTo(new Reply.Bulk("two".getBytes()));
            assertThat(f.sm.read(new byte[][] {"exists".getBytes(), "{t}h1".getBytes()})).isEqualTo(Reply.integer(0));
            assertThat(integer(f.sm.read(new byte[][] {"scard".getBytes(), "s1".getBytes()}))).isEqualTo(1);
        }
    }

    @Test
    void sessionStateIsPersistedWithTheDataAndSurvivesRestart() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 3)) {
            f.apply(write(31, 1, 0, 100, "incrby", "c", "10"));
        }
        try (ReplicaFixture f = new ReplicaFixture(dir, 3)) {
            assertThat(f.sm.appliedIndex()).isEqualTo(1);
            assertThat(integer(f.apply(write(31, 1, 0, 200, "incrby", "c", "10")))).isEqualTo(10);
            assertThat(f.sm.read(new byte[][] {"get".getBytes(), "c".getBytes()}))
                    .isEqualTo(new Reply.Bulk("10".getBytes()));
        }
    }

    @Test
    void idleSessionsExpireByTheLeadersTimeOnly() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 3)) {
            f.apply(write(41, 1, 0, 1_000, "set", "a", "1"));
            f.apply(write(42, 1, 0, 1_000 + Sessions.IDLE_EXPIRY_MS, "set", "b", "1"));
            Reply dropped = f.apply(StoreCommand.of(1_000 + Sessions.IDLE_EXPIRY_MS + 1, 0,
                    ShardStateMachine.EXPIRE_SESSIONS));
            assertThat(integer(dropped)).isEqualTo(1);
            // session 41 is gone: its retry is applied as new (the client waited too long);
            // session 42 still deduplicates
            assertThat(f.apply(write(41, 1, 0, 2_000_000, "incr", "n"))).isEqualTo(Reply.ONE);
            assertThat(f.apply(write(42, 1, 0, 2_000_000, "incr", "n"))).isEqualTo(Reply.OK);
        }
    }

    // the expiry sees the session as the batch left it: a write earlier in the same batch keeps it
    @Test
    void aSessionWrittenEarlierInTheExpiringBatchIsKept() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 3)) {
            f.apply(write(43, 1, 0, 1_000, "set", "a", "1"));
            long later = 1_000 + Sessions.IDLE_EXPIRY_MS + 5;
            List<Object> replies = f.applyBatch(write(43, 2, 1, later, "incr", "n"),
                    StoreCommand.of(later, 0, ShardStateMachine.EXPIRE_SESSIONS));
            assertThat(replies).containsExactly(Reply.ONE, Reply.integer(0));
            // still remembered: the retry is answered, not applied again
            assertThat(f.apply(write(43, 2, 1, later + 1, "incr", "n"))).isEqualTo(Reply.ONE);
            assertThat(f.sm.read(new byte[][] {"get".getBytes(), "n".getBytes()}))
                    .isEqualTo(new Reply.Bulk("1".getBytes()));
        }
    }

    @Test
    void anExpiredSessionLeavesNoRememberedReplyEvenAtTheLargestSeq() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 3)) {
            // seq is an unsigned 64-bit number on the wire: 2^64-1 arrives as -1
            f.apply(write(41, -1, 0, 1_000, "set", "a", "1"));
            f.apply(write(41, 5, 0, 1_000, "set", "b", "1"));
            Reply dropped = f.apply(StoreCommand.of(1_000 + Sessions.IDLE_EXPIRY_MS + 1, 0,
                    ShardStateMachine.EXPIRE_SESSIONS));
            assertThat(integer(dropped)).isEqualTo(1);
            String sessionKinds = "0000000000000003" + "02";
            String replyKinds = "0000000000000003" + "03";
            assertThat(f.contents()).noneMatch(kv -> kv.startsWith(sessionKinds) || kv.startsWith(replyKinds));
        }
    }

    @Test
    void aWriteWithoutAValidSequenceNumberIsAppliedEachTimeAndRemembersNothing() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 3)) {
            assertThat(integer(f.apply(write(51, 0, 0, 100, "incr", "z")))).isEqualTo(1);
            assertThat(integer(f.apply(write(51, 0, 0, 101, "incr", "z")))).isEqualTo(2);
            assertThat(f.contents()).noneMatch(l -> l.startsWith(java.util.HexFormat.of()
                    .formatHex(io.cairn.store.types.KeyCodec.sessionKey(3, 51))));
        }
    }

    // pipelined writes may reach the log out of order (a retry of 5 after 6): 5 is still new
    @Test
    void aWriteOvertakenByALaterOneOfItsSessionIsAppliedOnceStill() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 3)) {
            assertThat(f.apply(write(61, 6, 0, 100, "rpush", "q", "six"))).isEqualTo(Reply.ONE);
            assertThat(integer(f.apply(write(61, 5, 0, 101, "rpush", "q", "five")))).isEqualTo(2);
            assertThat(integer(f.apply(write(61, 5, 0, 102, "rpush", "q", "five")))).isEqualTo(2);
            assertThat(f.apply(write(61, 6, 0, 103, "rpush", "q", "six"))).isEqualTo(Reply.ONE);
            assertThat(integer(f.sm.read(new byte[][] {"llen".getBytes(), "q".getBytes()}))).isEqualTo(2);
        }
    }
}
