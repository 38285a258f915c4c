package io.cairn.store.node;

import static io.cairn.testing.Ports.freePort;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.server.MetaConfig;
import io.cairn.meta.server.MetaNode;
import io.cairn.raft.core.StateType;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.store.node.proto.Command;
import io.cairn.store.node.proto.ExecuteRequest;
import io.cairn.store.node.proto.Result;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.cairn.store.types.KeyCodec;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.RocksIterator;

/**
 * Test fixture for replica and store changes against real nodes, all in this JVM: a meta group
 * of one or more replicas and four store nodes in meta mode (configs made up front, started by
 * the test: {@link #start(int)}). The meta replicas run with a 20 ms Raft tick and 50 ms leader
 * tasks; the bootstrap makes {@code groups} groups of three on the first three stores that
 * register.
 */
final class MetaModeCluster implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final int STORES = 4;

    final List<MetaNode> metas = new CopyOnWriteArrayList<>();
    final StoreConfig[] configs = new StoreConfig[STORES];
    final StoreNode[] stores = new StoreNode[STORES];
    final MetaClient client;
    private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();

    /**
     * Starts the meta replicas (none of the stores).
     *
     * @param heartbeatTimeoutMs the meta's {@code store.heartbeat.timeout.ms}
     */
    MetaModeCluster(Path tmp, int metaReplicas, int groups, long heartbeatTimeoutMs) throws Exception {
        List<String> peers = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int i = 1; i <= metaReplicas; i++) {
            int raft = freePort();
            int service = freePort();
            peers.add(i + "@127.0.0.1:" + raft + ":" + service);
            addresses.add("127.0.0.1:" + service);
        }
        List<MetaConfig> metaConfigs = new ArrayList<>();
        for (int i = 1; i <= metaReplicas; i++) {
            Properties mp = new Properties();
            mp.setProperty("node.id", Integer.toString(i));
            mp.setProperty("data.dir", tmp.resolve("meta-" + i).toString());
            String[] parts = peers.get(i - 1).split(":");
            mp.setProperty("raft.port", parts[1]);
            mp.setProperty("service.port", parts[2]);
            mp.setProperty("peers", String.join(",", peers));
            mp.setProperty("raft.tick.ms", "20");
            mp.setProperty("leader.task.ms", "50");
            mp.setProperty("bootstrap.groups", Integer.toString(groups));
            mp.setProperty("store.heartbeat.timeout.ms", Long.toString(heartbeatTimeoutMs));
            metaConfigs.add(MetaConfig.from(mp));
            metas.add(null);
        }
        List<Thread> starting = new ArrayList<>();
        for (int i = 0; i < metaReplicas; i++) {
            int idx = i;
            Thread t = new Thread(() -> metas.set(idx, MetaNode.start(metaConfigs.get(idx))));
            t.start();
            starting.add(t);
        }
        for (Thread t : starting) {
            t.join();
        }
        String metaAddress = String.join(",", addresses);
        for (int i = 0; i < STORES; i++) {
            configs[i] = MetaModeClusterTest.metaModeStore(i + 1, tmp.resolve("store-" + (i + 1)), metaAddress);
        }
        client = new MetaClient(MetaClient.parseAddresses(metaAddress));
    }

    /** Starts store {@code i + 1} (again, after a {@link #stop}). */
    void start(int i) {
        stores[i] = StoreNode.start(configs[i]);
    }

    /** Stops store {@code i + 1}. */
    void stop(int i) {
        stores[i].close();
        stores[i] = null;
    }

    /** Starts stores 1-3 and waits for the bootstrap's groups to have slots and leaders. */
    void startFirstThree(int groups) {
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        await().atMost(WAIT).until(() -> map().groups().size() == groups
                && map().slotCount(ShardMap.UNASSIGNED) == 0);
        for (long g = 1; g <= groups; g++) {
            long group = g;
            await().atMost(WAIT).until(() -> leaderIndex(group) >= 0);
        }
    }

    /** The newest map any running meta replica applied. */
    ShardMap map() {
        ShardMap newest = ShardMap.empty();
        for (MetaNode m : metas) {
            if (m != null && m.map().version() > newest.version()) {
                newest = m.map();
            }
        }
        return newest;
    }

    /** Index of the meta replica that leads, or -1. */
    int metaLeader() {
        for (int i = 0; i < metas.size(); i++) {
            if (metas.get(i) != null && metas.get(i).isLeader()) {
                return i;
            }
        }
        return -1;
    }

    /** Closes the meta replica at {@code i}. */
    void stopMeta(int i) {
        metas.get(i).close();
        metas.set(i, null);
    }

    /** The group's Raft status on store {@code i + 1}, or null (not hosted there, store stopped). */
    GroupStatus status(int i, long group) {
        StoreNode s = stores[i];
        try {
            if (s == null || !s.runtime().groupIds().contains(group)) {
                return null;
            }
            return s.runtime().status(group).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    /** Index (0..3) of the store whose replica of the group leads, or -1. */
    int leaderIndex(long group) {
        for (int i = 0; i < STORES; i++) {
            GroupStatus s = status(i, group);
            if (s != null && s.role() == StateType.LEADER) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A stub for store {@code i + 1} at its configured port: a store stopping or stopped answers
     * UNAVAILABLE, as it would to a client (a loop that picked the store a moment before
     * {@link #stop} must not die of the node object going away).
     */
    private StoreServiceGrpc.StoreServiceBlockingStub stub(int i) {
        ManagedChannel c = channels.computeIfAbsent(configs[i].servicePort(),
                port -> NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
        return StoreServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** Runs one command on store {@code i + 1} through its StoreService. */
    Result exec(int i, Command c) {
        return stub(i).execute(ExecuteRequest.newBuilder().setProtocol(2).addCommands(c).build()).getResults(0);
    }

    /** The RESP2 bulk string of {@code v}. */
    static String bulk(String v) {
        return "$" + v.length() + "\r\n" + v + "\r\n";
    }

    /** Keys the store's data RocksDB holds in the group's key range. */
    static long keysInRange(StoreNode s, long group) {
        long n = 0;
        byte[] end = KeyCodec.groupEnd(group);
        try (RocksIterator it = s.stateMachines().db().rocks().newIterator()) {
            for (it.seek(KeyCodec.groupPrefix(group)); it.isValid(); it.next()) {
                if (java.util.Arrays.compareUnsigned(it.key(), end) >= 0) {
                    break;
                }
                n++;
            }
        }
        return n;
    }

    /** A background thread that repeats {@link #step} until closed (a writer, a monitor). */
    abstract static class Loop implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;
        private volatile Throwable died;

        Loop(String name) {
            thread = new Thread(this::run, name);
        }

        /** Starts the thread (call at the end of the subclass's constructor, or after it). */
        final void begin() {
            thread.start();
        }

        /** One round; {@code i} counts from 0. */
        abstract void step(long i) throws InterruptedException;

        private void run() {
            try {
                for (long i = 0; !stop.get(); i++) {
                    step(i);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                died = t;
            }
        }

        /** Throws if the loop ended of an unexpected exception (so a test fails with it, not with a timeout). */
        final void assertAlive() {
            if (died != null) {
                throw new AssertionError(thread.getName() + " died", died);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
            if (thread.isAlive()) {
                throw new AssertionError(thread.getName() + " did not stop within 30 s");
            }
            assertAlive();
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
        for (ManagedChannel c : channels.values()) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (StoreNode s : stores) {
            if (s != null) {
                s.close();
            }
        }
        for (MetaNode m : metas) {
            if (m != null) {
                m.close();
            }
        }
    }
}
