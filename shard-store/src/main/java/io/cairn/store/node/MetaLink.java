package io.cairn.store.node;

import io.cairn.meta.client.MetaClient;
import io.cairn.meta.client.MetaClusterView;
import io.cairn.meta.client.MetaUnavailableException;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.meta.proto.GroupReport;
import io.cairn.meta.proto.HeartbeatRequest;
import io.cairn.meta.proto.HeartbeatResponse;
import io.cairn.meta.proto.RegisterStoreResponse;
import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.StateType;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.raft.runtime.RaftRuntime;
import io.cairn.store.replica.ShardStateMachine;
import io.cairn.store.replica.ShardStateMachines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store node's link to the meta service ({@code meta.address} set):
 *
 * <ul>
 *   <li>registers the node (id, Raft and StoreService addresses), retrying every
 *       {@code meta.heartbeat.ms} until the meta service accepts it (a refusal, e.g. the id is
 *       known with other addresses, is logged and retried too: an operator has to fix it);</li>
 *   <li>then sends a heartbeat every {@code meta.heartbeat.ms} with a report per hosted group
 *       (role, leader, term, applied index from the runtime; for the groups it leads, the
 *       latest size measured by its {@link GroupSizer}), and registers again if the meta
 *       service does not know the node;</li>
 *   <li>follows the map ({@link MetaClusterView}): gives the Raft transport the address of every
 *       store of the map, creates the replicas the map places here that the runtime does not
 *       have yet (from {@link #baseMembership}), and destroys the replicas the map no longer
 *       places here, deleting the group's key range from the data RocksDB.</li>
 * </ul>
 *
 * Map handling runs on its own thread (listeners only hand the work over), registration and
 * heartbeats on another, so a slow meta service never holds up the map or the data path.
 *
 * <p>The meta leader orders replica changes so that this is safe: a replica is in the map before
 * the group's leader adds it to the Raft configuration, and out of the Raft configuration before
 * it leaves the map.
 */
final class MetaLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetaLink.class);

    private final StoreConfig config;
    private final RaftRuntime runtime;
    private final GroupSizer sizer;
    private final MetaClient client;
    private final MetaClusterView view;
    private final ExecutorService mapTasks;
    private final ScheduledExecutorService beats;
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
    private final Map<Long, String> peersSet = new HashMap<>();
    private final ShardStateMachines machines;
    /** Groups being created or destroyed here (one at a time per group). */
    private final Set<Long> busy = ConcurrentHashMap.newKeySet();
    private volatile boolean registered;
    /** Set once the map says this store was removed (remove-store): it stops registering and heartbeating. */
    private boolean removed;

    MetaLink(StoreConfig config, RaftRuntime runtime, ShardStateMachines machines) {
        this.config = config;
        this.runtime = runtime;
        this.machines = machines;
        this.sizer = new GroupSizer(config.nodeId(), runtime, machines, config.metaHeartbeatMillis());
        this.client = new MetaClient(config.metaAddresses(), MetaClient.Options.defaults()
                .withTotalTimeout(Duration.ofMillis(Math.max(1000, config.metaHeartbeatMillis() * 4))));
        this.view = MetaClusterView.start(client);
        this.mapTasks = Executors.newSingleThreadExecutor(daemon("store-map-" + config.nodeId()));
        this.beats = Executors.newSingleThreadScheduledExecutor(daemon("store-meta-" + config.nodeId()));
    }

    MetaClusterView view() {
        return view;
    }

    boolean registered() {
        return registered;
    }

    /** Starts following the map, registering and heartbeating. */
    void start() {
        view.addListener(m -> scheduleReconcile());
        scheduleReconcile();
        sizer.start();
        beats.scheduleWithFixedDelay(this::beat, 0, config.metaHeartbeatMillis(), TimeUnit.MILLISECONDS);
    }

    private void beat() {
        try {
            if (removed || removedFromMap()) {
                return;
            }
            if (!registered) {
                register();
            }
            if (registered) {
                heartbeat();
            }
        } catch (MetaUnavailableException e) {
            LOG.debug("meta service unavailable: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("meta heartbeat failed", e);
        }
    }

    /**
     * Whether the map marks this store REMOVED (its replicas moved away by remove-store; the meta
     * service refuses its id for good). Said once, then the node stays quiet: stop the process.
     */
    private boolean removedFromMap() {
        boolean gone = view.map().store(config.nodeId())
                .map(s -> s.state() == StoreState.REMOVED).orElse(false);
        if (gone) {
            removed = true;
            LOG.warn("store {} was removed from the cluster (map version {}): it no longer registers or"
                    + " heartbeats; stop this process", config.nodeId(), view.map().version());
        }
        return gone;
    }

    private void register() {
        StoreConfig.Peer self = config.self();
        RegisterStoreResponse r = client.registerStore(config.nodeId(), self.raftAddress(), self.serviceAddress());
        if (!r.getError().isEmpty()) {
            LOG.error("meta service refuses store {}: {} (retrying)", config.nodeId(), r.getError());
            return;
        }
        registered = true;
        LOG.info("store {} registered with the meta service (map version {})", config.nodeId(), r.getMapVersion());
        if (r.getMapVersion() > view.map().version()) {
            view.newerThan(view.map().version());
        }
    }

    private void heartbeat() {
        List<CompletableFuture<GroupStatus>> parts = new ArrayList<>();
        for (long g : runtime.groupIds()) {
            parts.add(runtime.status(g).orTimeout(config.metaHeartbeatMillis(), TimeUnit.MILLISECONDS));
        }
        long known = view.map().version();
        HeartbeatRequest.Builder b = HeartbeatRequest.newBuilder().setStoreId(config.nodeId()).setMapVersion(known);
        for (CompletableFuture<GroupStatus> p : parts) {
            try {
                GroupStatus s = p.join();
                GroupReport.Builder g = GroupReport.newBuilder().setGroupId(s.groupId()).setRole(s.role().name())
                        .setLeaderId(s.leader()).setTerm(s.term()).setAppliedIndex(s.appliedIndex());
                ShardStateMachine.Size size = s.role() == StateType.LEADER ? sizer.sizeOf(s.groupId()) : null;
                if (size != null) {
                    g.setSized(true).setKeyCount(size.keys()).setExpiresCount(size.expires())
                            .setSizeBytes(size.bytes()).setSizedIndex(size.appliedIndex());
                }
                b.addGroups(g);
            } catch (RuntimeException e) {
                LOG.debug("no status for a group in this heartbeat: {}", e.toString());
            }
        }
        HeartbeatResponse r = client.heartbeat(b.build());
        if (!r.getError().isEmpty()) {
            LOG.warn("meta service: {} (registering again)", r.getError());
            registered = false;
        } else if (r.getMapVersion() > known) {
            view.newerThan(known); // asks for the newer map now
        }
    }

    /** Coalesces map changes: one pass over the newest map, whatever the number of versions. */
    private void scheduleReconcile() {
        if (reconcileQueued.compareAndSet(false, true)) {
            try {
                mapTasks.execute(() -> {
                    reconcileQueued.set(false);
                    reconcile(view.map());
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                reconcileQueued.set(false);
            }
        }
    }

    private void reconcile(ShardMap m) {
        try {
            for (StoreInfo s : m.stores()) {
                if (s.id() != config.nodeId() && s.state() != StoreState.REMOVED
                        && !s.raftAddress().equals(peersSet.get(s.id()))) {
                    runtime.transport().setPeer(s.id(), s.raftAddress());
                    peersSet.put(s.id(), s.raftAddress());
                }
            }
            Set<Long> hosted = runtime.groupIds();
            for (GroupInfo g : m.groups()) {
                Replica mine = g.replicaOn(config.nodeId()).orElse(null);
                if (mine == null || hosted.contains(g.id()) || !busy.add(g.id())) {
                    continue;
                }
                ConfState base = baseMembership(g, mine);
                LOG.info("map version {} places group {} here ({}): creating it from membership {}", m.version(),
                        g.id(), mine.role(), base);
                // A new replica starts empty, whatever a crash left of an earlier one.
                machines.deleteGroupData(g.id()).thenCompose(v -> runtime.createGroup(g.id(), base))
                        .whenComplete((v, err) -> done(g.id(), "creating", err));
            }
            if (m.version() == 0) {
                return; // no map yet: it places nothing, but that says nothing about what to destroy
            }
            for (long id : hosted) {
                boolean placed = m.findGroup(id).flatMap(g -> g.replicaOn(config.nodeId())).isPresent();
                if (placed || !busy.add(id)) {
                    continue;
                }
                LOG.info("map version {} no longer places group {} here: destroying its replica and data", m.version(), id);
                runtime.destroyGroup(id).thenCompose(v -> machines.deleteGroupData(id))
                        .whenComplete((v, err) -> done(id, "destroying", err));
            }
        } catch (RuntimeException e) {
            LOG.warn("applying map version {} failed", m.version(), e);
        }
    }

    /**
     * The membership a new replica of {@code g} starts its log from. A founding voter of the group
     * starts from the founders, as every founder does. Any other replica (added later, or a
     * founder re-added after its replica went) starts from the founders without itself: the
     * group's own log or a snapshot from its leader then brings the real membership, and until
     * then the replica is no voter in its own eyes, so it never campaigns with an empty log.
     * (Starting from an empty membership instead would be wrong: entries replayed from index 1
     * would apply the group's membership changes on top of nothing.)
     */
    static ConfState baseMembership(GroupInfo g, Replica mine) {
        boolean founding = mine.role() == ReplicaRole.VOTER && g.isFounder(mine.storeId());
        return ConfState.ofVoters(g.founders().stream().filter(f -> founding || f != mine.storeId())
                .toArray(Long[]::new));
    }

    private void done(long group, String what, Throwable err) {
        busy.remove(group);
        if (err != null) {
            LOG.warn("{} group {} failed", what, group, err);
        }
        scheduleReconcile(); // a map that arrived meanwhile, or a retry
    }

    @Override
    public void close() {
        sizer.close();
        beats.shutdownNow();
        mapTasks.shutdownNow();
        view.close();
        client.close();
        try {
            beats.awaitTermination(5, TimeUnit.SECONDS);
            mapTasks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
