package io.cairn.store.types;

import java.nio.charset.StandardCharsets;
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
    /**
     * The specs again, by their names' ASCII bytes in an open-addressing table (linear probing,
     * at most half full) for {@link #lookup(byte[])}: it runs up to three times per command
     * (gateway, store service, apply) and hashes the lowercased name as it goes, where a lookup
     * in {@link #byName} first built a {@code String} and then compared strings down a tree.
     */
    private final byte[][] names;
    private final CommandSpec[] specs;

    private CommandTable(Map<String, CommandSpec> byName) {
        this.byName = Collections.unmodifiableMap(byName);
        int capacity = Integer.highestOneBit(Math.max(4, byName.size() * 2 - 1)) << 1;
        names = new byte[capacity][];
        specs = new CommandSpec[capacity];
        for (CommandSpec spec : byName.values()) {
            byte[] name = spec.name().getBytes(StandardCharsets.US_ASCII);
            int i = hash(name) & (capacity - 1);
            while (names[i] != null) {
                i = (i + 1) & (capacity - 1);
            }
            names[i] = name;
            specs[i] = spec;
        }
    }

    /** A hash of a name's ASCII-lowercased bytes: the same for a name in any case. */
    private static int hash(byte[] name) {
        int h = 0;
        for (byte b : name) {
            h = 31 * h + lower(b);
        }
        return h ^ (h >>> 16);
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
        int mask = names.length - 1;
        for (int i = hash(name) & mask; names[i] != null; i = (i + 1) & mask) {
            if (equalsIgnoreAsciiCase(names[i], name)) {
                return specs[i];
            }
        }
        return null;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    /** Whether {@code name} is {@code lower} (a lowercase ASCII name) in any case. */
    private static boolean equalsIgnoreAsciiCase(byte[] lower, byte[] name) {
        if (lower.length != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (lower(name[i]) != lower[i]) {
                return false;
            }
        }
        return true;
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
