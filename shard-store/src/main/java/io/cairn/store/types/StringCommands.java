package io.cairn.store.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * Strings: GET, SET and the rest of Redis 7.0's string commands. A string is a {@link Meta}
 * record holding the value bytes; commands that modify a value in place (APPEND, SETRANGE,
 * INCR...) keep its expiry, commands that replace it (SET, GETSET, MSET) drop it unless told.
 */
final class StringCommands {
    /** Redis's default proto-max-bulk-len: the largest string APPEND/SETRANGE may build (bytes). */
    static final long MAX_STRING_LENGTH = 512L * 1024 * 1024;
    static final String OFFSET_OUT_OF_RANGE = "ERR offset is out of range";
    static final String DECREMENT_OVERFLOW = "ERR decrement would overflow";

    private static final byte[] EMPTY = new byte[0];

    private StringCommands() {
    }

    static void register(CommandTable.Builder t) {
        EnumSet<CommandFlag> readFast = EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST);
        EnumSet<CommandFlag> writeOom = EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM);
        EnumSet<CommandFlag> writeOomFast = EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST);
        EnumSet<CommandFlag> writeFast = EnumSet.of(CommandFlag.WRITE, CommandFlag.FAST);
        t.add("get", 2, readFast, 1, 1, 1, StringCommands::get);
        t.add("set", -3, writeOom, 1, 1, 1, StringCommands::set);
        t.add("setnx", 3, writeOomFast, 1, 1, 1, StringCommands::setnx);
        t.add("setex", 4, writeOom, 1, 1, 1, (c, a) -> setex(c, a, "setex", "ex"));
        t.add("psetex", 4, writeOom, 1, 1, 1, (c, a) -> setex(c, a, "psetex", "px"));
        t.add("getset", 3, writeOomFast, 1, 1, 1, StringCommands::getset);
        t.add("getdel", 2, writeFast, 1, 1, 1, StringCommands::getdel);
        // GETEX only writes when it changes the TTL, but the store replicates every call
        t.add("getex", -2, writeFast, 1, 1, 1, StringCommands::getex);
        t.add("mget", -2, readFast, 1, -1, 1, StringCommands::mget);
        t.add("mset", -3, writeOom, 1, -1, 2, StringCommands::mset);
        t.add("msetnx", -3, writeOom, 1, -1, 2, StringCommands::msetnx);
        t.add("append", 3, writeOomFast, 1, 1, 1, StringCommands::append);
        t.add("strlen", 2, readFast, 1, 1, 1, StringCommands::strlen);
        t.add("incr", 2, writeOomFast, 1, 1, 1, (c, a) -> incrBy(c, a[1], 1));
        t.add("decr", 2, writeOomFast, 1, 1, 1, (c, a) -> incrBy(c, a[1], -1));
        t.add("incrby", 3, writeOomFast, 1, 1, 1, (c, a) -> incrBy(c, a[1], Args.parseLong(a[2])));
        t.add("decrby", 3, writeOomFast, 1, 1, 1, StringCommands::decrby);
        t.add("incrbyfloat", 3, writeOomFast, 1, 1, 1, StringCommands::incrbyfloat);
        t.add("getrange", 4, EnumSet.of(CommandFlag.READONLY), 1, 1, 1, StringCommands::getrange);
        t.add("substr", 4, EnumSet.of(CommandFlag.READONLY), 1, 1, 1, StringCommands::getrange);
        t.add("setrange", 4, writeOom, 1, 1, 1, StringCommands::setrange);
    }

    /** The value of a live string key, null when absent; WRONGTYPE for other types. */
    static byte[] value(ExecContext ctx, byte[] key) {
        Meta m = ctx.keys().get(key, TypeCode.STRING);
        return m == null ? null : m.value;
    }

    static Reply get(ExecContext ctx, byte[][] argv) {
        return Reply.bulk(value(ctx, argv[1]));
    }

    /**
     * SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL]. As in Redis, a
     * repeated option is accepted (the last expiry wins) and the expiry value is checked only
     * once every option has parsed (a syntax error wins over a bad number).
     */
    static Reply set(ExecContext ctx, byte[][] argv) {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        String unit = null;
        byte[] expireArg = null;
        for (int i = 3; i < argv.length; i++) {
            byte[] a = argv[i];
            boolean hasNext = i + 1 < argv.length;
            if (Args.is(a, "nx") && !xx) {
                nx = true;
            } else if (Args.is(a, "xx") && !nx) {
                xx = true;
            } else if (Args.is(a, "get")) {
                get = true;
            } else if (Args.is(a, "keepttl") && unit == null) {
                keepTtl = true;
            } else if (expiryOption(a) != null && (unit == null || unit.equals(expiryOption(a)))
                    && !keepTtl && hasNext) {
                unit = expiryOption(a);
                expireArg = argv[++i];
            } else {
                throw Errors.syntax();
            }
        }
        long expireAt = unit == null ? 0 : absoluteExpire(ctx, "set", unit, Args.parseLong(expireArg));
        byte[] key = argv[1];
        Meta raw = ctx.keys().getRaw(key);
        Meta old = ctx.keys().live(raw);
        if (get && old != null && old.type != TypeCode.STRING) {
            throw Errors.wrongType();
        }
        Reply previous = get ? Reply.bulk(old == null ? null : old.value) : null;
        if ((nx && old != null) || (xx && old == null)) {
            return get ? previous : Reply.NIL;
        }
        if (keepTtl && old != null) {
            expireAt = old.expireAt;
        }
        ctx.keys().replace(key, Meta.string(argv[2], expireAt), raw);
        return get ? previous : Reply.OK;
    }

    /** The lower-case name of an EX/PX/EXAT/PXAT option, or null for any other argument. */
    private static String expiryOption(byte[] a) {
        for (String u : new String[] {"ex", "px", "exat", "pxat"}) {
            if (Args.is(a, u)) {
                return u;
            }
        }
        return null;
    }

    /**
     * Turns an EX/PX/EXAT/PXAT argument into absolute milliseconds since the epoch, with Redis's
     * checks: the argument must be positive and the result must not overflow.
     */
    static long absoluteExpire(ExecContext ctx, String command, String unit, long v) {
        if (v <= 0) {
            throw Errors.invalidExpire(command);
        }
        long ms;
        switch (unit) {
            case "ex":
            case "exat":
                if (v > Long.MAX_VALUE / 1000) {
                    throw Errors.invalidExpire(command);
                }
                ms = v * 1000;
                break;
            default:
                ms = v;
        }
        if (unit.equals("ex") || unit.equals("px")) {
            if (ms > Long.MAX_VALUE - ctx.now()) {
                throw Errors.invalidExpire(command);
            }
            ms += ctx.now();
        }
        return ms;
    }

    /** SETNX key value: 1 when set, 0 when the key exists (of any type). */
    static Reply setnx(ExecContext ctx, byte[][] argv) {
        if (ctx.keys().exists(argv[1])) {
            return Reply.ZERO;
        }
        ctx.keys().create(argv[1], Meta.string(argv[2], 0));
        return Reply.ONE;
    }

    /** SETEX key seconds value / PSETEX key milliseconds value. */
    static Reply setex(ExecContext ctx, byte[][] argv, String command, String unit) {
        long expireAt = absoluteExpire(ctx, command, unit, Args.parseLong(argv[2]));
        ctx.keys().create(argv[1], Meta.string(argv[3], expireAt));
        return Reply.OK;
    }

    /** GETSET key value: the old value (nil when absent); the new value has no expiry. */
    static Reply getset(ExecContext ctx, byte[][] argv) {
        byte[] old = value(ctx, argv[1]);
        ctx.keys().create(argv[1], Meta.string(argv[2], 0));
        return Reply.bulk(old);
    }

    static Reply getdel(ExecContext ctx, byte[][] argv) {
        byte[] old = value(ctx, argv[1]);
        if (old != null) {
            ctx.keys().delete(argv[1]);
        }
        return Reply.bulk(old);
    }

    /**
     * GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST]. Order of checks as Redis: syntax,
     * then a missing key (nil, whatever the expiry value), the type, then the expiry value. An
     * EXAT/PXAT time not after now deletes the key (the value is still returned).
     */
    static Reply getex(ExecContext ctx, byte[][] argv) {
        String unit = null;
        byte[] expireArg = null;
        boolean persist = false;
        for (int i = 2; i < argv.length; i++) {
            byte[] a = argv[i];
            String u = expiryOption(a);
            if (Args.is(a, "persist") && unit == null) {
                persist = true;
            } else if (u != null && (unit == null || unit.equals(u)) && !persist && i + 1 < argv.length) {
                unit = u;
                expireArg = argv[++i];
            } else {
                throw Errors.syntax();
            }
        }
        byte[] key = argv[1];
        Meta m = ctx.keys().get(key, TypeCode.STRING);
        if (m == null) {
            return Reply.NIL;
        }
        Reply reply = Reply.bulk(m.value);
        if (unit != null) {
            long expireAt = absoluteExpire(ctx, "getex", unit, Args.parseLong(expireArg));
            if ((unit.equals("exat") || unit.equals("pxat")) && expireAt <= ctx.now()) {
                ctx.keys().delete(key);
            } else {
                ctx.keys().setExpire(key, m, expireAt);
            }
        } else if (persist && m.expireAt != 0) {
            ctx.keys().setExpire(key, m, 0);
        }
        return reply;
    }

    /** MGET key...: one item per key, nil for absent keys and keys of other types. */
    static Reply mget(ExecContext ctx, byte[][] argv) {
        List<Reply> out = new ArrayList<>(argv.length - 1);
        for (int i = 1; i < argv.length; i++) {
            Meta m = ctx.keys().get(argv[i]);
            out.add(m == null || m.type != TypeCode.STRING ? Reply.NIL : new Reply.Bulk(m.value));
        }
        return Reply.array(out);
    }

    static Reply mset(ExecContext ctx, byte[][] argv) {
        if (argv.length % 2 == 0) {
            throw Errors.wrongArity("mset");
        }
        for (int i = 1; i < argv.length; i += 2) {
            ctx.keys().create(argv[i], Meta.string(argv[i + 1], 0));
        }
        return Reply.OK;
    }

    /** MSETNX: sets every pair (1) only when none of the keys exists, else nothing (0). */
    static Reply msetnx(ExecContext ctx, byte[][] argv) {
        if (argv.length % 2 == 0) {
            throw Errors.wrongArity("msetnx");
        }
        for (int i = 1; i < argv.length; i += 2) {
            if (ctx.keys().exists(argv[i])) {
                return Reply.ZERO;
            }
        }
        for (int i = 1; i < argv.length; i += 2) {
            ctx.keys().create(argv[i], Meta.string(argv[i + 1], 0));
        }
        return Reply.ONE;
    }

    /** APPEND key value: the new length in bytes; keeps the expiry. */
    static Reply append(ExecContext ctx, byte[][] argv) {
        byte[] key = argv[1];
        byte[] tail = argv[2];
        Meta m = ctx.keys().get(key, TypeCode.STRING);
        if (m == null) {
            ctx.keys().create(key, Meta.string(tail, 0));
            return Reply.integer(tail.length);
        }
        checkLength(m.value.length, tail.length);
        byte[] v = Arrays.copyOf(m.value, m.value.length + tail.length);
        System.arraycopy(tail, 0, v, m.value.length, tail.length);
        m.value = v;
        ctx.keys().update(key, m);
        return Reply.integer(v.length);
    }

    /** Redis's checkStringLength: {@code size + append} bytes must fit proto-max-bulk-len. */
    private static void checkLength(long size, long append) {
        long total = size + append;
        if (total > MAX_STRING_LENGTH || total < 0) {
            throw new RedisException(Errors.STRING_TOO_LONG);
        }
    }

    static Reply strlen(ExecContext ctx, byte[][] argv) {
        byte[] v = value(ctx, argv[1]);
        return Reply.integer(v == null ? 0 : v.length);
    }

    static Reply decrby(ExecContext ctx, byte[][] argv) {
        long by = Args.parseLong(argv[2]);
        if (by == Long.MIN_VALUE) {
            throw new RedisException(DECREMENT_OVERFLOW);
        }
        return incrBy(ctx, argv[1], -by);
    }

    /**
     * INCR/DECR/INCRBY/DECRBY: the value must be a strict 64-bit decimal integer (no spaces, no
     * leading zeros); an absent key counts as 0; the expiry is kept.
     */
    static Reply incrBy(ExecContext ctx, byte[] key, long by) {
        Meta m = ctx.keys().get(key, TypeCode.STRING);
        long old = m == null ? 0 : Args.parseLong(m.value);
        if ((by < 0 && old < 0 && by < Long.MIN_VALUE - old) || (by > 0 && old > 0 && by > Long.MAX_VALUE - old)) {
            throw new RedisException(Errors.OVERFLOW);
        }
        long v = old + by;
        storeValue(ctx, key, m, Args.bytes(v));
        return Reply.integer(v);
    }

    /** Writes {@code value} as the new value of the string {@code m} (null = create), keeping its expiry. */
    private static void storeValue(ExecContext ctx, byte[] key, Meta m, byte[] value) {
        if (m == null) {
            ctx.keys().create(key, Meta.string(value, 0));
        } else {
            m.value = value;
            ctx.keys().update(key, m);
        }
    }

    /**
     * INCRBYFLOAT key increment: both operands parse as Redis's {@code string2ld} (hex and
     * long-double range included), are added as x87 long doubles and printed {@code %.17Lf}
     * trimmed ({@link LongDouble}); the result is stored as that text and the expiry is kept.
     */
    static Reply incrbyfloat(ExecContext ctx, byte[][] argv) {
        byte[] key = argv[1];
        Meta m = ctx.keys().get(key, TypeCode.STRING);
        LongDouble.Value cur = m == null ? LongDouble.parse(new byte[] {'0'}) : LongDouble.parse(m.value);
        LongDouble.Value incr = LongDouble.parse(argv[2]);
        if (cur == null || incr == null) {
            throw Errors.notFloat();
        }
        byte[] v = Args.bytes(LongDouble.addHuman(cur, incr));
        storeValue(ctx, key, m, v);
        return new Reply.Bulk(v);
    }

    /** GETRANGE/SUBSTR key start end: inclusive byte range, negative indexes from the end. */
    static Reply getrange(ExecContext ctx, byte[][] argv) {
        long start = Args.parseLong(argv[2]);
        long end = Args.parseLong(argv[3]);
        byte[] v = value(ctx, argv[1]);
        if (v == null) {
            return new Reply.Bulk(EMPTY);
        }
        long len = v.length;
        if (start < 0 && end < 0 && start > end) {
            return new Reply.Bulk(EMPTY);
        }
        if (start < 0) {
            start = len + start;
        }
        if (end < 0) {
            end = len + end;
        }
        start = Math.max(0, start);
        end = Math.max(0, end);
        if (end >= len) {
            end = len - 1;
        }
        if (start > end || len == 0) {
            return new Reply.Bulk(EMPTY);
        }
        return new Reply.Bulk(Arrays.copyOfRange(v, (int) start, (int) end + 1));
    }

    /**
     * SETRANGE key offset value: overwrites from byte {@code offset}, zero-padding as needed; the
     * new length. An empty value changes nothing (and creates no key).
     */
    static Reply setrange(ExecContext ctx, byte[][] argv) {
        long offset = Args.parseLong(argv[2]);
        if (offset < 0) {
            throw new RedisException(OFFSET_OUT_OF_RANGE);
        }
        byte[] key = argv[1];
        byte[] part = argv[3];
        Meta m = ctx.keys().get(key, TypeCode.STRING);
        int oldLen = m == null ? 0 : m.value.length;
        if (part.length == 0) {
            return Reply.integer(oldLen);
        }
        checkLength(offset, part.length);
        byte[] v = Arrays.copyOf(m == null ? EMPTY : m.value, (int) Math.max(oldLen, offset + part.length));
        System.arraycopy(part, 0, v, (int) offset, part.length);
        storeValue(ctx, key, m, v);
        return Reply.integer(v.length);
    }
}
