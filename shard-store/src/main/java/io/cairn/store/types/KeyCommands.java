package io.cairn.store.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Generic key commands of Redis 7.0: DEL, EXISTS, TYPE, the expiry commands, RENAME, COPY, the
 * keyspace iteration commands and FLUSHALL. Multi-key commands act on keys of this group only
 * (the gateway splits them by slot); keyless commands act on the whole group.
 */
final class KeyCommands {
    static final String EXPIRE_NX_INCOMPATIBLE = "ERR NX and XX, GT or LT options at the same time are not compatible";
    static final String EXPIRE_GT_LT_INCOMPATIBLE = "ERR GT and LT options at the same time are not compatible";
    static final String SAME_OBJECT = "ERR source and destination objects are the same";
    static final String DB_OUT_OF_RANGE = "ERR DB index is out of range";
    static final String COPY_OTHER_DB = "ERR Copying to another database is not allowed in cluster mode";
    static final String INT_OUT_OF_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647";
    /** Redis's default number of databases: COPY ... DB n with n outside [0, 16) is out of range. */
    static final int DATABASES = 16;

    private KeyCommands() {
    }

    static void register(CommandTable.Builder t) {
        Set<CommandFlag> readFast = EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST);
        Set<CommandFlag> writeFast = EnumSet.of(CommandFlag.WRITE, CommandFlag.FAST);
        t.add("del", -2, EnumSet.of(CommandFlag.WRITE), 1, -1, 1, KeyCommands::del);
        t.add("unlink", -2, writeFast, 1, -1, 1, KeyCommands::del);
        t.add("exists", -2, readFast, 1, -1, 1, KeyCommands::exists);
        t.add("touch", -2, readFast, 1, -1, 1, KeyCommands::exists);
        t.add("type", 2, readFast, 1, 1, 1, KeyCommands::type);
        t.add("expire", -3, writeFast, 1, 1, 1, (c, a) -> expire(c, a, "expire", true, true));
        t.add("pexpire", -3, writeFast, 1, 1, 1, (c, a) -> expire(c, a, "pexpire", true, false));
        t.add("expireat", -3, writeFast, 1, 1, 1, (c, a) -> expire(c, a, "expireat", false, true));
        t.add("pexpireat", -3, writeFast, 1, 1, 1, (c, a) -> expire(c, a, "pexpireat", false, false));
        t.add("ttl", 2, readFast, 1, 1, 1, (c, a) -> ttl(c, a, false, false));
        t.add("pttl", 2, readFast, 1, 1, 1, (c, a) -> ttl(c, a, true, false));
        t.add("expiretime", 2, readFast, 1, 1, 1, (c, a) -> ttl(c, a, false, true));
        t.add("pexpiretime", 2, readFast, 1, 1, 1, (c, a) -> ttl(c, a, true, true));
        t.add("persist", 2, writeFast, 1, 1, 1, KeyCommands::persist);
        t.add("rename", 3, EnumSet.of(CommandFlag.WRITE), 1, 2, 1, (c, a) -> rename(c, a, false));
        t.add("renamenx", 3, writeFast, 1, 2, 1, (c, a) -> rename(c, a, true));
        t.add("copy", -3, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM), 1, 2, 1, KeyCommands::copy);
        Set<CommandFlag> keylessRead = EnumSet.of(CommandFlag.READONLY, CommandFlag.KEYLESS);
        t.add("scan", -2, keylessRead, 0, 0, 0, KeyCommands::scan);
        t.add("keys", 2, keylessRead, 0, 0, 0, KeyCommands::keys);
        // "fast" in Redis; a group counts its keys here (O(keys)): WALKS.
        t.add("dbsize", 1, EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST, CommandFlag.KEYLESS, CommandFlag.WALKS),
                0, 0, 0, KeyCommands::dbsize);
        t.add("flushall", -1, EnumSet.of(CommandFlag.WRITE, CommandFlag.KEYLESS), 0, 0, 0, KeyCommands::flushall);
        // Cairn has database 0 only, so FLUSHDB empties the same data as FLUSHALL
        t.add("flushdb", -1, EnumSet.of(CommandFlag.WRITE, CommandFlag.KEYLESS), 0, 0, 0, KeyCommands::flushall);
    }

    /** DEL / UNLINK key...: the number of live keys removed. */
    static Reply del(ExecContext ctx, byte[][] argv) {
        long n = 0;
        for (int i = 1; i < argv.length; i++) {
            if (ctx.keys().delete(argv[i])) {
                n++;
            }
        }
        return Reply.integer(n);
    }

    /** EXISTS / TOUCH key...: the number of live keys named (a key named twice counts twice). */
    static Reply exists(ExecContext ctx, byte[][] argv) {
        long n = 0;
        for (int i = 1; i < argv.length; i++) {
            if (ctx.keys().exists(argv[i])) {
                n++;
            }
        }
        return Reply.integer(n);
    }

    static Reply type(ExecContext ctx, byte[][] argv) {
        Meta m = ctx.keys().get(argv[1]);
        return new Reply.Status(m == null ? "none" : m.type.redisName());
    }

    /**
     * EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX | XX | GT | LT]: 1 when the expiry was
     * set (a time not after now deletes the key), 0 when the key is absent or a condition fails.
     * A key without expiry counts as an infinite TTL for GT and LT. Checks in Redis's order:
     * options, the number, overflow, then the key.
     */
    static Reply expire(ExecContext ctx, byte[][] argv, String command, boolean relative, boolean seconds) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < argv.length; i++) {
            byte[] a = argv[i];
            if (Args.is(a, "nx")) {
                nx = true;
            } else if (Args.is(a, "xx")) {
                xx = true;
            } else if (Args.is(a, "gt")) {
                gt = true;
            } else if (Args.is(a, "lt")) {
                lt = true;
            } else {
                throw new RedisException("ERR Unsupported option " + Args.str(a));
            }
        }
        if (nx && (xx || gt || lt)) {
            throw new RedisException(EXPIRE_NX_INCOMPATIBLE);
        }
        if (gt && lt) {
            throw new RedisException(EXPIRE_GT_LT_INCOMPATIBLE);
        }
        long when = Args.parseLong(argv[2]);
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                throw Errors.invalidExpire(command);
            }
            when *= 1000;
        }
        long base = relative ? ctx.now() : 0;
        if (when > Long.MAX_VALUE - base) {
            throw Errors.invalidExpire(command);
        }
        when += base;
        byte[] key = argv[1];
        Meta m = ctx.keys().get(key);
        if (m == null) {
            return Reply.ZERO;
        }
        boolean hasTtl = m.expireAt != 0;
        if ((nx && hasTtl) || (xx && !hasTtl) || (gt && (!hasTtl || when <= m.expireAt))
                || (lt && hasTtl && when >= m.expireAt)) {
            return Reply.ZERO;
        }
        if (when <= ctx.now()) {
            ctx.keys().delete(key);
        } else {
            ctx.keys().setExpire(key, m, when);
        }
        return Reply.ONE;
    }

    /**
     * TTL / PTTL (remaining time, seconds rounded to nearest or milliseconds) and EXPIRETIME /
     * PEXPIRETIME (absolute Unix time): -2 for an absent key, -1 for a key without expiry.
     */
    static Reply ttl(ExecContext ctx, byte[][] argv, boolean millis, boolean absolute) {
        Meta m = ctx.keys().get(argv[1]);
        if (m == null) {
            return Reply.integer(-2);
        }
        if (m.expireAt == 0) {
            return Reply.integer(-1);
        }
        long t = Math.max(0, absolute ? m.expireAt : m.expireAt - ctx.now());
        // (t + 500) / 1000 without overflowing for t near Long.MAX_VALUE (PEXPIREAT max)
        return Reply.integer(millis ? t : t / 1000 + (t % 1000 + 500) / 1000);
    }

    /** PERSIST key: 1 when an expiry was removed. */
    static Reply persist(ExecContext ctx, byte[][] argv) {
        Meta m = ctx.keys().get(argv[1]);
        if (m == null || m.expireAt == 0) {
            return Reply.ZERO;
        }
        ctx.keys().setExpire(argv[1], m, 0);
        return Reply.ONE;
    }

    /**
     * RENAME / RENAMENX src dst: the value and its expiry move to dst, replacing it (RENAME) or
     * only when dst is absent (RENAMENX: 1 moved, 0 not). Renaming a key to itself is a no-op.
     */
    static Reply rename(ExecContext ctx, byte[][] argv, boolean nx) {
        byte[] src = argv[1];
        byte[] dst = argv[2];
        Meta m = ctx.keys().get(src);
        if (m == null) {
            throw new RedisException(Errors.NO_SUCH_KEY);
        }
        if (Arrays.equals(src, dst)) {
            return nx ? Reply.ZERO : Reply.OK;
        }
        if (nx && ctx.keys().exists(dst)) {
            return Reply.ZERO;
        }
        ctx.keys().rename(src, m, dst);
        return nx ? Reply.ONE : Reply.OK;
    }

    /**
     * COPY src dst [DB n] [REPLACE]: copies the value and expiry; 1 copied, 0 when src is absent
     * or dst exists without REPLACE. Like Redis in cluster mode only database 0 exists: DB 1..15
     * is refused as a copy to another database, other numbers are out of range.
     */
    static Reply copy(ExecContext ctx, byte[][] argv) {
        boolean replace = false;
        long db = 0;
        for (int i = 3; i < argv.length; i++) {
            if (Args.is(argv[i], "replace")) {
                replace = true;
            } else if (Args.is(argv[i], "db") && i + 1 < argv.length) {
                db = Args.parseLong(argv[++i]);
                if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
                    throw new RedisException(INT_OUT_OF_RANGE);
                }
                if (db < 0 || db >= DATABASES) {
                    throw new RedisException(DB_OUT_OF_RANGE);
                }
            } else {
                throw Errors.syntax();
            }
        }
        if (db != 0) {
            throw new RedisException(COPY_OTHER_DB);
        }
        byte[] src = argv[1];
        byte[] dst = argv[2];
        if (Arrays.equals(src, dst)) {
            throw new RedisException(SAME_OBJECT);
        }
        Meta m = ctx.keys().get(src);
        if (m == null) {
            return Reply.ZERO;
        }
        if (!replace && ctx.keys().exists(dst)) {
            return Reply.ZERO;
        }
        ctx.keys().copy(src, m, dst, m.expireAt);
        return Reply.ONE;
    }

    /**
     * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] over the keys of this group, in
     * (slot, key) order: examines COUNT records from the cursor on (expired ones are examined but
     * not returned) and replies [next cursor, keys]; cursor 0 starts and, returned, ends the scan.
     */
    static Reply scan(ExecContext ctx, byte[][] argv) {
        long cursor = ScanCursor.parseCursor(argv[1]);
        ScanCursor.Options o = ScanCursor.parseOptions(argv, 2, true);
        List<Reply> keys = new ArrayList<>();
        long next = ScanCursor.walk(ctx.kv(), KeyCodec.kindPrefix(ctx.group(), KeyCodec.KIND_META), cursor, o.count,
                (suffix, value) -> {
                    if (o.unknownType) {
                        return;
                    }
                    Meta m = Meta.decode(value);
                    byte[] key = Arrays.copyOfRange(suffix, 2, suffix.length);
                    if (!m.expiredAt(ctx.now()) && (o.type == null || m.type == o.type)
                            && (o.match == null || Glob.match(o.match, key))) {
                        keys.add(new Reply.Bulk(key));
                    }
                });
        return Reply.array(List.of(Reply.bulk(Long.toUnsignedString(next)), Reply.array(keys)));
    }

    /** KEYS pattern: every live key of the group matching the glob ("*" matches all, even ""). */
    static Reply keys(ExecContext ctx, byte[][] argv) {
        byte[] pattern = argv[1];
        boolean all = pattern.length == 1 && pattern[0] == '*';
        byte[] from = KeyCodec.kindPrefix(ctx.group(), KeyCodec.KIND_META);
        List<Reply> out = new ArrayList<>();
        try (Kv.Cursor c = ctx.kv().scan(from, KeyCodec.prefixEnd(from))) {
            while (c.next()) {
                byte[] key = KeyCodec.userKeyOfMeta(c.key());
                if ((all || Glob.match(pattern, key)) && !Meta.decode(c.value()).expiredAt(ctx.now())) {
                    out.add(new Reply.Bulk(key));
                }
            }
        }
        return Reply.array(out);
    }

    /** DBSIZE: the number of live keys of the group (expired records not yet removed are not counted). */
    static Reply dbsize(ExecContext ctx, byte[][] argv) {
        byte[] from = KeyCodec.kindPrefix(ctx.group(), KeyCodec.KIND_META);
        long n = 0;
        try (Kv.Cursor c = ctx.kv().scan(from, KeyCodec.prefixEnd(from))) {
            while (c.next()) {
                if (!Meta.decode(c.value()).expiredAt(ctx.now())) {
                    n++;
                }
            }
        }
        return Reply.integer(n);
    }

    /**
     * FLUSHALL / FLUSHDB [ASYNC | SYNC]: deletes every key of the group (records, members, expiry index)
     * with one range delete; the applied state and client sessions stay.
     */
    static Reply flushall(ExecContext ctx, byte[][] argv) {
        if (argv.length > 2 || (argv.length == 2 && !Args.is(argv[1], "async") && !Args.is(argv[1], "sync"))) {
            throw Errors.syntax();
        }
        ctx.kv().deleteRange(KeyCodec.kindPrefix(ctx.group(), KeyCodec.KIND_META),
                KeyCodec.prefixEnd(KeyCodec.kindPrefix(ctx.group(), KeyCodec.KIND_EXPIRE)));
        return Reply.OK;
    }
}
