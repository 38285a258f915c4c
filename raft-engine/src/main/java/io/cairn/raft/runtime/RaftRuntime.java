package io.cairn.raft.runtime;

import io.cairn.raft.core.ConfChange;
import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.HardState;
import io.cairn.raft.core.LeaseRead;
import io.cairn.raft.core.RaftConfig;
import io.cairn.raft.core.RawNode;
import io.cairn.raft.core.ReadOnlyOption;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.storage.GroupLogStorage;
import io.cairn.raft.storage.RaftLogStore;
import io.cairn.raft.storage.RocksLogStore;
import io.cairn.raft.storage.RocksLogStoreConfig;
import io.cairn.raft.transport.GrpcRaftTransport;
import io.cairn.raft.transport.GrpcTransportOptions;
import io.cairn.raft.transport.GroupMessage;
import io.cairn.raft.transport.RaftMessageHandler;
import io.cairn.raft.transport.RaftTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The multi-Raft runtime of one node: hosts many group replicas on a fixed pool of worker threads
 * (each owning a subset of groups, with a mailbox; no lock shared across groups), one shared
 * durable log store with group commit, one transport, one ticking timer, and apply threads apart
 * from the Raft threads. Idle groups hibernate: they are not ticked until a message (other than a
 * live leader's heartbeat), a proposal or a read wakes them.
 *
 * <p>All request methods are asynchronous and never block the caller.
 */
public final class RaftRuntime implements RaftMessageHandler, AutoCloseable {

    private final long nodeId;
    private final RaftLogStore store;
    private final RaftTransport transport;
    private final StateMachineFactory stateMachines;
    private final RuntimeOptions options;
    private final Worker[] workers;
    private final ExecutorService[] appliers;
    private final ScheduledExecutorService timer;
    /** Which groups this node hosts; the replicas themselves live in their workers. */
    private final Set<Long> hosted = ConcurrentHashMap.newKeySet();
    private volatile boolean started;
    /** Set by {@link #close}: queued applies are skipped (they run again after a restart). */
    private volatile boolean closing;
    /** Reads answered from a leader lease on this node, and reads that took a ReadIndex round instead. */
    private final LongAdder leaseReads = new LongAdder();
    private final LongAdder readIndexReads = new LongAdder();
    /** Of {@link #leaseReads}, those answered on the caller's thread from a published lease. */
    private final LongAdder callerLeaseReads = new LongAdder();
    /** Every hosted replica by group, for lease reads on the caller's thread (workers keep it). */
    private final Map<Long, GroupReplica> replicas = new ConcurrentHashMap<>();
    private final java.util.function.LongSupplier leaseClock;
    /** A store this runtime opened itself (see {@link #onDisk}) and so closes; else null. */
    private AutoCloseable ownedStore;

    /**
     * A node on its own disk: the RocksDB Raft log under {@code dir/log}, received snapshots staged
     * under {@code dir/staging}, the state machines' snapshots under {@code dir/snapshots} (this
     * replaces {@code options.snapshotDir()}), gRPC on {@code host:port}. The runtime owns the
     * log store and closes it. Not started yet.
     */
    public static RaftRuntime onDisk(long nodeId, Path dir, String host, int port, StateMachineFactory stateMachines,
                                     RuntimeOptions options, GrpcTransportOptions transportOptions) {
        RocksLogStore store = RocksLogStore.open(RocksLogStoreConfig.defaults(dir.resolve("log")));
        GrpcTransportOptions topts = transportOptions.withSnapshotStagingDir(dir.resolve("staging"));
        RaftRuntime rt = new RaftRuntime(nodeId, store, h -> new GrpcRaftTransport(nodeId, host, port, h, topts),
                stateMachines, options.withSnapshotDir(dir.resolve("snapshots")));
        rt.ownedStore = store;
        return rt;
    }

    public RaftRuntime(long nodeId, RaftLogStore store, Function<RaftMessageHandler, RaftTransport> transportFactory,
                       StateMachineFactory stateMachines, RuntimeOptions options) {
        this.nodeId = nodeId;
        this.store = store;
        this.stateMachines = stateMachines;
        this.options = options;
        this.leaseClock = options.leaseClock();
        this.transport = transportFactory.apply(this);
        this.workers = new Worker[options.workers()];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i, store, replicas);
        }
        this.appliers = new ExecutorService[options.applyThreads()];
        for (int i = 0; i < appliers.length; i++) {
            int n = i;
            appliers[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "raft-apply-" + nodeId + "-" + n);
                t.setDaemon(true);
                return t;
            });
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "raft-ticker-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the transport, the workers and the ticker, and reloads every group in the store. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        transport.start();
        for (Worker w : workers) {
            w.start(Long.toString(nodeId));
        }
        for (long groupId : store.groups()) {
            open(groupId, store.group(groupId));
        }
        timer.scheduleAtFixedRate(() -> {
            for (Worker w : workers) {
                w.tickDue();
            }
            watchPeers();
        }, options.tickMillis(), options.tickMillis(), TimeUnit.MILLISECONDS);
    }

    /** Peers seen connected at the last tick (ticker thread only). */
    private final Set<Long> connectedPeers = new java.util.HashSet<>();

    /**
     * Node-level failure detection for hibernating groups: when the stream to a peer drops,
     * every hibernating group that node leads wakes up, so its followers time out and elect.
     * One check per peer per tick, however many groups.
     */
    private void watchPeers() {
        for (long peer : transport.peers()) {
            boolean up = transport.isConnected(peer);
            if (up) {
                connectedPeers.add(peer);
            } else if (connectedPeers.remove(peer)) {
                for (Worker w : workers) {
                    w.post(() -> w.wakeGroupsLedBy(peer));
                }
            }
        }
    }

    boolean closing() {
        return closing;
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RaftRuntime.class);

    static org.slf4j.Logger log() {
        return LOG;
    }

    public long nodeId() {
        return nodeId;
    }

    public RaftTransport transport() {
        return transport;
    }

    /** The log store (for its statistics). */
    public RaftLogStore store() {
        return store;
    }

    RuntimeOptions options() {
        return options;
    }

    /**
     * Reads ({@link #readIndex}) received by this node that its own leader lease answered at once,
     * without a heartbeat round (only with {@link RuntimeOptions#leaseReads()}).
     */
    public long leaseReads() {
        return leaseReads.sum();
    }

    /**
     * Reads received by this node that went through a ReadIndex heartbeat round (or were forwarded
     * to the leader, as on followers) instead of a lease. Counted per read, not per round.
     */
    public long readIndexReads() {
        return readIndexReads.sum();
    }

    /**
     * Of {@link #leaseReads()}, the reads answered on the caller's thread from the lease the
     * group's worker published, without a task on that worker (see {@link #readIndex}).
     */
    public long callerLeaseReads() {
        return callerLeaseReads.sum();
    }

    void countReads(int n, boolean byLease) {
        (byLease ? leaseReads : readIndexReads).add(n);
    }

    /** Ids of the groups this node hosts a replica of. */
    public Set<Long> groupIds() {
        return Set.copyOf(hosted);
    }

    /**
     * Creates this node's replica of a group. Every replica of a group, founding or added later,
     * is created with the group's founding membership.
     */
    public CompletableFuture<Void> createGroup(long groupId, ConfState founding) {
        if (!hosted.add(groupId)) {
            return CompletableFuture.failedFuture(new IllegalStateException("group " + groupId + " already exists"));
        }
        // Opened on the group's worker, not on the store's writer thread (which would stall group
        // commit for the whole node while a state machine opens).
        Worker w = workerOf(groupId);
        return store.createGroup(groupId, founding).thenAcceptAsync(storage -> open(groupId, storage), w::post);
    }

    private void open(long groupId, GroupLogStorage storage) {
        hosted.add(groupId);
        StateMachine sm = stateMachines.open(groupId);
        SnapshotMetadata snap = storage.snapshotMetadata();
        if (sm.appliedIndex() < snap.index()) {
            // The log was reset to a received snapshot but the state machine had not installed
            // it when the node stopped: install it now, before anything is applied on top.
            Path dir = snapshotDir(groupId, snap.index());
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException("group " + groupId + ": state machine applied " + sm.appliedIndex()
                        + " but the log starts after snapshot " + snap.index() + ", whose files are missing at " + dir);
            }
            sm.installSnapshot(dir, snap);
        }
        long applied = sm.appliedIndex();
        HardState hs = storage.initialState().hardState();
        if (applied > hs.commit() && !hs.isEmpty()) {
            // Committed entries may be applied before the write carrying the new commit index is
            // durable (GroupReplica.dispatchBeforePersist); a crash in between leaves the state
            // machine ahead of the stored commit. Everything applied was committed (a quorum
            // persisted it) and is in this log, so the stored commit index is raised to it.
            long commit = Math.min(applied, storage.lastIndex());
            if (commit > hs.commit()) {
                store.commit(store.newBatch().setHardState(groupId, new HardState(hs.term(), hs.vote(), commit)))
                        .join();
            }
        }
        RaftConfig cfg = RaftConfig.of(nodeId, storage)
                .electionTick(options.electionTicks())
                .heartbeatTick(options.heartbeatTicks())
                .applied(applied)
                .maxSizePerMsg(options.maxSizePerMsg())
                .maxInflightMsgs(options.maxInflightMsgs())
                .maxUncommittedEntriesSize(options.maxUncommittedBytes())
                // CheckQuorum (the core's default) is what leases rest on. The clock times leases and
                // the followers' promise not to vote, so neither depends on the ticker being punctual;
                // given to every group, leases on or not, so followers keep their promise in real time.
                .checkQuorum(true)
                .readOnlyOption(options.leaseReads() ? ReadOnlyOption.LEASE_BASED : ReadOnlyOption.SAFE)
                .leaseClock(leaseClock, TimeUnit.MILLISECONDS.toNanos(options.tickMillis()))
                .random(new java.util.Random(nodeId * 31 + groupId ^ System.nanoTime()));
        Worker w = workerOf(groupId);
        w.post(() -> {
            RawNode node = new RawNode(cfg);
            w.add(new GroupReplica(groupId, this, w, storage, node, sm, applierOf(groupId), applied));
        });
    }

    /** Removes this node's replica of a group and deletes its log. */
    public CompletableFuture<Void> destroyGroup(long groupId) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Worker w = workerOf(groupId);
        w.post(() -> {
            GroupReplica g = w.remove(groupId);
            hosted.remove(groupId);
            if (g != null) {
                g.abandon(new IllegalStateException("group " + groupId + " was destroyed on node " + nodeId));
                g.closeStateMachine();
            }
            store.destroyGroup(groupId).whenComplete((ok, err) -> {
                deleteQuietly(options.snapshotDir().resolve(Long.toString(groupId)));
                if (err != null) {
                    done.completeExceptionally(err);
                } else {
                    done.complete(null);
                }
            });
        });
        return done;
    }

    /**
     * Proposes data to a group whose leader is this node. Completes with the state machine's
     * result once applied here, or exceptionally with {@link NotLeaderException} (also when
     * leadership was lost before the entry committed) or a {@code ProposalDroppedException}.
     */
    public CompletableFuture<Object> propose(long groupId, byte[] data) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        onGroup(groupId, f, g -> g.propose(data, f));
        return f;
    }

    /** Proposes a membership change at the leader; completes with the new membership once applied. */
    public CompletableFuture<ConfState> changeMembership(long groupId, ConfChange change) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        onGroup(groupId, f, g -> g.proposeConfChange(change, f));
        return f.thenApply(ConfState.class::cast);
    }

    /**
     * A linearizable read barrier (ReadIndex): completes, with the applied index, once this
     * replica's state machine has applied everything committed before the call. Works on
     * followers and observers too (the leader confirms the index).
     *
     * <p>On a leader holding its lease (with {@link RuntimeOptions#leaseReads()}) the barrier is
     * decided on the caller's thread, from the lease the group's worker published: when the lease
     * clock is still inside it and the state machine has applied its index, the returned future
     * is already complete, no task runs on the worker; when the index is not applied yet, the
     * worker only registers the wait. Otherwise (no lease published: a follower, no lease yet or
     * any more, fenced, hibernating) the read goes to the worker: a lease judged there, or a
     * ReadIndex round. See docs/raft-runtime.md, "Reads".
     */
    public CompletableFuture<Long> readIndex(long groupId) {
        GroupReplica r = replicas.get(groupId);
        if (r != null) {
            // The lease first, then the clock: the lease read covers every write acknowledged
            // before this call (published before any of them was applied), and holds now.
            LeaseRead lease = r.publishedLease();
            if (lease != null && lease.holdsAt(leaseClock.getAsLong())) {
                r.noteLeaseRead();
                leaseReads.increment();
                callerLeaseReads.increment();
                long applied = r.appliedIndex();
                if (applied >= lease.index()) {
                    return CompletableFuture.completedFuture(applied);
                }
                CompletableFuture<Long> f = new CompletableFuture<>();
                onGroup(groupId, f, g -> g.awaitApplied(lease.index(), f));
                return f;
            }
        }
        CompletableFuture<Long> f = new CompletableFuture<>();
        onGroup(groupId, f, g -> g.readIndex(f));
        return f;
    }

    /** Asks the group's leader to hand leadership to {@code toNode}; completes when asked. */
    public CompletableFuture<Void> transferLeader(long groupId, long toNode) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        onGroup(groupId, f, g -> {
            g.transferLeader(toNode);
            f.complete(null);
        });
        return f;
    }

    /**
     * On the leader of {@code groupId}: {@code {index, n}}, how many other voters' logs are known
     * to hold {@code index} (their match index). {@code index} < 0: an index at or after every
     * entry committed so far (the commit index once an entry of the leader's term is committed,
     * else its last index), so after every write already acknowledged. Fails with
     * {@link NotLeaderException} on any other replica. What Redis's WAIT counts: a caller takes
     * the index once, then asks again for it until enough voters hold it.
     */
    public CompletableFuture<long[]> votersHolding(long groupId, long index) {
        CompletableFuture<long[]> f = new CompletableFuture<>();
        onGroup(groupId, f, g -> f.complete(g.votersHolding(index)), false); // a query: nothing to handle after
        return f;
    }

    public CompletableFuture<GroupStatus> status(long groupId) {
        CompletableFuture<GroupStatus> f = new CompletableFuture<>();
        onGroup(groupId, f, g -> f.complete(g.status()));
        return f;
    }

    /**
     * The status of every hosted group, gathered with one task per worker rather than one per
     * group, so that polling thousands of groups (metrics) costs a handful of mailbox posts.
     */
    public CompletableFuture<List<GroupStatus>> statuses() {
        List<CompletableFuture<List<GroupStatus>>> parts = new ArrayList<>();
        for (Worker w : workers) {
            CompletableFuture<List<GroupStatus>> p = new CompletableFuture<>();
            w.post(() -> p.complete(w.statuses()));
            parts.add(p);
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<GroupStatus> all = new ArrayList<>();
            parts.forEach(p -> all.addAll(p.join()));
            return all;
        });
    }

    /** Number of groups currently awake (not hibernating), across all workers. */
    public CompletableFuture<Integer> awakeGroups() {
        List<CompletableFuture<Integer>> parts = new ArrayList<>();
        for (Worker w : workers) {
            CompletableFuture<Integer> p = new CompletableFuture<>();
            w.post(() -> p.complete(w.awakeCount()));
            parts.add(p);
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> parts.stream().mapToInt(CompletableFuture::join).sum());
    }

    private void onGroup(long groupId, CompletableFuture<?> f, java.util.function.Consumer<GroupReplica> action) {
        onGroup(groupId, f, action, true);
    }

    /** {@code dirty}: the action may have changed the group, so its Ready is handled after. */
    private void onGroup(long groupId, CompletableFuture<?> f, java.util.function.Consumer<GroupReplica> action,
                         boolean dirty) {
        Worker w = workerOf(groupId);
        w.post(() -> {
            GroupReplica g = w.group(groupId);
            if (g == null) {
                f.completeExceptionally(new IllegalArgumentException("group " + groupId + " is not hosted on node " + nodeId));
                return;
            }
            try {
                action.accept(g);
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
            if (dirty) {
                w.markDirty(g);
            }
        });
    }

    /** Runs {@code task} on the worker of {@code groupId} (tests: to hold that worker up). */
    void postToWorkerOf(long groupId, Runnable task) {
        workerOf(groupId).post(task);
    }

    // ------------------------------------------------------------------ transport callbacks

    @Override
    public void onMessages(long fromNode, List<GroupMessage> batch) {
        Map<Worker, List<GroupMessage>> byWorker = new HashMap<>();
        for (GroupMessage gm : batch) {
            byWorker.computeIfAbsent(workerOf(gm.groupId()), k -> new ArrayList<>()).add(gm);
        }
        byWorker.forEach((w, msgs) -> w.post(() -> {
            for (GroupMessage gm : msgs) {
                GroupReplica g = w.group(gm.groupId());
                if (g != null) {
                    g.step(gm.message());
                    w.markDirty(g);
                }
            }
        }));
    }

    @Override
    public void onSnapshot(long fromNode, GroupMessage snapMessage, Path receivedDir) {
        Worker w = workerOf(snapMessage.groupId());
        w.post(() -> {
            GroupReplica g = w.group(snapMessage.groupId());
            if (g == null) {
                deleteQuietly(receivedDir);
                return;
            }
            g.stepSnapshot(snapMessage.message(), receivedDir);
            w.markDirty(g);
        });
    }

    // ------------------------------------------------------------------ helpers

    private Worker workerOf(long groupId) {
        return workers[(int) Math.floorMod(groupId * 0x9E3779B97F4A7C15L >>> 16, (long) workers.length)];
    }

    private ExecutorService applierOf(long groupId) {
        return appliers[(int) Math.floorMod(groupId, (long) appliers.length)];
    }

    Path snapshotDir(long groupId, long index) {
        return options.snapshotDir().resolve(Long.toString(groupId)).resolve(String.format("%020d", index));
    }

    static Path emptyDir(Path dir) {
        deleteQuietly(dir);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Moves a received snapshot to where this node keeps its own, so it can serve it on. */
    static Path moveSnapshot(Path from, Path to) {
        try {
            deleteQuietly(to);
            Files.createDirectories(to.getParent());
            return Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    @Override
    public synchronized void close() {
        closing = true;
        timer.shutdownNow();
        for (Worker w : workers) {
            w.stop();
        }
        transport.close();
        for (ExecutorService a : appliers) {
            a.shutdown();
        }
        // Wait for the apply in progress, however long: the caller closes the state machines'
        // storage next, and an apply still running on closed storage crashes in native code.
        for (ExecutorService a : appliers) {
            try {
                while (!a.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("an apply is still running 5 s into close; waiting for it");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownedStore != null) {
            try {
                ownedStore.close();
            } catch (Exception e) {
                LOG.warn("closing the log store failed", e);
            }
        }
    }
}
