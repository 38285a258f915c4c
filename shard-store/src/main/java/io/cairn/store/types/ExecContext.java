package io.cairn.store.types;

import java.util.Random;

/**
 * What one command executes against: the group's data, the time and the randomness it may use.
 *
 * <p>Deterministic apply (DESIGN.md rule 2): for a replicated write, {@link #now()} is the time
 * the leader put into the proposal and {@link #random()} is seeded from the proposal, so every
 * replica computes the same thing; nothing here reads a clock. For a read, {@code now} is the
 * reading replica's clock and the random source is free.
 */
public final class ExecContext {
    private final long group;
    private final Kv kv;
    private final long now;
    private final Random random;
    private final VersionSource versions;
    private final Keyspace keyspace;

    /** Fresh, never reused collection versions (see {@link Meta}). */
    @FunctionalInterface
    public interface VersionSource {
        long next();
    }

    public ExecContext(long group, Kv kv, long now, Random random, VersionSource versions) {
        this.group = group;
        this.kv = kv;
        this.now = now;
        this.random = random;
        this.versions = versions;
        this.keyspace = new Keyspace(this);
    }

    public long group() {
        return group;
    }

    public Kv kv() {
        return kv;
    }

    /** Milliseconds since the epoch: the proposal's time in apply, the clock in reads. */
    public long now() {
        return now;
    }

    public Random random() {
        return random;
    }

    public long newVersion() {
        return versions.next();
    }

    public boolean writable() {
        return kv.writable();
    }

    public Keyspace keys() {
        return keyspace;
    }
}
