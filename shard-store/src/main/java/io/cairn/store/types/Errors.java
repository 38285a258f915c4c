package io.cairn.store.types;

/** Redis 7 error texts, verbatim. */
public final class Errors {
    public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String SYNTAX = "ERR syntax error";
    public static final String OVERFLOW = "ERR increment or decrement would overflow";
    public static final String NO_SUCH_KEY = "ERR no such key";
    public static final String INDEX_OUT_OF_RANGE = "ERR index out of range";
    public static final String NAN_OR_INF = "ERR increment would produce NaN or Infinity";
    public static final String INVALID_EXPIRE = "ERR invalid expire time in '%s' command";
    public static final String NOT_POSITIVE = "ERR value is out of range, must be positive";
    public static final String MIN_MAX_NOT_FLOAT = "ERR min or max is not a float";
    public static final String MIN_MAX_NOT_LEX = "ERR min or max not valid string range item";
    public static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public static final String HASH_NOT_INTEGER = "ERR hash value is not an integer";
    public static final String HASH_NOT_FLOAT = "ERR hash value is not a float";

    private Errors() {
    }

    public static RedisException wrongType() {
        return new RedisException(WRONGTYPE);
    }

    public static RedisException syntax() {
        return new RedisException(SYNTAX);
    }

    public static RedisException notInteger() {
        return new RedisException(NOT_INTEGER);
    }

    public static RedisException notFloat() {
        return new RedisException(NOT_FLOAT);
    }

    public static RedisException wrongArity(String command) {
        return new RedisException("ERR wrong number of arguments for '" + command + "' command");
    }

    public static RedisException invalidExpire(String command) {
        return new RedisException(String.format(INVALID_EXPIRE, command));
    }
}
