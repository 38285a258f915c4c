package io.cairn.store.node;

import io.cairn.raft.runtime.RaftRuntime;
import io.cairn.store.replica.ShardStateMachine;
import io.cairn.store.replica.ShardStateMachines;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the groups this node leads ({@link ShardStateMachine#measure}: live keys, keys with a
 * TTL, approximate bytes) on its own thread, for the heartbeats to the meta service, which
 * show them in {@code cairn admin status} and feed the gateways' INFO keyspace.
 *
 * <p>Cost control: a measurement counts the group's keys (O(keys) on a RocksDB snapshot), so it
 * never runs on the apply thread, nor on the heartbeat thread (a long count must not delay a
 * heartbeat and get the store marked DOWN). Every {@code intervalMillis} the thread looks at
 * each group led here and measures it again only if its applied index moved since the last
 * measurement (an idle group is not counted twice) and the last measurement ended at least
 * {@value #PAUSE_FACTOR} times its own duration ago, and at least {@value #MIN_PAUSE_MILLIS} ms ago:
 * counting takes at most about 2 % of one thread, whatever the data size (a group of 100 keys is
 * measured every 2 s while it changes, one whose count takes 1 s at most every 50 s). At 10 %
 * (the first version) the three stores of {@code cairn dev} spent 15 % of a 2-core machine
 * counting under a write benchmark. Followers measure nothing: the leader's figure is the one
 * reported. Not ideal: sizes lag the data by up to one interval plus the pause.
 */
final class GroupSizer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupSizer.class);
    /** Pause after a measurement, in multiples of its duration (49: busy at most 2 % of the time). */
    static final int PAUSE_FACTOR = 49;
    /** Shortest pause after a measurement of a changing group. */
    static final long MIN_PAUSE_MILLIS = 2_000;

    private record Measured(ShardStateMachine.Size size, long notBeforeNanos) {
    }

    private final long nodeId;
    private final RaftRuntime runtime;
    private final ShardStateMachines machines;
    private final long intervalMillis;
    private final ScheduledExecutorService thread;
    private final Map<Long, Measured> measured = new ConcurrentHashMap<>();
    private volatile boolean closed;

    GroupSizer(long nodeId, RaftRuntime runtime, ShardStateMachines machines, long intervalMillis) {
        this.nodeId = nodeId;
        this.runtime = runtime;
        this.machines = machines;
        this.intervalMillis = intervalMillis;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "store-sizes-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        thread.scheduleWithFixedDelay(this::measureDue, 0, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** The group's latest measurement while this node leads it; null otherwise or not measured yet. */
    ShardStateMachine.Size sizeOf(long group) {
        Measured m = measured.get(group);
        return m == null ? null : m.size();
    }

    /** One pass over the hosted groups: measures those led here that are due. */
    private void measureDue() {
        try {
            measured.keySet().retainAll(runtime.groupIds());
            for (long g : runtime.groupIds()) {
                ShardStateMachine sm = machines.get(g);
                if (sm == null || sm.leaderId() != nodeId) {
                    measured.remove(g);
                    continue;
                }
                Measured last = measured.get(g);
                long start = System.nanoTime();
                if (last != null && (last.size().appliedIndex() == sm.appliedIndex() || start < last.notBeforeNanos())) {
                    continue;
                }
                try {
                    ShardStateMachine.Size size = sm.measure(System.currentTimeMillis(), () -> closed);
                    long end = System.nanoTime();
                    long pause = Math.max(PAUSE_FACTOR * (end - start), TimeUnit.MILLISECONDS.toNanos(MIN_PAUSE_MILLIS));
                    measured.put(g, new Measured(size, end + pause));
                } catch (java.util.concurrent.CancellationException e) {
                    return;
                } catch (IllegalStateException e) {
                    LOG.debug("group {} not measured: {}", g, e.getMessage()); // installing a snapshot
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("measuring group sizes failed", e);
        }
    }

    @Override
    public void close() {
        closed = true; // a count in progress stops within a few thousand keys
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
