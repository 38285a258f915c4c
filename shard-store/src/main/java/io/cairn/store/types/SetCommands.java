package io.cairn.store.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Sets: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER, SMOVE, SINTER,
 * SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE, SINTERCARD, SSCAN, with Redis 7.0's
 * replies, error texts and argument order. Also the helpers HashCommands shares (random picks,
 * HSCAN/SSCAN).
 *
 * <p>Layout: member {@code m} lives at sub-key {@code subPrefix + m} with an empty value; the
 * record's {@code count} is the cardinality. SISMEMBER/SADD/SREM are one point read (and write)
 * per member; SMEMBERS and the set algebra scan; SINTER scans the smallest set and probes the
 * others with point reads. Random picks (SPOP, SRANDMEMBER, HRANDFIELD) draw positions from
 * {@code ctx.random()} only and read them with one range scan up to the last picked position:
 * O(N) reads, O(picks) memory. Removals are counted in the record and a set whose removals
 * outnumber its members is rewritten under a fresh version ({@link #writeAfterRemoval}), so those
 * scans never walk more than max(N, 128) tombstones of earlier pops.
 */
final class SetCommands {
    static final String NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
    static final String TOO_MANY_NUMKEYS = "ERR Number of keys can't be greater than number of args";
    static final String LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
    static final String COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and "
            + "9223372036854775807";
    /**
     * The most items a negative-count SRANDMEMBER / HRANDFIELD may return. Redis has no such limit
     * (a count of -2^63+1 makes it build an endless reply); here a reply is built in memory, so
     * bigger requests get {@link #RANDOM_REPLY_TOO_BIG} instead (DESIGN.md rule 4).
     */
    static final long MAX_RANDOM_REPLY = 1_000_000;
    static final String RANDOM_REPLY_TOO_BIG = "ERR count is out of range, at most " + MAX_RANDOM_REPLY
            + " elements with repetition";

    private static final byte[] EMPTY = new byte[0];

    private SetCommands() {
    }

    static void register(CommandTable.Builder t) {
        EnumSet<CommandFlag> addFlags = EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST);
        EnumSet<CommandFlag> fastWrite = EnumSet.of(CommandFlag.WRITE, CommandFlag.FAST);
        EnumSet<CommandFlag> fastRead = EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST);
        EnumSet<CommandFlag> read = EnumSet.of(CommandFlag.READONLY);
        EnumSet<CommandFlag> store = EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM);
        t.add("sadd", -3, addFlags, 1, 1, 1, SetCommands::sadd);
        t.add("srem", -3, fastWrite, 1, 1, 1, SetCommands::srem);
        t.add("smembers", 2, read, 1, 1, 1, SetCommands::smembers);
        t.add("sismember", 3, fastRead, 1, 1, 1, SetCommands::sismember);
        t.add("smismember", -3, fastRead, 1, 1, 1, SetCommands::smismember);
        t.add("scard", 2, fastRead, 1, 1, 1, SetCommands::scard);
        t.add("spop", -2, EnumSet.of(CommandFlag.WRITE, CommandFlag.FAST, CommandFlag.RANDOM), 1, 1, 1,
                SetCommands::spop);
        t.add("srandmember", -2, EnumSet.of(CommandFlag.READONLY, CommandFlag.RANDOM), 1, 1, 1,
                SetCommands::srandmember);
        t.add("smove", 4, fastWrite, 1, 2, 1, SetCommands::smove);
        t.add("sinter", -2, read, 1, -1, 1, (c, a) -> algebraReply(c, a, Op.INTER));
        t.add("sunion", -2, read, 1, -1, 1, (c, a) -> algebraReply(c, a, Op.UNION));
        t.add("sdiff", -2, read, 1, -1, 1, (c, a) -> algebraReply(c, a, Op.DIFF));
        t.add("sinterstore", -3, store, 1, -1, 1, (c, a) -> algebraStore(c, a, Op.INTER));
        t.add("sunionstore", -3, store, 1, -1, 1, (c, a) -> algebraStore(c, a, Op.UNION));
        t.add("sdiffstore", -3, store, 1, -1, 1, (c, a) -> algebraStore(c, a, Op.DIFF));
        // Redis flags SINTERCARD movablekeys with no fixed key positions: its keys follow numkeys
        t.add("sintercard", -3, read, 0, 0, 0, SetCommands::sintercard);
        t.numKeysAt("sintercard", 1);
        t.add("sscan", -3, read, 1, 1, 1, (c, a) -> scan(c, a, TypeCode.SET, false));
    }

    private static Meta set(ExecContext ctx, byte[] key) {
        return ctx.keys().get(key, TypeCode.SET);
    }

    private static boolean isMember(ExecContext ctx, byte[] key, Meta m, byte[] member) {
        return m != null && ctx.kv().get(KeyCodec.subKey(ctx.keys().subPrefix(key, m), member)) != null;
    }

    static Reply sadd(ExecContext ctx, byte[][] argv) {
        byte[] key = argv[1];
        Meta old = set(ctx, key);
        Meta m = old != null ? old : ctx.keys().newCollection(TypeCode.SET);
        byte[] prefix = ctx.keys().subPrefix(key, m);
        long added = 0;
        for (int i = 2; i < argv.length; i++) {
            byte[] sub = KeyCodec.subKey(prefix, argv[i]);
            if (ctx.kv().get(sub) == null) {
                ctx.kv().put(sub, EMPTY);
                added++;
            }
        }
        m.count += added;
        if (old == null) {
            ctx.keys().create(key, m);
        } else if (added > 0) {
            ctx.keys().update(key, m);
        }
        return Reply.integer(added);
    }

    static Reply srem(ExecContext ctx, byte[][] argv) {
        byte[] key = argv[1];
        Meta m = set(ctx, key);
        if (m == null) {
            return Reply.ZERO;
        }
        byte[] prefix = ctx.keys().subPrefix(key, m);
        long removed = 0;
        for (int i = 2; i < argv.length; i++) {
            byte[] sub = KeyCodec.subKey(prefix, argv[i]);
            if (ctx.kv().get(sub) != null) {
                ctx.kv().delete(sub);
                removed++;
            }
        }
        if (removed > 0) {
            m.count -= removed;
            writeAfterRemoval(ctx, key, m, removed);
        }
        return Reply.integer(removed);
    }

    static Reply smembers(ExecContext ctx, byte[][] argv) {
        Meta m = set(ctx, argv[1]);
        List<Reply> out = new ArrayList<>();
        if (m != null) {
            for (byte[][] kv : scanAll(ctx, ctx.keys().subPrefix(argv[1], m))) {
                out.add(new Reply.Bulk(kv[0]));
            }
        }
        return new Reply.SetReply(out);
    }

    static Reply sismember(ExecContext ctx, byte[][] argv) {
        return isMember(ctx, argv[1], set(ctx, argv[1]), argv[2]) ? Reply.ONE : Reply.ZERO;
    }

    static Reply smismember(ExecContext ctx, byte[][] argv) {
        Meta m = set(ctx, argv[1]);
        List<Reply> out = new ArrayList<>(argv.length - 2);
        for (int i = 2; i < argv.length; i++) {
            out.add(isMember(ctx, argv[1], m, argv[i]) ? Reply.ONE : Reply.ZERO);
        }
        return Reply.array(out);
    }

    static Reply scard(ExecContext ctx, byte[][] argv) {
        Meta m = set(ctx, argv[1]);
        return Reply.integer(m == null ? 0 : m.count);
    }

    /**
     * SPOP key [count]: removes and returns random members (picked with {@code ctx.random()}, the
     * seed of the Raft entry, so every replica pops the same ones). Without count: one member or
     * nil; with count: a set of min(count, card) members.
     */
    static Reply spop(ExecContext ctx, byte[][] argv) {
        if (argv.length > 3) {
            throw Errors.syntax();
        }
        byte[] key = argv[1];
        if (argv.length == 2) {
            Meta m = set(ctx, key);
            if (m == null) {
                return Reply.NIL;
            }
            byte[] prefix = ctx.keys().subPrefix(key, m);
            byte[] member = randomMember(ctx, prefix, m.count);
            ctx.kv().delete(KeyCodec.subKey(prefix, member));
            m.count--;
            writeAfterRemoval(ctx, key, m, 1);
            return new Reply.Bulk(member);
        }
        long count = Args.parseLong(argv[2], Errors.NOT_POSITIVE);
        if (count < 0) {
            throw new RedisException(Errors.NOT_POSITIVE);
        }
        Meta m = set(ctx, key);
        if (m == null || count == 0) {
            return new Reply.SetReply(List.of());
        }
        byte[] prefix = ctx.keys().subPrefix(key, m);
        List<Reply> out = new ArrayList<>();
        if (count >= m.count) {
            for (byte[][] kv : scanAll(ctx, prefix)) {
                out.add(new Reply.Bulk(kv[0]));
            }
            ctx.keys().delete(key);
            return new Reply.SetReply(out);
        }
        for (byte[][] kv : randomMembers(ctx, prefix, m.count, count)) {
            out.add(new Reply.Bulk(kv[0]));
            ctx.kv().delete(KeyCodec.subKey(prefix, kv[0]));
        }
        m.count -= count;
        writeAfterRemoval(ctx, key, m, count);
        return new Reply.SetReply(out);
    }

    /** SRANDMEMBER key [count]: like HRANDFIELD (positive = distinct, negative = may repeat). */
    static Reply srandmember(ExecContext ctx, byte[][] argv) {
        if (argv.length > 3) {
            throw Errors.syntax();
        }
        byte[] key = argv[1];
        if (argv.length == 2) {
            Meta m = set(ctx, key);
            if (m == null) {
                return Reply.NIL;
            }
            return new Reply.Bulk(randomMember(ctx, ctx.keys().subPrefix(key, m), m.count));
        }
        long count = parseRandomCount(argv[2]);
        Meta m = set(ctx, key);
        if (m == null || count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        checkRandomReplySize(count);
        List<Reply> out = new ArrayList<>();
        for (byte[][] kv : randomMembers(ctx, ctx.keys().subPrefix(key, m), m.count, count)) {
            out.add(new Reply.Bulk(kv[0]));
        }
        return Reply.array(out);
    }

    /**
     * SMOVE source destination member. As Redis: a missing source replies 0 before any type
     * check; source == destination replies membership without writing.
     */
    static Reply smove(ExecContext ctx, byte[][] argv) {
        byte[] srcKey = argv[1];
        byte[] dstKey = argv[2];
        byte[] member = argv[3];
        Meta src = ctx.keys().get(srcKey);
        Meta dst = ctx.keys().get(dstKey);
        if (src == null) {
            return Reply.ZERO;
        }
        if (src.type != TypeCode.SET || (dst != null && dst.type != TypeCode.SET)) {
            throw Errors.wrongType();
        }
        if (Arrays.equals(srcKey, dstKey)) {
            return isMember(ctx, srcKey, src, member) ? Reply.ONE : Reply.ZERO;
        }
        byte[] srcSub = KeyCodec.subKey(ctx.keys().subPrefix(srcKey, src), member);
        if (ctx.kv().get(srcSub) == null) {
            return Reply.ZERO;
        }
        ctx.kv().delete(srcSub);
        src.count--;
        writeAfterRemoval(ctx, srcKey, src, 1);
        Meta d = dst != null ? dst : ctx.keys().newCollection(TypeCode.SET);
        byte[] dstSub = KeyCodec.subKey(ctx.keys().subPrefix(dstKey, d), member);
        if (ctx.kv().get(dstSub) == null) {
            ctx.kv().put(dstSub, EMPTY);
            d.count++;
            if (dst == null) {
                ctx.keys().create(dstKey, d);
            } else {
                ctx.keys().update(dstKey, d);
            }
        }
        return Reply.ONE;
    }

    /** A set is rewritten once its removals exceed max(its size, this). */
    static final long REWRITE_MIN_REMOVED = 128;

    /**
     * Writes back the set {@code key} after {@code n} of its members were deleted. Deleted
     * members stay as tombstones that every scan of the set walks (RocksDB skips them one by
     * one until compaction drops them), and random picks scan: so once the removals since the
     * version was created exceed max(count, {@value #REWRITE_MIN_REMOVED}), the live members
     * move to a fresh version and the old one goes with one range delete. That costs O(count)
     * once per more than count removals, O(1) amortized per removal, and keeps any scan of the
     * set within O(max(count, 128)) entries whatever its history. The decision depends only on
     * the record, so replicas agree.
     */
    private static void writeAfterRemoval(ExecContext ctx, byte[] key, Meta m, long n) {
        m.removed += n;
        if (m.count > 0 && m.removed > Math.max(m.count, REWRITE_MIN_REMOVED)) {
            ctx.keys().rewriteMembers(key, m);
        } else {
            ctx.keys().update(key, m);
        }
    }

    enum Op {
        INTER, UNION, DIFF
    }

    /**
     * The sets at {@code keys}, null for absent keys; WRONGTYPE if any key holds another type
     * (Redis 7.0 checks every key, also after an absent one).
     */
    private static Meta[] lookupAll(ExecContext ctx, byte[][] keys) {
        Meta[] sets = new Meta[keys.length];
        for (int i = 0; i < keys.length; i++) {
            sets[i] = set(ctx, keys[i]);
        }
        return sets;
    }

    /**
     * The members of the intersection, union or difference of the sets at {@code keys}, in byte
     * order. An INTER stops once it has {@code limit} members (0 = no limit).
     */
    private static List<byte[]> compute(ExecContext ctx, byte[][] keys, Op op, long limit) {
        Meta[] sets = lookupAll(ctx, keys);
        List<byte[]> out = new ArrayList<>();
        switch (op) {
            case INTER: {
                int smallest = 0;
                for (int i = 0; i < sets.length; i++) {
                    if (sets[i] == null) {
                        return out;
                    }
                    if (sets[i].count < sets[smallest].count) {
                        smallest = i;
                    }
                }
                byte[] prefix = ctx.keys().subPrefix(keys[smallest], sets[smallest]);
                try (Kv.Cursor c = ctx.kv().scan(prefix, KeyCodec.prefixEnd(prefix))) {
                    while (c.next() && (limit == 0 || out.size() < limit)) {
                        byte[] member = Arrays.copyOfRange(c.key(), prefix.length, c.key().length);
                        boolean inAll = true;
                        for (int i = 0; i < sets.length && inAll; i++) {
                            inAll = i == smallest || isMember(ctx, keys[i], sets[i], member);
                        }
                        if (inAll) {
                            out.add(member);
                        }
                    }
                }
                return out;
            }
            case UNION: {
                TreeSet<byte[]> union = new TreeSet<>(Arrays::compareUnsigned);
                for (int i = 0; i < sets.length; i++) {
                    if (sets[i] != null) {
                        for (byte[][] kv : scanAll(ctx, ctx.keys().subPrefix(keys[i], sets[i]))) {
                            union.add(kv[0]);
                        }
                    }
                }
                out.addAll(union);
                return out;
            }
            default: {
                if (sets[0] == null) {
                    return out;
                }
                for (byte[][] kv : scanAll(ctx, ctx.keys().subPrefix(keys[0], sets[0]))) {
                    boolean inOther = false;
                    for (int i = 1; i < sets.length && !inOther; i++) {
                        inOther = isMember(ctx, keys[i], sets[i], kv[0]);
                    }
                    if (!inOther) {
                        out.add(kv[0]);
                    }
                }
                return out;
            }
        }
    }

    /** SINTER / SUNION / SDIFF key [key ...]: a set reply. */
    static Reply algebraReply(ExecContext ctx, byte[][] argv, Op op) {
        List<Reply> out = new ArrayList<>();
        for (byte[] member : compute(ctx, Arrays.copyOfRange(argv, 1, argv.length), op, 0)) {
            out.add(new Reply.Bulk(member));
        }
        return new Reply.SetReply(out);
    }

    /**
     * SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]: replaces destination
     * (whatever it held) with the result, or deletes it when the result is empty; replies the
     * result's cardinality.
     */
    static Reply algebraStore(ExecContext ctx, byte[][] argv, Op op) {
        byte[] dstKey = argv[1];
        List<byte[]> result = compute(ctx, Arrays.copyOfRange(argv, 2, argv.length), op, 0);
        if (result.isEmpty()) {
            ctx.keys().delete(dstKey);
            return Reply.ZERO;
        }
        Meta m = ctx.keys().newCollection(TypeCode.SET);
        byte[] prefix = KeyCodec.subPrefix(ctx.group(), Slots.slot(dstKey), m.version);
        for (byte[] member : result) {
            ctx.kv().put(KeyCodec.subKey(prefix, member), EMPTY);
        }
        m.count = result.size();
        ctx.keys().create(dstKey, m);
        return Reply.integer(result.size());
    }

    /** SINTERCARD numkeys key [key ...] [LIMIT limit]. */
    static Reply sintercard(ExecContext ctx, byte[][] argv) {
        long numkeys = Args.parseLong(argv[1], NUMKEYS_NOT_POSITIVE);
        if (numkeys < 1) {
            throw new RedisException(NUMKEYS_NOT_POSITIVE);
        }
        if (numkeys > argv.length - 2) {
            throw new RedisException(TOO_MANY_NUMKEYS);
        }
        int end = 2 + (int) numkeys;
        long limit = 0;
        for (int j = end; j < argv.length; j++) {
            if (Args.is(argv[j], "limit") && j + 1 < argv.length) {
                limit = Args.parseLong(argv[++j], LIMIT_NEGATIVE);
                if (limit < 0) {
                    throw new RedisException(LIMIT_NEGATIVE);
                }
            } else {
                throw Errors.syntax();
            }
        }
        return Reply.integer(compute(ctx, Arrays.copyOfRange(argv, 2, end), Op.INTER, limit).size());
    }

    // ---- helpers shared with HashCommands ----------------------------------------------------

    /** Every (sub-key suffix, value) under {@code prefix}, in byte order. */
    static List<byte[][]> scanAll(ExecContext ctx, byte[] prefix) {
        List<byte[][]> out = new ArrayList<>();
        try (Kv.Cursor c = ctx.kv().scan(prefix, KeyCodec.prefixEnd(prefix))) {
            while (c.next()) {
                out.add(new byte[][] {Arrays.copyOfRange(c.key(), prefix.length, c.key().length), c.value()});
            }
        }
        return out;
    }

    /**
     * The (suffix, value) at each of the given 0-based positions under {@code prefix} (positions
     * in byte order, all below the collection's size): one scan up to the largest position.
     */
    static Map<Long, byte[][]> atPositions(ExecContext ctx, byte[] prefix, long[] positions) {
        long[] wanted = positions.clone();
        Arrays.sort(wanted);
        Map<Long, byte[][]> out = new HashMap<>();
        int w = 0;
        long pos = 0;
        try (Kv.Cursor c = ctx.kv().scan(prefix, KeyCodec.prefixEnd(prefix))) {
            while (w < wanted.length && c.next()) {
                if (pos == wanted[w]) {
                    out.put(pos, new byte[][] {Arrays.copyOfRange(c.key(), prefix.length, c.key().length), c.value()});
                    while (w < wanted.length && wanted[w] == pos) {
                        w++;
                    }
                }
                pos++;
            }
        }
        if (w < wanted.length) {
            throw new IllegalStateException("collection has fewer members than its record counts");
        }
        return out;
    }

    /** Sizes up to which a single random pick counts to a uniformly drawn position. */
    static final long EXACT_PICK_MAX = 128;

    /**
     * One random member of a set of {@code size} members (SPOP / SRANDMEMBER without count). Up
     * to {@link #EXACT_PICK_MAX} members: uniform, by counting to a random position. Above: one
     * seek to a random point between the first and the last member (8 bytes after their common
     * prefix), taking the member at or after it — O(log n) instead of a scan of the set on the
     * apply thread (redis-benchmark's SPOP on a 20,000-member set stalled the group), but not
     * uniform: a member after a wide gap in byte order is likelier. Every member can be drawn, and
     * the draw depends only on the context's random source, so replicas agree.
     */
    static byte[] randomMember(ExecContext ctx, byte[] prefix, long size) {
        if (size <= EXACT_PICK_MAX) {
            long[] at = {ctx.random().nextLong(size)};
            return atPositions(ctx, prefix, at).get(at[0])[0];
        }
        byte[] end = KeyCodec.prefixEnd(prefix);
        byte[] first = edgeKey(ctx, prefix, end, false);
        byte[] last = edgeKey(ctx, prefix, end, true);
        int common = prefix.length;
        while (common < first.length && common < last.length && first[common] == last[common]) {
            common++;
        }
        long a = eightBytes(first, common);
        long b = eightBytes(last, common);
        long span = b - a; // unsigned, b >= a
        long r = ctx.random().nextLong();
        long point = a + (span == -1 ? r : Long.remainderUnsigned(r, span + 1));
        byte[] seek = Arrays.copyOf(first, common + 8);
        for (int i = 0; i < 8; i++) {
            seek[common + i] = (byte) (point >>> (56 - 8 * i));
        }
        try (Kv.Cursor c = ctx.kv().scan(seek, end)) {
            byte[] k = c.next() ? c.key() : last;
            return Arrays.copyOfRange(k, prefix.length, k.length);
        }
    }

    private static byte[] edgeKey(ExecContext ctx, byte[] from, byte[] to, boolean reverse) {
        try (Kv.Cursor c = ctx.kv().scan(from, to, reverse)) {
            if (!c.next()) {
                throw new IllegalStateException("collection has fewer members than its record counts");
            }
            return c.key().clone();
        }
    }

    /** The 8 bytes of {@code k} from {@code at} as an unsigned big-endian number (missing: 0). */
    private static long eightBytes(byte[] k, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (at + i < k.length ? k[at + i] & 0xff : 0);
        }
        return v;
    }

    /**
     * Random members of a collection of {@code size} members: for {@code count > 0},
     * min(count, size) distinct ones (all of them, in byte order, when count >= size); for
     * {@code count < 0}, |count| independent picks that may repeat. Order of the picks otherwise.
     */
    static List<byte[][]> randomMembers(ExecContext ctx, byte[] prefix, long size, long count) {
        if (count >= size) {
            return scanAll(ctx, prefix);
        }
        Random random = ctx.random();
        long[] picks;
        if (count < 0) {
            picks = new long[(int) -count];
            for (int i = 0; i < picks.length; i++) {
                picks[i] = random.nextLong(size);
            }
        } else {
            // Floyd's algorithm: count distinct positions in [0, size)
            LinkedHashSet<Long> chosen = new LinkedHashSet<>();
            for (long j = size - count; j < size; j++) {
                long t = random.nextLong(j + 1);
                chosen.add(chosen.contains(t) ? j : t);
            }
            picks = chosen.stream().mapToLong(Long::longValue).toArray();
        }
        Map<Long, byte[][]> found = atPositions(ctx, prefix, picks);
        List<byte[][]> out = new ArrayList<>(picks.length);
        for (long p : picks) {
            out.add(found.get(p));
        }
        return out;
    }

    /** The count of SRANDMEMBER / HRANDFIELD: an integer in [-2^63+1, 2^63-1], as Redis. */
    static long parseRandomCount(byte[] arg) {
        long count = Args.parseLong(arg);
        if (count == Long.MIN_VALUE) {
            throw new RedisException(COUNT_RANGE);
        }
        return count;
    }

    /** Refuses a negative count whose reply would exceed {@link #MAX_RANDOM_REPLY} items. */
    static void checkRandomReplySize(long count) {
        if (count < -MAX_RANDOM_REPLY) {
            throw new RedisException(RANDOM_REPLY_TOO_BIG);
        }
    }

    /**
     * HSCAN / SSCAN key cursor [MATCH pattern] [COUNT count]: as Redis, the cursor is checked
     * first, then the key (absent: ["0", []]), then the options. Reply: [next cursor, items],
     * items being fields and values for a hash.
     */
    static Reply scan(ExecContext ctx, byte[][] argv, TypeCode type, boolean withValues) {
        long cursor = ScanCursor.parseCursor(argv[2]);
        Meta m = ctx.keys().get(argv[1], type);
        if (m == null) {
            return Reply.array(List.of(Reply.bulk("0"), Reply.EMPTY_ARRAY));
        }
        ScanCursor.Options o = ScanCursor.parseOptions(argv, 3, false);
        List<Reply> items = new ArrayList<>();
        long next = ScanCursor.walk(ctx.kv(), ctx.keys().subPrefix(argv[1], m), cursor, o.count, (suffix, value) -> {
            if (o.match == null || Glob.match(o.match, suffix)) {
                items.add(new Reply.Bulk(suffix));
                if (withValues) {
                    items.add(new Reply.Bulk(value));
                }
            }
        });
        return Reply.array(List.of(Reply.bulk(Long.toUnsignedString(next)), Reply.array(items)));
    }
}
