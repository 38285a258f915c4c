package io.cairn.raft.core;

/**
 * What a leader's lease lets a reader on another thread do without asking the core: a read that
 * starts (reads the lease clock) before {@code validUntil} and runs once the state machine has
 * applied up to {@code index} reflects every write committed before it started (thesis §6.4.1).
 * The runtime publishes it after every change of the core and withdraws it before anything can
 * end the lease early (docs/raft-engine.md, "Leases").
 *
 * @param term       the term the lease is held in
 * @param index      the leader's commit index when this was taken (an entry of {@code term} is
 *                   committed, so it covers everything any leader committed before)
 * @param validUntil a reading of the lease clock (monotonic nanoseconds, the clock's own origin):
 *                   the lease holds while {@code clock - validUntil < 0}; never later than the
 *                   core's own judgement at any later moment, absent an event that ends the lease
 */
public record LeaseRead(long term, long index, long validUntil) {

    /** Whether the lease still holds at the lease clock reading {@code nowNanos}. */
    public boolean holdsAt(long nowNanos) {
        return nowNanos - validUntil < 0;
    }
}
