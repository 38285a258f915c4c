package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.RecordCache;
import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

/**
 * DESIGN.md rule 3 with the reply kept inside the session header (docs/storage-format.md,
 * "Sessions") and the in-memory header cache: duplicates still return the remembered reply and
 * are not applied again, stale retries are refused, whatever mix of one-in-flight and pipelined
 * writes, old 24-byte headers, snapshot installs, session expiry and failed batches came before.
 * After every scenario the cache holds exactly what RocksDB holds.
 */
class InlineReplyTest {
    static final long GROUP = 3;

    @TempDir
    Path dir;
    @TempDir
    Path other;
    @TempDir
    Path snap;

    static StoreCommand write(long session, long seq, long acked, long now, String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return new StoreCommand(session, seq, acked, now, 7, argv);
    }

    static StoreCommand incr(long session, long seq, long acked) {
        return write(session, seq, acked, 1_000 + seq, "incr", "counter");
    }

    static long integer(Reply r) {
        return ((Reply.Int) r).value();
    }

    static long counter(ReplicaFixture f) {
        Reply r = f.sm.read(new byte[][] {"get".getBytes(), "counter".getBytes()});
        return Long.parseLong(new String(((Reply.Bulk) r).value(), StandardCharsets.UTF_8));
    }

    /** The session's reply records (kind 0x03) in the DB, as hex lines. */
    static List<String> replyRecords(ReplicaFixture f, long session) {
        String prefix = HexFormat.of().formatHex(KeyCodec.sessionReplyKey(f.group, session, 0)).substring(0, 34);
        return f.contents().stream().filter(l -> l.startsWith(prefix)).toList();
    }

    static byte[] storedHeader(ReplicaFixture f, long session) {
        try {
            return f.db.rocks().get(KeyCodec.sessionKey(f.group, session));
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every entry of the record cache (session headers, key records, and "absent" answers) equals
     * what the DB holds: a cache may know fewer keys, never other values.
     */
    static void assertCacheMatchesDb(ReplicaFixture f) {
        f.sm.records().forEach((key, value) -> {
            try {
                assertThat(value).as("cached %s", HexFormat.of().formatHex(key)).isEqualTo(f.db.rocks().get(key));
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aDuplicateOfAnInlineRepliedWriteReturnsTheSameReplyAndIsNotAppliedTwice() {
        try (ReplicaFixture f = new ReplicaFixture(dir, GROUP)) {
            assertThat(integer(f.apply(incr(11, 1, 0)))).isEqualTo(1);
            assertThat(integer(f.apply(incr(11, 1, 0)))).isEqualTo(1);
            assertThat(integer(f.apply(incr(11, 2, 1)))).isEqualTo(2);
            assertThat(integer(f.apply(incr(11, 2, 1)))).isEqualTo(2);
            // the reply of 1 was released by 2's ack: a retry of 1 is stale
            assertThat(f.apply(incr(11, 1, 0))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertThat(counter(f)).isEqualTo(2);
            assertThat(replyRecords(f, 11)).as("one write in flight: replies live in the header").isEmpty();
            byte[] header = storedHeader(f, 11);
            assertThat(Sessions.inlineSeqs(header)).as("1 was acknowledged").containsExactly(2L);
            assertThat(Sessions.recordMax(header)).as("no reply record").isZero();
            assertCacheMatchesDb(f);
            assertThat(ReplicaFixture.cachedHeaders(f.sm)).containsKey(11L);
        }
    }

    @Test
    void pipelinedWritesKeepTheirRepliesUntilAcknowledgedAndThenLeaveNoRecords() {
        try (ReplicaFixture f = new ReplicaFixture(dir, GROUP)) {
            for (int seq = 1; seq <= 20; seq++) {
                assertThat(integer(f.apply(incr(21, seq, 0)))).isEqualTo(seq);
            }
            assertThat(replyRecords(f, 21)).as("20 unacknowledged replies, all inline").isEmpty();
            assertThat(Sessions.inlineSeqs(storedHeader(f, 21))).hasSize(20);
            for (int seq = 20; seq >= 1; seq--) {
                assertThat(integer(f.apply(incr(21, seq, 0)))).as("duplicate of %d", seq).isEqualTo(seq);
            }
            assertThat(counter(f)).isEqualTo(20);
            assertThat(integer(f.apply(incr(21, 21, 20)))).isEqualTo(21);
            assertThat(replyRecords(f, 21)).as("all acknowledged; 21 is inline").isEmpty();
            assertThat(Sessions.inlineSeqs(storedHeader(f, 21))).containsExactly(21L);
            assertThat(f.apply(incr(21, 20, 20))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertThat(integer(f.apply(incr(21, 21, 20)))).isEqualTo(21);
            assertThat(counter(f)).isEqualTo(21);
            assertCacheMatchesDb(f);
        }
    }

    @Test
    void inlineThenPipelinedThenInlineAgain() {
        try (ReplicaFixture f = new ReplicaFixture(dir, GROUP)) {
            assertThat(integer(f.apply(incr(31, 1, 0)))).isEqualTo(1); // inline
            assertThat(integer(f.apply(incr(31, 2, 1)))).isEqualTo(2); // 1 acked: inline
            assertThat(integer(f.apply(incr(31, 3, 1)))).isEqualTo(3); // 2 unacked: both inline
            assertThat(integer(f.apply(incr(31, 4, 1)))).isEqualTo(4);
            assertThat(Sessions.inlineSeqs(storedHeader(f, 31))).containsExactly(2L, 3L, 4L);
            assertThat(replyRecords(f, 31)).isEmpty();
            for (int seq = 2; seq <= 4; seq++) {
                assertThat(integer(f.apply(incr(31, seq, 1)))).as("duplicate of %d", seq).isEqualTo(seq);
            }
            assertThat(integer(f.apply(incr(31, 5, 4)))).isEqualTo(5); // all acked: 5 alone
            assertThat(Sessions.inlineSeqs(storedHeader(f, 31))).containsExactly(5L);
            assertThat(replyRecords(f, 31)).isEmpty();
            assertThat(integer(f.apply(incr(31, 5, 4)))).isEqualTo(5);
            assertThat(f.apply(incr(31, 3, 4))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertThat(f.apply(incr(31, 4, 4))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertThat(counter(f)).isEqualTo(5);
            assertCacheMatchesDb(f);
        }
    }

    // out of order: 3 arrives before 2, both unacked: both inline, in the order applied
    @Test
    void aWriteOvertakenByALaterOneKeepsTheLaterInlineReply() {
        try (ReplicaFixture f = new ReplicaFixture(dir, GROUP)) {
            assertThat(integer(f.apply(incr(41, 1, 0)))).isEqualTo(1);
            assertThat(integer(f.apply(incr(41, 3, 1)))).isEqualTo(2);
            assertThat(integer(f.apply(incr(41, 2, 1)))).isEqualTo(3);
            assertThat(Sessions.inlineSeqs(storedHeader(f, 41))).containsExactly(3L, 2L);
            assertThat(integer(f.apply(incr(41, 3, 1)))).isEqualTo(2);
            assertThat(integer(f.apply(incr(41, 2, 1)))).isEqualTo(3);
            assertThat(integer(f.apply(incr(41, 4, 3)))).isEqualTo(4);
            assertThat(replyRecords(f, 41)).isEmpty();
            assertThat(counter(f)).isEqualTo(4);
        }
    }

    @Test
    void anOldTwentyFourByteHeaderWithItsReplyRecordsStillWorks() throws RocksDBException {
        try (ReplicaFixture f = new ReplicaFixture(dir, GROUP)) {
            f.apply(1_000, "set", "counter", "40");
            // what the previous format wrote for session 51: acked 3, writes 4 and 5 in flight
            byte[] h = new byte[24];
            KeyCodec.putLong(h, 0, 1_000);
            KeyCodec.putLong(h, 8, 3);
            KeyCodec.putLong(h, 16, 5);
            f.db.rocks().put(KeyCodec.sessionKey(GROUP, 51), h);
            f.db.rocks().put(KeyCodec.sessionReplyKey(GROUP, 51, 4), ReplyCodec.encode(Reply.integer(41)));
            f.db.rocks().put(KeyCodec.sessionReplyKey(GROUP, 51, 5), ReplyCodec.encode(Reply.integer(42)));

            assertThat(integer(f.apply(incr(51, 4, 3)))).isEqualTo(41);
            assertThat(integer(f.apply(incr(51, 5, 3)))).isEqualTo(42);
            assertThat(f.apply(incr(51, 3, 3))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertThat(counter(f)).as("nothing re-applied").isEqualTo(40);
            assertThat(integer(f.apply(incr(51, 6, 5)))).isEqualTo(41);
            assertThat(replyRecords(f, 51)).as("4 and 5 acknowledged").isEmpty();
            assertThat(integer(f.apply(incr(51, 6, 5)))).isEqualTo(41);
            assertThat(storedHeader(f, 51).length).isGreaterThan(32);
            assertCacheMatchesDb(f);
        }
    }

    // DESIGN.md rule 3 across a snapshot install: the installed sessions, not the cached ones, count
    @Test
    void afterASnapshotInstallDuplicatesAreJudgedByTheInstalledSessions() {
        try (ReplicaFixture leader = new ReplicaFixture(dir, GROUP);
             ReplicaFixture lagging = new ReplicaFixture(other, GROUP)) {
            StoreCommand first = incr(61, 1, 0);
            leader.apply(first);
            lagging.apply(first);
            assertThat(ReplicaFixture.cachedHeaders(lagging.sm)).containsKey(61L); // maxSeq 1 cached
            for (int seq = 2; seq <= 4; seq++) {
                leader.apply(incr(61, seq, seq - 1));
            }
            long index = leader.sm.snapshot(snap);
            lagging.sm.installSnapshot(snap, new SnapshotMetadata(index, 1, ConfState.EMPTY));
            lagging.index = leader.index;
            assertThat(ReplicaFixture.cachedHeaders(lagging.sm)).isEmpty();

            assertThat(integer(lagging.apply(incr(61, 4, 3)))).as("duplicate of 4").isEqualTo(4);
            assertThat(lagging.apply(incr(61, 2, 1))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertThat(counter(lagging)).isEqualTo(4);
            assertThat(integer(lagging.apply(incr(61, 5, 4)))).isEqualTo(5);
            assertThat(integer(leader.apply(incr(61, 5, 4)))).isEqualTo(5);
            // the same data and sessions (the applied indexes differ: lagging applied two more entries)
            assertThat(lagging.contents().subList(1, lagging.contents().size()))
                    .isEqualTo(leader.contents().subList(1, leader.contents().size()));
            assertCacheMatchesDb(lagging);
        }
    }

    @Test
    void expiredSessionsLeaveTheCacheInTheSameBatchAndAfter() {
        try (ReplicaFixture f = new ReplicaFixture(dir, GROUP)) {
            f.apply(incr(71, 1, 0));
            f.apply(write(72, 1, 0, 1_000 + Sessions.IDLE_EXPIRY_MS, "incr", "other"));
            long late = 1_000 + Sessions.IDLE_EXPIRY_MS + 2;
            // one batch: a duplicate (deduplicated), the expiry, the same duplicate (now new)
            List<Object> replies = f.sm.apply(List.of(
                    f.entry(incr(71, 1, 0)),
                    f.entry(StoreCommand.of(late, 0, ShardStateMachine.EXPIRE_SESSIONS)),
                    f.entry(incr(71, 1, 0))));
            assertThat(replies).containsExactly(Reply.ONE, Reply.ONE, Reply.integer(2));
            assertThat(counter(f)).isEqualTo(2);
            assertCacheMatchesDb(f);
            assertThat(ReplicaFixture.cachedHeaders(f.sm)).containsKeys(71L, 72L);

            Reply dropped = f.apply(StoreCommand.of(late + Sessions.IDLE_EXPIRY_MS, 0, ShardStateMachine.EXPIRE_SESSIONS));
            assertThat(dropped).isEqualTo(Reply.integer(2));
            assertThat(ReplicaFixture.cachedHeaders(f.sm)).isEmpty();
            assertThat(storedHeader(f, 71)).isNull();
            assertThat(integer(f.apply(incr(71, 1, 0)))).as("a forgotten session starts again").isEqualTo(3);
            assertCacheMatchesDb(f);
        }
    }

    @Test
    void aBatchThatThrowsLeavesTheCacheEqualToTheDb() {
        try (ReplicaFixture f = new ReplicaFixture(dir, GROUP)) {
            assertThat(integer(f.apply(incr(81, 1, 0)))).isEqualTo(1);
            byte[] before = ReplicaFixture.cachedHeaders(f.sm).get(81L);
            assertThat(before).isNotNull();
            long at = f.index;
            List<Entry> broken = List.of(f.entry(incr(81, 2, 1)), f.entry(incr(82, 1, 0)),
                    Entry.normal(f.term, ++f.index, new byte[] {99}));
            assertThatThrownBy(() -> f.sm.apply(broken)).isInstanceOf(IllegalArgumentException.class);
            assertThat(f.sm.appliedIndex()).isEqualTo(at);
            assertThat(ReplicaFixture.cachedHeaders(f.sm).get(81L)).isEqualTo(before);
            assertThat(ReplicaFixture.cachedHeaders(f.sm)).doesNotContainKey(82L);
            assertCacheMatchesDb(f);

            // the runtime applies the entries again: 2 is new (applied once), then deduplicated
            f.index = at;
            assertThat(integer(f.apply(incr(81, 2, 1)))).isEqualTo(2);
            assertThat(integer(f.apply(incr(81, 2, 1)))).isEqualTo(2);
            assertThat(integer(f.apply(incr(82, 1, 0)))).isEqualTo(3);
            assertThat(counter(f)).isEqualTo(3);
            assertCacheMatchesDb(f);
        }
    }

    @Test
    void aBigReplyGetsItsOwnRecordAndTheHeaderStaysSmallAndCached() {
        try (ReplicaFixture f = new ReplicaFixture(dir, GROUP)) {
            String big = "v".repeat(RecordCache.VALUE_LIMIT);
            f.apply(write(91, 1, 0, 1_000, "set", "k", big));
            assertThat(ReplicaFixture.cachedHeaders(f.sm)).containsKey(91L);
            // GETSET replies with the old value: too big for the header
            assertThat(f.apply(write(91, 2, 1, 1_001, "getset", "k", "small")))
                    .isEqualTo(new Reply.Bulk(big.getBytes(StandardCharsets.UTF_8)));
            assertThat(replyRecords(f, 91)).hasSize(1);
            assertThat(Sessions.inlineSeqs(storedHeader(f, 91))).isEmpty();
            assertThat(Sessions.recordMax(storedHeader(f, 91))).isEqualTo(2);
            assertThat(storedHeader(f, 91).length).isLessThanOrEqualTo(Sessions.MAX_HEADER);
            assertThat(ReplicaFixture.cachedHeaders(f.sm)).containsKey(91L);
            assertThat(f.apply(write(91, 2, 1, 1_002, "getset", "k", "other")))
                    .isEqualTo(new Reply.Bulk(big.getBytes(StandardCharsets.UTF_8)));
            assertThat(f.sm.read(new byte[][] {"get".getBytes(), "k".getBytes()}))
                    .isEqualTo(new Reply.Bulk("small".getBytes(StandardCharsets.UTF_8)));
            assertThat(integer(f.apply(write(91, 3, 2, 1_003, "incr", "n")))).isEqualTo(1);
            assertThat(replyRecords(f, 91)).as("2 acknowledged").isEmpty();
            assertThat(Sessions.recordMax(storedHeader(f, 91))).isZero();
            assertCacheMatchesDb(f);
        }
    }

    // more unacknowledged writes than the header holds: the rest go to records, found and deleted as before
    @Test
    void repliesBeyondWhatTheHeaderHoldsGoToRecords() {
        try (ReplicaFixture f = new ReplicaFixture(dir, GROUP)) {
            int n = Sessions.MAX_INLINE + 8;
            for (int seq = 1; seq <= n; seq++) {
                assertThat(integer(f.apply(incr(95, seq, 0)))).isEqualTo(seq);
            }
            byte[] header = storedHeader(f, 95);
            long[] inline = Sessions.inlineSeqs(header);
            // the first replies fill the header (its count or its bytes), the rest have records
            assertThat(inline.length).isBetween(20, Sessions.MAX_INLINE);
            assertThat(inline).startsWith(1L, 2L);
            assertThat(header.length).isLessThanOrEqualTo(Sessions.MAX_HEADER);
            assertThat(replyRecords(f, 95)).hasSize(n - inline.length);
            assertThat(Sessions.recordMax(header)).isEqualTo(n);
            for (int seq = n; seq >= 1; seq--) {
                assertThat(integer(f.apply(incr(95, seq, 0)))).as("duplicate of %d", seq).isEqualTo(seq);
            }
            assertThat(counter(f)).isEqualTo(n);
            assertThat(integer(f.apply(incr(95, n + 1, n)))).isEqualTo(n + 1);
            assertThat(replyRecords(f, 95)).isEmpty();
            assertThat(Sessions.inlineSeqs(storedHeader(f, 95))).containsExactly((long) n + 1);
            assertThat(Sessions.recordMax(storedHeader(f, 95))).isZero();
            assertThat(f.apply(incr(95, n, n))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertCacheMatchesDb(f);
        }
    }

    // the form before the list (one inline reply, the rest in records) is read and then replaced
    @Test
    void anOldHeaderWithOneInlineReplyStillWorks() throws RocksDBException {
        try (ReplicaFixture f = new ReplicaFixture(dir, GROUP)) {
            f.apply(1_000, "set", "counter", "40");
            // session 97: acked 3, writes 4 (record) and 5 (inline) in flight
            byte[] reply = ReplyCodec.encode(Reply.integer(42));
            byte[] h = new byte[32 + reply.length];
            KeyCodec.putLong(h, 0, 1_000);
            KeyCodec.putLong(h, 8, 3);
            KeyCodec.putLong(h, 16, 5);
            KeyCodec.putLong(h, 24, 5);
            System.arraycopy(reply, 0, h, 32, reply.length);
            f.db.rocks().put(KeyCodec.sessionKey(GROUP, 97), h);
            f.db.rocks().put(KeyCodec.sessionReplyKey(GROUP, 97, 4), ReplyCodec.encode(Reply.integer(41)));

            assertThat(integer(f.apply(incr(97, 4, 3)))).isEqualTo(41);
            assertThat(integer(f.apply(incr(97, 5, 3)))).isEqualTo(42);
            assertThat(counter(f)).as("nothing re-applied").isEqualTo(40);
            assertThat(integer(f.apply(incr(97, 6, 4)))).isEqualTo(41);
            assertThat(replyRecords(f, 97)).as("4 acknowledged").isEmpty();
            assertThat(Sessions.inlineSeqs(storedHeader(f, 97))).containsExactly(5L, 6L);
            assertThat(integer(f.apply(incr(97, 5, 4)))).isEqualTo(42);
            assertThat(integer(f.apply(incr(97, 6, 4)))).isEqualTo(41);
            assertThat(f.apply(incr(97, 4, 4))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertCacheMatchesDb(f);
        }
    }
}
