package io.cairn.store.types;

/** Properties of a command, as Redis's COMMAND reply names them (lower case). */
public enum CommandFlag {
    /** Modifies data: replicated through the Raft log. */
    WRITE,
    /** Only reads data. */
    READONLY,
    /** May allocate memory (Redis "denyoom"). */
    DENYOOM,
    /** O(1) or O(log N) in Redis (its "fast", reported by COMMAND as Redis does). */
    FAST,
    /** Output depends on randomness (SRANDMEMBER, SPOP...): writes get a seed in the proposal. */
    RANDOM,
    /** Keys follow a numkeys argument (see {@link CommandSpec#keyPositions(byte[][])}). */
    MOVABLEKEYS,
    /** Acts on the whole group rather than on keys (DBSIZE, FLUSHALL, SCAN, KEYS). */
    KEYLESS,
    /**
     * Cairn's own, not reported by COMMAND: a command Redis calls {@link #FAST} that walks here
     * what Redis finds by skiplist spans or keeps a count of (ZCOUNT, ZLEXCOUNT, ZRANK, ZREVRANK,
     * DBSIZE: O(N)). The store never runs such a read inline on the thread that received it.
     */
    WALKS;

    /** The name in Redis's COMMAND reply, or null for a flag of Cairn's own ({@link #WALKS}). */
    public String redisName() {
        return switch (this) {
            case KEYLESS -> "keyless";
            case WALKS -> null;
            default -> name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
