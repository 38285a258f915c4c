package io.cairn.raft.runtime;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Settings of a node's Raft runtime, with defaults.
 *
 * @param workers              Raft worker threads; each owns a fixed subset of groups
 * @param applyThreads         threads applying committed entries (a group always uses the same one)
 * @param tickMillis           length of a Raft tick
 * @param electionTicks        election timeout in ticks
 * @param heartbeatTicks       heartbeat interval in ticks
 * @param hibernateAfterTicks  idle ticks after which a caught-up group stops ticking (0 = never)
 * @param maxSizePerMsg        bytes of entries per append message
 * @param maxInflightMsgs      append messages in flight per follower
 * @param maxUncommittedBytes  cap on a leader's uncommitted payload bytes (0 = none)
 * @param snapshotEveryEntries take a snapshot after this many applied entries (0 = never)
 * @param keepEntriesAfterSnapshot entries kept in the log behind a snapshot (for slow followers)
 * @param snapshotDir          where state machine snapshots are written
 * @param leaseReads           leaders answer reads from a leader lease timed by {@code System.nanoTime}
 *                             when they hold one, and by a ReadIndex heartbeat round otherwise
 *                             (default off: every read takes a heartbeat round); see
 *                             docs/raft-engine.md, "Leases"
 * @param leaseClock           the monotonic nanosecond clock leases and vote promises are timed by,
 *                             in the cores and in lease reads served on the caller's thread
 *                             (default {@code System::nanoTime}; tests inject their own)
 * @param inlineApplyBytes     committed batches of at most this many bytes of entry data are applied
 *                             on the group's Raft worker instead of its apply thread when the apply
 *                             thread has nothing of the group queued (0, the default: never); saves
 *                             two thread hand-offs per small batch (docs/raft-runtime.md, "Apply")
 */
public record RuntimeOptions(int workers, int applyThreads, long tickMillis, int electionTicks, int heartbeatTicks,
                             int hibernateAfterTicks, long maxSizePerMsg, int maxInflightMsgs,
                             long maxUncommittedBytes, long snapshotEveryEntries, long keepEntriesAfterSnapshot,
                             Path snapshotDir, boolean leaseReads, LongSupplier leaseClock, int inlineApplyBytes) {

    public static RuntimeOptions defaults(Path snapshotDir) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new RuntimeOptions(cores, cores, 100, 10, 1, 5, 1 << 20, 256, 64L << 20, 100_000, 10_000,
                snapshotDir, false, System::nanoTime, 0);
    }

    public RuntimeOptions withTickMillis(long v) {
        return new RuntimeOptions(workers, applyThreads, v, electionTicks, heartbeatTicks, hibernateAfterTicks,
                maxSizePerMsg, maxInflightMsgs, maxUncommittedBytes, snapshotEveryEntries, keepEntriesAfterSnapshot,
                snapshotDir, leaseReads, leaseClock, inlineApplyBytes);
    }

    public RuntimeOptions withWorkers(int v) {
        return new RuntimeOptions(v, applyThreads, tickMillis, electionTicks, heartbeatTicks, hibernateAfterTicks,
                maxSizePerMsg, maxInflightMsgs, maxUncommittedBytes, snapshotEveryEntries, keepEntriesAfterSnapshot,
                snapshotDir, leaseReads, leaseClock, inlineApplyBytes);
    }

    public RuntimeOptions withHibernateAfterTicks(int v) {
        return new RuntimeOptions(workers, applyThreads, tickMillis, electionTicks, heartbeatTicks, v,
                maxSizePerMsg, maxInflightMsgs, maxUncommittedBytes, snapshotEveryEntries, keepEntriesAfterSnapshot,
                snapshotDir, leaseReads, leaseClock, inlineApplyBytes);
    }

    public RuntimeOptions withSnapshotDir(Path v) {
        return new RuntimeOptions(workers, applyThreads, tickMillis, electionTicks, heartbeatTicks,
                hibernateAfterTicks, maxSizePerMsg, maxInflightMsgs, maxUncommittedBytes, snapshotEveryEntries,
                keepEntriesAfterSnapshot, v, leaseReads, leaseClock, inlineApplyBytes);
    }

    public RuntimeOptions withApplyThreads(int v) {
        return new RuntimeOptions(workers, v, tickMillis, electionTicks, heartbeatTicks, hibernateAfterTicks,
                maxSizePerMsg, maxInflightMsgs, maxUncommittedBytes, snapshotEveryEntries, keepEntriesAfterSnapshot,
                snapshotDir, leaseReads, leaseClock, inlineApplyBytes);
    }

    public RuntimeOptions withElectionTicks(int v) {
        return new RuntimeOptions(workers, applyThreads, tickMillis, v, heartbeatTicks, hibernateAfterTicks,
                maxSizePerMsg, maxInflightMsgs, maxUncommittedBytes, snapshotEveryEntries, keepEntriesAfterSnapshot,
                snapshotDir, leaseReads, leaseClock, inlineApplyBytes);
    }

    public RuntimeOptions withSnapshotEveryEntries(long every, long keep) {
        return new RuntimeOptions(workers, applyThreads, tickMillis, electionTicks, heartbeatTicks,
                hibernateAfterTicks, maxSizePerMsg, maxInflightMsgs, maxUncommittedBytes, every, keep, snapshotDir,
                leaseReads, leaseClock, inlineApplyBytes);
    }

    public RuntimeOptions withLeaseReads(boolean v) {
        return new RuntimeOptions(workers, applyThreads, tickMillis, electionTicks, heartbeatTicks, hibernateAfterTicks,
                maxSizePerMsg, maxInflightMsgs, maxUncommittedBytes, snapshotEveryEntries, keepEntriesAfterSnapshot,
                snapshotDir, v, leaseClock, inlineApplyBytes);
    }

    public RuntimeOptions withLeaseClock(LongSupplier v) {
        return new RuntimeOptions(workers, applyThreads, tickMillis, electionTicks, heartbeatTicks, hibernateAfterTicks,
                maxSizePerMsg, maxInflightMsgs, maxUncommittedBytes, snapshotEveryEntries, keepEntriesAfterSnapshot,
                snapshotDir, leaseReads, v, inlineApplyBytes);
    }

    public RuntimeOptions withInlineApplyBytes(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("inlineApplyBytes: " + v);
        }
        return new RuntimeOptions(workers, applyThreads, tickMillis, electionTicks, heartbeatTicks, hibernateAfterTicks,
                maxSizePerMsg, maxInflightMsgs, maxUncommittedBytes, snapshotEveryEntries, keepEntriesAfterSnapshot,
                snapshotDir, leaseReads, leaseClock, v);
    }
}
