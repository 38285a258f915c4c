package io.cairn.store.types;

/**
 * A command failed with a Redis error reply. Thrown by the type layer before it writes anything
 * for the failing command, caught by the dispatcher and turned into a {@link Reply.Err}.
 */
public final class RedisException extends RuntimeException {
    public RedisException(String errorText) {
        super(errorText, null, false, false);
    }

    public Reply.Err reply() {
        return new Reply.Err(getMessage());
    }
}
