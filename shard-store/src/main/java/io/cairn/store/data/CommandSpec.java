package io.cairn.store.data;

import java.util.Set;

/**
 * One row of the command table (kvrocks {@code commander.h} style). {@code arity} follows
 * Redis: positive = exactly that many arguments including the name, negative = at least
 * {@code -arity}. Key positions: first, last (negative counts from the end, -1 = last argument)
 * and step; first = 0 means no keys.
 */
public record CommandSpec(String name, int arity, Set<CommandFlag> flags, int firstKey, int lastKey, int step,
                          CommandHandler handler) {

    public boolean isWrite() {
        return flags.contains(CommandFlag.WRITE);
    }

    public boolean arityOk(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    /** Indexes into argv of the keys of this invocation. */
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
