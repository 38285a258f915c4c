package io.cairn.meta.server;

import io.cairn.meta.admin.MapTables;
import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.MapException;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.ShardMapCodec;
import io.cairn.meta.map.SlotRange;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.meta.proto.Redirect;
import io.cairn.raft.core.ConfState;
import io.cairn.raft.metrics.NodeMetrics;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.raft.runtime.RaftRuntime;
import io.cairn.raft.runtime.RuntimeOptions;
import io.cairn.raft.transport.GrpcChannels;
import io.cairn.raft.transport.GrpcServers;
import io.cairn.raft.transport.GrpcTransportOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of the meta service: the meta Raft group (id {@link #GROUP}, on its own Raft
 * runtime under {@code data.dir/raft}), its {@link MetaStateMachine} ({@code data.dir/meta}), the
 * MetaService gRPC server and, while this replica leads, the leader's tasks: bootstrap of an
 * empty map once enough stores registered, marking silent stores DOWN (and back UP), and
 * spreading group leaderships over the stores ({@link LeaderBalancer}).
 *
 * <p>Run it with {@code MetaNode --config FILE}; docs/meta-service.md lists the keys.
 */
public final class MetaNode implements AutoCloseable {
  /** The meta Raft group's id. */
  public static final long GROUP = 1;
  private static final Logger LOG = LoggerFactory.getLogger(MetaNode.class);

  private final MetaConfig config;
  private final MetaStateMachine state;
  private final RaftRuntime runtime;
  private final StoreReports reports = new StoreReports();
  private final LeaderTransfers transfers = new LeaderTransfers(this);
  /** Channels to the stores' StoreControl service by service address: opened on first use, closed with this. */
  private final Map<String, ManagedChannel> storeChannels = new ConcurrentHashMap<>();
  private final ExecutorService watchExecutor;
  private final MapWatchers watchers;
  private final ScheduledExecutorService leaderTasks;
  private final AtomicInteger bootstrapProposals = new AtomicInteger();
  private final ReplicaChanges replicaChanges;
  private final SlotMigrations migrations;
  private final StoreChanges storeChanges;
  private volatile long leaderSinceNanos;
  /** When the leader balancer last looked (leader-tasks thread only). */
  private long lastBalanceNanos;
  private NodeMetrics metrics;
  private Server server;
  private boolean closed;

  private MetaNode(MetaConfig config) {
    this.config = config;
    this.replicaChanges = new ReplicaChanges(this);
    this.migrations = new SlotMigrations(this);
    this.storeChanges = new StoreChanges(this);
    this.state = new MetaStateMachine(config.dataDir().resolve("meta"), config.historyVersions());
    Path raftDir = config.dataDir().resolve("raft");
    RuntimeOptions options = RuntimeOptions.defaults(raftDir.resolve("snapshots"))
        .withTickMillis(config.tickMillis())
        .withElectionTicks(config.electionTicks())
        .withWorkers(1)
        .withApplyThreads(1)
        .withSnapshotEveryEntries(10_000, 1_000);
    GrpcTransportOptions transport = GrpcTransportOptions.defaults()
        .withReconnectBackoff(Duration.ofMillis(Math.max(1, Math.min(50, config.tickMillis()))),
            Duration.ofMillis(Math.max(200, config.tickMillis() * config.electionTicks())));
    this.runtime = RaftRuntime.onDisk(config.nodeId(), raftDir, config.host(), config.raftPort(), groupId -> {
      if (groupId != GROUP) {
        throw new IllegalArgumentException("a meta replica hosts only group " + GROUP + ", not " + groupId);
      }
      return state;
    }, options, transport);
    this.watchExecutor = Executors.newSingleThreadExecutor(daemonThreads("meta-watch-" + config.nodeId()));
    this.watchers = new MapWatchers(state, reports::hints, reports::sizes, watchExecutor);
    this.leaderTasks = Executors.newSingleThreadScheduledExecutor(daemonThreads("meta-leader-" + config.nodeId()));
    state.addListener(watchers::mapApplied);
  }

  /** Opens the replica's storage, creates the meta group on first start, and starts serving. */
  public static MetaNode start(MetaConfig config) {
    MetaNode node = new MetaNode(config);
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
    if (!runtime.groupIds().contains(GROUP)) {
      runtime.createGroup(GROUP, ConfState.ofVoters(config.peers().keySet().toArray(Long[]::new)))
          .orTimeout(60, TimeUnit.SECONDS).join();
    }
    // Clients ping connections with calls out (map watches; MetaClient.Options, at least every
    // 10 s): allow every 5 s, else the server would answer them with GOAWAY (too many pings).
    server = GrpcServers.start(config.host(), config.servicePort(), 4 << 20,
        nb -> nb.permitKeepAliveTime(5, TimeUnit.SECONDS), new MetaServiceImpl(this));
    leaderTasks.scheduleWithFixedDelay(this::leaderTasks, config.leaderTaskMillis(), config.leaderTaskMillis(),
        TimeUnit.MILLISECONDS);
    if (config.metricsPort() != 0) {
      metrics = NodeMetrics.start(runtime, config.host(), config.metricsPort());
      migrations.bindTo(metrics.registry());
    }
    migrations.start();
    LOG.info("meta replica {} ready: service on {}:{}, raft on {}:{}, peers {}{}", config.nodeId(), config.host(),
        servicePort(), config.host(), config.raftPort(), config.peers().values(),
        metrics == null ? "" : ", metrics on http://" + config.host() + ":" + metrics.port() + "/metrics");
  }

  public MetaConfig config() {
    return config;
  }

  /** The port the MetaService listens on. */
  public int servicePort() {
    return server.getPort();
  }

  /** The Prometheus endpoint's port; 0 when {@code metrics.port} is 0 (off). */
  public int metricsPort() {
    return metrics == null ? 0 : metrics.port();
  }

  /** The map as applied by this replica. */
  public ShardMap map() {
    return state.current();
  }

  public boolean isLeader() {
    return state.leaderId() == config.nodeId();
  }

  /** The replica believed to lead the meta group; 0 = unknown. */
  public long leaderId() {
    return state.leaderId();
  }

  /** Proposals made by this replica's bootstrap so far (tests check bootstrap runs once). */
  public int bootstrapProposals() {
    return bootstrapProposals.get();
  }

  MetaStateMachine state() {
    return state;
  }

  RaftRuntime runtime() {
    return runtime;
  }

  StoreReports reports() {
    return reports;
  }

  ReplicaChanges replicaChanges() {
    return replicaChanges;
  }

  SlotMigrations migrations() {
    return migrations;
  }

  StoreChanges storeChanges() {
    return storeChanges;
  }

  MapWatchers watchers() {
    return watchers;
  }

  LeaderTransfers transfers() {
    return transfers;
  }

  /** A channel to a store's StoreControl service (leadership transfers, replica changes). */
  ManagedChannel storeChannel(String serviceAddress) {
    return storeChannels.computeIfAbsent(serviceAddress, a -> GrpcChannels.open(a, 4 << 20, false, GrpcChannels.KEEPALIVE));
  }

  /** Where to retry a leader-only call. */
  Redirect redirect() {
    long leader = state.leaderId();
    Redirect.Builder r = Redirect.newBuilder().setLeaderId(leader);
    MetaConfig.Peer p = config.peers().get(leader);
    if (p != null) {
      r.setLeaderAddress(p.serviceAddress());
    }
    return r.build();
  }

  /**
   * Proposes a command. Completes with the new map once applied here; fails with the
   * {@link MapException} that refused it, a NotLeaderException, or a timeout.
   */
  CompletableFuture<ShardMap> propose(MapCommand command) {
    return runtime.propose(GROUP, ShardMapCodec.encode(command))
        .orTimeout(config.requestTimeoutMillis(), TimeUnit.MILLISECONDS)
        .thenApply(r -> {
          if (r instanceof MapException refused) {
            throw refused;
          }
          return (ShardMap) r;
        });
  }

  /** A linearizable read barrier on the meta group: completes once this replica applied everything committed. */
  CompletableFuture<Long> readBarrier() {
    return runtime.readIndex(GROUP).orTimeout(config.requestTimeoutMillis(), TimeUnit.MILLISECONDS);
  }

  CompletableFuture<GroupStatus> raftStatus() {
    return runtime.status(GROUP).orTimeout(config.requestTimeoutMillis(), TimeUnit.MILLISECONDS);
  }

  static Throwable unwrap(Throwable err) {
    Throwable e = err;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  // ---------------------------------------------------------------- leader tasks

  private void leaderTasks() {
    try {
      if (!isLeader()) {
        if (leaderSinceNanos != 0) {
          leaderSinceNanos = 0;
          reports.clear(); // a later term here starts from fresh reports
        }
        return;
      }
      if (leaderSinceNanos == 0) {
        leaderSinceNanos = System.nanoTime();
      }
      bootstrapIfNeeded();
      checkStoreLiveness();
      balanceLeaders();
    } catch (RuntimeException e) {
      LOG.debug("meta leader tasks: {}", unwrap(e).toString());
    }
  }

  /**
   * When at least {@code bootstrap.stores} stores are registered and UP and the map has no
   * groups (or a bootstrap interrupted by a leader change left groups 1..n and unassigned slots),
   * proposes the missing steps of {@link ShardMap#bootstrapCommands}, one at a time, re-checking
   * the applied map before each: a step already applied (by this or an earlier leader) is skipped.
   */
  private void bootstrapIfNeeded() {
    if (!bootstrapWanted(state.current())) {
      return;
    }
    // Everything committed before this replica led is applied once the barrier passes, so the
    // steps below see the map every earlier leader left. (Only taken when a bootstrap looks
    // needed, so an idle meta group can hibernate.)
    readBarrier().join();
    ShardMap m = state.current();
    if (!bootstrapWanted(m)) {
      return;
    }
    List<StoreInfo> up = upStores(m);
    for (MapCommand c : ShardMap.bootstrapCommands(up, config.bootstrapGroups(), config.replicationFactor())) {
      if (c instanceof MapCommand.AddStore || alreadyApplied(state.current(), c)) {
        continue;
      }
      if (!isLeader()) {
        return;
      }
      bootstrapProposals.incrementAndGet();
      ShardMap next = propose(c).join();
      LOG.info("bootstrap: {} -> map version {}", MapTables.describe(c), next.version());
    }
  }

  private boolean bootstrapWanted(ShardMap m) {
    return upStores(m).size() >= config.bootstrapStores() && bootstrapPending(m);
  }

  private static List<StoreInfo> upStores(ShardMap m) {
    List<StoreInfo> up = new ArrayList<>();
    for (StoreInfo s : m.stores()) {
      if (s.state() == StoreState.UP) {
        up.add(s);
      }
    }
    return up;
  }

  private boolean bootstrapPending(ShardMap m) {
    if (m.groups().isEmpty()) {
      return true;
    }
    if (m.slotCount(ShardMap.UNASSIGNED) == 0) {
      return false;
    }
    return m.groups().stream().allMatch(g -> g.id() >= 1 && g.id() <= config.bootstrapGroups());
  }

  private static boolean alreadyApplied(ShardMap m, MapCommand c) {
    if (c instanceof MapCommand.CreateGroup cg) {
      return m.findGroup(cg.groupId()).isPresent();
    }
    if (c instanceof MapCommand.AssignSlots as) {
      for (SlotRange r : as.ranges()) {
        for (int slot = r.first(); slot <= r.last(); slot++) {
          if (m.groupOf(slot) != as.groupId()) {
            return false;
          }
        }
      }
      return true;
    }
    return false;
  }

  /**
   * A store silent for {@code store.heartbeat.timeout.ms} (counted from when this replica began
   * to lead, at the earliest) is marked DOWN; a DOWN store heard from again is marked UP.
   */
  private void checkStoreLiveness() {
    long timeout = config.storeHeartbeatTimeoutMillis();
    if (timeout == 0) {
      return;
    }
    long now = System.nanoTime();
    long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeout);
    for (StoreInfo s : state.current().stores()) {
      Long seen = reports.lastSeenNanos(s.id());
      long since = seen == null ? leaderSinceNanos : Math.max(seen, leaderSinceNanos);
      boolean silent = now - since > timeoutNanos;
      if (s.state() == StoreState.UP && silent) {
        LOG.info("store {} silent for more than {} ms: marking it DOWN", s.id(), timeout);
        propose(new MapCommand.SetStoreState(s.id(), StoreState.DOWN)).join();
      } else if (s.state() == StoreState.DOWN && seen != null && !silent) {
        LOG.info("store {} is heard from again: marking it UP", s.id());
        propose(new MapCommand.SetStoreState(s.id(), StoreState.UP)).join();
      }
    }
  }

  /**
   * Every {@code leader.balance.ms}: when no leadership transfer is in flight, every store of the
   * map is UP and heard from within two periods, and every group has a known leader, starts the
   * transfer {@link LeaderBalancer} picks (if any), to a store that reported following the
   * group's leader in its current term. Asynchronous: the leader's tasks never wait for a store.
   */
  private void balanceLeaders() {
    long period = config.leaderBalanceMillis();
    long now = System.nanoTime();
    if (period == 0 || now - lastBalanceNanos < TimeUnit.MILLISECONDS.toNanos(period)) {
      return;
    }
    lastBalanceNanos = now;
    if (transfers.inFlight() > 0 || storeChanges.inProgress()) {
      return; // a store change moves replicas (and with them leaders): let it finish first
    }
    ShardMap m = state.current();
    Set<Long> live = new TreeSet<>();
    for (StoreInfo s : m.stores()) {
      if (s.state() == StoreState.REMOVED) {
        continue;
      }
      Long seen = reports.lastSeenNanos(s.id());
      if (s.state() != StoreState.UP || seen == null || now - seen > TimeUnit.MILLISECONDS.toNanos(2 * period)) {
        return; // a store is missing heartbeats: its groups are failing over, leave them be
      }
      live.add(s.id());
    }
    Map<Long, Long> leaders = reports.leaderByGroup();
    if (!leaders.keySet().containsAll(m.groupIds())) {
      return; // a group without a known leader: an election or a start is under way
    }
    LeaderBalancer.next(m, leaders, live, reports.following()).ifPresent(move -> {
      LOG.info("balancing leaders: group {} from store {} to store {}", move.groupId(), move.from(), move.to());
      transfers.transfer(move.groupId(), move.to()).thenAccept(r -> {
        if (!r.getError().isEmpty()) {
          LOG.info("balancing leaders: group {} to store {} failed: {}", move.groupId(), move.to(), r.getError());
        }
      });
    });
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    leaderTasks.shutdownNow();
    storeChanges.close();
    replicaChanges.close();
    migrations.close();
    if (metrics != null) {
      metrics.close();
    }
    watchers.closeAll();
    GrpcServers.stop(server, Duration.ofSeconds(2));
    storeChannels.values().forEach(ManagedChannel::shutdownNow);
    watchExecutor.shutdownNow();
    runtime.close();
    state.close(); // after the runtime: no apply runs any more
    LOG.info("meta replica {} stopped", config.nodeId());
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    };
  }

  /** {@code MetaNode --config FILE}: runs until the process is stopped (SIGTERM closes cleanly). */
  public static void main(String[] args) {
    if (args.length == 2 && (args[0].equals("--config") || args[0].equals("-c"))) {
      MetaNode node = start(MetaConfig.load(Path.of(args[1])));
      CompletableFuture<Void> stopped = new CompletableFuture<>();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        node.close();
        stopped.complete(null);
      }, "meta-node-shutdown"));
      stopped.join();
    } else {
      System.err.println("usage: MetaNode --config FILE");
      System.exit(2);
    }
  }
}
