package io.cairn.benchmarks.e2e;

import io.cairn.deploy.DevCluster;
import io.cairn.deploy.StaticStoreConfigs;
import io.cairn.gateway.GatewayConfig;
import io.cairn.gateway.GatewayServer;
import io.cairn.meta.client.StaticClusterView;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.ShardMap;
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
 * <p>System property {@code groups} sets the number of groups (default 3; fewer groups, bigger
 * Raft entries per round under the same load), {@code leaders.on=N} moves every group's leadership
 * to store N before the gateway starts (default: wherever the elections put it). System
 * properties {@code store.<key>} override any store config key for all three nodes
 * (e.g. {@code -Dstore.raft.workers=2}; by default the thread counts of {@code cairn dev}: one
 * Raft worker, two apply and two read threads per store); {@code route.<key>} are passed to the gateway's
 * {@code RouteConfig} (e.g. {@code -Droute.max.calls.per.store=4}). Not the {@code cairn dev}
 * launcher (module deploy): no meta group, no restart story beyond the stores' own.
 */
public final class LocalClusterMain {
    private LocalClusterMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 6379;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("cairn-e2e");
        List<StoreInfo> stores = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            stores.add(new StoreInfo(i, "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort(), StoreState.UP));
        }
        // 3 groups (or -Dgroups) x 3 replicas, even slot ranges; the stores host it through static config.
        ShardMap map = ShardMap.bootstrap(stores, Integer.getInteger("groups", 3), 3);
        List<StoreNode> nodes = new ArrayList<>();
        for (StoreInfo s : stores) {
            Properties p = StaticStoreConfigs.forStore(map, s.id(), dir.resolve("node-" + s.id()));
            DevCluster.sharedMachineThreads(p); // the thread counts of `cairn dev`
            System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("store."))
                    .forEach(k -> p.setProperty(k.substring("store.".length()), System.getProperty(k)));
            nodes.add(StoreNode.start(StoreConfig.from(p)));
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!allGroupsLed(map, nodes)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leader for some group after 60 s");
            }
            Thread.sleep(20); // polling the nodes' view of their leaders; nothing to wait on
        }
        long leadersOn = Long.getLong("leaders.on", 0);
        if (leadersOn > 0) {
            moveLeaders(map, nodes, leadersOn);
        }
        Properties route = new Properties();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("route."))
                .forEach(k -> route.setProperty(k, System.getProperty(k)));
        GatewayConfig config = GatewayConfig.loopback(port)
                .withRoute(io.cairn.gateway.route.RouteConfig.from(route));
        StaticClusterView view = new StaticClusterView(map);
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
     * node the Raft log's disk writes, how many of them were synced, and batches per write, over the interval.
     */
    private static void printStats(GatewayServer gateway, List<StoreNode> nodes, long seconds)
            throws InterruptedException {
        long calls = 0;
        long commands = 0;
        long[] writes = new long[nodes.size()];
        long[] synced = new long[nodes.size()];
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
                line.append(String.format(" node %d: %d log writes/s (%d synced), %.1f batches/write;", i + 1,
                        (st.diskWrites() - writes[i]) / seconds, (st.syncedWrites() - synced[i]) / seconds,
                        (st.batchesWritten() - batches[i]) / (double) Math.max(1, st.diskWrites() - writes[i])));
                writes[i] = st.diskWrites();
                synced[i] = st.syncedWrites();
                batches[i] = st.batchesWritten();
            }
            System.out.println(line);
        }
    }

    /** Transfers the leadership of every group to store {@code to} and waits until it leads them all. */
    private static void moveLeaders(ShardMap map, List<StoreNode> nodes, long to) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            boolean all = true;
            for (GroupInfo g : map.groups()) {
                for (StoreNode n : nodes) {
                    long lead = n.stateMachines().get(g.id()).leaderId();
                    if (lead != 0 && lead != to) {
                        all = false;
                        if (lead == n.config().nodeId()) {
                            n.runtime().transferLeader(g.id(), to);
                        }
                    }
                }
            }
            if (all || System.nanoTime() > deadline) {
                return;
            }
            Thread.sleep(100); // polling the nodes' view of their leaders; nothing to wait on
        }
    }

    private static boolean allGroupsLed(ShardMap map, List<StoreNode> nodes) {
        for (GroupInfo g : map.groups()) {
            boolean led = false;
            for (StoreNode n : nodes) {
                led |= n.stateMachines().get(g.id()).leaderId() != 0;
            }
            if (!led) {
                return false;
            }
        }
        return true;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
