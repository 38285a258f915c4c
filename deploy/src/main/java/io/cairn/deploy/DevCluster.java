package io.cairn.deploy;

import io.cairn.gateway.GatewayConfig;
import io.cairn.gateway.GatewayServer;
import io.cairn.gateway.resp.RespLimits;
import io.cairn.meta.client.ClusterView;
import io.cairn.meta.client.StaticClusterView;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.store.node.StoreConfig;
import io.cairn.store.node.StoreNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole cluster of {@code cairn dev} in one process: {@value #STORES} store nodes (ids 1..3)
 * hosting {@value #GROUPS} groups of {@value #REPLICAS} replicas that split the 16384 slots evenly,
 * and a gateway.
 *
 * <p>Layout (stable across restarts, so a restart with the same data directory finds its Raft
 * peers where they were): store N keeps its data in {@code DATA/store-N}, its Raft transport on
 * {@code storeBasePort + 2(N-1)} and its StoreService on the port after, all on 127.0.0.1 (with
 * the default base 7101: 7101/7102, 7103/7104, 7105/7106). Nothing else is persisted or checked:
 * the groups themselves are found again in each store's Raft log.
 *
 * <p>For now the shard map is static: {@link ShardMap#bootstrap} of the three stores, installed
 * in each store as static groups ({@link StaticStoreConfigs}) and given to the gateway as a
 * {@link StaticClusterView}. With the meta service, {@link #startMeta} starts a meta node first,
 * the stores register with it instead of taking static groups, and the gateway follows it: the
 * change stays inside this class.
 */
public final class DevCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevCluster.class);

    public static final int STORES = 3;
    public static final int GROUPS = 3;
    public static final int REPLICAS = 3;
    public static final int DEFAULT_STORE_BASE_PORT = 7101;

    /**
     * @param dataDir       where every node keeps its data ({@code store-N/} below it)
     * @param host          address the gateway binds to
     * @param port          the gateway's port (0: a free one)
     * @param storeBasePort first of the {@code 2 * STORES} consecutive loopback ports of the stores
     */
    public record Options(Path dataDir, String host, int port, int storeBasePort) {
        public Options {
            dataDir = dataDir.toAbsolutePath().normalize();
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
            }
            if (storeBasePort < 1 || storeBasePort + 2 * STORES - 1 > 65535) {
                throw new IllegalArgumentException("store base port: " + storeBasePort + " (expected: 1.."
                        + (65535 - 2 * STORES + 1) + ")");
            }
        }
    }

    private final Options options;
    private final ShardMap map;
    private final List<StoreNode> stores = new ArrayList<>();
    private ClusterView view;
    private GatewayServer gateway;
    private boolean closed;

    private DevCluster(Options options) {
        this.options = options;
        this.map = ShardMap.bootstrap(storeInfos(options.storeBasePort()), GROUPS, REPLICAS);
    }

    /** Starts the stores and the gateway; on failure closes what had started and rethrows. */
    public static DevCluster start(Options options) throws InterruptedException {
        DevCluster c = new DevCluster(options);
        try {
            c.startMeta();
            c.startStores();
            c.view = new StaticClusterView(c.map);
            c.gateway = startGateway(new GatewayConfig(options.host(), options.port(), null,
                    RespLimits.REDIS_DEFAULTS), c.view);
            LOG.info("dev cluster up: gateway on {}:{}, {} stores, {} groups, data in {}", options.host(),
                    c.gateway.port(), STORES, GROUPS, options.dataDir());
            return c;
        } catch (InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The stores of the dev cluster: id N at 127.0.0.1, Raft on base + 2(N-1), StoreService on the next port. */
    static List<StoreInfo> storeInfos(int basePort) {
        List<StoreInfo> out = new ArrayList<>();
        for (int n = 1; n <= STORES; n++) {
            int raft = basePort + 2 * (n - 1);
            out.add(new StoreInfo(n, "127.0.0.1:" + raft, "127.0.0.1:" + (raft + 1), StoreState.UP));
        }
        return out;
    }

    /** No meta service yet: the map is static (see the class comment). */
    private void startMeta() {
    }

    private void startStores() {
        for (StoreInfo s : map.stores()) {
            Path dir = options.dataDir().resolve("store-" + s.id());
            stores.add(StoreNode.start(StoreConfig.from(StaticStoreConfigs.forStore(map, s.id(), dir))));
        }
    }

    /** The gateway routes by the view (which stays ours to close). */
    private static GatewayServer startGateway(GatewayConfig config, ClusterView view) throws InterruptedException {
        return GatewayServer.start(config, view);
    }

    public Options options() {
        return options;
    }

    /** The shard map the cluster was built from. */
    public ShardMap map() {
        return map;
    }

    public List<StoreNode> stores() {
        return Collections.unmodifiableList(stores);
    }

    /** The gateway's bound port. */
    public int gatewayPort() {
        return gateway.port();
    }

    /**
     * Waits until every group has a leader that its replicas agree on, up to {@code timeout};
     * returns group id → leader store id (0 for a group still without one at the deadline).
     */
    public Map<Long, Long> awaitLeaders(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<Long, Long> leaders = leaders();
            if (!leaders.containsValue(0L) || System.nanoTime() >= deadline) {
                return leaders;
            }
            Thread.sleep(20);
        }
    }

    /** Group id → the leader all its local replicas name (0: none yet, or they disagree). */
    public Map<Long, Long> leaders() {
        Map<Long, Long> out = new TreeMap<>();
        for (GroupInfo g : map.groups()) {
            long agreed = -1;
            for (StoreNode s : stores) {
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
        sb.append("Cairn ").append(VersionInfo.version()).append(" dev cluster is up.\n\n");
        sb.append(String.format("  gateway   %s:%d%n", host, port));
        sb.append(String.format("  connect   redis-cli%s -p %d%n",
                host.equals("127.0.0.1") || host.equals("localhost") || host.equals("0.0.0.0") ? "" : " -h " + host,
                port));
        sb.append(String.format("  data      %s (a restart with the same --data keeps it)%n", options.dataDir()));
        for (StoreNode s : stores) {
            StoreConfig c = s.config();
            sb.append(String.format("  store %d   raft 127.0.0.1:%d, service 127.0.0.1:%d, data %s%n", c.nodeId(),
                    c.raftPort(), c.servicePort(), c.dataDir()));
        }
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

    /** Stops the gateway, then the stores (each closes its Raft runtime and RocksDB). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (gateway != null) {
            gateway.close();
        }
        if (view != null) {
            view.close();
        }
        for (int i = stores.size() - 1; i >= 0; i--) {
            try {
                stores.get(i).close();
            } catch (RuntimeException e) {
                LOG.warn("closing store {} failed", stores.get(i).config().nodeId(), e);
            }
        }
    }
}
