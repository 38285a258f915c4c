package io.cairn.store.types;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one table of data commands the store executes: name, arity, flags, key positions,
 * handler. Arity errors, unknown-command errors, routing and read/write dispatch come from it.
 */
public final class CommandTable {
    private static final CommandTable DEFAULT = build();

    private final Map<String, CommandSpec> byName;

    private CommandTable(Map<String, CommandSpec> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Every data command of the type layer. */
    public static CommandTable standard() {
        return DEFAULT;
    }

    private static CommandTable build() {
        Builder b = new Builder();
        StringCommands.register(b);
        KeyCommands.register(b);
        HashCommands.register(b);
        ListCommands.register(b);
        SetCommands.register(b);
        ZSetCommands.register(b);
        return new CommandTable(b.specs);
    }

    /** The spec of a command name (any case), or null. */
    public CommandSpec lookup(byte[] name) {
        // runs for every command (gateway, store service, apply): ASCII-lowercase into one string
        // (names are ASCII; anything else matches nothing, as with any decoding)
        char[] c = new char[name.length];
        for (int i = 0; i < c.length; i++) {
            int b = name[i] & 0xFF;
            c[i] = (char) (b >= 'A' && b <= 'Z' ? b + 32 : b);
        }
        return byName.get(new String(c));
    }

    public CommandSpec lookup(String name) {
        return byName.get(name.toLowerCase(Locale.ROOT));
    }

    public Collection<CommandSpec> all() {
        return byName.values();
    }

    /**
     * Looks the command up, checks its arity and runs it. Errors come back as {@link Reply.Err}
     * with Redis's texts.
     */
    public Reply execute(ExecContext ctx, byte[][] argv) {
        CommandSpec spec = lookup(argv[0]);
        if (spec == null) {
            return unknownCommand(argv);
        }
        if (!spec.arityOk(argv.length)) {
            return Errors.wrongArity(spec.name()).reply();
        }
        if (spec.isWrite() && !ctx.writable()) {
            throw new IllegalStateException("write command " + spec.name() + " on a read-only context");
        }
        try {
            return spec.handler().execute(ctx, argv);
        } catch (RedisException e) {
            return e.reply();
        }
    }

    /** Redis's text: {@code ERR unknown command 'foo', with args beginning with: 'a' 'b' }. */
    public static Reply unknownCommand(byte[][] argv) {
        StringBuilder sb = new StringBuilder("ERR unknown command '").append(Args.str(argv[0]))
                .append("', with args beginning with: ");
        for (int i = 1; i < argv.length && sb.length() < 128; i++) {
            sb.append('\'').append(Args.str(argv[i])).append("' ");
        }
        return new Reply.Err(sb.toString());
    }

    /** Collects rows; each command family registers its own. */
    public static final class Builder {
        private final Map<String, CommandSpec> specs = new TreeMap<>();

        public Builder add(String name, int arity, Set<CommandFlag> flags, int firstKey, int lastKey, int step,
                           CommandHandler handler) {
            CommandSpec prev = specs.put(name, new CommandSpec(name, arity, flags, firstKey, lastKey, step, handler));
            if (prev != null) {
                throw new IllegalStateException("command registered twice: " + name);
            }
            return this;
        }

        /**
         * Marks {@code name} as taking a {@code numkeys} argument at {@code index} followed by that
         * many keys (Redis "movablekeys").
         */
        public Builder numKeysAt(String name, int index) {
            CommandSpec s = specs.get(name);
            java.util.EnumSet<CommandFlag> flags = java.util.EnumSet.copyOf(s.flags());
            flags.add(CommandFlag.MOVABLEKEYS);
            specs.put(name, new CommandSpec(s.name(), s.arity(), flags, s.firstKey(), s.lastKey(), s.step(),
                    s.handler(), index));
            return this;
        }

        /** A read of one key at argv[1]. */
        public Builder read(String name, int arity, CommandHandler handler) {
            return add(name, arity, EnumSet.of(CommandFlag.READONLY), 1, 1, 1, handler);
        }

        /** A write of one key at argv[1]. */
        public Builder write(String name, int arity, CommandHandler handler) {
            return add(name, arity, EnumSet.of(CommandFlag.WRITE), 1, 1, 1, handler);
        }
    }
}
