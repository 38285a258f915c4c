package io.cairn.deploy.e2e;

import static org.awaitility.Awaitility.await;

import io.cairn.deploy.it.ClusterProcesses;
import io.cairn.deploy.it.StoreServiceClient;
import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.ShardMap;
import io.cairn.store.types.Slots;
import io.cairn.testing.Ports;
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
    private final int metaReplicas;
    /** Extra settings of every meta replica. */
    private final Properties metaSettings;
    private final ClusterProcesses processes;
    /** MetaService addresses of the meta replicas, replica i + 1 at index i. */
    private final List<String> metaAddresses = new ArrayList<>();
    private String metaAddress;
    /** Stores killed by {@link #killLeaderOf}; their Status is not asked (they stay down). */
    private final Set<Long> killed = ConcurrentHashMap.newKeySet();
    private int gatewayPort;
    private ShardMap map;
    private StoreServiceClient stores;

    private ProcessCluster(Path dir, int metaReplicas, Properties metaSettings) {
        this.dir = dir;
        this.metaReplicas = metaReplicas;
        this.metaSettings = metaSettings;
        this.processes = new ClusterProcesses(dir);
    }

    static ProcessCluster start(Path dir) throws Exception {
        return start(dir, 1, new Properties());
    }

    /**
     * A cluster whose meta group has {@code metaReplicas} replicas (each its own process), each
     * with {@code metaSettings} on top of the defaults.
     */
    static ProcessCluster start(Path dir, int metaReplicas, Properties metaSettings) throws Exception {
        ProcessCluster c = new ProcessCluster(Files.createDirectories(dir.resolve("cluster")), metaReplicas,
                metaSettings);
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
        StringBuilder peers = new StringBuilder();
        int[][] metaPorts = new int[metaReplicas][];
        for (int i = 0; i < metaReplicas; i++) {
            metaPorts[i] = new int[] {Ports.freePort(), Ports.freePort()};
            metaAddresses.add("127.0.0.1:" + metaPorts[i][0]);
            peers.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(metaPorts[i][1]).append(':')
                    .append(metaPorts[i][0]);
        }
        String metaAddress = String.join(",", metaAddresses);
        for (int i = 0; i < metaReplicas; i++) {
            Properties meta = new Properties();
            meta.setProperty("node.id", Integer.toString(i + 1));
            meta.setProperty("data.dir", dir.resolve(metaName(i + 1)).toString());
            meta.setProperty("host", "127.0.0.1");
            meta.setProperty("service.port", Integer.toString(metaPorts[i][0]));
            meta.setProperty("raft.port", Integer.toString(metaPorts[i][1]));
            if (metaReplicas > 1) {
                meta.setProperty("peers", peers.toString());
            }
            meta.setProperty("raft.tick.ms", "50");
            meta.setProperty("leader.task.ms", "50");
            meta.putAll(metaSettings);
            processes.start(metaName(i + 1), "meta", processes.writeConfig(metaName(i + 1), meta));
        }

        this.metaAddress = metaAddress;
        for (long id = 1; id <= STORES; id++) {
            addStoreProcess(id);
        }

        gatewayPort = Ports.freePort();
        Properties gateway = new Properties();
        gateway.setProperty("host", "127.0.0.1");
        gateway.setProperty("port", Integer.toString(gatewayPort));
        gateway.setProperty("meta.address", metaAddress);
        gateway.setProperty("route.timeout.ms", "15000");
        processes.start("gateway-1", "gateway", processes.writeConfig("gateway-1", gateway));
        processes.awaitReady("gateway-1", READY,
                () -> processes.log("gateway-1", 1_000_000).contains("gateway ready"));

        try (MetaClient metaClient = new MetaClient(metaAddresses)) {
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

    /**
     * Starts the process of store {@code id} in meta mode with the cluster's settings: one of the
     * first {@value #STORES}, or one more ({@code id} above them) that registers itself with the
     * meta service. Returns its StoreService address (for {@code add-store}).
     */
    String addStoreProcess(long id) {
        int servicePort = Ports.freePort();
        Properties p = InProcessCluster.storeProperties(dir, id, Ports.freePort(), servicePort, metaAddress);
        processes.start(storeName(id), "store", processes.writeConfig(storeName(id), p));
        return "127.0.0.1:" + servicePort;
    }

    private static String storeName(long id) {
        return "store-" + id;
    }

    private static String metaName(long id) {
        return "meta-" + id;
    }

    /** The MetaService addresses of the meta replicas. */
    List<String> metaAddresses() {
        return List.copyOf(metaAddresses);
    }

    /** Starts a killed store again, with its data. */
    void restartStore(long id) {
        processes.restart(storeName(id));
        killed.remove(id);
    }

    /**
     * Kills (SIGKILL) the meta replica that says it leads, waiting for one first; returns its id.
     * Needs a meta group of 3 replicas to keep working.
     */
    long killMetaLeader() {
        long[] leader = {0};
        await("a meta leader").atMost(READY).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
            try (MetaClient c = new MetaClient(metaAddresses)) {
                for (var r : c.status().getReplicasList()) {
                    if (r.getLeader()) {
                        leader[0] = r.getId();
                        return true;
                    }
                }
            }
            return false;
        });
        processes.kill9(metaName(leader[0]));
        return leader[0];
    }

    /** Starts a killed meta replica again, with its data. */
    void restartMeta(long id) {
        processes.restart(metaName(id));
    }

    /** The tails of every role's log (for a failure message). */
    String logs() {
        return processes.logs();
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
