package io.cairn.benchmarks.e2e;

import io.cairn.gateway.GatewayConfig;
import io.cairn.gateway.GatewayServer;
import io.cairn.meta.client.StaticClusterView;
import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.SlotRange;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.raft.storage.LogStoreStats;
import io.cairn.raft.storage.RocksLogStore;
import io.cairn.store.node.StoreConfig;
import io.cairn.store.node.StoreNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * A whole routing cluster in one JVM for end-to-end load (redis-benchmark, redis-cli): three store
 * nodes (RocksDB, Raft with fsync'd logs, gRPC on 127.0.0.1) hosting three static groups of three
 * replicas that split the 16384 slots in three ranges, and a routing gateway on a given port over
 * the matching static shard map. Prints {@code ready <port>} once every group has a leader, then
 * runs until killed.
 *
 * <pre>
 * LocalClusterMain [port [dataDir]]     port default 6379; dataDir default a fresh temp directory
 * </pre>
 *
 * <p>System properties {@code store.<key>} override any store config key for all three nodes
 * (e.g. {@code -Dstore.raft.workers=2}); {@code route.<key>} are passed to the gateway's
 * {@code RouteConfig} (e.g. {@code -Droute.max.calls.per.store=4}). Not the {@code cairn dev}
 * launcher (module deploy): no meta group, no restart story beyond the stores' own.
 */
public final class LocalClusterMain {
    static final long[] GROUPS = {1, 2, 3};
    static final int[][] SLOTS = {{0, 5460}, {5461, 10922}, {10923, 16383}};

    private LocalClusterMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 6379;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("cairn-e2e");
        int[][] ports = new int[3][];
        for (int i = 0; i < 3; i++) {
            ports[i] = new int[] {freePort(), freePort()};
        }
        List<StoreNode> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(StoreNode.start(StoreConfig.from(storeConfig(dir, i + 1, ports))));
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!allGroupsLed(nodes)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leader for some group after 60 s");
            }
            Thread.sleep(20); // polling the nodes' view of their leaders; nothing to wait on
        }
        Properties route = new Properties();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("route."))
                .forEach(k -> route.setProperty(k, System.getProperty(k)));
        GatewayConfig config = GatewayConfig.loopback(port)
                .withRoute(io.cairn.gateway.route.RouteConfig.from(route));
        StaticClusterView view = new StaticClusterView(map(ports));
        GatewayServer gateway = GatewayServer.start(config, view);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            nodes.forEach(StoreNode::close);
        }));
        System.out.println("ready " + gateway.port() + " data " + dir);
        long every = Long.getLong("stats.seconds", 0);
        if (every > 0) {
            printStats(gateway, nodes, every);
        }
        Thread.currentThread().join();
    }

    /**
     * Every {@code seconds}, one line: the gateway's Execute calls and commands per call, and per
     * node the Raft log's disk writes (each one fsync) and batches per write, over the interval.
     */
    private static void printStats(GatewayServer gateway, List<StoreNode> nodes, long seconds)
            throws InterruptedException {
        long calls = 0;
        long commands = 0;
        long[] writes = new long[nodes.size()];
        long[] batches = new long[nodes.size()];
        while (true) {
            Thread.sleep(seconds * 1000); // a reporting period, not synchronisation
            StringBuilder line = new StringBuilder();
            long c = gateway.router().executeCalls();
            long k = gateway.router().executeCommands();
            line.append(String.format("gateway: %d calls/s, %.1f commands/call;", (c - calls) / seconds,
                    (k - commands) / (double) Math.max(1, c - calls)));
            calls = c;
            commands = k;
            for (int i = 0; i < nodes.size(); i++) {
                RocksLogStore store = (RocksLogStore) nodes.get(i).runtime().store();
                LogStoreStats st = store.stats();
                line.append(String.format(" node %d: %d log writes/s, %.1f batches/write;", i + 1,
                        (st.diskWrites() - writes[i]) / seconds,
                        (st.batchesWritten() - batches[i]) / (double) Math.max(1, st.diskWrites() - writes[i])));
                writes[i] = st.diskWrites();
                batches[i] = st.batchesWritten();
            }
            System.out.println(line);
        }
    }

    private static boolean allGroupsLed(List<StoreNode> nodes) {
        for (long g : GROUPS) {
            boolean led = false;
            for (StoreNode n : nodes) {
                led |= n.stateMachines().get(g).leaderId() != 0;
            }
            if (!led) {
                return false;
            }
        }
        return true;
    }

    private static Properties storeConfig(Path dir, long id, int[][] ports) {
        Properties p = new Properties();
        p.setProperty("node.id", Long.toString(id));
        p.setProperty("data.dir", dir.resolve("node-" + id).toString());
        p.setProperty("host", "127.0.0.1");
        p.setProperty("raft.port", Integer.toString(ports[(int) id - 1][0]));
        p.setProperty("service.port", Integer.toString(ports[(int) id - 1][1]));
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add((i + 1) + "=127.0.0.1:" + ports[i][0] + ":" + ports[i][1]);
        }
        p.setProperty("peers", String.join(",", peers));
        for (int i = 0; i < GROUPS.length; i++) {
            p.setProperty("group." + GROUPS[i] + ".members", "1,2,3");
            p.setProperty("group." + GROUPS[i] + ".slots", SLOTS[i][0] + "-" + SLOTS[i][1]);
        }
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("store."))
                .forEach(k -> p.setProperty(k.substring("store.".length()), System.getProperty(k)));
        return p;
    }

    /** The map the stores' static config describes: 3 stores, 3 groups, 3 slot ranges. */
    private static ShardMap map(int[][] ports) {
        ShardMap m = ShardMap.empty();
        for (int i = 0; i < 3; i++) {
            m = m.apply(new MapCommand.AddStore(new StoreInfo(i + 1, "127.0.0.1:" + ports[i][0],
                    "127.0.0.1:" + ports[i][1], StoreState.UP)));
        }
        for (int i = 0; i < GROUPS.length; i++) {
            m = m.apply(new MapCommand.CreateGroup(GROUPS[i],
                    List.of(Replica.voter(1), Replica.voter(2), Replica.voter(3))));
            m = m.apply(new MapCommand.AssignSlots(List.of(new SlotRange(SLOTS[i][0], SLOTS[i][1])),
                    GROUPS[i]));
        }
        return m;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
