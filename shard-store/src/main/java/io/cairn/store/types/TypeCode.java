package io.cairn.store.types;

/**
 * The type of a key as persisted in its metadata record. The codes are written to disk: they are
 * frozen (docs/storage-format.md) and a new type takes a new code.
 */
public enum TypeCode {
    STRING(1, "string"),
    HASH(2, "hash"),
    LIST(3, "list"),
    SET(4, "set"),
    ZSET(5, "zset");

    private final int code;
    private final String redisName;

    TypeCode(int code, String redisName) {
        this.code = code;
        this.redisName = redisName;
    }

    public int code() {
        return code;
    }

    /** The name TYPE replies with. */
    public String redisName() {
        return redisName;
    }

    public boolean isCollection() {
        return this != STRING;
    }

    public static TypeCode of(int code) {
        switch (code) {
            case 1: return STRING;
            case 2: return HASH;
            case 3: return LIST;
            case 4: return SET;
            case 5: return ZSET;
            default: throw new IllegalStateException("unknown persisted type code " + code);
        }
    }
}
