package io.cairn.store.data;

import java.util.EnumSet;

/** Generic key commands: DEL, EXISTS, TYPE, TTL and the rest. */
final class KeyCommands {
    private KeyCommands() {
    }

    static void register(CommandTable.Builder t) {
        t.add("del", -2, EnumSet.of(CommandFlag.WRITE), 1, -1, 1, KeyCommands::del);
        t.add("exists", -2, EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST), 1, -1, 1, KeyCommands::exists);
        t.add("type", 2, EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST), 1, 1, 1, KeyCommands::type);
        t.add("pttl", 2, EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST), 1, 1, 1, (c, a) -> ttl(c, a, true));
        t.add("ttl", 2, EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST), 1, 1, 1, (c, a) -> ttl(c, a, false));
    }

    static Reply del(ExecContext ctx, byte[][] argv) {
        long n = 0;
        for (int i = 1; i < argv.length; i++) {
            if (ctx.keys().delete(argv[i])) {
                n++;
            }
        }
        return Reply.integer(n);
    }

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

    static Reply ttl(ExecContext ctx, byte[][] argv, boolean millis) {
        Meta m = ctx.keys().get(argv[1]);
        if (m == null) {
            return Reply.integer(-2);
        }
        if (m.expireAt == 0) {
            return Reply.integer(-1);
        }
        long left = Math.max(0, m.expireAt - ctx.now());
        return Reply.integer(millis ? left : (left + 500) / 1000);
    }
}
