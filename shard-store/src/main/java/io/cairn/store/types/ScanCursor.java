package io.cairn.store.types;

import java.util.Arrays;

/**
 * Resumable cursors for SCAN (per group) and HSCAN / SSCAN / ZSCAN, over any ordered range of
 * keys {@code prefix + suffix}.
 *
 * <p>Encoding (a positive decimal, as Redis clients expect): {@code 0} starts and, returned,
 * means done; otherwise {@code ((len + 1) << 56) | first len (<= 7) bytes of the next item's
 * suffix, left-aligned in 56 bits}. Resuming seeks to {@code prefix + those bytes}: an item may
 * come back twice (SCAN allows it), an item present for the whole scan is never missed. For SCAN
 * the suffix is {@code slot(2) + key}, so the cursor also says which slot comes next. A walk never
 * stops where the next cursor would not move forward, so every call makes progress. Any number
 * is accepted as a cursor (a made-up one just starts somewhere).
 */
public final class ScanCursor {
    static final int MAX_BYTES = 7;

    private ScanCursor() {
    }

    /** SCAN / HSCAN options after the cursor argument. */
    public static final class Options {
        public byte[] match;
        public long count = 10;
        /** SCAN TYPE filter, null = any. */
        public TypeCode type;
        /** True when TYPE named no known type (Redis then returns nothing). */
        public boolean unknownType;
    }

    /**
     * Parses the cursor argument as Redis 7.0 does with {@code strtoul}: optional sign, decimal
     * digits, empty = 0, a negative number wraps modulo 2^64; "ERR invalid cursor" for anything
     * else or beyond 2^64 - 1. The result is the unsigned value's bits.
     */
    public static long parseCursor(byte[] arg) {
        int i = 0;
        boolean neg = false;
        if (arg.length > 0 && (arg[0] == '+' || arg[0] == '-')) {
            neg = arg[0] == '-';
            i = 1;
        }
        if (arg.length - i > 20 || (arg.length > 0 && i == arg.length)) {
            throw new RedisException("ERR invalid cursor");
        }
        java.math.BigInteger v = java.math.BigInteger.ZERO;
        for (; i < arg.length; i++) {
            byte b = arg[i];
            if (b < '0' || b > '9') {
                throw new RedisException("ERR invalid cursor");
            }
            v = v.multiply(java.math.BigInteger.TEN).add(java.math.BigInteger.valueOf(b - '0'));
        }
        if (v.bitLength() > 64) {
            throw new RedisException("ERR invalid cursor");
        }
        long bits = v.longValue();
        return neg ? -bits : bits;
    }

    /** Parses {@code [MATCH pattern] [COUNT count]} and, when {@code allowType}, {@code [TYPE type]}. */
    public static Options parseOptions(byte[][] argv, int from, boolean allowType) {
        Options o = new Options();
        for (int i = from; i < argv.length; i += 2) {
            byte[] a = argv[i];
            if (i + 1 >= argv.length) {
                throw Errors.syntax();
            }
            if (Args.is(a, "count")) {
                o.count = Args.parseLong(argv[i + 1]);
                if (o.count < 1) {
                    throw Errors.syntax();
                }
            } else if (Args.is(a, "match")) {
                o.match = argv[i + 1];
                if (o.match.length == 1 && o.match[0] == '*') {
                    o.match = null;
                }
            } else if (allowType && Args.is(a, "type")) {
                o.type = null;
                o.unknownType = true;
                for (TypeCode t : TypeCode.values()) {
                    if (Args.is(argv[i + 1], t.redisName())) {
                        o.type = t;
                        o.unknownType = false;
                    }
                }
            } else {
                throw Errors.syntax();
            }
        }
        return o;
    }

    /** The seek bytes of a cursor (empty for 0). */
    public static byte[] resumeBytes(long cursor) {
        if (cursor <= 0) {
            return new byte[0];
        }
        int len = (int) (cursor >>> 56) - 1;
        if (len < 0 || len > MAX_BYTES) {
            len = MAX_BYTES;
        }
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (cursor >>> (48 - 8 * i));
        }
        return b;
    }

    /** The cursor that resumes at an item with this suffix. */
    public static long encode(byte[] suffix) {
        int len = Math.min(MAX_BYTES, suffix.length);
        long c = (long) (len + 1) << 56;
        for (int i = 0; i < len; i++) {
            c |= (long) (suffix[i] & 0xFF) << (48 - 8 * i);
        }
        return c;
    }

    /** Receives the items of a walk; the suffix is the key without the range prefix. */
    @FunctionalInterface
    public interface Visitor {
        void visit(byte[] suffix, byte[] value);
    }

    /**
     * Visits items of {@code prefix + *} from the cursor on, at least {@code count} of them when
     * that many remain, and returns the cursor to continue with (0 when the range is done).
     */
    public static long walk(Kv kv, byte[] prefix, long cursor, long count, Visitor visitor) {
        byte[] start = resumeBytes(cursor);
        byte[] from = KeyCodec.subKey(prefix, start);
        long seen = 0;
        try (Kv.Cursor c = kv.scan(from, KeyCodec.prefixEnd(prefix))) {
            while (c.next()) {
                byte[] suffix = Arrays.copyOfRange(c.key(), prefix.length, c.key().length);
                if (seen >= count) {
                    long next = encode(suffix);
                    if (Arrays.compareUnsigned(resumeBytes(next), start) > 0) {
                        return next;
                    }
                }
                visitor.visit(suffix, c.value());
                seen++;
            }
        }
        return 0;
    }
}
