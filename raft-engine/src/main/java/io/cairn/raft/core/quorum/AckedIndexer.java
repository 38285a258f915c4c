package io.cairn.raft.core.quorum;

/**
 * Tells, for a voter, the highest log index it is known to have durably appended (acknowledged).
 * Implementations return 0 for a voter about which nothing is known (including unknown ids).
 */
@FunctionalInterface
public interface AckedIndexer {

    /** The acknowledged index of {@code voterId}, or 0 if unknown. */
    long ackedIndex(long voterId);
}
