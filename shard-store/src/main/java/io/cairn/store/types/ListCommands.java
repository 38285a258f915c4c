package io.cairn.store.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * Lists: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX, LSET, LINSERT, LREM,
 * LTRIM, LPOS, LMOVE, RPOPLPUSH, with Redis 7.0's replies, error texts and argument order.
 *
 * <p>Layout: the record ({@link Meta}) holds {@code count} and {@code head}, the signed position
 * of element 0; element {@code i} lives at sub-key {@code subPrefix + sortableLong(head + i)}, so
 * positions are dense and byte order is list order. Costs (n = length):
 * <ul>
 *   <li>LPUSH/RPUSH/LPOP/RPOP/LMOVE: O(1) per element (LPUSH moves {@code head} down, RPUSH
 *       appends at {@code head + count}); LLEN O(1); LINDEX/LSET one point read/write.</li>
 *   <li>LRANGE: one range scan of the requested positions, O(range).</li>
 *   <li>LTRIM: the trimmed positions are deleted with point deletes when at most
 *       {@link Keyspace#POINT_DELETE_LIMIT}, else with one range tombstone per end: O(1) writes.</li>
 *   <li>LINSERT: scan to the pivot, O(p), then the shorter side of the insertion point moves by
 *       one position: O(min(k, n - k)) reads and writes.</li>
 *   <li>LREM: scan until enough matches, then the survivors are packed around the longest run
 *       of survivors that stays in place: O(scanned + moved), moved ≤ n - removed - longest run.</li>
 *   <li>LPOS: scan from one end, O(scanned) (bounded by MAXLEN).</li>
 * </ul>
 * Positions drift by one per push or pop at the matching end; a signed 64-bit position space
 * does not wrap in any realistic lifetime of one list.
 */
final class ListCommands {
    static final String RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, "
            + "2 from the second ... or use negative to start from the end of the list";
    static final String COUNT_NEGATIVE = "ERR COUNT can't be negative";
    static final String MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";

    private ListCommands() {
    }

    static void register(CommandTable.Builder t) {
        EnumSet<CommandFlag> pushFlags = EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST);
        EnumSet<CommandFlag> popFlags = EnumSet.of(CommandFlag.WRITE, CommandFlag.FAST);
        EnumSet<CommandFlag> fastRead = EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST);
        EnumSet<CommandFlag> denyOom = EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM);
        t.add("lpush", -3, pushFlags, 1, 1, 1, (c, a) -> push(c, a, true, false));
        t.add("rpush", -3, pushFlags, 1, 1, 1, (c, a) -> push(c, a, false, false));
        t.add("lpushx", -3, pushFlags, 1, 1, 1, (c, a) -> push(c, a, true, true));
        t.add("rpushx", -3, pushFlags, 1, 1, 1, (c, a) -> push(c, a, false, true));
        t.add("lpop", -2, popFlags, 1, 1, 1, (c, a) -> pop(c, a, true));
        t.add("rpop", -2, popFlags, 1, 1, 1, (c, a) -> pop(c, a, false));
        t.add("llen", 2, fastRead, 1, 1, 1, ListCommands::llen);
        t.read("lrange", 4, ListCommands::lrange);
        t.read("lindex", 3, ListCommands::lindex);
        t.add("lset", 4, denyOom, 1, 1, 1, ListCommands::lset);
        t.add("linsert", 5, denyOom, 1, 1, 1, ListCommands::linsert);
        t.write("lrem", 4, ListCommands::lrem);
        t.write("ltrim", 4, ListCommands::ltrim);
        t.read("lpos", -3, ListCommands::lpos);
        t.add("lmove", 5, denyOom, 1, 2, 1, ListCommands::lmove);
        t.add("rpoplpush", 3, denyOom, 1, 2, 1,
                (c, a) -> move(c, a[1], a[2], false, true));
    }

    // ---- position helpers ------------------------------------------------------------------

    /** The sub-key of absolute position {@code pos} of the list with member prefix {@code prefix}. */
    static byte[] posKey(byte[] prefix, long pos) {
        return KeyCodec.subKey(prefix, KeyCodec.sortableLong(pos));
    }

    /** The values at absolute positions {@code [from, from + n)}, in order: one range scan. */
    private static List<byte[]> readRange(ExecContext ctx, byte[] prefix, long from, long n) {
        List<byte[]> out = new ArrayList<>((int) Math.min(n, 1024));
        if (n <= 0) {
            return out;
        }
        try (Kv.Cursor c = ctx.kv().scan(posKey(prefix, from), posKey(prefix, from + n))) {
            while (c.next()) {
                out.add(c.value());
            }
        }
        if (out.size() != n) {
            throw new IllegalStateException("list positions not dense: expected " + n + " got " + out.size());
        }
        return out;
    }

    /**
     * Deletes absolute positions {@code [from, to)}: point deletes up to
     * {@link Keyspace#POINT_DELETE_LIMIT} positions, one range tombstone beyond.
     */
    private static void deletePositions(ExecContext ctx, byte[] prefix, long from, long to) {
        if (to - from > Keyspace.POINT_DELETE_LIMIT) {
            ctx.kv().deleteRange(posKey(prefix, from), posKey(prefix, to));
            return;
        }
        for (long p = from; p < to; p++) {
            ctx.kv().delete(posKey(prefix, p));
        }
    }

    /** {@code LEFT} → true, {@code RIGHT} → false, else a syntax error. */
    private static boolean isLeft(byte[] arg) {
        if (Args.is(arg, "left")) {
            return true;
        }
        if (Args.is(arg, "right")) {
            return false;
        }
        throw Errors.syntax();
    }

    // ---- push / pop ------------------------------------------------------------------------

    /**
     * Pushes {@code values} in order at the head ({@code left}) or tail of the list {@code key}
     * whose live record is {@code m}, or of a new list when {@code m} is null; writes the record.
     * Returns the new length.
     */
    private static long pushValues(ExecContext ctx, byte[] key, Meta m, List<byte[]> values, boolean left) {
        boolean created = m == null;
        if (created) {
            m = ctx.keys().newCollection(TypeCode.LIST);
        }
        byte[] prefix = ctx.keys().subPrefix(key, m);
        for (byte[] v : values) {
            if (left) {
                m.head--;
                ctx.kv().put(posKey(prefix, m.head), v);
            } else {
                ctx.kv().put(posKey(prefix, m.head + m.count), v);
            }
            m.count++;
        }
        if (created) {
            ctx.keys().create(key, m);
        } else {
            ctx.keys().update(key, m);
        }
        return m.count;
    }

    /**
     * Removes {@code n} (1 ≤ n ≤ count) elements from the head ({@code left}) or the tail of the
     * list {@code key} with live record {@code m}; writes the record back, or deletes the key
     * when it is emptied. Returns the elements in pop order (for the tail: last element first).
     */
    private static List<byte[]> popValues(ExecContext ctx, byte[] key, Meta m, long n, boolean left) {
        byte[] prefix = ctx.keys().subPrefix(key, m);
        long from = left ? m.head : m.head + m.count - n;
        List<byte[]> values = readRange(ctx, prefix, from, n);
        if (!left) {
            java.util.Collections.reverse(values);
        }
        if (n == m.count) {
            ctx.keys().delete(key);
            return values;
        }
        deletePositions(ctx, prefix, from, from + n);
        if (left) {
            m.head += n;
        }
        m.count -= n;
        ctx.keys().update(key, m);
        return values;
    }

    /** LPUSH/RPUSH key element [element ...]; LPUSHX/RPUSHX ({@code onlyIfExists}) push only onto an existing list. */
    static Reply push(ExecContext ctx, byte[][] argv, boolean left, boolean onlyIfExists) {
        byte[] key = argv[1];
        Meta m = ctx.keys().get(key, TypeCode.LIST);
        if (m == null && onlyIfExists) {
            return Reply.ZERO;
        }
        List<byte[]> values = Arrays.asList(argv).subList(2, argv.length);
        return Reply.integer(pushValues(ctx, key, m, values, left));
    }

    /**
     * LPOP/RPOP key [count]. Without count: the element or a nil bulk; with count: an array
     * (empty for count 0 on an existing list) or a nil array when the key is missing. A count
     * that is negative or not an integer is "ERR value is out of range, must be positive",
     * checked before the key.
     */
    static Reply pop(ExecContext ctx, byte[][] argv, boolean left) {
        if (argv.length > 3) {
            throw Errors.wrongArity(left ? "lpop" : "rpop");
        }
        boolean hasCount = argv.length == 3;
        long count = 1;
        if (hasCount) {
            count = Args.parseLong(argv[2], Errors.NOT_POSITIVE);
            if (count < 0) {
                throw new RedisException(Errors.NOT_POSITIVE);
            }
        }
        byte[] key = argv[1];
        Meta m = ctx.keys().get(key, TypeCode.LIST);
        if (m == null) {
            return hasCount ? Reply.NIL_ARRAY : Reply.NIL;
        }
        if (count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        List<byte[]> values = popValues(ctx, key, m, Math.min(count, m.count), left);
        return hasCount ? Reply.bulks(values) : Reply.bulk(values.get(0));
    }

    // ---- reads -----------------------------------------------------------------------------

    static Reply llen(ExecContext ctx, byte[][] argv) {
        Meta m = ctx.keys().get(argv[1], TypeCode.LIST);
        return Reply.integer(m == null ? 0 : m.count);
    }

    /** LRANGE key start stop: the indexes are parsed before the key is looked up. */
    static Reply lrange(ExecContext ctx, byte[][] argv) {
        long start = Args.parseLong(argv[2]);
        long end = Args.parseLong(argv[3]);
        byte[] key = argv[1];
        Meta m = ctx.keys().get(key, TypeCode.LIST);
        if (m == null) {
            return Reply.EMPTY_ARRAY;
        }
        long n = m.count;
        if (start < 0) {
            start = n + start;
        }
        if (end < 0) {
            end = n + end;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= n) {
            return Reply.EMPTY_ARRAY;
        }
        if (end >= n) {
            end = n - 1;
        }
        return Reply.bulks(readRange(ctx, ctx.keys().subPrefix(key, m), m.head + start, end - start + 1));
    }

    /** LINDEX key index: the key is looked up before the index is parsed (Redis's order). */
    static Reply lindex(ExecContext ctx, byte[][] argv) {
        byte[] key = argv[1];
        Meta m = ctx.keys().get(key, TypeCode.LIST);
        if (m == null) {
            return Reply.NIL;
        }
        long index = Args.parseLong(argv[2]);
        if (index < 0) {
            index = m.count + index;
        }
        if (index < 0 || index >= m.count) {
            return Reply.NIL;
        }
        return Reply.bulk(ctx.kv().get(posKey(ctx.keys().subPrefix(key, m), m.head + index)));
    }

    /**
     * LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. Options are checked before
     * the key. Without COUNT: the index of the match or nil; with COUNT (0 = all): an array.
     * A negative RANK scans from the tail; as in Redis 7.0 (which negates it in C), RANK
     * -9223372036854775808 stays negative and so matches from the first match on without limit.
     */
    static Reply lpos(ExecContext ctx, byte[][] argv) {
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int j = 3; j < argv.length; j++) {
            byte[] opt = argv[j];
            boolean moreArgs = j + 1 < argv.length;
            if (Args.is(opt, "rank") && moreArgs) {
                rank = Args.parseLong(argv[++j]);
                if (rank == 0) {
                    throw new RedisException(RANK_ZERO);
                }
            } else if (Args.is(opt, "count") && moreArgs) {
                count = Args.parseLong(argv[++j], COUNT_NEGATIVE);
                if (count < 0) {
                    throw new RedisException(COUNT_NEGATIVE);
                }
            } else if (Args.is(opt, "maxlen") && moreArgs) {
                maxlen = Args.parseLong(argv[++j], MAXLEN_NEGATIVE);
                if (maxlen < 0) {
                    throw new RedisException(MAXLEN_NEGATIVE);
                }
            } else {
                throw Errors.syntax();
            }
        }
        boolean fromTail = false;
        if (rank < 0) {
            rank = -rank;
            fromTail = true;
        }
        byte[] key = argv[1];
        Meta m = ctx.keys().get(key, TypeCode.LIST);
        if (m == null) {
            return count != -1 ? Reply.EMPTY_ARRAY : Reply.NIL;
        }
        byte[] element = argv[2];
        byte[] prefix = ctx.keys().subPrefix(key, m);
        long n = m.count;
        List<Reply> matchesOut = new ArrayList<>();
        long index = 0;
        long matches = 0;
        try (Kv.Cursor c = ctx.kv().scan(posKey(prefix, m.head), posKey(prefix, m.head + n), fromTail)) {
            while (c.next() && (maxlen == 0 || index < maxlen)) {
                if (Arrays.equals(c.value(), element)) {
                    matches++;
                    long matchIndex = fromTail ? n - index - 1 : index;
                    if (matches >= rank) {
                        if (count == -1) {
                            return Reply.integer(matchIndex);
                        }
                        matchesOut.add(Reply.integer(matchIndex));
                        if (count != 0 && matches - rank + 1 >= count) {
                            break;
                        }
                    }
                }
                index++;
            }
        }
        return count != -1 ? Reply.array(matchesOut) : Reply.NIL;
    }

    // ---- in-place writes -------------------------------------------------------------------

    /** LSET key index element: "ERR no such key" before the index is parsed; O(1). */
    static Reply lset(ExecContext ctx, byte[][] argv) {
        byte[] key = argv[1];
        Meta m = ctx.keys().get(key, TypeCode.LIST);
        if (m == null) {
            throw new RedisException(Errors.NO_SUCH_KEY);
        }
        long index = Args.parseLong(argv[2]);
        if (index < 0) {
            index = m.count + index;
        }
        if (index < 0 || index >= m.count) {
            throw new RedisException(Errors.INDEX_OUT_OF_RANGE);
        }
        ctx.kv().put(posKey(ctx.keys().subPrefix(key, m), m.head + index), argv[3]);
        return Reply.OK;
    }

    /**
     * LINSERT key BEFORE|AFTER pivot element: the new length, 0 when the key is missing, -1 when
     * the pivot (first match from the head) is missing.
     */
    static Reply linsert(ExecContext ctx, byte[][] argv) {
        boolean after;
        if (Args.is(argv[2], "after")) {
            after = true;
        } else if (Args.is(argv[2], "before")) {
            after = false;
        } else {
            throw Errors.syntax();
        }
        byte[] key = argv[1];
        Meta m = ctx.keys().get(key, TypeCode.LIST);
        if (m == null) {
            return Reply.ZERO;
        }
        byte[] prefix = ctx.keys().subPrefix(key, m);
        long pivot = -1;
        try (Kv.Cursor c = ctx.kv().scan(posKey(prefix, m.head), posKey(prefix, m.head + m.count))) {
            for (long i = 0; c.next(); i++) {
                if (Arrays.equals(c.value(), argv[3])) {
                    pivot = i;
                    break;
                }
            }
        }
        if (pivot < 0) {
            return Reply.integer(-1);
        }
        insertAt(ctx, prefix, m, after ? pivot + 1 : pivot, argv[4]);
        ctx.keys().update(key, m);
        return Reply.integer(m.count);
    }

    /**
     * Inserts {@code value} so it becomes element {@code k} (0 ≤ k ≤ count), moving the shorter
     * side by one position: elements {@code [0, k)} one down (and {@code head} with them) or
     * elements {@code [k, count)} one up. Updates {@code m}, does not write it.
     */
    private static void insertAt(ExecContext ctx, byte[] prefix, Meta m, long k, byte[] value) {
        if (k < m.count - k) {
            List<byte[]> moved = readRange(ctx, prefix, m.head, k);
            for (int i = 0; i < moved.size(); i++) {
                ctx.kv().put(posKey(prefix, m.head - 1 + i), moved.get(i));
            }
            m.head--;
        } else {
            List<byte[]> moved = readRange(ctx, prefix, m.head + k, m.count - k);
            for (int i = moved.size() - 1; i >= 0; i--) {
                ctx.kv().put(posKey(prefix, m.head + k + 1 + i), moved.get(i));
            }
        }
        ctx.kv().put(posKey(prefix, m.head + k), value);
        m.count++;
    }

    /**
     * LREM key count element: removes the first {@code count} matches from the head (count > 0),
     * from the tail (count < 0) or all (0). The count is parsed before the key is looked up.
     */
    static Reply lrem(ExecContext ctx, byte[][] argv) {
        long toRemove = Args.parseLong(argv[2]);
        byte[] key = argv[1];
        Meta m = ctx.keys().get(key, TypeCode.LIST);
        if (m == null) {
            return Reply.ZERO;
        }
        boolean fromTail = false;
        if (toRemove < 0) {
            // as in Redis, -LONG_MIN stays negative: never reached, so every match goes
            toRemove = -toRemove;
            fromTail = true;
        }
        byte[] element = argv[3];
        byte[] prefix = ctx.keys().subPrefix(key, m);
        long n = m.count;
        long[] found = new long[16];
        int removed = 0;
        try (Kv.Cursor c = ctx.kv().scan(posKey(prefix, m.head), posKey(prefix, m.head + n), fromTail)) {
            for (long i = 0; c.next(); i++) {
                if (Arrays.equals(c.value(), element)) {
                    if (removed == found.length) {
                        found = Arrays.copyOf(found, found.length * 2);
                    }
                    found[removed++] = fromTail ? n - 1 - i : i;
                    if (toRemove != 0 && removed == toRemove) {
                        break;
                    }
                }
            }
        }
        if (removed == 0) {
            return Reply.ZERO;
        }
        if (removed == n) {
            ctx.keys().delete(key);
            return Reply.integer(removed);
        }
        long[] holes = Arrays.copyOf(found, removed);
        Arrays.sort(holes);
        removeIndexes(ctx, prefix, m, holes);
        ctx.keys().update(key, m);
        return Reply.integer(removed);
    }

    /**
     * Removes the elements at the ascending, distinct indexes {@code holes} (fewer than count)
     * and packs the survivors: the longest run of survivors between two holes (or an end) stays
     * in place, survivors before it move up, survivors after it move down, and the freed
     * positions at both ends are deleted. Updates {@code m}, does not write it.
     */
    private static void removeIndexes(ExecContext ctx, byte[] prefix, Meta m, long[] holes) {
        long n = m.count;
        int h = holes.length;
        // run t lies between holes[t - 1] and holes[t] (holes[-1] = -1, holes[h] = n)
        int keep = 0;
        long best = -1;
        for (int t = 0; t <= h; t++) {
            long prev = t == 0 ? -1 : holes[t - 1];
            long next = t == h ? n : holes[t];
            if (next - prev - 1 > best) {
                best = next - prev - 1;
                keep = t;
            }
        }
        long head = m.head;
        if (keep > 0) {
            long leftEnd = holes[keep - 1];
            List<byte[]> values = readRange(ctx, prefix, head, leftEnd + 1);
            int hole = keep - 1;
            long shift = 0;
            for (long x = leftEnd; x >= 0; x--) {
                if (hole >= 0 && holes[hole] == x) {
                    shift++;
                    hole--;
                } else {
                    ctx.kv().put(posKey(prefix, head + x + shift), values.get((int) x));
                }
            }
        }
        if (keep < h) {
            long rightStart = holes[keep];
            List<byte[]> values = readRange(ctx, prefix, head + rightStart, n - rightStart);
            int hole = keep;
            long shift = 0;
            for (long x = rightStart; x < n; x++) {
                if (hole < h && holes[hole] == x) {
                    shift++;
                    hole++;
                } else {
                    ctx.kv().put(posKey(prefix, head + x - shift), values.get((int) (x - rightStart)));
                }
            }
        }
        deletePositions(ctx, prefix, head, head + keep);
        deletePositions(ctx, prefix, head + n - (h - keep), head + n);
        m.head = head + keep;
        m.count = n - h;
    }

    /**
     * LTRIM key start stop: keeps elements {@code [start, stop]} (Redis's clamping); the indexes
     * are parsed before the key is looked up; a missing key is OK; an emptied list is deleted.
     */
    static Reply ltrim(ExecContext ctx, byte[][] argv) {
        long start = Args.parseLong(argv[2]);
        long end = Args.parseLong(argv[3]);
        byte[] key = argv[1];
        Meta m = ctx.keys().get(key, TypeCode.LIST);
        if (m == null) {
            return Reply.OK;
        }
        long n = m.count;
        if (start < 0) {
            start = n + start;
        }
        if (end < 0) {
            end = n + end;
        }
        if (start < 0) {
            start = 0;
        }
        long ltrim;
        long rtrim;
        if (start > end || start >= n) {
            ltrim = n;
            rtrim = 0;
        } else {
            if (end >= n) {
                end = n - 1;
            }
            ltrim = start;
            rtrim = n - end - 1;
        }
        if (ltrim + rtrim == n) {
            ctx.keys().delete(key);
            return Reply.OK;
        }
        if (ltrim == 0 && rtrim == 0) {
            return Reply.OK;
        }
        byte[] prefix = ctx.keys().subPrefix(key, m);
        deletePositions(ctx, prefix, m.head, m.head + ltrim);
        deletePositions(ctx, prefix, m.head + n - rtrim, m.head + n);
        m.head += ltrim;
        m.count = n - ltrim - rtrim;
        ctx.keys().update(key, m);
        return Reply.OK;
    }

    // ---- moves -----------------------------------------------------------------------------

    /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT: both sides are parsed before any lookup. */
    static Reply lmove(ExecContext ctx, byte[][] argv) {
        boolean fromLeft = isLeft(argv[3]);
        boolean toLeft = isLeft(argv[4]);
        return move(ctx, argv[1], argv[2], fromLeft, toLeft);
    }

    /**
     * Pops one element from {@code src} and pushes it onto {@code dst} (RPOPLPUSH = RIGHT, LEFT).
     * Nil when the source is missing (the destination is then not checked); WRONGTYPE for the
     * destination before anything is written. With {@code src == dst} the list rotates in place:
     * one delete and one put, O(1).
     */
    static Reply move(ExecContext ctx, byte[] src, byte[] dst, boolean fromLeft, boolean toLeft) {
        Meta sm = ctx.keys().get(src, TypeCode.LIST);
        if (sm == null) {
            return Reply.NIL;
        }
        boolean same = Arrays.equals(src, dst);
        Meta dm = same ? sm : ctx.keys().get(dst, TypeCode.LIST);
        if (!same) {
            byte[] value = popValues(ctx, src, sm, 1, fromLeft).get(0);
            pushValues(ctx, dst, dm, List.of(value), toLeft);
            return Reply.bulk(value);
        }
        byte[] prefix = ctx.keys().subPrefix(src, sm);
        long fromPos = fromLeft ? sm.head : sm.head + sm.count - 1;
        byte[] value = ctx.kv().get(posKey(prefix, fromPos));
        if (fromLeft == toLeft) {
            return Reply.bulk(value); // popped and pushed back at the same end: unchanged
        }
        ctx.kv().delete(posKey(prefix, fromPos));
        if (toLeft) {
            sm.head--;
            ctx.kv().put(posKey(prefix, sm.head), value);
        } else {
            ctx.kv().put(posKey(prefix, sm.head + sm.count), value);
            sm.head++;
        }
        ctx.keys().update(src, sm);
        return Reply.bulk(value);
    }
}
