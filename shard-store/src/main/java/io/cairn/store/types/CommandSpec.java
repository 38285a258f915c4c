package io.cairn.store.types;

import java.util.Set;

/**
 * One row of the command table (kvrocks {@code commander.h} style). {@code arity} follows
 * Redis: positive = exactly that many arguments including the name, negative = at least
 * {@code -arity}. Key positions: first, last (negative counts from the end, -1 = last argument)
 * and step; first = 0 means no keys.
 */
public record CommandSpec(String name, int arity, Set<CommandFlag> flags, int firstKey, int lastKey, int step,
                          CommandHandler handler, int numKeysIndex) {

    /** A command whose keys are all at fixed positions. */
    public CommandSpec(String name, int arity, Set<CommandFlag> flags, int firstKey, int lastKey, int step,
                       CommandHandler handler) {
        this(name, arity, flags, firstKey, lastKey, step, handler, 0);
    }

    public boolean isWrite() {
        return flags.contains(CommandFlag.WRITE);
    }

    public boolean arityOk(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    /**
     * Indexes into argv of every key of this invocation: the fixed positions, plus, for a
     * command with a {@code numkeys} argument at {@link #numKeysIndex()} (Redis "movablekeys":
     * ZUNIONSTORE, ZINTER, SINTERCARD, ...), the {@code numkeys} arguments after it (as many as
     * exist; a bad count yields none — the command itself reports the error).
     */
    public int[] keyPositions(byte[][] argv) {
        int[] fixed = keyPositions(argv.length);
        if (numKeysIndex <= 0 || numKeysIndex >= argv.length || !Args.isStrictLong(argv[numKeysIndex])) {
            return fixed;
        }
        long n = Math.min(Args.parseLong(argv[numKeysIndex]), argv.length - numKeysIndex - 1L);
        if (n <= 0) {
            return fixed;
        }
        int[] out = java.util.Arrays.copyOf(fixed, fixed.length + (int) n);
        for (int i = 0; i < n; i++) {
            out[fixed.length + i] = numKeysIndex + 1 + i;
        }
        return out;
    }

    /** Indexes into argv of the keys at fixed positions (see {@link #keyPositions(byte[][])}). */
    public int[] keyPositions(int argc) {
        if (firstKey <= 0 || argc <= firstKey) {
            return new int[0];
        }
        int last = lastKey < 0 ? argc + lastKey : Math.min(lastKey, argc - 1);
        if (last < firstKey) {
            return new int[0];
        }
        int n = (last - firstKey) / step + 1;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = firstKey + i * step;
        }
        return out;
    }
}
