package io.cairn.deploy.e2e;

import static org.awaitility.Awaitility.await;

import io.cairn.deploy.it.ClusterProcesses;
import io.cairn.deploy.it.StoreServiceClient;
import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.ShardMap;
import io.cairn.store.types.Slots;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The system as a deployment runs it, one role per child JVM ({@code cairn meta|store|gateway
 * --config FILE}, through {@link ClusterProcesses}): one meta replica, three stores in meta mode
 * on which the meta service bootstraps three groups of three replicas, and a gateway following
 * the meta service. Free loopback ports; configs, logs and data under {@code dir/cluster}.
 *
 * <p>{@link #start} returns once the gateway logged {@code gateway ready} (it has a map with every
 * slot assigned), every store hosts every group and every group has a leader. {@link #leaderOf}
 * asks the live stores' {@code Status}; {@link #killLeaderOf} is a SIGKILL of that store's JVM.
 * {@link #close} kills every child (a JVM shutdown hook in {@link ClusterProcesses} does it too
 * if the test JVM exits without closing).
 */
final class ProcessCluster implements E2eCluster {
    static final int STORES = 3;
    private static final Duration READY = Duration.ofSeconds(180);

    private final Path dir;
    private final ClusterProcesses processes;
    /** Stores killed by {@link #killLeaderOf}; their Status is not asked (they stay down). */
    private final Set<Long> killed = ConcurrentHashMap.newKeySet();
    private int gatewayPort;
    private ShardMap map;
    private StoreServiceClient stores;

    private ProcessCluster(Path dir) {
        this.dir = dir;
        this.processes = new ClusterProcesses(dir);
    }

    static ProcessCluster start(Path dir) throws Exception {
        ProcessCluster c = new ProcessCluster(Files.createDirectories(dir.resolve("cluster")));
        try {
            c.startAll();
            return c;
        } catch (Exception | Error e) {
            String logs = c.processes.logs();
            c.close();
            throw new AssertionError("process cluster did not start: " + e + "\n" + logs, e);
        }
    }

    private void startAll() {
        int metaPort = ClusterProcesses.freePort();
        String metaAddress = "127.0.0.1:" + metaPort;
        Properties meta = new Properties();
        meta.setProperty("node.id", "1");
        meta.setProperty("data.dir", dir.resolve("meta-1").toString());
        meta.setProperty("host", "127.0.0.1");
        meta.setProperty("service.port", Integer.toString(metaPort));
        meta.setProperty("raft.port", Integer.toString(ClusterProcesses.freePort()));
        meta.setProperty("raft.tick.ms", "50");
        meta.setProperty("leader.task.ms", "50");
        processes.start("meta-1", "meta", processes.writeConfig("meta-1", meta));

        for (long id = 1; id <= STORES; id++) {
            Properties p = new Properties();
            p.setProperty("node.id", Long.toString(id));
            p.setProperty("data.dir", dir.resolve("store-" + id).toString());
            p.setProperty("host", "127.0.0.1");
            p.setProperty("raft.port", Integer.toString(ClusterProcesses.freePort()));
            p.setProperty("service.port", Integer.toString(ClusterProcesses.freePort()));
            p.setProperty("meta.address", metaAddress);
            p.setProperty("meta.heartbeat.ms", "100");
            p.setProperty("raft.tick.ms", "50");
            p.setProperty("raft.election.ticks", "10");
            p.setProperty("raft.workers", "1");
            p.setProperty("raft.apply.threads", "1");
            p.setProperty("read.threads", "2");
            processes.start(storeName(id), "store", processes.writeConfig(storeName(id), p));
        }

        gatewayPort = ClusterProcesses.freePort();
        Properties gateway = new Properties();
        gateway.setProperty("host", "127.0.0.1");
        gateway.setProperty("port", Integer.toString(gatewayPort));
        gateway.setProperty("meta.address", metaAddress);
        gateway.setProperty("route.timeout.ms", "15000");
        processes.start("gateway-1", "gateway", processes.writeConfig("gateway-1", gateway));
        processes.awaitReady("gateway-1", READY,
                () -> processes.log("gateway-1", 1_000_000).contains("gateway ready"));

        try (MetaClient metaClient = new MetaClient(List.of(metaAddress))) {
            map = metaClient.currentMap();
        }
        stores = new StoreServiceClient(map, 1);
        for (long id = 1; id <= STORES; id++) {
            long store = id;
            processes.awaitReady(storeName(id), READY,
                    () -> stores.status(store).getGroupsCount() == map.groups().size());
        }
        for (long g : groups()) {
            await("group " + g + " has a leader").atMost(READY).pollInterval(Duration.ofMillis(50))
                    .until(() -> leaderOf(g) != 0);
        }
    }

    private static String storeName(long id) {
        return "store-" + id;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int gatewayPort() {
        return gatewayPort;
    }

    /** The groups of the map read at start (the tests do not split or move groups). */
    @Override
    public List<Long> groups() {
        List<Long> ids = new ArrayList<>();
        for (GroupInfo g : map.groups()) {
            ids.add(g.id());
        }
        ids.sort(null);
        return ids;
    }

    @Override
    public long groupOf(String key) {
        return map.groupOf(Slots.slot(key.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The store whose replica says it leads the group, asked of every live store now; when two
     * say so (an old leader that has not heard of the new term yet) the one of the higher term.
     */
    @Override
    public long leaderOf(long group) {
        long leader = 0;
        long term = -1;
        for (long id = 1; id <= STORES; id++) {
            if (killed.contains(id)) {
                continue;
            }
            try {
                for (io.cairn.store.node.proto.GroupInfo g : stores.status(id).getGroupsList()) {
                    if (g.getGroupId() == group && g.getRole().equals("LEADER") && g.getTerm() > term) {
                        leader = id;
                        term = g.getTerm();
                    }
                }
            } catch (RuntimeException e) {
                // not answering now: not the leader as far as the test can tell
            }
        }
        return leader;
    }

    @Override
    public long killLeaderOf(long group) {
        await("group " + group + " has a leader").atMost(READY).until(() -> leaderOf(group) != 0);
        long id = leaderOf(group);
        killed.add(id);
        processes.kill9(storeName(id));
        return id;
    }

    @Override
    public void close() {
        if (stores != null) {
            stores.close();
        }
        processes.close();
    }
}
