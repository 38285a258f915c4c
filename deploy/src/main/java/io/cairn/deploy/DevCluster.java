package io.cairn.deploy;

import io.cairn.gateway.GatewayConfig;
import io.cairn.gateway.resp.RespLimits;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.server.MetaConfig;
import io.cairn.meta.server.MetaNode;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.store.node.StoreConfig;
import io.cairn.store.node.StoreNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole cluster of {@code cairn dev} in one process: a single-replica meta service,
 * {@value #STORES} store nodes (ids 1..3) in meta mode, and a gateway following the meta
 * service's map. The meta service bootstraps {@value #GROUPS} groups of {@value #REPLICAS}
 * replicas splitting the 16384 slots evenly once the three stores have registered; the stores
 * create the groups the map places on them.
 *
 * <p>Layout (stable across restarts, so a restart with the same data directory finds its Raft
 * peers and its registrations where they were), all on 127.0.0.1 from the base port B (default
 * {@value #DEFAULT_BASE_PORT}): the meta replica's MetaService on B and its Raft transport on
 * B+1, data in {@code DATA/meta}; store N's Raft transport on B+2N and its StoreService on
 * B+2N+1, data in {@code DATA/store-N} (7102/7103, 7104/7105, 7106/7107). The map and the groups
 * are found again in the meta replica's state and the stores' Raft logs.
 */
public final class DevCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevCluster.class);

    public static final int STORES = 3;
    public static final int GROUPS = 3;
    public static final int REPLICAS = 3;
    public static final int DEFAULT_BASE_PORT = 7100;
    /** Ports used from the base port on: the meta replica's two and two per store. */
    public static final int PORTS = 2 + 2 * STORES;

    /**
     * @param dataDir  where every node keeps its data ({@code meta/} and {@code store-N/} below it)
     * @param host     address the gateway binds to
     * @param port     the gateway's port (0: a free one)
     * @param basePort first of the {@value #PORTS} consecutive loopback ports of the meta replica and the stores
     */
    public record Options(Path dataDir, String host, int port, int basePort) {
        public Options {
            dataDir = dataDir.toAbsolutePath().normalize();
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
            }
            if (basePort < 1 || basePort + PORTS - 1 > 65535) {
                throw new IllegalArgumentException("base port: " + basePort + " (expected: 1.."
                        + (65535 - PORTS + 1) + ")");
            }
        }

        int metaServicePort() {
            return basePort;
        }

        int metaRaftPort() {
            return basePort + 1;
        }

        int storeRaftPort(long id) {
            return basePort + 2 * (int) id;
        }

        String metaAddress() {
            return "127.0.0.1:" + metaServicePort();
        }
    }

    private final Options options;
    private MetaNode meta;
    private final List<StoreNode> stores = new ArrayList<>();
    private MetaRoutedGateway gateway;
    private boolean closed;

    private DevCluster(Options options) {
        this.options = options;
    }

    /** Starts the meta replica, the stores and the gateway; on failure closes what had started and rethrows. */
    public static DevCluster start(Options options) throws InterruptedException {
        DevCluster c = new DevCluster(options);
        try {
            c.startMeta();
            c.startStores();
            c.startGateway();
            LOG.info("dev cluster up: gateway on {}:{}, meta on {}, {} stores, data in {}", options.host(),
                    c.gateway.port(), options.metaAddress(), STORES, options.dataDir());
            return c;
        } catch (InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The single meta replica; it bootstraps GROUPS x REPLICAS once the STORES stores have registered. */
    static MetaConfig metaConfig(Options o) {
        Properties p = new Properties();
        p.setProperty("node.id", "1");
        p.setProperty("data.dir", o.dataDir().resolve("meta").toString());
        p.setProperty("host", "127.0.0.1");
        p.setProperty("service.port", Integer.toString(o.metaServicePort()));
        p.setProperty("raft.port", Integer.toString(o.metaRaftPort()));
        p.setProperty("bootstrap.stores", Integer.toString(STORES));
        p.setProperty("bootstrap.groups", Integer.toString(GROUPS));
        p.setProperty("replication.factor", Integer.toString(REPLICAS));
        return MetaConfig.from(p);
    }

    /** Store {@code id} in meta mode. */
    static StoreConfig storeConfig(Options o, long id) {
        Properties p = new Properties();
        p.setProperty("node.id", Long.toString(id));
        p.setProperty("data.dir", o.dataDir().resolve("store-" + id).toString());
        p.setProperty("host", "127.0.0.1");
        p.setProperty("raft.port", Integer.toString(o.storeRaftPort(id)));
        p.setProperty("service.port", Integer.toString(o.storeRaftPort(id) + 1));
        p.setProperty("meta.address", o.metaAddress());
        sharedMachineThreads(p);
        return StoreConfig.from(p);
    }

    /**
     * The thread counts of a store that shares its process (and machine) with two more: one Raft
     * worker, two apply and two read threads — a thread or two each is plenty for trying Cairn,
     * and a worker per core per store (the defaults) ran SET 6-8% slower. Also what
     * {@code LocalClusterMain} (module benchmarks) gives its stores.
     */
    public static void sharedMachineThreads(Properties storeProperties) {
        storeProperties.setProperty("raft.workers", "1");
        storeProperties.setProperty("raft.apply.threads", "2");
        storeProperties.setProperty("read.threads", "2");
    }

    private void startMeta() {
        meta = MetaNode.start(metaConfig(options));
    }

    private void startStores() {
        for (long id = 1; id <= STORES; id++) {
            stores.add(StoreNode.start(storeConfig(options, id)));
        }
    }

    /** The gateway routes by a view of the meta service's map. */
    private void startGateway() throws InterruptedException {
        gateway = MetaRoutedGateway.start(new GatewayConfig(options.host(), options.port(), null,
                RespLimits.REDIS_DEFAULTS), List.of(options.metaAddress()));
    }

    public Options options() {
        return options;
    }

    /** The shard map as the gateway knows it (version 0 until the meta service has answered). */
    public ShardMap map() {
        return gateway.view().map();
    }

    public MetaNode meta() {
        return meta;
    }

    public List<StoreNode> stores() {
        return Collections.unmodifiableList(stores);
    }

    /** The gateway's bound port. */
    public int gatewayPort() {
        return gateway.port();
    }

    /**
     * Waits until the gateway knows a map with {@value #GROUPS} groups and every group has a
     * leader that its replicas agree on, up to {@code timeout}; returns group id → leader store id
     * (0 for a group still without one at the deadline; empty if the map has no groups by then).
     */
    public Map<Long, Long> awaitLeaders(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<Long, Long> leaders = leaders();
            boolean ready = leaders.size() >= GROUPS && !leaders.containsValue(0L);
            if (ready || System.nanoTime() >= deadline) {
                return leaders;
            }
            Thread.sleep(20);
        }
    }

    /** Group id → the leader all its replicas here name (0: none yet, or they disagree), for the groups of the map. */
    public Map<Long, Long> leaders() {
        Map<Long, Long> out = new TreeMap<>();
        for (GroupInfo g : map().groups()) {
            long agreed = -1;
            for (StoreNode s : stores) {
                if (g.replicas().stream().noneMatch(r -> r.storeId() == s.config().nodeId())) {
                    continue;
                }
                long leader;
                try {
                    GroupStatus st = s.runtime().status(g.id()).get(2, TimeUnit.SECONDS);
                    leader = st.leader();
                } catch (Exception e) {
                    leader = 0;
                }
                agreed = agreed == -1 || agreed == leader ? leader : 0;
            }
            out.put(g.id(), Math.max(0, agreed));
        }
        return out;
    }

    /** What {@code cairn dev} prints once the cluster is up. */
    public String banner(Map<Long, Long> leaders) {
        StringBuilder sb = new StringBuilder();
        String host = options.host();
        int port = gatewayPort();
        ShardMap map = map();
        sb.append("Cairn ").append(VersionInfo.version()).append(" dev cluster is ready.\n\n");
        sb.append(String.format("  gateway   %s:%d%n", host, port));
        sb.append(String.format("  connect   redis-cli%s -p %d%n",
                host.equals("127.0.0.1") || host.equals("localhost") || host.equals("0.0.0.0") ? "" : " -h " + host,
                port));
        sb.append(String.format("  data      %s (a restart with the same --data keeps it)%n", options.dataDir()));
        sb.append(String.format("  meta      service %s, raft 127.0.0.1:%d, data %s (cairn admin --meta %s status)%n",
                options.metaAddress(), options.metaRaftPort(), meta.config().dataDir(), options.metaAddress()));
        for (StoreNode s : stores) {
            StoreConfig c = s.config();
            sb.append(String.format("  store %d   raft 127.0.0.1:%d, service 127.0.0.1:%d, data %s%n", c.nodeId(),
                    c.raftPort(), c.servicePort(), c.dataDir()));
        }
        sb.append(String.format("  map       version %d%n", map.version()));
        for (GroupInfo g : map.groups()) {
            long leader = leaders.getOrDefault(g.id(), 0L);
            sb.append(String.format("  group %d   slots %s, replicas on stores %s, leader %s%n", g.id(),
                    map.slotRangesText(g.id()),
                    g.replicas().stream().map(r -> Long.toString(r.storeId())).toList(),
                    leader == 0 ? "not elected yet" : "store " + leader));
        }
        sb.append("\nCtrl-C stops it.\n");
        return sb.toString();
    }

    /** Stops the gateway (then its view of the map), then the stores, then the meta replica. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (gateway != null) {
            gateway.close();
        }
        for (int i = stores.size() - 1; i >= 0; i--) {
            try {
                stores.get(i).close();
            } catch (RuntimeException e) {
                LOG.warn("closing store {} failed", stores.get(i).config().nodeId(), e);
            }
        }
        if (meta != null) {
            try {
                meta.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the meta replica failed", e);
            }
        }
    }
}
