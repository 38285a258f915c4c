package io.cairn.raft.transport;

import java.time.Duration;

/**
 * Delay before reconnecting to a peer after {@code n} consecutive failed streams: the base
 * doubles from {@code min} per failure up to {@code max}, and the delay is drawn uniformly from
 * [base/2, base] ("equal jitter") so that the nodes of a cluster that lost the same peer do not
 * reconnect in lockstep.
 */
final class ReconnectBackoff {
    private final long minMillis;
    private final long maxMillis;

    ReconnectBackoff(Duration min, Duration max) {
        this.minMillis = Math.max(1, min.toMillis());
        this.maxMillis = Math.max(minMillis, max.toMillis());
    }

    /** The doubling base for {@code failures} (>= 1) consecutive failures, capped at max. */
    long baseMillis(int failures) {
        int doublings = Math.max(0, Math.min(failures - 1, 62));
        long base = minMillis;
        for (int i = 0; i < doublings && base < maxMillis; i++) {
            base *= 2;
        }
        return Math.min(base, maxMillis);
    }

    /**
     * The jittered delay in milliseconds.
     *
     * @param random01 a uniform random number in [0, 1)
     */
    long delayMillis(int failures, double random01) {
        long base = baseMillis(failures);
        long half = base / 2;
        return half + (long) ((base - half) * random01);
    }
}
