package io.cairn.store.types;

/** Properties of a command, as Redis's COMMAND reply names them (lower case). */
public enum CommandFlag {
    /** Modifies data: replicated through the Raft log. */
    WRITE,
    /** Only reads data. */
    READONLY,
    /** May allocate memory (Redis "denyoom"). */
    DENYOOM,
    /**
     * O(1) or O(log N) in this implementation (Redis's "fast"; not set where Cairn walks what
     * Redis finds by skiplist spans or keeps a count of: ZCOUNT, ZLEXCOUNT, ZRANK, ZREVRANK,
     * DBSIZE). The store runs a fast read whose barrier has already passed inline, on the thread
     * that received it.
     */
    FAST,
    /** Output depends on randomness (SRANDMEMBER, SPOP...): writes get a seed in the proposal. */
    RANDOM,
    /** Keys follow a numkeys argument (see {@link CommandSpec#keyPositions(byte[][])}). */
    MOVABLEKEYS,
    /** Acts on the whole group rather than on keys (DBSIZE, FLUSHALL, SCAN, KEYS). */
    KEYLESS;

    public String redisName() {
        return this == KEYLESS ? "keyless" : name().toLowerCase(java.util.Locale.ROOT);
    }
}
