package io.cairn.store.types;

/**
 * Executes one command. {@code argv[0]} is the command name as sent. Throws
 * {@link RedisException} for an error reply; must not write anything before it throws.
 */
@FunctionalInterface
public interface CommandHandler {
    Reply execute(ExecContext ctx, byte[][] argv);
}
