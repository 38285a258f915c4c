package io.cairn.store.data;

/** Strings: GET, SET and the rest of Redis's string commands. */
final class StringCommands {
    private StringCommands() {
    }

    static void register(CommandTable.Builder t) {
        t.read("get", 2, StringCommands::get);
        t.write("set", -3, StringCommands::set);
    }

    /** The value of a live string key, null when absent; WRONGTYPE for other types. */
    static byte[] value(ExecContext ctx, byte[] key) {
        Meta m = ctx.keys().get(key, TypeCode.STRING);
        return m == null ? null : m.value;
    }

    static Reply get(ExecContext ctx, byte[][] argv) {
        return Reply.bulk(value(ctx, argv[1]));
    }

    /** SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL]. */
    static Reply set(ExecContext ctx, byte[][] argv) {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        String unit = null;
        long expireArg = 0;
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
            } else if ((Args.is(a, "ex") || Args.is(a, "px") || Args.is(a, "exat") || Args.is(a, "pxat"))
                    && unit == null && !keepTtl && hasNext) {
                unit = Args.str(a).toLowerCase(java.util.Locale.ROOT);
                expireArg = Args.parseLong(argv[++i]);
            } else {
                throw Errors.syntax();
            }
        }
        long expireAt = 0;
        if (unit != null) {
            expireAt = absoluteExpire(ctx, "set", unit, expireArg);
        }
        byte[] key = argv[1];
        Meta old = ctx.keys().get(key);
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
        ctx.keys().create(key, Meta.string(argv[2], expireAt));
        return get ? previous : Reply.OK;
    }

    /**
     * Turns an EX/PX/EXAT/PXAT argument into absolute milliseconds, with Redis's checks: the
     * argument must be positive and must not overflow.
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
}
