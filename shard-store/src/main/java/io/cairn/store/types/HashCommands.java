package io.cairn.store.types;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Hashes: HSET, HSETNX, HGET, HMSET, HMGET, HDEL, HLEN, HEXISTS, HGETALL, HKEYS, HVALS, HINCRBY,
 * HINCRBYFLOAT, HSTRLEN, HRANDFIELD, HSCAN, with Redis 7.0's replies, error texts and argument
 * order.
 *
 * <p>Layout: field {@code f} of a hash lives at sub-key {@code subPrefix + f} with the value as
 * the RocksDB value; the record's {@code count} is the number of fields. Point operations are one
 * read and one write per field; HGETALL/HKEYS/HVALS one range scan; HRANDFIELD one range scan up
 * to the last picked position (O(N) reads, O(picks) memory).
 */
final class HashCommands {
    static final String VALUE_NAN_OR_INF = "ERR value is NaN or Infinity";
    static final String VALUE_OUT_OF_RANGE = "ERR value is out of range";
    /** An absent field counts as 0 for HINCRBY / HINCRBYFLOAT. */
    private static final byte[] ZERO_TEXT = {'0'};

    private HashCommands() {
    }

    static void register(CommandTable.Builder t) {
        EnumSet<CommandFlag> setFlags = EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST);
        EnumSet<CommandFlag> fastRead = EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST);
        EnumSet<CommandFlag> read = EnumSet.of(CommandFlag.READONLY);
        t.add("hset", -4, setFlags, 1, 1, 1, (c, a) -> hset(c, a, false));
        t.add("hmset", -4, setFlags, 1, 1, 1, (c, a) -> hset(c, a, true));
        t.add("hsetnx", 4, setFlags, 1, 1, 1, HashCommands::hsetnx);
        t.add("hget", 3, fastRead, 1, 1, 1, HashCommands::hget);
        t.add("hmget", -3, fastRead, 1, 1, 1, HashCommands::hmget);
        t.add("hdel", -3, EnumSet.of(CommandFlag.WRITE, CommandFlag.FAST), 1, 1, 1, HashCommands::hdel);
        t.add("hlen", 2, fastRead, 1, 1, 1, HashCommands::hlen);
        t.add("hexists", 3, fastRead, 1, 1, 1, HashCommands::hexists);
        t.add("hstrlen", 3, fastRead, 1, 1, 1, HashCommands::hstrlen);
        t.add("hgetall", 2, read, 1, 1, 1, (c, a) -> hgetall(c, a, true, true));
        t.add("hkeys", 2, read, 1, 1, 1, (c, a) -> hgetall(c, a, true, false));
        t.add("hvals", 2, read, 1, 1, 1, (c, a) -> hgetall(c, a, false, true));
        t.add("hincrby", 4, setFlags, 1, 1, 1, HashCommands::hincrby);
        t.add("hincrbyfloat", 4, setFlags, 1, 1, 1, HashCommands::hincrbyfloat);
        t.add("hrandfield", -2, EnumSet.of(CommandFlag.READONLY, CommandFlag.RANDOM), 1, 1, 1,
                HashCommands::hrandfield);
        t.add("hscan", -3, read, 1, 1, 1, HashCommands::hscan);
    }

    private static Meta hash(ExecContext ctx, byte[] key) {
        return ctx.keys().get(key, TypeCode.HASH);
    }

    /** The value of {@code field}, or null when the hash or the field is absent. */
    private static byte[] field(ExecContext ctx, byte[] key, Meta m, byte[] field) {
        return m == null ? null : ctx.kv().get(KeyCodec.subKey(ctx.keys().subPrefix(key, m), field));
    }

    /**
     * Sets {@code field} of the hash {@code m} (modified in place, not written back) and returns
     * whether the field is new.
     */
    private static boolean put(ExecContext ctx, byte[] prefix, Meta m, byte[] field, byte[] value) {
        byte[] sub = KeyCodec.subKey(prefix, field);
        boolean added = ctx.kv().get(sub) == null;
        ctx.kv().put(sub, value);
        if (added) {
            m.count++;
        }
        return added;
    }

    /** {@code old} when the hash exists, else a new empty one (not yet written: see {@link #save}). */
    private static Meta orNew(ExecContext ctx, Meta old) {
        return old != null ? old : ctx.keys().newCollection(TypeCode.HASH);
    }

    /** Writes the record back: {@code create} for a hash that did not exist, else {@code update}. */
    private static void save(ExecContext ctx, byte[] key, Meta m, boolean existed) {
        if (existed) {
            ctx.keys().update(key, m);
        } else {
            ctx.keys().create(key, m);
        }
    }

    /** HSET key field value [field value ...] (reply: fields added); HMSET replies OK. */
    static Reply hset(ExecContext ctx, byte[][] argv, boolean hmset) {
        if (argv.length % 2 != 0) {
            throw Errors.wrongArity(hmset ? "hmset" : "hset");
        }
        byte[] key = argv[1];
        Meta old = hash(ctx, key);
        Meta m = orNew(ctx, old);
        byte[] prefix = ctx.keys().subPrefix(key, m);
        long added = 0;
        for (int i = 2; i < argv.length; i += 2) {
            if (put(ctx, prefix, m, argv[i], argv[i + 1])) {
                added++;
            }
        }
        save(ctx, key, m, old != null);
        return hmset ? Reply.OK : Reply.integer(added);
    }

    static Reply hsetnx(ExecContext ctx, byte[][] argv) {
        byte[] key = argv[1];
        Meta old = hash(ctx, key);
        if (field(ctx, key, old, argv[2]) != null) {
            return Reply.ZERO;
        }
        Meta m = orNew(ctx, old);
        put(ctx, ctx.keys().subPrefix(key, m), m, argv[2], argv[3]);
        save(ctx, key, m, old != null);
        return Reply.ONE;
    }

    static Reply hget(ExecContext ctx, byte[][] argv) {
        return Reply.bulk(field(ctx, argv[1], hash(ctx, argv[1]), argv[2]));
    }

    static Reply hmget(ExecContext ctx, byte[][] argv) {
        Meta m = hash(ctx, argv[1]);
        List<Reply> out = new ArrayList<>(argv.length - 2);
        for (int i = 2; i < argv.length; i++) {
            out.add(Reply.bulk(field(ctx, argv[1], m, argv[i])));
        }
        return Reply.array(out);
    }

    static Reply hdel(ExecContext ctx, byte[][] argv) {
        byte[] key = argv[1];
        Meta m = hash(ctx, key);
        if (m == null) {
            return Reply.ZERO;
        }
        byte[] prefix = ctx.keys().subPrefix(key, m);
        long deleted = 0;
        for (int i = 2; i < argv.length; i++) {
            byte[] sub = KeyCodec.subKey(prefix, argv[i]);
            if (ctx.kv().get(sub) != null) {
                ctx.kv().delete(sub);
                deleted++;
            }
        }
        if (deleted > 0) {
            m.count -= deleted;
            ctx.keys().update(key, m);
        }
        return Reply.integer(deleted);
    }

    static Reply hlen(ExecContext ctx, byte[][] argv) {
        Meta m = hash(ctx, argv[1]);
        return Reply.integer(m == null ? 0 : m.count);
    }

    static Reply hexists(ExecContext ctx, byte[][] argv) {
        return field(ctx, argv[1], hash(ctx, argv[1]), argv[2]) != null ? Reply.ONE : Reply.ZERO;
    }

    static Reply hstrlen(ExecContext ctx, byte[][] argv) {
        byte[] v = field(ctx, argv[1], hash(ctx, argv[1]), argv[2]);
        return Reply.integer(v == null ? 0 : v.length);
    }

    /** HGETALL (map of fields to values), HKEYS, HVALS: in field byte order. */
    static Reply hgetall(ExecContext ctx, byte[][] argv, boolean fields, boolean values) {
        Meta m = hash(ctx, argv[1]);
        List<Reply> out = new ArrayList<>();
        if (m != null) {
            byte[] prefix = ctx.keys().subPrefix(argv[1], m);
            for (byte[][] fv : SetCommands.scanAll(ctx, prefix)) {
                if (fields) {
                    out.add(new Reply.Bulk(fv[0]));
                }
                if (values) {
                    out.add(new Reply.Bulk(fv[1]));
                }
            }
        }
        return fields && values ? new Reply.MapReply(out) : Reply.array(out);
    }

    /** HINCRBY key field increment: the field is a strict 64-bit integer; overflow is an error. */
    static Reply hincrby(ExecContext ctx, byte[][] argv) {
        long incr = Args.parseLong(argv[3]);
        byte[] key = argv[1];
        Meta old = hash(ctx, key);
        byte[] current = field(ctx, key, old, argv[2]);
        long value = 0;
        if (current != null) {
            if (!Args.isStrictLong(current)) {
                throw new RedisException(Errors.HASH_NOT_INTEGER);
            }
            value = Args.parseLong(current);
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
                || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            throw new RedisException(Errors.OVERFLOW);
        }
        value += incr;
        Meta m = orNew(ctx, old);
        put(ctx, ctx.keys().subPrefix(key, m), m, argv[2], Args.bytes(value));
        save(ctx, key, m, old != null);
        return Reply.integer(value);
    }

    /**
     * HINCRBYFLOAT key field increment: as Redis's {@code string2ld} both operands may be decimal
     * or hexadecimal within long-double range; they are added as x87 long doubles and the sum is
     * stored (and replied) as {@code %.17Lf} without trailing zeros ({@link LongDouble}). Checks
     * in Redis's order: increment, its finiteness, key type, current value.
     */
    static Reply hincrbyfloat(ExecContext ctx, byte[][] argv) {
        LongDouble.Value incr = LongDouble.parse(argv[3]);
        if (incr == null) {
            throw Errors.notFloat();
        }
        if (incr.isInfinite()) {
            throw new RedisException(VALUE_NAN_OR_INF);
        }
        byte[] key = argv[1];
        Meta old = hash(ctx, key);
        byte[] current = field(ctx, key, old, argv[2]);
        LongDouble.Value value = LongDouble.parse(current != null ? current : ZERO_TEXT);
        if (value == null) {
            throw new RedisException(Errors.HASH_NOT_FLOAT);
        }
        byte[] result = Args.bytes(LongDouble.addHuman(value, incr));
        Meta m = orNew(ctx, old);
        put(ctx, ctx.keys().subPrefix(key, m), m, argv[2], result);
        save(ctx, key, m, old != null);
        return new Reply.Bulk(result);
    }

    /**
     * HRANDFIELD key [count [WITHVALUES]]: without count one random field (nil when absent); a
     * positive count gives that many distinct fields (all of them when the hash is smaller), a
     * negative count |count| fields that may repeat. Picks come from {@code ctx.random()}.
     */
    static Reply hrandfield(ExecContext ctx, byte[][] argv) {
        byte[] key = argv[1];
        if (argv.length == 2) {
            Meta m = hash(ctx, key);
            if (m == null) {
                return Reply.NIL;
            }
            long[] at = {ctx.random().nextLong(m.count)};
            Map<Long, byte[][]> got = SetCommands.atPositions(ctx, ctx.keys().subPrefix(key, m), at);
            return new Reply.Bulk(got.get(at[0])[0]);
        }
        long count = SetCommands.parseRandomCount(argv[2]);
        boolean withValues = false;
        if (argv.length > 4 || (argv.length == 4 && !Args.is(argv[3], "withvalues"))) {
            throw Errors.syntax();
        }
        if (argv.length == 4) {
            withValues = true;
            if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
                throw new RedisException(VALUE_OUT_OF_RANGE);
            }
        }
        Meta m = hash(ctx, key);
        if (m == null || count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        SetCommands.checkRandomReplySize(count);
        List<byte[][]> picked = SetCommands.randomMembers(ctx, ctx.keys().subPrefix(key, m), m.count, count);
        List<Reply> out = new ArrayList<>(picked.size() * (withValues ? 2 : 1));
        for (byte[][] fv : picked) {
            out.add(new Reply.Bulk(fv[0]));
            if (withValues) {
                out.add(new Reply.Bulk(fv[1]));
            }
        }
        return withValues ? new Reply.Pairs(out) : Reply.array(out);
    }

    /** HSCAN key cursor [MATCH pattern] [COUNT count]: reply [next cursor, [field, value, ...]]. */
    static Reply hscan(ExecContext ctx, byte[][] argv) {
        return SetCommands.scan(ctx, argv, TypeCode.HASH, true);
    }
}
