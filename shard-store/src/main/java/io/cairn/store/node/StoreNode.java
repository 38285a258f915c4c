package io.cairn.store.node;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.metrics.NodeMetrics;
import io.cairn.raft.runtime.RaftRuntime;
import io.cairn.raft.runtime.RuntimeOptions;
import io.cairn.raft.transport.GrpcServers;
import io.cairn.raft.transport.GrpcTransportOptions;
import io.cairn.store.types.Args;
import io.cairn.store.replica.DataDb;
import io.cairn.store.replica.ShardStateMachine;
import io.cairn.store.replica.ShardStateMachines;
import io.cairn.store.replica.StoreCommand;
import io.grpc.Server;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Tags;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One store node: the data RocksDB ({@code data.dir/data}), the multi-Raft runtime
 * ({@code data.dir/raft}) with a {@link ShardStateMachine} per hosted group, the static groups of
 * the config or, with {@code meta.address}, the groups the meta service's map places here
 * ({@link MetaLink}), the gRPC StoreService, and the leader's background tasks (active expiry every
 * {@code expiry.interval.ms}, dropping idle sessions every {@code sessions.expiry.interval.ms}).
 *
 * <p>Run it with {@code StoreNode --config FILE}; docs/store-node.md lists the keys.
 */
public final class StoreNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreNode.class);

    private final StoreConfig config;
    private final DataDb db;
    private final ShardStateMachines stateMachines;
    private final RaftRuntime runtime;
    private final ExecutorService reads;
    private final ScheduledExecutorService leaderTasks;
    private final Set<Long> expiryInFlight = ConcurrentHashMap.newKeySet();
    private final Set<Long> sessionExpiryInFlight = ConcurrentHashMap.newKeySet();
    private MetaLink meta;
    private NodeMetrics metrics;
    private Server server;
    private StoreServiceImpl service;
    private StoreControlService control;
    private boolean closed;

    private StoreNode(StoreConfig config) {
        this.config = config;
        this.db = DataDb.open(config.dataDir().resolve("data"), config.blockCacheBytes());
        this.stateMachines = new ShardStateMachines(db);
        Path raftDir = config.dataDir().resolve("raft");
        RuntimeOptions options = RuntimeOptions.defaults(raftDir.resolve("snapshots"))
                .withTickMillis(config.tickMillis())
                .withElectionTicks(config.electionTicks())
                .withWorkers(config.raftWorkers())
                .withApplyThreads(config.applyThreads())
                .withLeaseReads(config.leaseReads())
                .withInlineApplyBytes(config.inlineApplyBytes());
        GrpcTransportOptions transport = GrpcTransportOptions.defaults()
                .withReconnectBackoff(Duration.ofMillis(Math.max(1, Math.min(50, config.tickMillis()))),
                        Duration.ofMillis(Math.max(200, config.tickMillis() * config.electionTicks())));
        this.runtime = RaftRuntime.onDisk(config.nodeId(), raftDir, config.host(), config.raftPort(), stateMachines,
                options, transport);
        this.reads = Executors.newFixedThreadPool(config.readThreads(), daemonThreads("store-read-" + config.nodeId()));
        this.leaderTasks = Executors.newSingleThreadScheduledExecutor(
                daemonThreads("store-leader-tasks-" + config.nodeId()));
    }

    /** Opens the node's storage, creates missing static groups, and starts serving. */
    public static StoreNode start(StoreConfig config) {
        StoreNode node = new StoreNode(config);
        try {
            node.startServing();
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private void startServing() {
        runtime.start();
        config.peers().forEach((id, peer) -> {
            if (id != config.nodeId()) {
                runtime.transport().setPeer(id, peer.raftAddress());
            }
        });
        Set<Long> existing = runtime.groupIds();
        List<CompletableFuture<Void>> created = new ArrayList<>();
        for (StoreConfig.Group g : config.localGroups()) {
            if (!existing.contains(g.id())) {
                created.add(runtime.createGroup(g.id(), ConfState.ofVoters(g.members().toArray(Long[]::new))));
            }
        }
        CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
        SlotOwnership ownership;
        if (config.metaMode()) {
            meta = new MetaLink(config, runtime, stateMachines);
            ownership = SlotOwnership.ofMap(meta.view(), config.nodeId());
        } else {
            ownership = SlotOwnership.ofConfig(config);
        }
        // Execute never blocks (commands become futures; heavy reads run on the read pool), so it runs
        // on the Netty event loop: no hand-off to gRPC's executor per call.
        service = new StoreServiceImpl(config, ownership, runtime, stateMachines, reads);
        control = new StoreControlService(config.nodeId(), runtime, config.requestTimeoutMillis(),
                new SlotMigrationControl(config, runtime, stateMachines));
        // Gateways ping connections with calls out (route.keepalive.ms, at least 10 s): allow
        // every 5 s, else the server would answer them with GOAWAY (too many pings).
        server = GrpcServers.startNonBlocking(config.host(), config.servicePort(), config.maxMessageBytes(),
                nb -> nb.permitKeepAliveTime(5, TimeUnit.SECONDS), service, control);
        leaderTasks.scheduleWithFixedDelay(this::expireKeys, config.expiryIntervalMillis(),
                config.expiryIntervalMillis(), TimeUnit.MILLISECONDS);
        leaderTasks.scheduleWithFixedDelay(this::expireSessions, config.sessionExpiryIntervalMillis(),
                config.sessionExpiryIntervalMillis(), TimeUnit.MILLISECONDS);
        if (meta != null) {
            meta.start();
        }
        if (config.metricsPort() != 0) {
            metrics = NodeMetrics.start(runtime, config.host(), config.metricsPort());
            Tags node = Tags.of("node", Long.toString(config.nodeId()));
            FunctionCounter.builder("cairn.store.record.cache.lookups", stateMachines, ShardStateMachines::recordCacheHits)
                    .tags(node.and("result", "hit"))
                    .description("Key record reads of the apply path answered by the record cache (open groups)")
                    .register(metrics.registry());
            FunctionCounter.builder("cairn.store.record.cache.lookups", stateMachines, ShardStateMachines::recordCacheMisses)
                    .tags(node.and("result", "miss"))
                    .description("Key record reads of the apply path that went to RocksDB (open groups)")
                    .register(metrics.registry());
        }
        LOG.info("store node {} ready: service on {}:{}, raft on {}:{}, groups {}{}", config.nodeId(), config.host(),
                servicePort(), config.host(), config.raftPort(), runtime.groupIds(),
                metrics == null ? "" : ", metrics on http://" + config.host() + ":" + metrics.port() + "/metrics");
    }

    public StoreConfig config() {
        return config;
    }

    public RaftRuntime runtime() {
        return runtime;
    }

    /** The map this node follows in meta mode ({@code meta.address} set); null in static mode. */
    public io.cairn.meta.client.ClusterView clusterView() {
        return meta == null ? null : meta.view();
    }

    /** Whether the meta service accepted this node's registration (always false in static mode). */
    public boolean registeredWithMeta() {
        return meta != null && meta.registered();
    }

    public ShardStateMachines stateMachines() {
        return stateMachines;
    }

    /** The Prometheus endpoint's port; 0 when {@code metrics.port} is 0 (off). */
    public int metricsPort() {
        return metrics == null ? 0 : metrics.port();
    }

    /** The port the StoreService listens on. */
    /**
     * Reads this node ran on the thread that received them instead of its read pool (cheap reads
     * whose barrier a leader lease passed at once; docs/store-node.md).
     */
    public long inlineReads() {
        return service == null ? 0 : service.inlineReads();
    }

    public int servicePort() {
        return server.getPort();
    }

    /** Active expiry: each group led here proposes deleting up to expiry.batch expired keys. */
    private void expireKeys() {
        try {
            long now = System.currentTimeMillis();
            for (long g : runtime.groupIds()) {
                ShardStateMachine sm = stateMachines.get(g);
                if (sm == null || sm.leaderId() != config.nodeId() || expiryInFlight.contains(g)) {
                    continue;
                }
                List<byte[]> keys = sm.expiredKeys(now, config.expiryBatch());
                if (keys.isEmpty()) {
                    continue;
                }
                byte[][] argv = new byte[keys.size() + 1][];
                argv[0] = Args.bytes(ShardStateMachine.EXPIRED);
                for (int i = 0; i < keys.size(); i++) {
                    argv[i + 1] = keys.get(i);
                }
                proposeInternal(g, argv, expiryInFlight);
            }
        } catch (RuntimeException e) {
            LOG.warn("active expiry failed", e);
        }
    }

    /** Each group led here proposes dropping its idle exactly-once sessions. */
    private void expireSessions() {
        try {
            for (long g : runtime.groupIds()) {
                ShardStateMachine sm = stateMachines.get(g);
                if (sm != null && sm.leaderId() == config.nodeId() && !sessionExpiryInFlight.contains(g)) {
                    proposeInternal(g, new byte[][] {Args.bytes(ShardStateMachine.EXPIRE_SESSIONS)},
                            sessionExpiryInFlight);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("session expiry failed", e);
        }
    }

    /** One internal proposal per group at a time (a slow commit must not pile up duplicates). */
    private void proposeInternal(long group, byte[][] argv, Set<Long> inFlight) {
        inFlight.add(group);
        StoreCommand c = new StoreCommand(0, 0, 0, System.currentTimeMillis(),
                ThreadLocalRandom.current().nextLong(), argv);
        runtime.propose(group, c.encode())
                .orTimeout(config.requestTimeoutMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, err) -> {
                    inFlight.remove(group);
                    if (err != null) {
                        LOG.debug("group {}: internal command {} not applied: {}", group, Args.str(argv[0]),
                                err.toString());
                    }
                });
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        leaderTasks.shutdownNow();
        if (metrics != null) {
            metrics.close();
        }
        if (meta != null) {
            meta.close();
        }
        GrpcServers.stop(server, Duration.ofSeconds(5));
        if (control != null) {
            control.close();
        }
        runtime.close();
        reads.shutdown();
        try {
            if (!reads.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("reads still running after 5 s; closing the data store anyway");
            }
            leaderTasks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
        LOG.info("store node {} stopped", config.nodeId());
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    /** {@code StoreNode --config FILE}: runs until the process is stopped (SIGTERM closes cleanly). */
    public static void main(String[] args) throws Exception {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("--config") || args[i].equals("-c")) && i + 1 < args.length) {
                file = Path.of(args[++i]);
            } else if (args[i].startsWith("--config=")) {
                file = Path.of(args[i].substring("--config=".length()));
            } else {
                System.err.println("unknown argument: " + args[i]);
                System.err.println("usage: StoreNode --config FILE");
                System.exit(2);
            }
        }
        if (file == null) {
            System.err.println("usage: StoreNode --config FILE");
            System.exit(2);
        }
        StoreNode node = start(StoreConfig.load(file));
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.complete(null);
        }, "store-node-shutdown"));
        stopped.join();
    }
}
