package io.cairn.store.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Sorted sets: ZADD, ZRANGE and the rest of Redis 7.0's sorted-set commands.
 *
 * <p>Layout: two sub-key families under the collection's sub-prefix, kept in step by every write:
 *
 * <pre>
 *   subPrefix 'm' member                          -> score (8 bytes, Double.doubleToLongBits)
 *   subPrefix 's' sortableDouble(score) member    -> empty   (score order, ties by member bytes)
 * </pre>
 *
 * Scores are stored with -0.0 folded into 0.0 (as Redis's listpack encoding does). The 's' family
 * gives score and lex ranges by seek: O(log N + M). Ranks have no index here: a rank query or a
 * range by rank walks the 's' family from the nearer end, O(rank) where Redis is O(log N); ZCARD
 * is meta.count, O(1).
 *
 * <p>The record keeps bounds on the live score keys ({@link Meta#scoreLow}, {@link Meta#scoreHigh}):
 * pops and end-anchored ZREMRANGEBY* narrow them, every score write widens them, and every walk
 * of the score family stays within them, so it never steps over the tombstones that earlier
 * pops left at the ends (docs/storage-format.md, "Live bounds"): a pop is O(log N + popped).
 */
final class ZSetCommands {
    static final byte TAG_MEMBER = 'm';
    static final byte TAG_SCORE = 's';
    /** Lex ranges over sorted sets up to this size walk from an end, as Redis's listpack does. */
    static final long LEX_LINEAR_LIMIT = 128;

    static final String XX_AND_NX = "ERR XX and NX options at the same time are not compatible";
    static final String GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible";
    static final String INCR_SINGLE_PAIR = "ERR INCR option supports a single increment-element pair";
    static final String NAN_RESULT = "ERR resulting score is not a number (NaN)";
    static final String LIMIT_NEEDS_BY = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
    static final String WITHSCORES_BYLEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
    static final String WEIGHT_NOT_FLOAT = "ERR weight value is not a float";
    static final String LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
    static final String OUT_OF_RANGE = "ERR value is out of range";
    static final String COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

    private ZSetCommands() {
    }

    static void register(CommandTable.Builder t) {
        EnumSet<CommandFlag> writeFast = EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST);
        EnumSet<CommandFlag> readFast = EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST);
        EnumSet<CommandFlag> read = EnumSet.of(CommandFlag.READONLY);
        EnumSet<CommandFlag> write = EnumSet.of(CommandFlag.WRITE);
        EnumSet<CommandFlag> writeOom = EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM);

        t.add("zadd", -4, writeFast, 1, 1, 1, ZSetCommands::zadd);
        t.add("zincrby", 4, writeFast, 1, 1, 1, ZSetCommands::zincrby);
        t.add("zrem", -3, EnumSet.of(CommandFlag.WRITE, CommandFlag.FAST), 1, 1, 1, ZSetCommands::zrem);
        t.add("zscore", 3, readFast, 1, 1, 1, ZSetCommands::zscore);
        t.add("zmscore", -3, readFast, 1, 1, 1, ZSetCommands::zmscore);
        t.add("zcard", 2, readFast, 1, 1, 1, ZSetCommands::zcard);
        // "fast" in Redis (its skiplist spans make them O(log N)); here they walk the members
        // they count: WALKS keeps them off the thread that received the request.
        EnumSet<CommandFlag> readWalks = EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST, CommandFlag.WALKS);
        t.add("zcount", 4, readWalks, 1, 1, 1, ZSetCommands::zcount);
        t.add("zlexcount", 4, readWalks, 1, 1, 1, ZSetCommands::zlexcount);
        t.add("zrank", 3, readWalks, 1, 1, 1, (c, a) -> zrank(c, a, false));
        t.add("zrevrank", 3, readWalks, 1, 1, 1, (c, a) -> zrank(c, a, true));

        t.add("zrange", -4, read, 1, 1, 1, (c, a) -> zrange(c, a, 1, null, RangeType.AUTO, null));
        t.add("zrangestore", -5, writeOom, 1, 2, 1, (c, a) -> zrange(c, a, 2, a[1], RangeType.AUTO, null));
        t.add("zrevrange", -4, read, 1, 1, 1, (c, a) -> zrange(c, a, 1, null, RangeType.RANK, true));
        t.add("zrangebyscore", -4, read, 1, 1, 1, (c, a) -> zrange(c, a, 1, null, RangeType.SCORE, false));
        t.add("zrevrangebyscore", -4, read, 1, 1, 1, (c, a) -> zrange(c, a, 1, null, RangeType.SCORE, true));
        t.add("zrangebylex", -4, read, 1, 1, 1, (c, a) -> zrange(c, a, 1, null, RangeType.LEX, false));
        t.add("zrevrangebylex", -4, read, 1, 1, 1, (c, a) -> zrange(c, a, 1, null, RangeType.LEX, true));

        t.add("zpopmin", -2, EnumSet.of(CommandFlag.WRITE, CommandFlag.FAST), 1, 1, 1, (c, a) -> zpop(c, a, false));
        t.add("zpopmax", -2, EnumSet.of(CommandFlag.WRITE, CommandFlag.FAST), 1, 1, 1, (c, a) -> zpop(c, a, true));
        t.add("zremrangebyrank", 4, write, 1, 1, 1, (c, a) -> zremrange(c, a, RangeType.RANK));
        t.add("zremrangebyscore", 4, write, 1, 1, 1, (c, a) -> zremrange(c, a, RangeType.SCORE));
        t.add("zremrangebylex", 4, write, 1, 1, 1, (c, a) -> zremrange(c, a, RangeType.LEX));

        // numkeys commands: Redis flags them movablekeys; first/last/step are Redis's legacy
        // values (the destination only, or no key): the source keys follow the numkeys argument
        t.add("zunionstore", -4, writeOom, 1, 1, 1, (c, a) -> setOp(c, a, "zunionstore", 2, a[1], SetOp.UNION, false));
        t.add("zinterstore", -4, writeOom, 1, 1, 1, (c, a) -> setOp(c, a, "zinterstore", 2, a[1], SetOp.INTER, false));
        t.add("zdiffstore", -4, writeOom, 1, 1, 1, (c, a) -> setOp(c, a, "zdiffstore", 2, a[1], SetOp.DIFF, false));
        t.add("zunion", -3, read, 0, 0, 0, (c, a) -> setOp(c, a, "zunion", 1, null, SetOp.UNION, false));
        t.add("zinter", -3, read, 0, 0, 0, (c, a) -> setOp(c, a, "zinter", 1, null, SetOp.INTER, false));
        t.add("zdiff", -3, read, 0, 0, 0, (c, a) -> setOp(c, a, "zdiff", 1, null, SetOp.DIFF, false));
        t.add("zintercard", -3, read, 0, 0, 0, (c, a) -> setOp(c, a, "zintercard", 1, null, SetOp.INTER, true));
        for (String name : new String[] {"zunionstore", "zinterstore", "zdiffstore"}) {
            t.numKeysAt(name, 2);
        }
        for (String name : new String[] {"zunion", "zinter", "zdiff", "zintercard"}) {
            t.numKeysAt(name, 1);
        }

        t.add("zscan", -3, read, 1, 1, 1, ZSetCommands::zscan);
        t.add("zrandmember", -2, EnumSet.of(CommandFlag.READONLY, CommandFlag.RANDOM), 1, 1, 1,
                ZSetCommands::zrandmember);
    }

    // ---- storage -----------------------------------------------------------------------------

    /** One member and its score. */
    record Entry(byte[] member, double score) {
    }

    /** Score as stored: -0.0 becomes 0.0, so both families agree on it. */
    private static double stored(double score) {
        return score + 0.0;
    }

    private static byte[] memberKey(byte[] prefix, byte[] member) {
        return KeyCodec.subKey(prefix, TAG_MEMBER, member);
    }

    private static byte[] scoreKey(byte[] prefix, double score, byte[] member) {
        return KeyCodec.subKey(prefix, TAG_SCORE, scoreSuffix(score, member));
    }

    /** First key of the score family. */
    private static byte[] scoresStart(byte[] prefix) {
        return KeyCodec.subKey(prefix, TAG_SCORE, new byte[0]);
    }

    /** First key after the score family. */
    private static byte[] scoresEnd(byte[] prefix) {
        return KeyCodec.subKey(prefix, (byte) (TAG_SCORE + 1), new byte[0]);
    }

    /**
     * First key of the live score keys of the sorted set with record {@code m}: its low bound
     * when it has one, so walks from the low end skip the tombstones of earlier ZPOPMINs.
     */
    private static byte[] scoresStart(byte[] prefix, Meta m) {
        return m.scoreLow == null ? scoresStart(prefix) : KeyCodec.subKey(prefix, TAG_SCORE, m.scoreLow);
    }

    /** First key after the live score keys of {@code m}: its high bound when it has one. */
    private static byte[] scoresEnd(byte[] prefix, Meta m) {
        return m.scoreHigh == null ? scoresEnd(prefix) : KeyCodec.subKey(prefix, TAG_SCORE, m.scoreHigh);
    }

    private static byte[] max(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static byte[] min(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) <= 0 ? a : b;
    }

    /** The score key suffix of an entry: {@code sortableDouble(score) member}. */
    private static byte[] scoreSuffix(double score, byte[] member) {
        byte[] suffix = Arrays.copyOf(KeyCodec.sortableDouble(score), 8 + member.length);
        System.arraycopy(member, 0, suffix, 8, member.length);
        return suffix;
    }

    /** A lower bound (inclusive) of every suffix {@code >= suffix}, at most {@link Meta#MAX_BOUND} bytes. */
    private static byte[] lowBound(byte[] suffix) {
        return suffix.length <= Meta.MAX_BOUND ? suffix : Arrays.copyOf(suffix, Meta.MAX_BOUND);
    }

    /**
     * An upper bound (exclusive) of every suffix {@code < suffix}, or with {@code inclusive} of
     * every suffix {@code <= suffix}; at most {@link Meta#MAX_BOUND} bytes; null when none fits.
     */
    private static byte[] highBound(byte[] suffix, boolean inclusive) {
        if (suffix.length + (inclusive ? 1 : 0) <= Meta.MAX_BOUND) {
            return inclusive ? Arrays.copyOf(suffix, suffix.length + 1) : suffix;
        }
        byte[] cut = Arrays.copyOf(suffix, Meta.MAX_BOUND);
        for (byte b : cut) {
            if (b != (byte) 0xFF) {
                return KeyCodec.prefixEnd(cut);
            }
        }
        return null;
    }

    /** Widens the live bounds of {@code m} to take a new score key suffix. */
    private static void widenBounds(Meta m, byte[] suffix) {
        if (m.scoreLow != null && Arrays.compareUnsigned(suffix, m.scoreLow) < 0) {
            m.scoreLow = lowBound(suffix);
        }
        if (m.scoreHigh != null && Arrays.compareUnsigned(suffix, m.scoreHigh) >= 0) {
            m.scoreHigh = highBound(suffix, true);
        }
    }

    /**
     * Narrows the live bounds of {@code m} after the removal of {@code run}, consecutive entries
     * in score order (ascending) that began at rank 0 ({@code fromLow}) and/or ended at the
     * highest rank ({@code toHigh}): the tombstones they leave lie outside the new bounds.
     */
    private static void narrowBounds(Meta m, List<Entry> run, boolean fromLow, boolean toHigh) {
        if (run.isEmpty()) {
            return;
        }
        if (fromLow) {
            Entry last = run.get(run.size() - 1);
            m.scoreLow = lowBound(Arrays.copyOf(scoreSuffix(last.score(), last.member()),
                    8 + last.member().length + 1));
        }
        if (toHigh) {
            Entry first = run.get(0);
            m.scoreHigh = highBound(scoreSuffix(first.score(), first.member()), false);
        }
    }

    private static boolean sameEntry(Entry a, Entry b) {
        return b != null && Arrays.equals(a.member(), b.member());
    }

    private static Entry entryOf(byte[] prefix, byte[] scoreKey) {
        int at = prefix.length + 1;
        return new Entry(Arrays.copyOfRange(scoreKey, at + 8, scoreKey.length),
                KeyCodec.fromSortableDouble(scoreKey, at));
    }

    /** The score of {@code member}, or null when it is not a member. */
    static Double score(Kv kv, byte[] prefix, byte[] member) {
        byte[] v = kv.get(memberKey(prefix, member));
        return v == null ? null : Double.longBitsToDouble(KeyCodec.getLong(v, 0));
    }

    /** Sets the score of a member whose current score is {@code old} (null = new member). */
    private static void put(Kv kv, byte[] prefix, Meta m, byte[] member, Double old, double score) {
        double s = stored(score);
        if (old != null) {
            kv.delete(scoreKey(prefix, old, member));
        } else {
            m.count++;
        }
        kv.put(memberKey(prefix, member), KeyCodec.longBytes(Double.doubleToLongBits(s)));
        byte[] suffix = scoreSuffix(s, member);
        kv.put(KeyCodec.subKey(prefix, TAG_SCORE, suffix), new byte[0]);
        widenBounds(m, suffix);
    }

    private static void remove(Kv kv, byte[] prefix, Meta m, byte[] member, double score) {
        kv.delete(memberKey(prefix, member));
        kv.delete(scoreKey(prefix, score, member));
        m.count--;
    }

    /** The live sorted set at {@code key}, null when absent; WRONGTYPE for other types. */
    private static Meta zset(ExecContext ctx, byte[] key) {
        return ctx.keys().get(key, TypeCode.ZSET);
    }

    /**
     * Writes {@code entries} (distinct members) as the new value of {@code dst}, replacing what
     * it held; with no entries {@code dst} is deleted. Returns the number stored.
     */
    private static long store(ExecContext ctx, byte[] dst, List<Entry> entries) {
        if (entries.isEmpty()) {
            ctx.keys().delete(dst);
            return 0;
        }
        Meta m = ctx.keys().newCollection(TypeCode.ZSET);
        byte[] prefix = ctx.keys().subPrefix(dst, m);
        for (Entry e : entries) {
            put(ctx.kv(), prefix, m, e.member(), null, e.score());
        }
        ctx.keys().create(dst, m);
        return m.count;
    }

    // ---- ranges ------------------------------------------------------------------------------

    /** A score or lex interval and how to seek to its ends in the score family. */
    interface Range {
        boolean isEmpty();

        boolean gteMin(Entry e);

        boolean lteMax(Entry e);

        /** False when the range certainly holds no entry (checked before any walk). */
        default boolean overlaps(Kv kv, byte[] prefix, Meta m) {
            return true;
        }

        /**
         * A key at or before the first entry of the range (forward walks start here) in the
         * sorted set with record {@code m}.
         */
        byte[] forwardFrom(Kv kv, byte[] prefix, Meta m);

        /** A key after the last entry of the range (reverse walks end before it). */
        byte[] reverseTo(Kv kv, byte[] prefix, Meta m);
    }

    /** {@code [min, max]} of scores; each end may be exclusive. */
    record ScoreRange(double min, boolean minex, double max, boolean maxex) implements Range {
        @Override
        public boolean isEmpty() {
            return min > max || (min == max && (minex || maxex));
        }

        @Override
        public boolean gteMin(Entry e) {
            return minex ? e.score() > min : e.score() >= min;
        }

        @Override
        public boolean lteMax(Entry e) {
            return maxex ? e.score() < max : e.score() <= max;
        }

        @Override
        public byte[] forwardFrom(Kv kv, byte[] prefix, Meta m) {
            return KeyCodec.subKey(prefix, TAG_SCORE, KeyCodec.sortableDouble(min));
        }

        @Override
        public byte[] reverseTo(Kv kv, byte[] prefix, Meta m) {
            return KeyCodec.prefixEnd(KeyCodec.subKey(prefix, TAG_SCORE, KeyCodec.sortableDouble(max)));
        }

        /** Redis's zslParseRange: "(" marks an exclusive end; values as strtod reads them. */
        static ScoreRange parse(byte[] min, byte[] max) {
            boolean minex = min.length > 0 && min[0] == '(';
            boolean maxex = max.length > 0 && max[0] == '(';
            Double lo = strtod(minex ? Arrays.copyOfRange(min, 1, min.length) : min);
            Double hi = strtod(maxex ? Arrays.copyOfRange(max, 1, max.length) : max);
            if (lo == null || hi == null) {
                throw new RedisException(Errors.MIN_MAX_NOT_FLOAT);
            }
            return new ScoreRange(lo, minex, hi, maxex);
        }
    }

    /** One end of a lex range: {@code inf} -1 for "-", +1 for "+", 0 for "[value" or "(value". */
    record LexBound(byte[] value, boolean exclusive, int inf) {
        /** Redis's zslParseLexRangeItem. */
        static LexBound parse(byte[] b) {
            if (b.length == 1 && b[0] == '+') {
                return new LexBound(null, true, 1);
            }
            if (b.length == 1 && b[0] == '-') {
                return new LexBound(null, true, -1);
            }
            if (b.length > 0 && (b[0] == '(' || b[0] == '[')) {
                return new LexBound(Arrays.copyOfRange(b, 1, b.length), b[0] == '(', 0);
            }
            throw new RedisException(Errors.MIN_MAX_NOT_LEX);
        }

        /** Redis's sdscmplex: "-" below everything, "+" above everything. */
        static int compare(LexBound a, LexBound b) {
            if (a.inf != 0 && a.inf == b.inf) {
                return 0;
            }
            if (a.inf == -1 || b.inf == 1) {
                return -1;
            }
            if (a.inf == 1 || b.inf == -1) {
                return 1;
            }
            return Arrays.compareUnsigned(a.value, b.value);
        }
    }

    /**
     * A lex interval over members. Redis defines lex ranges only for members of equal scores.
     * With mixed scores this gives what Redis's listpack encoding gives (sorted sets of up to
     * {@link #LEX_LINEAR_LIMIT} members): empty unless the first member is {@code <= max} and the
     * last {@code >= min}, else the run that starts at the first member (in score order) that is
     * {@code >= min} and ends before the first one that is {@code > max}; that costs a walk from
     * the start (or the end). Bigger sets seek to the range within the score of the first (or
     * last) member, O(log N + M), which is exact when all scores are equal.
     */
    record LexRange(LexBound min, LexBound max) implements Range {
        static LexRange parse(byte[] min, byte[] max) {
            return new LexRange(LexBound.parse(min), LexBound.parse(max));
        }

        @Override
        public boolean isEmpty() {
            int c = LexBound.compare(min, max);
            return c > 0 || (c == 0 && (min.exclusive() || max.exclusive()));
        }

        @Override
        public boolean gteMin(Entry e) {
            if (min.inf() != 0) {
                return min.inf() < 0;
            }
            int c = Arrays.compareUnsigned(e.member(), min.value());
            return min.exclusive() ? c > 0 : c >= 0;
        }

        @Override
        public boolean lteMax(Entry e) {
            if (max.inf() != 0) {
                return max.inf() > 0;
            }
            int c = Arrays.compareUnsigned(e.member(), max.value());
            return max.exclusive() ? c < 0 : c <= 0;
        }

        @Override
        public boolean overlaps(Kv kv, byte[] prefix, Meta m) {
            Entry first = edge(kv, prefix, m, false);
            return first != null && lteMax(first) && gteMin(edge(kv, prefix, m, true));
        }

        @Override
        public byte[] forwardFrom(Kv kv, byte[] prefix, Meta m) {
            Entry first = min.inf() == 0 && m.count > LEX_LINEAR_LIMIT ? edge(kv, prefix, m, false) : null;
            return first == null ? scoresStart(prefix, m) : scoreKey(prefix, first.score(), min.value());
        }

        @Override
        public byte[] reverseTo(Kv kv, byte[] prefix, Meta m) {
            Entry last = max.inf() == 0 && m.count > LEX_LINEAR_LIMIT ? edge(kv, prefix, m, true) : null;
            if (last == null) {
                return scoresEnd(prefix, m);
            }
            byte[] past = Arrays.copyOf(max.value(), max.value().length + 1); // just after max itself
            return scoreKey(prefix, last.score(), past);
        }
    }

    /** The first (or with {@code last} the last) entry in score order, null when empty. */
    private static Entry edge(Kv kv, byte[] prefix, Meta m, boolean last) {
        try (Kv.Cursor c = kv.scan(scoresStart(prefix, m), scoresEnd(prefix, m), last)) {
            return c.next() ? entryOf(prefix, c.key()) : null;
        }
    }

    private static final Pattern DECIMAL = Pattern.compile("([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final Pattern HEX = Pattern.compile("0[xX]([0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)([pP][+-]?[0-9]+)?");

    /**
     * C's strtod as zslParseRange uses it: leading white space, sign, decimal, hex, inf and
     * infinity are accepted, overflow gives an infinity, the empty string reads as 0; trailing
     * characters and NaN are refused (null).
     */
    static Double strtod(byte[] b) {
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (s.isEmpty()) {
            return 0.0;
        }
        int i = 0;
        while (i < s.length() && " \t\n\u000b\f\r".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        String body = s.substring(i);
        double v;
        String lower = body.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("inf") || lower.equals("infinity")) {
            v = Double.POSITIVE_INFINITY;
        } else if (DECIMAL.matcher(body).matches()) {
            v = Double.parseDouble(body);
        } else {
            java.util.regex.Matcher h = HEX.matcher(body);
            if (!h.matches()) {
                return null;
            }
            v = Double.parseDouble("0x" + h.group(1) + (h.group(2) == null ? "p0" : h.group(2)));
        }
        return neg ? -v : v;
    }

    /**
     * Walks the entries of {@code range} in score order (descending when {@code reverse}),
     * skipping the first {@code offset} (a negative offset yields nothing) and handing at most
     * {@code limit} (negative: all) to {@code visit}, which returns false to stop.
     */
    private static void walk(Kv kv, byte[] prefix, Meta m, Range range, boolean reverse, long offset,
                             long limit, Predicate<Entry> visit) {
        if (range.isEmpty() || offset < 0 || limit == 0 || !range.overlaps(kv, prefix, m)) {
            return;
        }
        byte[] from = reverse ? scoresStart(prefix, m) : range.forwardFrom(kv, prefix, m);
        byte[] to = reverse ? range.reverseTo(kv, prefix, m) : scoresEnd(prefix, m);
        // within the live bounds: never seek into the tombstones of earlier pops
        from = max(from, scoresStart(prefix, m));
        to = min(to, scoresEnd(prefix, m));
        if (Arrays.compareUnsigned(from, to) >= 0) {
            return;
        }
        boolean started = false;
        try (Kv.Cursor c = kv.scan(from, to, reverse)) {
            while (c.next()) {
                Entry e = entryOf(prefix, c.key());
                if (!started) {
                    if (!(reverse ? range.lteMax(e) : range.gteMin(e))) {
                        continue;
                    }
                    started = true;
                }
                if (!(reverse ? range.gteMin(e) : range.lteMax(e))) {
                    return;
                }
                if (offset > 0) {
                    offset--;
                    continue;
                }
                if (!visit.test(e) || --limit == 0) {
                    return;
                }
            }
        }
    }

    private static List<Entry> collect(Kv kv, byte[] prefix, Meta m, Range range, boolean reverse, long offset,
                                       long limit) {
        List<Entry> out = new ArrayList<>();
        walk(kv, prefix, m, range, reverse, offset, limit, out::add);
        return out;
    }

    /** Every entry in score order. O(N). */
    private static List<Entry> all(Kv kv, byte[] prefix, Meta m) {
        List<Entry> out = new ArrayList<>();
        try (Kv.Cursor c = kv.scan(scoresStart(prefix, m), scoresEnd(prefix, m))) {
            while (c.next()) {
                out.add(entryOf(prefix, c.key()));
            }
        }
        return out;
    }

    /**
     * Entries with ranks {@code start..end} (0 = lowest score, or highest when {@code reverse}),
     * in that order; both within {@code [0, count)}. Walks from whichever end is nearer: O(min(
     * start, count - end) + end - start).
     */
    private static List<Entry> byRank(Kv kv, byte[] prefix, Meta m, long start, long end, boolean reverse) {
        long count = m.count;
        long len = end - start + 1;
        List<Entry> out = new ArrayList<>();
        boolean fromFar = count - 1 - end < start;
        boolean scanReverse = reverse != fromFar;
        long skip = fromFar ? count - 1 - end : start;
        try (Kv.Cursor c = kv.scan(scoresStart(prefix, m), scoresEnd(prefix, m), scanReverse)) {
            while (out.size() < len && c.next()) {
                if (skip > 0) {
                    skip--;
                    continue;
                }
                out.add(entryOf(prefix, c.key()));
            }
        }
        if (fromFar) {
            Collections.reverse(out);
        }
        return out;
    }

    /**
     * Redis's rank sanitizing: negative indexes count from the end; returns {start, end} within
     * {@code [0, count)}, or null when the range is empty.
     */
    private static long[] rankRange(long start, long end, long count) {
        if (start < 0) {
            start = count + start;
        }
        if (end < 0) {
            end = count + end;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= count) {
            return null;
        }
        if (end >= count) {
            end = count - 1;
        }
        return new long[] {start, end};
    }

    private static Reply entriesReply(List<Entry> entries, boolean withScores) {
        List<Reply> items = new ArrayList<>(withScores ? entries.size() * 2 : entries.size());
        for (Entry e : entries) {
            items.add(new Reply.Bulk(e.member()));
            if (withScores) {
                items.add(new Reply.Dbl(e.score()));
            }
        }
        return withScores ? new Reply.Pairs(items) : new Reply.Arr(items);
    }

    // ---- ZADD / ZINCRBY / ZREM -----------------------------------------------------------------

    /**
     * ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]. Reply: the number
     * added (with CH: added or changed); with INCR the new score, or nil when not applied.
     */
    static Reply zadd(ExecContext ctx, byte[][] argv) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        boolean ch = false;
        boolean incr = false;
        int i = 2;
        for (; i < argv.length; i++) {
            byte[] a = argv[i];
            if (Args.is(a, "nx")) {
                nx = true;
            } else if (Args.is(a, "xx")) {
                xx = true;
            } else if (Args.is(a, "gt")) {
                gt = true;
            } else if (Args.is(a, "lt")) {
                lt = true;
            } else if (Args.is(a, "ch")) {
                ch = true;
            } else if (Args.is(a, "incr")) {
                incr = true;
            } else {
                break;
            }
        }
        int elements = argv.length - i;
        if (elements % 2 != 0 || elements == 0) {
            throw Errors.syntax();
        }
        elements /= 2;
        if (nx && xx) {
            throw new RedisException(XX_AND_NX);
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            throw new RedisException(GT_LT_NX);
        }
        if (incr && elements > 1) {
            throw new RedisException(INCR_SINGLE_PAIR);
        }
        double[] scores = new double[elements];
        byte[][] members = new byte[elements][];
        for (int j = 0; j < elements; j++) {
            scores[j] = Args.parseDouble(argv[i + 2 * j]);
            members[j] = argv[i + 2 * j + 1];
        }
        return addGeneric(ctx, argv[1], nx, xx, gt, lt, ch, incr, scores, members);
    }

    /** ZINCRBY key increment member: ZADD INCR. Reply: the new score. */
    static Reply zincrby(ExecContext ctx, byte[][] argv) {
        double inc = Args.parseDouble(argv[2]);
        return addGeneric(ctx, argv[1], false, false, false, false, false, true,
                new double[] {inc}, new byte[][] {argv[3]});
    }

    private static Reply addGeneric(ExecContext ctx, byte[] key, boolean nx, boolean xx, boolean gt, boolean lt,
                                    boolean ch, boolean incr, double[] scores, byte[][] members) {
        Meta m = zset(ctx, key);
        if (m == null && xx) {
            return incr ? Reply.NIL : Reply.ZERO;
        }
        boolean created = m == null;
        if (created) {
            m = ctx.keys().newCollection(TypeCode.ZSET);
        }
        byte[] prefix = ctx.keys().subPrefix(key, m);
        Kv kv = ctx.kv();
        if (incr && !created) {
            // the only way to a NaN score (+inf + -inf): refuse before writing anything
            Double cur = score(kv, prefix, members[0]);
            if (cur != null && !nx && Double.isNaN(cur + scores[0])) {
                throw new RedisException(NAN_RESULT);
            }
        }
        long added = 0;
        long updated = 0;
        long processed = 0;
        double last = 0;
        for (int j = 0; j < members.length; j++) {
            double score = scores[j];
            Double cur = score(kv, prefix, members[j]);
            if (cur != null) {
                if (nx) {
                    continue;
                }
                if (incr) {
                    score += cur;
                }
                if ((lt && score >= cur) || (gt && score <= cur)) {
                    continue;
                }
                if (score != cur) {
                    put(kv, prefix, m, members[j], cur, score);
                    updated++;
                }
            } else {
                if (xx) {
                    continue;
                }
                put(kv, prefix, m, members[j], null, score);
                added++;
            }
            processed++;
            last = score;
        }
        if (created) {
            ctx.keys().create(key, m);
        } else if (added + updated > 0) {
            ctx.keys().update(key, m);
        }
        if (incr) {
            return processed > 0 ? new Reply.Dbl(last) : Reply.NIL;
        }
        return Reply.integer(ch ? added + updated : added);
    }

    /** ZREM key member [member ...]. Reply: the number removed. */
    static Reply zrem(ExecContext ctx, byte[][] argv) {
        Meta m = zset(ctx, argv[1]);
        if (m == null) {
            return Reply.ZERO;
        }
        byte[] prefix = ctx.keys().subPrefix(argv[1], m);
        long removed = 0;
        for (int i = 2; i < argv.length; i++) {
            Double cur = score(ctx.kv(), prefix, argv[i]);
            if (cur != null) {
                remove(ctx.kv(), prefix, m, argv[i], cur);
                removed++;
            }
        }
        if (removed > 0) {
            ctx.keys().update(argv[1], m);
        }
        return Reply.integer(removed);
    }

    // ---- point reads ---------------------------------------------------------------------------

    static Reply zscore(ExecContext ctx, byte[][] argv) {
        Meta m = zset(ctx, argv[1]);
        Double s = m == null ? null : score(ctx.kv(), ctx.keys().subPrefix(argv[1], m), argv[2]);
        return s == null ? Reply.NIL : new Reply.Dbl(s);
    }

    /** ZMSCORE key member [member ...]: one score or nil per member. */
    static Reply zmscore(ExecContext ctx, byte[][] argv) {
        Meta m = zset(ctx, argv[1]);
        byte[] prefix = m == null ? null : ctx.keys().subPrefix(argv[1], m);
        List<Reply> out = new ArrayList<>(argv.length - 2);
        for (int i = 2; i < argv.length; i++) {
            Double s = m == null ? null : score(ctx.kv(), prefix, argv[i]);
            out.add(s == null ? Reply.NIL : new Reply.Dbl(s));
        }
        return new Reply.Arr(out);
    }

    static Reply zcard(ExecContext ctx, byte[][] argv) {
        Meta m = zset(ctx, argv[1]);
        return Reply.integer(m == null ? 0 : m.count);
    }

    /** ZCOUNT key min max: members with scores in the range. O(log N + M). */
    static Reply zcount(ExecContext ctx, byte[][] argv) {
        return countIn(ctx, argv[1], ScoreRange.parse(argv[2], argv[3]));
    }

    /** ZLEXCOUNT key min max. O(log N + M). */
    static Reply zlexcount(ExecContext ctx, byte[][] argv) {
        return countIn(ctx, argv[1], LexRange.parse(argv[2], argv[3]));
    }

    private static Reply countIn(ExecContext ctx, byte[] key, Range range) {
        Meta m = zset(ctx, key);
        if (m == null) {
            return Reply.ZERO;
        }
        long[] n = {0};
        walk(ctx.kv(), ctx.keys().subPrefix(key, m), m, range, false, 0, -1, e -> {
            n[0]++;
            return true;
        });
        return Reply.integer(n[0]);
    }

    /**
     * ZRANK / ZREVRANK key member: counts the members before it in score order (after it for
     * ZREVRANK). O(rank), where Redis is O(log N).
     */
    static Reply zrank(ExecContext ctx, byte[][] argv, boolean reverse) {
        Meta m = zset(ctx, argv[1]);
        if (m == null) {
            return Reply.NIL;
        }
        byte[] prefix = ctx.keys().subPrefix(argv[1], m);
        Double s = score(ctx.kv(), prefix, argv[2]);
        if (s == null) {
            return Reply.NIL;
        }
        byte[] self = scoreKey(prefix, s, argv[2]);
        byte[] from = reverse ? KeyCodec.subKey(self, new byte[] {0}) : scoresStart(prefix, m);
        byte[] to = reverse ? scoresEnd(prefix, m) : self;
        long n = 0;
        try (Kv.Cursor c = ctx.kv().scan(from, to)) {
            while (c.next()) {
                n++;
            }
        }
        return Reply.integer(n);
    }

    // ---- ZRANGE family -------------------------------------------------------------------------

    enum RangeType { AUTO, RANK, SCORE, LEX }

    /**
     * Redis's zrangeGenericCommand: ZRANGE and its variants, ZRANGESTORE when {@code dst} is
     * set. {@code srcIndex} is the argv index of the source key (min and max follow it);
     * {@code type} AUTO and {@code reverse} null mean the BYSCORE/BYLEX/REV options decide.
     */
    static Reply zrange(ExecContext ctx, byte[][] argv, int srcIndex, byte[] dst, RangeType type, Boolean reverse) {
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        boolean rev = false;
        for (int j = srcIndex + 3; j < argv.length; j++) {
            int left = argv.length - j - 1;
            byte[] a = argv[j];
            if (dst == null && Args.is(a, "withscores")) {
                withScores = true;
            } else if (Args.is(a, "limit") && left >= 2) {
                offset = Args.parseLong(argv[j + 1]);
                limit = Args.parseLong(argv[j + 2]);
                j += 2;
            } else if (reverse == null && !rev && Args.is(a, "rev")) {
                rev = true;
            } else if (type == RangeType.AUTO && Args.is(a, "bylex")) {
                type = RangeType.LEX;
            } else if (type == RangeType.AUTO && Args.is(a, "byscore")) {
                type = RangeType.SCORE;
            } else {
                throw Errors.syntax();
            }
        }
        if (reverse != null) {
            rev = reverse;
        }
        if (type == RangeType.AUTO) {
            type = RangeType.RANK;
        }
        // LIMIT with count -1 is indistinguishable from no LIMIT, as in Redis
        if (limit != -1 && type == RangeType.RANK) {
            throw new RedisException(LIMIT_NEEDS_BY);
        }
        if (withScores && type == RangeType.LEX) {
            throw new RedisException(WITHSCORES_BYLEX);
        }
        byte[] lo = argv[srcIndex + 1];
        byte[] hi = argv[srcIndex + 2];
        if (rev && type != RangeType.RANK) {
            byte[] tmp = lo;
            lo = hi;
            hi = tmp;
        }
        long start = 0;
        long end = 0;
        Range range = null;
        switch (type) {
            case SCORE -> range = ScoreRange.parse(lo, hi);
            case LEX -> range = LexRange.parse(lo, hi);
            default -> {
                start = Args.parseLong(lo);
                end = Args.parseLong(hi);
            }
        }
        byte[] key = argv[srcIndex];
        Meta m = zset(ctx, key);
        List<Entry> result;
        if (m == null) {
            result = List.of();
        } else {
            byte[] prefix = ctx.keys().subPrefix(key, m);
            if (range == null) {
                long[] r = rankRange(start, end, m.count);
                result = r == null ? List.of() : byRank(ctx.kv(), prefix, m, r[0], r[1], rev);
            } else if (offset > 0 && offset >= m.count) {
                result = List.of();
            } else {
                result = collect(ctx.kv(), prefix, m, range, rev, offset, limit);
            }
        }
        if (dst != null) {
            return Reply.integer(store(ctx, dst, result));
        }
        return entriesReply(result, withScores);
    }

    // ---- ZPOPMIN / ZPOPMAX ---------------------------------------------------------------------

    /**
     * ZPOPMIN / ZPOPMAX key [count]. Without count: [member, score] (flat in RESP3 too); with a
     * count: pairs.
     */
    static Reply zpop(ExecContext ctx, byte[][] argv, boolean max) {
        if (argv.length > 3) {
            throw Errors.syntax();
        }
        long count = -1;
        if (argv.length == 3) {
            count = Args.parseLong(argv[2], Errors.NOT_POSITIVE);
            if (count < 0) {
                throw new RedisException(Errors.NOT_POSITIVE);
            }
        }
        Meta m = zset(ctx, argv[1]);
        if (m == null || count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        byte[] prefix = ctx.keys().subPrefix(argv[1], m);
        long n = Math.min(count == -1 ? 1 : count, m.count);
        List<Entry> popped = byRank(ctx.kv(), prefix, m, 0, n - 1, max);
        for (Entry e : popped) {
            remove(ctx.kv(), prefix, m, e.member(), e.score());
        }
        List<Entry> ascending = new ArrayList<>(popped);
        if (max) {
            Collections.reverse(ascending);
        }
        narrowBounds(m, ascending, !max, max);
        ctx.keys().update(argv[1], m);
        if (count == -1) {
            Entry e = popped.get(0);
            return new Reply.Arr(List.of(new Reply.Bulk(e.member()), new Reply.Dbl(e.score())));
        }
        return entriesReply(popped, true);
    }

    // ---- ZREMRANGEBY* --------------------------------------------------------------------------

    /** ZREMRANGEBYRANK / BYSCORE / BYLEX key min max. Reply: the number removed. */
    static Reply zremrange(ExecContext ctx, byte[][] argv, RangeType type) {
        Range range = null;
        long start = 0;
        long end = 0;
        switch (type) {
            case SCORE -> range = ScoreRange.parse(argv[2], argv[3]);
            case LEX -> range = LexRange.parse(argv[2], argv[3]);
            default -> {
                start = Args.parseLong(argv[2]);
                end = Args.parseLong(argv[3]);
            }
        }
        Meta m = zset(ctx, argv[1]);
        if (m == null) {
            return Reply.ZERO;
        }
        byte[] prefix = ctx.keys().subPrefix(argv[1], m);
        List<Entry> doomed;
        boolean fromLow;
        boolean toHigh;
        if (range == null) {
            long[] r = rankRange(start, end, m.count);
            if (r == null) {
                return Reply.ZERO;
            }
            doomed = byRank(ctx.kv(), prefix, m, r[0], r[1], false);
            fromLow = r[0] == 0;
            toHigh = r[1] == m.count - 1;
        } else {
            doomed = collect(ctx.kv(), prefix, m, range, false, 0, -1);
            fromLow = !doomed.isEmpty() && sameEntry(doomed.get(0), edge(ctx.kv(), prefix, m, false));
            toHigh = !doomed.isEmpty() && sameEntry(doomed.get(doomed.size() - 1), edge(ctx.kv(), prefix, m, true));
        }
        for (Entry e : doomed) {
            remove(ctx.kv(), prefix, m, e.member(), e.score());
        }
        narrowBounds(m, doomed, fromLow, toHigh);
        if (!doomed.isEmpty()) {
            ctx.keys().update(argv[1], m);
        }
        return Reply.integer(doomed.size());
    }

    // ---- ZUNION / ZINTER / ZDIFF (STORE) and ZINTERCARD ------------------------------------------

    enum SetOp { UNION, INTER, DIFF }

    enum Aggregate { SUM, MIN, MAX }

    /** One input of a set operation: a sorted set, a plain set (every score 1), or absent. */
    private static final class Source {
        final Meta meta;
        final byte[] prefix;
        double weight = 1.0;

        Source(Meta meta, byte[] prefix) {
            this.meta = meta;
            this.prefix = prefix;
        }

        long size() {
            return meta == null ? 0 : meta.count;
        }

        /** The score of {@code member} in this input, or null. */
        Double find(Kv kv, byte[] member) {
            if (meta == null) {
                return null;
            }
            if (meta.type == TypeCode.SET) {
                return kv.get(KeyCodec.subKey(prefix, member)) == null ? null : 1.0;
            }
            return score(kv, prefix, member);
        }

        /** Visits every member with its score (unweighted). */
        void forEach(Kv kv, java.util.function.BiConsumer<byte[], Double> visit) {
            if (meta == null) {
                return;
            }
            if (meta.type == TypeCode.SET) {
                try (Kv.Cursor c = kv.scan(prefix, KeyCodec.prefixEnd(prefix))) {
                    while (c.next()) {
                        visit.accept(Arrays.copyOfRange(c.key(), prefix.length, c.key().length), 1.0);
                    }
                }
                return;
            }
            for (Entry e : all(kv, prefix, meta)) {
                visit.accept(e.member(), e.score());
            }
        }
    }

    /**
     * Redis's zunionInterAggregate, C comparisons included: a NaN {@code v} (ZINTER's weighted
     * scores are not cleaned of 0 * inf) leaves MIN and MAX unchanged and makes SUM 0.
     */
    private static double aggregate(Aggregate how, double acc, double v) {
        return switch (how) {
            case SUM -> {
                double s = acc + v;
                yield Double.isNaN(s) ? 0.0 : s; // +inf + -inf
            }
            case MIN -> v < acc ? v : acc;
            case MAX -> v > acc ? v : acc;
        };
    }

    private static double weighted(double weight, double score) {
        double s = weight * score;
        return Double.isNaN(s) ? 0.0 : s; // 0 * inf
    }

    /**
     * Redis's zunionInterDiffGenericCommand. Inputs may be sorted sets or sets. {@code dst} set:
     * the STORE form (reply: the size stored); {@code cardOnly}: ZINTERCARD.
     */
    static Reply setOp(ExecContext ctx, byte[][] argv, String name, int numkeysIndex, byte[] dst, SetOp op,
                       boolean cardOnly) {
        long setnum = Args.parseLong(argv[numkeysIndex]);
        if (setnum < 1) {
            throw new RedisException("ERR at least 1 input key is needed for '" + name + "' command");
        }
        if (setnum > argv.length - (numkeysIndex + 1)) {
            throw Errors.syntax();
        }
        int n = (int) setnum;
        List<Source> src = new ArrayList<>(n);
        int j = numkeysIndex + 1;
        for (int i = 0; i < n; i++, j++) {
            Meta m = ctx.keys().get(argv[j]);
            if (m != null && m.type != TypeCode.ZSET && m.type != TypeCode.SET) {
                throw Errors.wrongType();
            }
            src.add(new Source(m, m == null ? null : ctx.keys().subPrefix(argv[j], m)));
        }
        Aggregate how = Aggregate.SUM;
        boolean withScores = false;
        long limit = 0;
        while (j < argv.length) {
            int remaining = argv.length - j;
            byte[] a = argv[j];
            if (op != SetOp.DIFF && !cardOnly && remaining >= n + 1 && Args.is(a, "weights")) {
                j++;
                for (int i = 0; i < n; i++, j++) {
                    src.get(i).weight = Args.parseDouble(argv[j], WEIGHT_NOT_FLOAT);
                }
            } else if (op != SetOp.DIFF && !cardOnly && remaining >= 2 && Args.is(a, "aggregate")) {
                byte[] v = argv[j + 1];
                if (Args.is(v, "sum")) {
                    how = Aggregate.SUM;
                } else if (Args.is(v, "min")) {
                    how = Aggregate.MIN;
                } else if (Args.is(v, "max")) {
                    how = Aggregate.MAX;
                } else {
                    throw Errors.syntax();
                }
                j += 2;
            } else if (dst == null && !cardOnly && Args.is(a, "withscores")) {
                withScores = true;
                j++;
            } else if (cardOnly && remaining >= 2 && Args.is(a, "limit")) {
                limit = Args.parseLong(argv[j + 1], LIMIT_NEGATIVE);
                if (limit < 0) {
                    throw new RedisException(LIMIT_NEGATIVE);
                }
                j += 2;
            } else {
                throw Errors.syntax();
            }
        }

        Kv kv = ctx.kv();
        Map<byte[], Double> acc = new TreeMap<>(Arrays::compareUnsigned);
        if (op == SetOp.DIFF) {
            Source first = src.get(0);
            List<Source> others = src.subList(1, n);
            first.forEach(kv, (member, score) -> {
                for (Source o : others) {
                    if (o.find(kv, member) != null) {
                        return;
                    }
                }
                acc.put(member, score);
            });
        } else {
            // smallest input first, as Redis (it also fixes the order of the SUM additions)
            List<Source> sorted = new ArrayList<>(src);
            sorted.sort(Comparator.comparingLong(Source::size));
            if (op == SetOp.INTER) {
                if (sorted.get(0).size() > 0) {
                    long stopAt = limit;
                    Aggregate agg = how;
                    Source first = sorted.get(0);
                    List<Source> others = sorted.subList(1, n);
                    first.forEach(kv, (member, score) -> {
                        if (stopAt > 0 && acc.size() >= stopAt) {
                            return;
                        }
                        double s = weighted(first.weight, score);
                        for (Source o : others) {
                            Double v = o.find(kv, member);
                            if (v == null) {
                                return;
                            }
                            s = aggregate(agg, s, v * o.weight); // not cleaned of NaN, as Redis
                        }
                        acc.put(member, s);
                    });
                }
            } else {
                for (Source s : sorted) {
                    Aggregate agg = how;
                    s.forEach(kv, (member, score) -> {
                        double v = weighted(s.weight, score);
                        acc.merge(member, v, (x, y) -> aggregate(agg, x, y));
                    });
                }
            }
        }
        if (cardOnly) {
            return Reply.integer(acc.size());
        }
        List<Entry> result = new ArrayList<>(acc.size());
        for (Map.Entry<byte[], Double> e : acc.entrySet()) {
            result.add(new Entry(e.getKey(), e.getValue()));
        }
        if (dst != null) {
            return Reply.integer(store(ctx, dst, result));
        }
        // acc is in member order; a stable sort by score (-0.0 equal to 0.0, and replied as -0
        // as Redis does) leaves ties in member order
        result.sort(Comparator.comparingDouble(e -> stored(e.score())));
        return entriesReply(result, withScores);
    }

    // ---- ZRANDMEMBER ---------------------------------------------------------------------------

    /**
     * ZRANDMEMBER key [count [WITHSCORES]]. Randomness comes from ctx.random() only. A positive
     * count gives distinct members (all of them, in score order, when count >= ZCARD), a negative
     * one may repeat members. Loads the whole set: O(N).
     */
    static Reply zrandmember(ExecContext ctx, byte[][] argv) {
        if (argv.length == 2) {
            Meta m = zset(ctx, argv[1]);
            if (m == null) {
                return Reply.NIL;
            }
            List<Entry> es = all(ctx.kv(), ctx.keys().subPrefix(argv[1], m), m);
            return new Reply.Bulk(es.get(ctx.random().nextInt(es.size())).member());
        }
        long count = Args.parseLong(argv[2]);
        if (count == Long.MIN_VALUE) {
            throw new RedisException(COUNT_RANGE);
        }
        boolean withScores = false;
        if (argv.length > 4 || (argv.length == 4 && !Args.is(argv[3], "withscores"))) {
            throw Errors.syntax();
        } else if (argv.length == 4) {
            withScores = true;
            if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
                throw new RedisException(OUT_OF_RANGE);
            }
        }
        boolean distinct = count >= 0;
        count = Math.abs(count);
        Meta m = zset(ctx, argv[1]);
        if (m == null || count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        List<Entry> es = all(ctx.kv(), ctx.keys().subPrefix(argv[1], m), m);
        Random random = ctx.random();
        List<Entry> picked;
        if (!distinct || count == 1) {
            picked = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                picked.add(es.get(random.nextInt(es.size())));
            }
        } else if (count >= es.size()) {
            picked = es;
        } else {
            // partial Fisher-Yates: the first count slots become a uniform random subset
            List<Entry> pool = new ArrayList<>(es);
            for (int i = 0; i < count; i++) {
                Collections.swap(pool, i, i + random.nextInt(pool.size() - i));
            }
            picked = pool.subList(0, (int) count);
        }
        return entriesReply(picked, withScores);
    }

    // ---- ZSCAN ---------------------------------------------------------------------------------

    /**
     * ZSCAN key cursor [MATCH pattern] [COUNT count]: walks the member family in member byte
     * order with a {@link ScanCursor}; MATCH applies to members. Reply: [next cursor, [member,
     * score, ...]] with scores as bulk strings (%.17g), as Redis. As in Redis, the options are
     * not checked when the key does not exist.
     */
    static Reply zscan(ExecContext ctx, byte[][] argv) {
        long cursor = ScanCursor.parseCursor(argv[2]);
        Meta m = zset(ctx, argv[1]);
        if (m == null) {
            return new Reply.Arr(List.of(Reply.bulk("0"), Reply.EMPTY_ARRAY));
        }
        ScanCursor.Options o = ScanCursor.parseOptions(argv, 3, false);
        byte[] members = KeyCodec.subKey(ctx.keys().subPrefix(argv[1], m), TAG_MEMBER, new byte[0]);
        List<Reply> items = new ArrayList<>();
        long next = ScanCursor.walk(ctx.kv(), members, cursor, o.count, (member, value) -> {
            if (o.match == null || Glob.match(o.match, member)) {
                items.add(new Reply.Bulk(member));
                items.add(Reply.bulk(Doubles.g17(Double.longBitsToDouble(KeyCodec.getLong(value, 0)))));
            }
        });
        return new Reply.Arr(List.of(Reply.bulk(Long.toUnsignedString(next)), new Reply.Arr(items)));
    }
}
