package io.cairn.deploy.e2e;

import static org.awaitility.Awaitility.await;

import io.cairn.gateway.GatewayConfig;
import io.cairn.gateway.GatewayServer;
import io.cairn.gateway.route.RouteConfig;
import io.cairn.meta.client.MetaClient;
import io.cairn.meta.client.MetaClusterView;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.server.MetaConfig;
import io.cairn.meta.server.MetaNode;
import io.cairn.store.node.StoreConfig;
import io.cairn.store.node.StoreNode;
import io.cairn.store.replica.ShardStateMachine;
import io.cairn.store.types.Slots;
import io.cairn.testing.Ports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The whole system in this JVM, as {@code cairn dev} runs it: one meta replica, three store
 * nodes in meta mode (RocksDB, Raft and gRPC on 127.0.0.1, free ports) on which the meta service
 * bootstraps three groups of three replicas, and a gateway following the map through a
 * {@link MetaClusterView}. {@link #start} returns once every slot is owned, every group has a
 * leader and the gateway has the map.
 */
final class InProcessCluster implements E2eCluster {
    static final int STORES = 3;
    private static final Duration READY = Duration.ofSeconds(60);

    private final Path dir;
    private MetaNode meta;
    private final Map<Long, StoreNode> stores = new ConcurrentSkipListMap<>();
    private MetaClient metaClient;
    private MetaClusterView view;
    private GatewayServer gateway;

    private InProcessCluster(Path dir) {
        this.dir = dir;
    }

    static InProcessCluster start(Path dir) throws Exception {
        InProcessCluster c = new InProcessCluster(dir);
        try {
            c.startAll();
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        Properties mp = new Properties();
        mp.setProperty("node.id", "1");
        mp.setProperty("data.dir", dir.resolve("meta-1").toString());
        mp.setProperty("raft.port", Integer.toString(Ports.freePort()));
        mp.setProperty("service.port", Integer.toString(Ports.freePort()));
        mp.setProperty("raft.tick.ms", "50");
        mp.setProperty("leader.task.ms", "50");
        meta = MetaNode.start(MetaConfig.from(mp));
        String metaAddress = "127.0.0.1:" + meta.servicePort();
        for (long id = 1; id <= STORES; id++) {
            stores.put(id, StoreNode.start(StoreConfig.from(storeConfig(id, metaAddress))));
        }
        await("bootstrap: every slot owned").atMost(READY).until(() -> allSlotsOwned(meta.map()));
        ShardMap map = meta.map();
        for (StoreNode s : stores.values()) {
            await("store " + s.config().nodeId() + " hosts its groups").atMost(READY)
                    .until(() -> s.runtime().groupIds().size() == map.groups().size());
        }
        for (long g : groups()) {
            await("group " + g + " has a leader").atMost(READY).until(() -> leaderOf(g) != 0);
        }
        metaClient = new MetaClient(List.of(metaAddress));
        view = MetaClusterView.start(metaClient);
        gateway = GatewayServer.start(GatewayConfig.loopback(0)
                .withRoute(RouteConfig.DEFAULTS.withTimeoutMillis(15_000)), view);
        await("the gateway has the map").atMost(READY)
                .until(() -> view.map().version() >= map.version());
    }

    private Properties storeConfig(long id, String metaAddress) {
        return storeProperties(dir, id, Ports.freePort(), Ports.freePort(), metaAddress);
    }

    /**
     * A store in meta mode with the e2e clusters' settings (fast ticks and heartbeats, one Raft
     * worker and apply thread): shared with {@link ProcessCluster}, whose stores are child JVMs.
     */
    static Properties storeProperties(Path dir, long id, int raftPort, int servicePort, String metaAddress) {
        Properties p = new Properties();
        p.setProperty("node.id", Long.toString(id));
        p.setProperty("data.dir", dir.resolve("store-" + id).toString());
        p.setProperty("host", "127.0.0.1");
        p.setProperty("raft.port", Integer.toString(raftPort));
        p.setProperty("service.port", Integer.toString(servicePort));
        p.setProperty("meta.address", metaAddress);
        p.setProperty("meta.heartbeat.ms", "100");
        p.setProperty("raft.tick.ms", "50");
        p.setProperty("raft.election.ticks", "10");
        p.setProperty("raft.workers", "1");
        p.setProperty("raft.apply.threads", "1");
        p.setProperty("read.threads", "2");
        return p;
    }

    private static boolean allSlotsOwned(ShardMap map) {
        int owned = 0;
        for (GroupInfo g : map.groups()) {
            owned += map.slotCount(g.id());
        }
        return owned == ShardMap.SLOT_COUNT;
    }

    @Override
    public String host() {
        return gateway.host();
    }

    @Override
    public int gatewayPort() {
        return gateway.port();
    }

    @Override
    public List<Long> groups() {
        List<Long> ids = new ArrayList<>();
        for (GroupInfo g : meta.map().groups()) {
            ids.add(g.id());
        }
        ids.sort(null);
        return ids;
    }

    @Override
    public long groupOf(String key) {
        return meta.map().groupOf(Slots.slot(key.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public long leaderOf(long group) {
        for (StoreNode n : stores.values()) {
            ShardStateMachine sm = n.stateMachines().get(group);
            long l = sm == null ? 0 : sm.leaderId();
            if (l != 0 && stores.containsKey(l)) {
                return l;
            }
        }
        return 0;
    }

    @Override
    public long killLeaderOf(long group) {
        await("group " + group + " has a leader").atMost(READY).until(() -> leaderOf(group) != 0);
        long id = leaderOf(group);
        StoreNode n = stores.remove(id);
        n.close();
        return id;
    }

    @Override
    public void close() {
        if (gateway != null) {
            gateway.close();
        }
        if (view != null) {
            view.close();
        }
        if (metaClient != null) {
            metaClient.close();
        }
        for (StoreNode n : stores.values()) {
            n.close();
        }
        stores.clear();
        if (meta != null) {
            meta.close();
        }
    }
}
