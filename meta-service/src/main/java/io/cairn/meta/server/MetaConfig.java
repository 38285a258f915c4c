package io.cairn.meta.server;

import io.cairn.meta.map.MapHistory;
import io.cairn.raft.config.ConfigFile;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The settings of one meta replica, read from a {@code key=value} file (java.util.Properties
 * syntax). Every key and its default is documented in docs/meta-service.md; unknown keys are
 * refused.
 *
 * @param nodeId                 this replica's id (&gt; 0) in the meta group
 * @param dataDir                where it keeps {@code raft/} (Raft log, snapshots) and {@code meta/} (the map)
 * @param host                   address both servers bind to
 * @param raftPort               Raft transport port
 * @param servicePort            MetaService port
 * @param peers                  every replica of the meta group (this one included), by id
 * @param bootstrapStores        registered UP stores that trigger the bootstrap of an empty map
 * @param bootstrapGroups        groups the bootstrap creates
 * @param replicationFactor      voters per bootstrapped group
 * @param tickMillis             Raft tick
 * @param electionTicks          Raft election timeout in ticks
 * @param storeHeartbeatTimeoutMillis a store silent for this long is marked DOWN (0 = never)
 * @param requestTimeoutMillis   longest a call waits for its commit or read barrier
 * @param historyVersions        map versions kept in the history
 * @param leaderTaskMillis       how often the leader checks bootstrap and store liveness
 * @param metricsPort            port of the Prometheus endpoint {@code http://host:port/metrics}; 0: off
 * @param leaderBalanceMillis    how often the leader evens out which stores lead the groups (at most one
 *                               leadership transfer per round); 0: never
 * @param migrationConcurrency   slot migrations the leader runs at a time
 * @param migrationCatchupKeys   copy rounds repeat while a round copied more keys than this (at most 5 rounds)
 * @param migrationBatchSlots    most slots of one migration ({@code move} splits ranges into such batches)
 * @param migrationGapMillis     the throttle: how long the leader waits after a migration ended before it starts
 *                               the next one (ms; 0 = at its next task tick)
 */
public record MetaConfig(long nodeId, Path dataDir, String host, int raftPort, int servicePort,
    Map<Long, Peer> peers, int bootstrapStores, int bootstrapGroups, int replicationFactor,
    long tickMillis, int electionTicks, long storeHeartbeatTimeoutMillis, long requestTimeoutMillis,
    int historyVersions, long leaderTaskMillis, int metricsPort, long leaderBalanceMillis,
    int migrationConcurrency, int migrationCatchupKeys, int migrationBatchSlots, long migrationGapMillis) {

  /** A meta replica: where its Raft transport and its MetaService listen. */
  public record Peer(long id, String host, int raftPort, int servicePort) {
    public String raftAddress() {
      return host + ":" + raftPort;
    }

    public String serviceAddress() {
      return host + ":" + servicePort;
    }

    @Override
    public String toString() {
      return id + "@" + host + ":" + raftPort + ":" + servicePort;
    }
  }

  private static final Set<String> KEYS = Set.of("node.id", "data.dir", "host", "raft.port", "service.port",
      "peers", "bootstrap.stores", "bootstrap.groups", "replication.factor", "raft.tick.ms",
      "raft.election.ticks", "store.heartbeat.timeout.ms", "request.timeout.ms", "history.versions",
      "leader.task.ms", "metrics.port", "leader.balance.ms", "migration.concurrency", "migration.catchup.keys",
      "migration.batch.slots", "migration.gap.ms");

  /**
   * Default of {@code migration.gap.ms}: with it a rebalance in {@code cairn dev} keeps ~80% of the
   * clients' throughput (docs/benchmarks.md, issue 6); 0 takes ~60%, in less than half the time.
   */
  public static final long DEFAULT_MIGRATION_GAP_MS = 300;

  public MetaConfig {
    peers = Collections.unmodifiableMap(new TreeMap<>(peers));
  }

  public static MetaConfig load(Path file) {
    return from(ConfigFile.read(file, "meta config"));
  }

  public static MetaConfig from(Properties p) {
    ConfigFile c = ConfigFile.of(p, KEYS, k -> false, "docs/meta-service.md");
    long nodeId = c.positiveLong("node.id", null);
    Path dataDir = Path.of(c.required("data.dir"));
    int raftPort = c.port("raft.port");
    int servicePort = c.port("service.port");
    String hostValue = c.optional("host");
    Map<Long, Peer> peers = parsePeers(c.optional("peers"));
    Peer listed = peers.get(nodeId);
    if (listed != null && (listed.raftPort() != raftPort || listed.servicePort() != servicePort)) {
      throw new IllegalArgumentException("peers lists node " + nodeId + " as " + listed
          + " but raft.port/service.port say " + raftPort + "/" + servicePort);
    }
    String host = hostValue != null ? hostValue : listed != null ? listed.host() : "127.0.0.1";
    if (listed == null) {
      peers.put(nodeId, new Peer(nodeId, host, raftPort, servicePort));
    }
    int stores = (int) c.positiveLong("bootstrap.stores", 3L);
    int rf = (int) c.positiveLong("replication.factor", 3L);
    if (rf > stores) {
      throw new IllegalArgumentException("replication.factor " + rf + " is larger than bootstrap.stores " + stores
          + " (a group's replicas must be on distinct stores)");
    }
    long historyVersions = c.positiveLong("history.versions", (long) MapHistory.DEFAULT_CAPACITY);
    if (historyVersions > 65536) {
      throw new IllegalArgumentException("config key 'history.versions': " + historyVersions
          + " (expected: <= 65536)");
    }
    long tick = c.positiveLong("raft.tick.ms", 100L);
    return new MetaConfig(nodeId, dataDir, host, raftPort, servicePort, peers, stores,
        (int) c.positiveLong("bootstrap.groups", 3L), rf, tick,
        (int) c.positiveLong("raft.election.ticks", 10L),
        c.nonNegativeLong("store.heartbeat.timeout.ms", 10_000L),
        c.positiveLong("request.timeout.ms", 5_000L),
        (int) historyVersions,
        c.positiveLong("leader.task.ms", 200L),
        c.optionalPort("metrics.port", 0),
        c.nonNegativeLong("leader.balance.ms", 1_000L),
        (int) Math.min(1024, c.positiveLong("migration.concurrency", 1L)),
        (int) Math.min(Integer.MAX_VALUE, c.nonNegativeLong("migration.catchup.keys", 64L)),
        (int) Math.min(16384, c.positiveLong("migration.batch.slots", 16L)),
        c.nonNegativeLong("migration.gap.ms", DEFAULT_MIGRATION_GAP_MS));
  }

  /** {@code id@host:raftPort:servicePort,...}. */
  static Map<Long, Peer> parsePeers(String s) {
    Map<Long, Peer> out = new TreeMap<>();
    if (s == null) {
      return out;
    }
    for (String item : s.split(",")) {
      item = item.trim();
      if (item.isEmpty()) {
        continue;
      }
      String[] kv = item.split("@", 2);
      String[] hp = kv.length == 2 ? kv[1].trim().split(":") : new String[0];
      if (hp.length != 3) {
        throw new IllegalArgumentException("peers: '" + item + "' (expected: id@host:raftPort:servicePort)");
      }
      try {
        long id = Long.parseLong(kv[0].trim());
        if (id <= 0) {
          throw new IllegalArgumentException("peers: '" + item + "' (ids start at 1)");
        }
        if (out.put(id, new Peer(id, hp[0], Integer.parseInt(hp[1]), Integer.parseInt(hp[2]))) != null) {
          throw new IllegalArgumentException("peers: id " + id + " listed twice");
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("peers: '" + item + "' (expected: id@host:raftPort:servicePort)");
      }
    }
    return out;
  }

  /** The MetaService addresses of every replica, in id order (what clients are given). */
  public List<String> serviceAddresses() {
    return peers.values().stream().map(Peer::serviceAddress).toList();
  }

  public Peer self() {
    return peers.get(nodeId);
  }
}
