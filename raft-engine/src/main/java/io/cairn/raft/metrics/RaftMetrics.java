package io.cairn.raft.metrics;

import io.cairn.raft.core.StateType;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.raft.runtime.RaftRuntime;
import io.cairn.raft.storage.LogStoreStats;
import io.cairn.raft.storage.RocksLogStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer meters for one {@link RaftRuntime}: per group its Raft state, term, commit and applied
 * index and apply lag; per node the number of groups and led groups, and the log store's write
 * counters (batches, disk writes, fsyncs, bytes) with the fsync batch size.
 *
 * <p>Cost: the gauges read a cache, never the runtime. A timer refreshes the cache every
 * {@code refresh} with {@link RaftRuntime#statuses()} (one task per Raft worker, whatever the number
 * of groups), so a scrape of thousands of groups issues no call at all and values are at most one
 * refresh interval old. Gauges of a group appear on the first refresh that sees it and are removed
 * on the first that does not.
 *
 * <p>Meter names (Prometheus names in brackets): {@code cairn.raft.group.state}
 * [cairn_raft_group_state] with 0 follower, 1 candidate, 2 leader, 3 pre-candidate;
 * {@code cairn.raft.group.term}, {@code .commit.index}, {@code .applied.index},
 * {@code .apply.lag} (commit - applied, never negative), {@code .last.index}; all tagged
 * {@code group}. Node: {@code cairn.raft.groups}, {@code cairn.raft.groups.leader},
 * {@code cairn.raft.apply.lag.max}; with a {@link RocksLogStore}: counters
 * {@code cairn.raft.log.batches.written}, {@code .disk.writes}, {@code .synced.writes},
 * {@code .bytes.written}, and the gauge {@code cairn.raft.log.fsync.batch.size} (batches merged per
 * disk write over the last refresh interval; 0 when nothing was written).
 */
public final class RaftMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RaftMetrics.class);

    /** How long one refresh may wait for the workers before it is given up (runtime closing). */
    private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(10);

    private final RaftRuntime runtime;
    private final MeterRegistry registry;
    private final Tags common;
    private final ScheduledExecutorService timer;
    /** The last statuses seen, by group; the gauges read it. */
    private final Map<Long, GroupStatus> cache = new ConcurrentHashMap<>();
    /** Meters registered per group, removed when the group goes away; refresh thread only. */
    private final Map<Long, List<Meter>> groupMeters = new HashMap<>();
    private volatile long groups;
    private volatile long leaders;
    private volatile long maxApplyLag;
    private volatile double fsyncBatchSize;
    private LogStoreStats lastStats;

    private RaftMetrics(RaftRuntime runtime, MeterRegistry registry, Tags common) {
        this.runtime = runtime;
        this.registry = registry;
        this.common = common;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "raft-metrics-" + runtime.nodeId());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Registers the node meters of {@code runtime} in {@code registry} (tagged {@code node}) and
     * starts refreshing every {@code refresh}; the first refresh runs at once.
     */
    public static RaftMetrics bind(RaftRuntime runtime, MeterRegistry registry, Duration refresh) {
        if (refresh.isNegative() || refresh.isZero()) {
            throw new IllegalArgumentException("refresh: " + refresh + " (expected: > 0)");
        }
        RaftMetrics m = new RaftMetrics(runtime, registry, Tags.of("node", Long.toString(runtime.nodeId())));
        m.registerNodeMeters();
        long ms = Math.max(1, refresh.toMillis());
        m.timer.scheduleWithFixedDelay(() -> {
            try {
                // Waits on the timer thread itself (refreshNow would queue the update behind it).
                m.update(runtime.statuses().get(REFRESH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            } catch (Exception e) {
                log.debug("raft metrics refresh of node {} failed", runtime.nodeId(), e);
            }
        }, 0, ms, TimeUnit.MILLISECONDS);
        return m;
    }

    private void registerNodeMeters() {
        Gauge.builder("cairn.raft.groups", this, m -> m.groups).tags(common)
                .description("Raft groups hosted by this node").register(registry);
        Gauge.builder("cairn.raft.groups.leader", this, m -> m.leaders).tags(common)
                .description("Raft groups this node leads").register(registry);
        Gauge.builder("cairn.raft.apply.lag.max", this, m -> m.maxApplyLag).tags(common)
                .description("Largest commit - applied index over the groups of this node").register(registry);
        FunctionCounter.builder("cairn.raft.reads", runtime, RaftRuntime::leaseReads).tags(common.and("path", "lease"))
                .description("Linearizable reads answered from a leader lease (no heartbeat round)").register(registry);
        FunctionCounter.builder("cairn.raft.reads", runtime, RaftRuntime::readIndexReads)
                .tags(common.and("path", "readindex"))
                .description("Linearizable reads that took a ReadIndex heartbeat round or were forwarded to the leader")
                .register(registry);
        if (runtime.store() instanceof RocksLogStore rocks) {
            logCounter(rocks, "cairn.raft.log.batches.written", "Log batches written", LogStoreStats::batchesWritten);
            logCounter(rocks, "cairn.raft.log.disk.writes", "RocksDB writes of the log store", LogStoreStats::diskWrites);
            logCounter(rocks, "cairn.raft.log.synced.writes", "Log writes made with fsync", LogStoreStats::syncedWrites);
            logCounter(rocks, "cairn.raft.log.bytes.written", "Bytes written to the log", LogStoreStats::bytesWritten);
            Gauge.builder("cairn.raft.log.fsync.batch.size", this, m -> m.fsyncBatchSize).tags(common)
                    .description("Log batches merged per disk write over the last refresh interval")
                    .register(registry);
        }
    }

    private void logCounter(RocksLogStore rocks, String name, String description, ToDoubleFunction<LogStoreStats> f) {
        // stats() reads a few atomic counters: cheap enough to call per scrape.
        FunctionCounter.builder(name, rocks, s -> f.applyAsDouble(s.stats())).tags(common)
                .description(description).register(registry);
    }

    /** Refreshes the cache and the group meters now; completes when done. */
    public CompletableFuture<Void> refreshNow() {
        return runtime.statuses().thenAcceptAsync(this::update, timer);
    }

    /** The cached status of a group, or null if it was not hosted at the last refresh. */
    public GroupStatus cached(long groupId) {
        return cache.get(groupId);
    }

    /** Runs on the timer thread only. */
    private void update(List<GroupStatus> statuses) {
        Map<Long, GroupStatus> seen = new HashMap<>();
        long led = 0;
        long maxLag = 0;
        for (GroupStatus s : statuses) {
            seen.put(s.groupId(), s);
            cache.put(s.groupId(), s);
            if (s.role() == StateType.LEADER) {
                led++;
            }
            maxLag = Math.max(maxLag, applyLag(s));
            if (!groupMeters.containsKey(s.groupId())) {
                groupMeters.put(s.groupId(), registerGroup(s.groupId()));
            }
        }
        for (Long gone : new ArrayList<>(groupMeters.keySet())) {
            if (!seen.containsKey(gone)) {
                groupMeters.remove(gone).forEach(registry::remove);
                cache.remove(gone);
            }
        }
        groups = seen.size();
        leaders = led;
        maxApplyLag = maxLag;
        if (runtime.store() instanceof RocksLogStore rocks) {
            LogStoreStats now = rocks.stats();
            if (lastStats != null) {
                long writes = now.diskWrites() - lastStats.diskWrites();
                long batches = now.batchesWritten() - lastStats.batchesWritten();
                fsyncBatchSize = writes <= 0 ? 0 : (double) batches / writes;
            }
            lastStats = now;
        }
    }

    private List<Meter> registerGroup(long groupId) {
        Tags tags = common.and("group", Long.toString(groupId));
        List<Meter> meters = new ArrayList<>(6);
        meters.add(groupGauge("cairn.raft.group.state", tags, groupId, s -> stateCode(s.role())));
        meters.add(groupGauge("cairn.raft.group.term", tags, groupId, GroupStatus::term));
        meters.add(groupGauge("cairn.raft.group.commit.index", tags, groupId, GroupStatus::commitIndex));
        meters.add(groupGauge("cairn.raft.group.applied.index", tags, groupId, GroupStatus::appliedIndex));
        meters.add(groupGauge("cairn.raft.group.apply.lag", tags, groupId, RaftMetrics::applyLag));
        meters.add(groupGauge("cairn.raft.group.last.index", tags, groupId, GroupStatus::lastIndex));
        return meters;
    }

    private Gauge groupGauge(String name, Tags tags, long groupId, ToDoubleFunction<GroupStatus> f) {
        return Gauge.builder(name, cache, c -> {
            GroupStatus s = c.get(groupId);
            return s == null ? Double.NaN : f.applyAsDouble(s);
        }).tags(tags).register(registry);
    }

    static long applyLag(GroupStatus s) {
        return Math.max(0, s.commitIndex() - s.appliedIndex());
    }

    /** The number a {@code cairn.raft.group.state} gauge reports for a state (frozen). */
    public static int stateCode(StateType state) {
        return switch (state) {
            case FOLLOWER -> 0;
            case CANDIDATE -> 1;
            case LEADER -> 2;
            case PRE_CANDIDATE -> 3;
        };
    }

    /** Stops refreshing and removes every meter this instance registered. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (List<Meter> meters : groupMeters.values()) {
            meters.forEach(registry::remove);
        }
        groupMeters.clear();
        for (Meter m : new ArrayList<>(registry.getMeters())) {
            if (m.getId().getName().startsWith("cairn.raft.") && common.stream().allMatch(
                    t -> t.getValue().equals(m.getId().getTag(t.getKey())))) {
                registry.remove(m);
            }
        }
    }
}
