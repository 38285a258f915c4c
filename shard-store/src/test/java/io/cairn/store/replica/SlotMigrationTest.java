package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Meta;
import io.cairn.store.types.Reply;
import io.cairn.store.types.Slots;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

/**
 * The shard-store side of online slot migration at the state machine level
 * (docs/slot-migration.md): slot states and their refusals, dirty markers, the steps, export and
 * ingest of every type, session merge, attempts, snapshots. Two groups share one real RocksDB,
 * as on a store node.
 */
class SlotMigrationTest {
    private static final long NOW = 1_900_000_000_000L;
    /** Every key below carries this tag: one slot. */
    private static final int SLOT = Slots.slot("m".getBytes(StandardCharsets.UTF_8));
    private static final String S = Integer.toString(SLOT);

    @TempDir
    Path dir;
    @TempDir
    Path snap;

    /** One group's state machine fed entries the way the runtime does. */
    static final class Group {
        final ShardStateMachine sm;
        long index;

        Group(DataDb db, long id) {
            this.sm = new ShardStateMachine(db, id);
            this.index = sm.appliedIndex();
        }

        Object raw(StoreCommand c) {
            return sm.apply(List.of(Entry.normal(1, ++index, c.encode()))).get(0);
        }

        Reply apply(StoreCommand c) {
            return (Reply) raw(c);
        }

        Reply apply(String... args) {
            return apply(StoreCommand.of(NOW, 1, args));
        }

        /** Applies the commands as one apply batch, one entry each. */
        List<Object> batch(List<StoreCommand> commands) {
            List<Entry> entries = new ArrayList<>();
            for (StoreCommand c : commands) {
                entries.add(Entry.normal(1, ++index, c.encode()));
            }
            return sm.apply(entries);
        }

        Reply step(String step, long attempt) {
            return apply(ShardStateMachine.SLOT_STEP, step, S, S, Long.toString(attempt));
        }

        Reply read(String... args) {
            return sm.read(argv(args));
        }

        /** The sessions an export of the slot with sessions would carry, by session, in order. */
        java.util.Map<Long, MigrationItems.Item> exportedSessions(long attempt, long since) {
            java.util.Map<Long, MigrationItems.Item> out = new java.util.LinkedHashMap<>();
            sm.export(SLOT, SLOT, attempt, since, true, 1 << 20, chunk -> {
                for (byte[] item : chunk.items()) {
                    MigrationItems.Item it = MigrationItems.decode(item);
                    if (it.kind() == MigrationItems.SESSION) {
                        assertThat(out.put(it.session(), it)).as("each session once").isNull();
                    }
                }
            });
            return out;
        }

        /** Exports the slot from this group and ingests every chunk into {@code target}: the copy's index. */
        long copyTo(Group target, long attempt, long since, boolean sessions, int chunkBytes, List<Reply> replies) {
            List<ShardStateMachine.ExportChunk> chunks = new ArrayList<>();
            long index = sm.export(SLOT, SLOT, attempt, since, sessions, chunkBytes, chunks::add);
            ingest(target, attempt, chunks, replies);
            return index;
        }

        /** Ingests exported chunks into {@code target}, one entry each. */
        static void ingest(Group target, long attempt, List<ShardStateMachine.ExportChunk> chunks, List<Reply> replies) {
            for (ShardStateMachine.ExportChunk c : chunks) {
                replies.add(target.apply(ingestCommand(attempt, c)));
            }
        }

        /** The command that ingests one exported chunk. */
        static StoreCommand ingestCommand(long attempt, ShardStateMachine.ExportChunk c) {
            byte[][] argv = new byte[4 + c.items().size()][];
            argv[0] = ShardStateMachine.SLOT_INGEST.getBytes(StandardCharsets.UTF_8);
            argv[1] = S.getBytes(StandardCharsets.UTF_8);
            argv[2] = S.getBytes(StandardCharsets.UTF_8);
            argv[3] = Long.toString(attempt).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < c.items().size(); i++) {
                argv[4 + i] = c.items().get(i);
            }
            return new StoreCommand(0, 0, 0, NOW, 1, argv);
        }
    }

    static byte[][] argv(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return argv;
    }

    private static StoreCommand write(long session, long seq, long acked, String... args) {
        return new StoreCommand(session, seq, acked, NOW, 7, argv(args));
    }

    private static List<String> keysOfKind(DataDb db, long group, byte kind) {
        byte[] from = KeyCodec.kindPrefix(group, kind);
        return records(db, from, KeyCodec.prefixEnd(from), (k, v) -> new String(k, from.length, k.length - from.length,
                StandardCharsets.ISO_8859_1) + "=" + KeyCodec.getLong(v, 0));
    }

    /** One row per record in [from, to) of the DB. */
    private static <T> List<T> records(DataDb db, byte[] from, byte[] to,
                                       java.util.function.BiFunction<byte[], byte[], T> row) {
        List<T> out = new ArrayList<>();
        try (RocksIterator it = db.rocks().newIterator()) {
            for (it.seek(from); it.isValid() && java.util.Arrays.compareUnsigned(it.key(), to) < 0; it.next()) {
                out.add(row.apply(it.key(), it.value()));
            }
        }
        return out;
    }

    /** The group's session markers (kind 0x06) as "slot:session=index". */
    private static List<String> sessionMarkers(DataDb db, long group) {
        byte[] from = KeyCodec.kindPrefix(group, KeyCodec.KIND_SESSION_MARKER);
        return records(db, from, KeyCodec.prefixEnd(from), (k, v) -> KeyCodec.slotOf(k) + ":"
                + KeyCodec.sessionOfMarker(k) + "=" + KeyCodec.getLong(v, 0));
    }

    /** The seqs of the session's reply records (kind 0x03) in the group. */
    private static List<Long> replySeqs(DataDb db, long group, long session) {
        return records(db, KeyCodec.sessionReplyKey(group, session, 0), KeyCodec.sessionReplyKey(group, session + 1, 0),
                (k, v) -> KeyCodec.getLong(k, 17));
    }

    @Test
    void aFrozenSlotRefusesWritesAndReadsWithoutTouchingTheSessionAndServesAgainAfterAnAbort() {
        try (DataDb db = DataDb.open(dir)) {
            Group g = new Group(db, 1);
            g.apply("set", "{m}a", "1");
            g.apply("set", "other", "1");
            assertThat(g.step("prepare-source", 1)).isEqualTo(Reply.OK);
            assertThat(g.step("freeze", 1)).isEqualTo(Reply.integer(g.index));
            List<String> before = ReplicaFixture.contents(db, 1);

            assertThat(g.raw(write(5, 1, 0, "set", "{m}a", "2"))).isSameAs(SlotMoving.INSTANCE);
            assertThat(g.raw(write(5, 1, 0, "mset", "other", "3", "{m}b", "3"))).isSameAs(SlotMoving.INSTANCE);
            // the refusal changed nothing but the applied index: no session, no data, no version
            List<String> after = ReplicaFixture.contents(db, 1);
            assertThat(after.subList(1, after.size())).isEqualTo(before.subList(1, before.size()));
            assertThat(ReplicaFixture.cachedHeaders(g.sm)).doesNotContainKey(5L);
            assertThatThrownBy(() -> g.read("get", "{m}a")).isSameAs(SlotMoving.INSTANCE);
            assertThat(g.read("get", "other")).isEqualTo(new Reply.Bulk("1".getBytes()));
            // the session did not remember the refused (5, 1): the same seq is applied for another write
            assertThat(g.apply(write(5, 1, 0, "set", "other", "4"))).isEqualTo(Reply.OK);
            // a keyless write is not refused for a FROZEN slot (only while one is MIGRATING or IMPORTING)
            assertThat(g.apply("flushall")).isEqualTo(Reply.OK);
            assertThat(g.raw(StoreCommand.of(NOW, 1, "set", "{m}a", "1"))).isSameAs(SlotMoving.INSTANCE);
            assertThat(g.read("get", "other")).isEqualTo(Reply.NIL);

            // abort: served again, and the same (session, seq) retried is applied as new
            assertThat(g.step("abort-source", 1)).isEqualTo(Reply.OK);
            assertThat(g.apply(write(6, 1, 0, "set", "{m}a", "2"))).isEqualTo(Reply.OK);
            assertThat(g.read("get", "{m}a")).isEqualTo(new Reply.Bulk("2".getBytes()));
        }
    }

    @Test
    void writesAndActiveExpiryInAMigratingSlotLeaveDirtyAndSessionMarkersAtTheirIndex() {
        try (DataDb db = DataDb.open(dir)) {
            Group g = new Group(db, 1);
            g.apply("set", "{m}before", "x");
            g.step("prepare-source", 1);
            g.apply("set", "{m}a", "1");
            long setA = g.index;
            g.apply("hset", "{m}h", "f", "v");
            long hset = g.index;
            g.apply("set", "other", "1"); // another slot: no marker
            g.apply("get", "{m}before"); // applied as an entry, but a read: no marker
            g.apply(StoreCommand.of(NOW, 1, "set", "{m}ttl", "v", "pxat", Long.toString(NOW + 10)));
            long ttl = g.index;
            assertThat(keysOfKind(db, 1, KeyCodec.KIND_DIRTY)).containsExactly(
                    marker("{m}a", setA), marker("{m}h", hset), marker("{m}ttl", ttl));
            // active expiry deletes {m}ttl at a later index: its marker moves there
            assertThat(g.apply(StoreCommand.of(NOW + 20, 1, ShardStateMachine.EXPIRED, "{m}ttl")))
                    .isEqualTo(Reply.integer(1));
            assertThat(keysOfKind(db, 1, KeyCodec.KIND_DIRTY)).contains(marker("{m}ttl", g.index));
            // a keyless write would delete keys unmarked: refused while a slot migrates
            assertThat(g.raw(StoreCommand.of(NOW, 1, "flushall"))).isSameAs(SlotMoving.INSTANCE);
            // the untracked writes above left no session marker; tracked ones leave one per
            // (MIGRATING slot, session) at the entry's index, overwritten by the session's next write
            assertThat(sessionMarkers(db, 1)).isEmpty();
            g.apply(write(5, 1, 0, "set", "{m}a", "2"));
            g.apply(write(6, 1, 0, "mset", "other", "2", "{m}b", "2", "{m}c", "2"));
            long mset = g.index;
            g.apply(write(5, 2, 1, "incr", "{m}n"));
            long incr = g.index;
            g.apply(write(7, 1, 0, "set", "other", "3")); // a slot that is not moving: no marker
            assertThat(g.apply(write(5, 2, 1, "incr", "{m}n"))).as("a retry answered from the session")
                    .isEqualTo(Reply.integer(1));
            assertThat(sessionMarkers(db, 1)).containsExactly(SLOT + ":5=" + incr, SLOT + ":6=" + mset);
            // abort drops the markers
            g.step("abort-source", 1);
            assertThat(keysOfKind(db, 1, KeyCodec.KIND_DIRTY)).isEmpty();
            assertThat(sessionMarkers(db, 1)).isEmpty();
            // so does prepare-target (a frozen source becoming a target again; finish-source: below)
            g.step("prepare-source", 2);
            g.apply(write(5, 3, 2, "set", "{m}a", "3"));
            g.step("freeze", 2);
            assertThat(sessionMarkers(db, 1)).hasSize(1);
            g.step("prepare-target", 3);
            assertThat(sessionMarkers(db, 1)).isEmpty();
        }
    }

    private static String marker(String key, long index) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] slot = {(byte) (Slots.slot(k) >>> 8), (byte) Slots.slot(k)};
        return new String(slot, StandardCharsets.ISO_8859_1) + key + "=" + index;
    }

    /** Loads one key of every type, with TTLs, pops (tombstones, live bounds) and removals. */
    private static void fill(Group g) {
        g.apply("set", "{m}s", "string", "pxat", Long.toString(NOW + 100_000));
        g.apply("hset", "{m}h", "a", "1", "b", "2", "c", "3");
        g.apply("pexpireat", "{m}h", Long.toString(NOW + 200_000));
        g.apply("rpush", "{m}l", "x", "y", "z", "w");
        g.apply("lpop", "{m}l");
        g.apply("sadd", "{m}set", "p", "q", "r", "s");
        g.apply("srem", "{m}set", "q");
        g.apply("zadd", "{m}z", "1", "one", "2", "two", "3", "three", "4", "four");
        g.apply("zpopmin", "{m}z");
    }

    private static final String[][] DUMP = {
            {"get", "{m}s"}, {"pexpiretime", "{m}s"}, {"hgetall", "{m}h"}, {"pexpiretime", "{m}h"},
            {"lrange", "{m}l", "0", "-1"}, {"smembers", "{m}set"}, {"scard", "{m}set"},
            {"zrange", "{m}z", "0", "-1", "withscores"}, {"zcard", "{m}z"}, {"type", "{m}z"}};

    private static List<Reply> dump(Group g) {
        List<Reply> out = new ArrayList<>();
        for (String[] c : DUMP) {
            out.add(g.read(c));
        }
        return out;
    }

    @Test
    void everyTypeIsCopiedWithItsTtlUnderFreshVersionsOfTheTarget() {
        try (DataDb db = DataDb.open(dir)) {
            Group src = new Group(db, 1);
            Group dst = new Group(db, 2);
            fill(src);
            List<Reply> expected = dump(src);
            assertThat(dst.step("prepare-target", 7)).isEqualTo(Reply.OK);
            assertThat(src.step("prepare-source", 7)).isEqualTo(Reply.OK);
            List<Reply> replies = new ArrayList<>();
            long index = src.copyTo(dst, 7, 0, false, 1 << 20, replies);
            assertThat(index).isEqualTo(src.sm.appliedIndex());
            assertThat(replies).containsExactly(Reply.integer(5));
            long ingestIndex = dst.index;
            assertThatThrownBy(() -> dst.read("get", "{m}s")).as("still importing").isSameAs(SlotMoving.INSTANCE);
            assertThat(dst.step("finish-target", 7)).isEqualTo(Reply.OK);
            assertThat(dump(dst)).isEqualTo(expected);
            // the collections have versions of the ingest entry, one each: (index << 16) | n
            List<Long> versions = new ArrayList<>();
            for (String k : List.of("{m}h", "{m}l", "{m}set", "{m}z")) {
                byte[] rec = db.rocks().get(KeyCodec.metaKey(2, k.getBytes(StandardCharsets.UTF_8)));
                versions.add(Meta.decode(rec).version);
            }
            assertThat(versions).allSatisfy(v -> assertThat(v >>> 16).isEqualTo(ingestIndex)).doesNotHaveDuplicates();
            // the TTL index came along: active expiry at the target finds the string
            assertThat(dst.sm.expiredKeys(NOW + 150_000, 10)).extracting(String::new).containsExactly("{m}s");
        } catch (org.rocksdb.RocksDBException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void bigCollectionsGoOverSeveralChunksAndLaterRoundsCopyOnlyWhatChanged() {
        try (DataDb db = DataDb.open(dir)) {
            Group src = new Group(db, 1);
            Group dst = new Group(db, 2);
            for (int i = 0; i < 10; i++) {
                List<String> args = new ArrayList<>(List.of("hset", "{m}big"));
                for (int j = 0; j < 100; j++) {
                    args.add("field-" + i + "-" + j);
                    args.add("value-" + j);
                }
                src.apply(args.toArray(String[]::new));
            }
            src.apply("rpush", "{m}list", "a", "b", "c");
            src.apply("set", "{m}gone", "x");
            dst.step("prepare-target", 1);
            src.step("prepare-source", 1);
            List<Reply> replies = new ArrayList<>();
            long i0 = src.copyTo(dst, 1, 0, false, 4096, replies);
            assertThat(replies).as("1000 fields of ~20 bytes in 4 KiB chunks").hasSizeGreaterThan(5)
                    .allSatisfy(r -> assertThat(r).isInstanceOf(Reply.Int.class));
            assertThat(replies.stream().mapToLong(r -> ((Reply.Int) r).value()).sum()).isEqualTo(3);

            // writes after the first round: changed, added, deleted keys
            src.apply("hset", "{m}big", "extra", "1");
            src.apply("del", "{m}gone");
            src.apply("rpush", "{m}list", "d");
            src.apply("set", "{m}new", "n");
            replies.clear();
            long i1 = src.copyTo(dst, 1, i0, false, 4096, replies);
            assertThat(i1).isGreaterThan(i0);
            assertThat(replies.stream().mapToLong(r -> ((Reply.Int) r).value()).sum()).isEqualTo(4);
            replies.clear();
            src.copyTo(dst, 1, i1, false, 4096, replies);
            assertThat(replies).as("nothing changed since: one empty chunk, nothing proposed").hasSize(1)
                    .containsExactly(Reply.integer(0));

            src.step("freeze", 1);
            dst.step("finish-target", 1);
            src.step("finish-source", 1);
            assertThat(dst.read("hlen", "{m}big")).isEqualTo(Reply.integer(1001));
            assertThat(dst.read("hget", "{m}big", "field-9-99")).isEqualTo(new Reply.Bulk("value-99".getBytes()));
            assertThat(dst.read("lrange", "{m}list", "0", "-1")).isEqualTo(Reply.array(List.of(
                    new Reply.Bulk("a".getBytes()), new Reply.Bulk("b".getBytes()), new Reply.Bulk("c".getBytes()),
                    new Reply.Bulk("d".getBytes()))));
            assertThat(dst.read("exists", "{m}gone", "{m}new")).isEqualTo(Reply.integer(1));
            // the source kept nothing of the slot: no keys, members, markers or expiry entries
            assertThat(keysOfKind(db, 1, KeyCodec.KIND_META)).isEmpty();
            assertThat(keysOfKind(db, 1, KeyCodec.KIND_SUB)).isEmpty();
            assertThat(keysOfKind(db, 1, KeyCodec.KIND_DIRTY)).isEmpty();
        }
    }

    @Test
    void mergedSessionsMakeARetryAtTheTargetExactlyOnce() {
        try (DataDb db = DataDb.open(dir)) {
            Group src = new Group(db, 1);
            Group dst = new Group(db, 2);
            dst.step("prepare-target", 1);
            src.step("prepare-source", 1);
            // session 9: seq 1 acknowledged, seq 2 and 3 applied at the source but their replies lost
            assertThat(src.apply(write(9, 1, 0, "incr", "{m}c"))).isEqualTo(Reply.integer(1));
            assertThat(src.apply(write(9, 2, 1, "incr", "{m}c"))).isEqualTo(Reply.integer(2));
            assertThat(src.apply(write(9, 3, 1, "incr", "{m}c"))).isEqualTo(Reply.integer(3));
            // session 10 also wrote at the target before (another slot): its state there is kept
            assertThat(dst.apply(write(10, 1, 0, "set", "x", "1"))).isEqualTo(Reply.OK);
            assertThat(src.apply(write(10, 2, 1, "incr", "{m}d"))).isEqualTo(Reply.integer(1));
            long i0 = src.copyTo(dst, 1, 0, true, 1 << 20, new ArrayList<>()); // round 0: every session
            src.step("freeze", 1);
            assertThat(src.raw(write(9, 4, 3, "incr", "{m}c"))).isSameAs(SlotMoving.INSTANCE);
            src.copyTo(dst, 1, i0, true, 1 << 20, new ArrayList<>());
            // a repeated final copy changes nothing (idempotent merge)
            src.copyTo(dst, 1, i0, true, 1 << 20, new ArrayList<>());
            dst.step("finish-target", 1);

            // the retries get the replies the source gave, and nothing is applied twice
            assertThat(dst.apply(write(9, 2, 1, "incr", "{m}c"))).isEqualTo(Reply.integer(2));
            assertThat(dst.apply(write(9, 3, 1, "incr", "{m}c"))).isEqualTo(Reply.integer(3));
            assertThat(dst.apply(write(9, 1, 1, "incr", "{m}c"))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertThat(dst.apply(write(9, 4, 3, "incr", "{m}c"))).isEqualTo(Reply.integer(4));
            assertThat(dst.apply(write(10, 2, 1, "incr", "{m}d"))).isEqualTo(Reply.integer(1));
            assertThat(dst.apply(write(10, 1, 0, "set", "x", "2"))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertThat(dst.read("get", "{m}c")).isEqualTo(new Reply.Bulk("4".getBytes()));
            assertThat(dst.read("get", "{m}d")).isEqualTo(new Reply.Bulk("1".getBytes()));
            // the header cache equals the DB after the merge (a cache that missed the staged merge would not)
            Group reopened = new Group(db, 2);
            assertThat(reopened.apply(write(9, 4, 3, "incr", "{m}c"))).isEqualTo(Reply.integer(4));
        }
    }

    // The target's apply batch changes a session header in memory: a merge in the same batch as
    // writes of that session, before and after it, must store what separate batches store.
    @Test
    void aMergeBetweenWritesOfItsSessionInOneBatchStoresWhatSeparateBatchesStore() throws Exception {
        Path other = java.nio.file.Files.createTempDirectory(snap, "other");
        try (DataDb db = DataDb.open(dir); DataDb db2 = DataDb.open(other)) {
            Group src = new Group(db, 1);
            Group oneBatch = new Group(db, 2);
            Group separate = new Group(db2, 2);
            oneBatch.step("prepare-target", 1);
            separate.step("prepare-target", 1);
            src.step("prepare-source", 1);
            assertThat(src.apply(write(10, 2, 1, "incr", "{m}d"))).isEqualTo(Reply.integer(1));
            assertThat(src.apply(write(10, 4, 1, "incr", "{m}d"))).isEqualTo(Reply.integer(2));
            List<ShardStateMachine.ExportChunk> chunks = new ArrayList<>();
            src.sm.export(SLOT, SLOT, 1, 0, true, 1 << 20, chunks::add);
            List<StoreCommand> commands = new ArrayList<>();
            commands.add(write(10, 5, 0, "set", "x", "1")); // session 10 is new at the target
            for (ShardStateMachine.ExportChunk c : chunks) {
                commands.add(Group.ingestCommand(1, c));
            }
            commands.add(write(10, 3, 2, "set", "y", "1")); // after the merge: acked 2 (from 1)
            commands.add(write(10, 1, 0, "set", "x", "2")); // a stale retry
            commands.add(write(10, 5, 2, "set", "x", "3")); // retries answered from memory
            commands.add(write(10, 3, 2, "set", "y", "2"));
            List<Object> together = oneBatch.batch(commands);
            List<Object> apart = new ArrayList<>();
            for (StoreCommand c : commands) {
                apart.add(separate.raw(c));
            }
            assertThat(together).isEqualTo(apart);
            assertThat(together.get(0)).isEqualTo(Reply.OK);
            assertThat(together.subList(together.size() - 4, together.size()))
                    .containsExactly(Reply.OK, new Reply.Err(Sessions.TOO_OLD), Reply.OK, Reply.OK);
            assertThat(oneBatch.read("get", "x")).isEqualTo(new Reply.Bulk("1".getBytes()));
            assertThat(oneBatch.read("get", "y")).isEqualTo(new Reply.Bulk("1".getBytes()));
            java.util.function.BiFunction<byte[], byte[], String> hex = (k, v) ->
                    java.util.HexFormat.of().formatHex(k) + "=" + java.util.HexFormat.of().formatHex(v);
            assertThat(records(db, KeyCodec.groupPrefix(2), KeyCodec.groupEnd(2), hex))
                    .isEqualTo(records(db2, KeyCodec.groupPrefix(2), KeyCodec.groupEnd(2), hex));
            // the source's unacknowledged replies became records; 2 was acknowledged after the merge
            assertThat(replySeqs(db, 2, 10)).containsExactly(4L);
        }
    }

    @Test
    void laterRoundsCarryOnlyTheSessionsThatWroteToTheSlotsSinceThePreviousRound() {
        try (DataDb db = DataDb.open(dir)) {
            Group src = new Group(db, 1);
            Group dst = new Group(db, 2);
            dst.step("prepare-target", 1);
            src.step("prepare-source", 1);
            // before round 0: session 20 in the slot, session 30 elsewhere, session 40 in the slot
            assertThat(src.apply(write(20, 1, 0, "incr", "{m}c"))).isEqualTo(Reply.integer(1));
            assertThat(src.apply(write(30, 1, 0, "set", "other", "1"))).isEqualTo(Reply.OK);
            assertThat(src.apply(write(40, 1, 0, "set", "{m}x", "1"))).isEqualTo(Reply.OK);
            assertThat(src.exportedSessions(1, 0)).as("round 0: every session of the group")
                    .containsOnlyKeys(20L, 30L, 40L);
            long i0 = src.copyTo(dst, 1, 0, true, 1 << 20, new ArrayList<>());

            // between round 0 and the next: 20 pipelines two writes into the slot (replies lost),
            // 30 writes to another slot only, 40 does nothing
            assertThat(src.apply(write(20, 2, 1, "incr", "{m}c"))).isEqualTo(Reply.integer(2));
            assertThat(src.apply(write(20, 3, 1, "incr", "{m}c"))).isEqualTo(Reply.integer(3));
            assertThat(src.apply(write(30, 2, 1, "set", "other", "2"))).isEqualTo(Reply.OK);
            java.util.Map<Long, MigrationItems.Item> round1 = src.exportedSessions(1, i0);
            assertThat(round1).containsOnlyKeys(20L);
            // the replies of seqs 2 and 3 are inline in the header, which travels
            byte[] header = round1.get(20L).header();
            assertThat(KeyCodec.getLong(header, 8)).as("acked").isEqualTo(1);
            assertThat(KeyCodec.getLong(header, 16)).as("maxSeq").isEqualTo(3);
            assertThat(Sessions.inlineSeqs(header)).containsExactly(2L, 3L);
            assertThat(round1.get(20L).replySeqs()).isEmpty();
            long i1 = src.copyTo(dst, 1, i0, true, 1 << 20, new ArrayList<>());

            // between round 1 and the final round: 40 writes again, 20 acknowledges 2 and writes 4
            assertThat(src.apply(write(40, 2, 1, "set", "{m}x", "2"))).isEqualTo(Reply.OK);
            assertThat(src.apply(write(20, 4, 2, "incr", "{m}c"))).isEqualTo(Reply.integer(4));
            src.step("freeze", 1);
            assertThat(src.exportedSessions(1, i1)).containsOnlyKeys(20L, 40L);
            src.copyTo(dst, 1, i1, true, 1 << 20, new ArrayList<>());
            dst.step("finish-target", 1);
            src.step("finish-source", 1);
            assertThat(sessionMarkers(db, 1)).isEmpty();

            // retries at the target of writes applied at the source after round 0: answered, not applied
            assertThat(dst.apply(write(20, 3, 2, "incr", "{m}c"))).isEqualTo(Reply.integer(3));
            assertThat(dst.apply(write(20, 4, 2, "incr", "{m}c"))).isEqualTo(Reply.integer(4));
            assertThat(dst.apply(write(20, 2, 1, "incr", "{m}c"))).as("acknowledged at the source")
                    .isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertThat(dst.apply(write(40, 2, 1, "set", "{m}x", "3"))).isEqualTo(Reply.OK);
            assertThat(dst.read("get", "{m}x")).as("not applied again").isEqualTo(new Reply.Bulk("2".getBytes()));
            assertThat(dst.apply(write(20, 5, 4, "incr", "{m}c"))).isEqualTo(Reply.integer(5));
            assertThat(dst.read("get", "{m}c")).isEqualTo(new Reply.Bulk("5".getBytes()));
        }
    }

    @Test
    void mergingASessionAgainInALaterRoundNeitherLosesNorResurrectsAReply() {
        try (DataDb db = DataDb.open(dir)) {
            Group src = new Group(db, 1);
            Group dst = new Group(db, 2);
            dst.step("prepare-target", 1);
            src.step("prepare-source", 1);
            // seqs 1-3 in flight at round 0 (inline in the header)
            src.apply(write(50, 1, 0, "incr", "{m}c"));
            src.apply(write(50, 2, 0, "incr", "{m}c"));
            src.apply(write(50, 3, 0, "incr", "{m}c"));
            List<ShardStateMachine.ExportChunk> round0 = new ArrayList<>();
            long i0 = src.sm.export(SLOT, SLOT, 1, 0, true, 1 << 20, round0::add);
            Group.ingest(dst, 1, round0, new ArrayList<>());
            // then the client acknowledges 1 and 2 with a write elsewhere (no marker: the target's
            // copy still holds their replies), and 3 stays unacknowledged; seq 5 in the slot
            src.apply(write(50, 4, 2, "set", "other", "x"));
            src.apply(write(50, 5, 2, "incr", "{m}c"));
            // the same round merged twice, and round 0's (older) sessions merged again after it: monotonic
            long i1 = src.copyTo(dst, 1, i0, true, 1 << 20, new ArrayList<>());
            src.copyTo(dst, 1, i0, true, 1 << 20, new ArrayList<>());
            List<byte[]> oldSessions = round0.stream().flatMap(c -> c.items().stream())
                    .filter(item -> MigrationItems.decode(item).kind() == MigrationItems.SESSION).toList();
            assertThat(oldSessions).hasSize(1);
            Group.ingest(dst, 1, List.of(new ShardStateMachine.ExportChunk(i0, oldSessions, 0)), new ArrayList<>());
            src.step("freeze", 1);
            src.copyTo(dst, 1, i1, true, 1 << 20, new ArrayList<>());
            dst.step("finish-target", 1);

            // 1 and 2 were acknowledged: refused, not answered from a resurrected reply
            assertThat(dst.apply(write(50, 1, 0, "incr", "{m}c"))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertThat(dst.apply(write(50, 2, 0, "incr", "{m}c"))).isEqualTo(new Reply.Err(Sessions.TOO_OLD));
            assertThat(replySeqs(db, 2, 50)).as("no reply record at or below acked; 3, 4 and 5 unacknowledged")
                    .containsExactly(3L, 4L, 5L);
            // 3 and 5 keep the replies the source gave
            assertThat(dst.apply(write(50, 3, 2, "incr", "{m}c"))).isEqualTo(Reply.integer(3));
            assertThat(dst.apply(write(50, 5, 2, "incr", "{m}c"))).isEqualTo(Reply.integer(4));
            assertThat(dst.apply(write(50, 6, 5, "incr", "{m}c"))).isEqualTo(Reply.integer(5));
        }
    }

    private static List<String> keys(Group g) {
        List<String> out = new ArrayList<>();
        for (Reply r : ((Reply.Arr) g.read("keys", "*")).items()) {
            out.add(new String(((Reply.Bulk) r).value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void keylessReadsListAndCountOnlyTheSlotsAGroupServes() {
        try (DataDb db = DataDb.open(dir)) {
            Group src = new Group(db, 1);
            Group dst = new Group(db, 2);
            src.apply("set", "{m}a", "1");
            src.apply("set", "other", "1");
            dst.apply("set", "mine", "1");
            dst.step("prepare-target", 1);
            src.step("prepare-source", 1);
            src.copyTo(dst, 1, 0, false, 1 << 20, new ArrayList<>());
            // the target's copy is not its key yet; the source still serves it (MIGRATING)
            assertThat(dst.read("dbsize")).isEqualTo(Reply.integer(1));
            assertThat(keys(dst)).containsExactly("mine");
            List<Reply> scanned = ((Reply.Arr) ((Reply.Arr) dst.read("scan", "0", "count", "100")).items().get(1)).items();
            assertThat(scanned).containsExactly(new Reply.Bulk("mine".getBytes(StandardCharsets.UTF_8)));
            assertThat(keys(src)).containsExactlyInAnyOrder("{m}a", "other");
            // frozen at the source, served by the target: each key is listed by one group only
            src.step("freeze", 1);
            dst.step("finish-target", 1);
            assertThat(src.read("dbsize")).isEqualTo(Reply.integer(1));
            assertThat(keys(src)).containsExactly("other");
            assertThat(keys(dst)).containsExactlyInAnyOrder("{m}a", "mine");
            assertThat(dst.read("dbsize")).isEqualTo(Reply.integer(2));
        }
    }

    @Test
    void anOlderAttemptCannotUndoANewerOne() {
        try (DataDb db = DataDb.open(dir)) {
            Group src = new Group(db, 1);
            Group dst = new Group(db, 2);
            src.apply("set", "{m}a", "1");
            dst.step("prepare-target", 5);
            src.step("prepare-source", 5);
            src.copyTo(dst, 5, 0, false, 1 << 20, new ArrayList<>());
            // an old driver (attempt 3) wakes up: its prepare would wipe the copy, its finish would serve it
            assertThat(dst.step("prepare-target", 3)).isInstanceOf(Reply.Err.class);
            assertThat(dst.step("finish-target", 3)).isInstanceOf(Reply.Err.class);
            assertThat(src.step("abort-source", 3)).isInstanceOf(Reply.Err.class);
            // its copy needs exactly its attempt, at both ends
            assertThatThrownBy(() -> src.copyTo(dst, 3, 0, false, 1 << 20, new ArrayList<>()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("attempt 5");
            List<Reply> replies = new ArrayList<>();
            src.step("prepare-source", 6);
            src.copyTo(dst, 6, 0, false, 1 << 20, replies);
            assertThat(replies).singleElement().isInstanceOf(Reply.Err.class);
            // the same prepare again is a no-op (the copy stays); a newer one is accepted
            assertThat(dst.step("prepare-target", 5)).isEqualTo(Reply.OK);
            assertThat(dst.step("finish-target", 5)).isEqualTo(Reply.OK);
            assertThat(dst.read("get", "{m}a")).isEqualTo(new Reply.Bulk("1".getBytes()));
            // a served target is not aborted, a migrating source not finished
            assertThat(dst.step("abort-target", 9)).isInstanceOf(Reply.Err.class);
            assertThat(src.step("finish-source", 9)).isInstanceOf(Reply.Err.class);
            assertThat(src.read("get", "{m}a")).isEqualTo(new Reply.Bulk("1".getBytes()));
        }
    }

    @Test
    void anImportingSlotServesCommandsRoutedWithAMapNewerThanItsPrepareVersion() {
        try (DataDb db = DataDb.open(dir)) {
            Group g = new Group(db, 1);
            // prepared at map version 40: versions up to 40 still name the source
            assertThat(g.apply(ShardStateMachine.SLOT_STEP, "prepare-target", S, S, "3", "40")).isEqualTo(Reply.OK);
            for (long routed : new long[] {0, 12, 40}) {
                StoreCommand c = new StoreCommand(9, 1, 0, NOW, 7, argv("set", "{m}a", "early"), routed);
                assertThat(g.raw(c)).as("routed with %d", routed).isSameAs(SlotMoving.INSTANCE);
                assertThatThrownBy(() -> g.sm.read(argv("get", "{m}a"), routed)).isSameAs(SlotMoving.INSTANCE);
                assertThat(g.sm.releasedFor(SLOT, routed)).isFalse();
            }
            assertThat(ReplicaFixture.cachedHeaders(g.sm)).doesNotContainKey(9L);

            // a map newer than 40 naming this group can only be the migration's commit: served
            StoreCommand c = new StoreCommand(9, 1, 0, NOW, 7, argv("set", "{m}a", "here"), 41);
            assertThat(StoreCommand.decode(c.encode()).mapVersion()).isEqualTo(41);
            assertThat(g.raw(c)).isEqualTo(Reply.OK);
            assertThat(g.sm.releasedFor(SLOT, 41)).isTrue();
            assertThat(g.sm.read(argv("get", "{m}a"), 41)).isEqualTo(new Reply.Bulk("here".getBytes()));
            // still refused without a routed version, and for keyless reads, until finish-target
            assertThatThrownBy(() -> g.read("get", "{m}a")).isSameAs(SlotMoving.INSTANCE);
            assertThat(g.read("dbsize")).isEqualTo(Reply.integer(0));

            // the record (with its version) survives a restart; finish-target serves every command
            Group reopened = new Group(db, 1);
            assertThat(reopened.sm.releasedFor(SLOT, 41)).isTrue();
            assertThat(reopened.sm.releasedFor(SLOT, 40)).isFalse();
            assertThat(reopened.step("finish-target", 3)).isEqualTo(Reply.OK);
            assertThat(reopened.read("get", "{m}a")).isEqualTo(new Reply.Bulk("here".getBytes()));
            assertThat(reopened.sm.releasedFor(SLOT, 41)).isFalse(); // served, no longer importing

            // a prepare without a version (an older driver) is released only by finish-target
            Group other = new Group(db, 2);
            assertThat(other.step("prepare-target", 4)).isEqualTo(Reply.OK);
            assertThat(other.raw(new StoreCommand(0, 0, 0, NOW, 7, argv("set", "{m}a", "x"), 1_000)))
                    .isSameAs(SlotMoving.INSTANCE);
        }
    }

    @Test
    void slotStatesSurviveRestartAndTravelInSnapshots() throws Exception {
        try (DataDb db = DataDb.open(dir)) {
            Group g = new Group(db, 1);
            g.apply("set", "{m}a", "1");
            g.step("prepare-source", 2);
            g.step("freeze", 2);
            long index = g.sm.snapshot(snap);
            Group reopened = new Group(db, 1);
            assertThat(reopened.raw(StoreCommand.of(NOW, 1, "set", "{m}a", "2"))).isSameAs(SlotMoving.INSTANCE);

            try (DataDb db2 = DataDb.open(dir.resolve("second"))) {
                Group fresh = new Group(db2, 1);
                fresh.apply("set", "{m}a", "served-here");
                assertThat(fresh.read("get", "{m}a")).isEqualTo(new Reply.Bulk("served-here".getBytes()));
                fresh.sm.installSnapshot(snap, new SnapshotMetadata(index, 1, ConfState.EMPTY));
                assertThatThrownBy(() -> fresh.read("get", "{m}a")).isSameAs(SlotMoving.INSTANCE);
                fresh.index = index;
                assertThat(fresh.raw(StoreCommand.of(NOW, 1, "set", "{m}a", "2"))).isSameAs(SlotMoving.INSTANCE);
                assertThat(fresh.step("abort-source", 2)).isEqualTo(Reply.OK);
                assertThat(fresh.read("get", "{m}a")).isEqualTo(new Reply.Bulk("1".getBytes()));
            }
        }
    }
}
