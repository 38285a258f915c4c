package io.cairn.store.node;

import static io.cairn.store.node.StoreServiceTest.cmd;
import static io.cairn.store.node.StoreServiceTest.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreState;
import io.cairn.meta.proto.ReplicaMove;
import io.cairn.meta.proto.StoreChangeResponse;
import io.cairn.meta.server.MetaConfig;
import io.cairn.meta.server.MetaNode;
import io.cairn.raft.core.StateType;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.store.node.proto.ExecuteRequest;
import io.cairn.store.node.proto.Result;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Slots;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

/**
 * add-store then remove-store under load (issue 6): a meta replica and four real store nodes in
 * meta mode, three groups of three voters on stores 1-3. While a writer writes keys of every
 * group, store 4 is added (replicas spread onto it) and store 1 removed (its replicas moved off
 * it first). A monitor samples the map and every group's Raft configuration as its leader counts
 * it all along: every group has at least three voters at every sample, in the map and in Raft.
 * Afterwards no acknowledged write is lost, store 1 hosts nothing (no replica, no data) and is
 * REMOVED; refusals say why.
 */
@Timeout(240)
class StoreChangesTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int RF = 3;

    @TempDir
    Path tmp;

    private final List<MetaNode> metas = new CopyOnWriteArrayList<>();
    private final StoreConfig[] configs = new StoreConfig[4];
    private final StoreNode[] stores = new StoreNode[4];
    private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();
    private MetaClient client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
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

    /** {@code metaReplicas} meta replicas, stores 1-3 (the bootstrap places {@code groups} groups on them). */
    private void startCluster(int metaReplicas, int groups) throws Exception {
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
            mp.setProperty("store.heartbeat.timeout.ms", "10000");
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
        for (int i = 0; i < 4; i++) {
            configs[i] = MetaModeClusterTest.metaModeStore(i + 1, tmp.resolve("store-" + (i + 1)), metaAddress);
        }
        client = new MetaClient(MetaClient.parseAddresses(metaAddress));
        for (int i = 0; i < 3; i++) {
            stores[i] = StoreNode.start(configs[i]);
        }
        await().atMost(WAIT).until(() -> map().groups().size() == groups
                && map().slotCount(ShardMap.UNASSIGNED) == 0);
        for (long g = 1; g <= groups; g++) {
            long group = g;
            await().atMost(WAIT).until(() -> leaderIndex(group) >= 0);
        }
    }

    /** The newest map any running meta replica applied. */
    private ShardMap map() {
        ShardMap newest = ShardMap.empty();
        for (MetaNode m : metas) {
            if (m != null && m.map().version() > newest.version()) {
                newest = m.map();
            }
        }
        return newest;
    }

    private StoreServiceGrpc.StoreServiceBlockingStub stub(int i) {
        ManagedChannel c = channels.computeIfAbsent(stores[i].servicePort(),
                port -> NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
        return StoreServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private Result exec(int node, io.cairn.store.node.proto.Command c) {
        return stub(node).execute(ExecuteRequest.newBuilder().setProtocol(2).addCommands(c).build()).getResults(0);
    }

    private GroupStatus status(int i, long group) {
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
    private int leaderIndex(long group) {
        for (int i = 0; i < 4; i++) {
            GroupStatus s = status(i, group);
            if (s != null && s.role() == StateType.LEADER) {
                return i;
            }
        }
        return -1;
    }

    private static long groupOf(ShardMap m, String key) {
        return m.groupOf(Slots.slot(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static String bulk(String v) {
        return "$" + v.length() + "\r\n" + v + "\r\n";
    }

    private static long keysInRange(StoreNode s, long group) {
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

    /** Writes w0, w1, ... each to its group's leader, recording every acknowledged write. */
    private final class Writer implements AutoCloseable {
        final Map<String, String> acked = new ConcurrentHashMap<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread thread = new Thread(this::run, "store-changes-writer");

        Writer() {
            thread.start();
        }

        private void run() {
            for (int i = 0; !stop.get(); i++) {
                String k = "w" + i;
                long group = groupOf(map(), k);
                int leader = leaderIndex(group);
                boolean ok = false;
                if (leader >= 0) {
                    try {
                        Result r = exec(leader, cmd(group, "SET", k, "v" + k));
                        ok = r.getOutcomeCase() == Result.OutcomeCase.RESP
                                && r.getResp().toStringUtf8().equals("+OK\r\n");
                    } catch (StatusRuntimeException e) {
                        ok = false;
                    }
                }
                if (ok) {
                    acked.put(k, "v" + k);
                } else {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
            assertThat(thread.isAlive()).isFalse();
        }
    }

    /**
     * Samples, as often as it can, every group's voters in the map and in the Raft configuration
     * of the replica that leads it (the configuration Raft counts its quorum from); records every
     * sample with fewer than {@link #RF}.
     */
    private final class Monitor implements AutoCloseable {
        final List<String> violations = new CopyOnWriteArrayList<>();
        final AtomicLong samples = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread thread = new Thread(this::run, "store-changes-monitor");

        Monitor() {
            thread.start();
        }

        private void run() {
            while (!stop.get()) {
                ShardMap m = map();
                for (GroupInfo g : m.groups()) {
                    if (g.voterCount() < RF) {
                        violations.add("map version " + m.version() + ": group " + g.id() + " has voters "
                                + g.replicas());
                    }
                    for (int i = 0; i < 4; i++) {
                        GroupStatus s = status(i, g.id());
                        if (s != null && s.role() == StateType.LEADER && s.membership().voters().size() < RF) {
                            violations.add("store " + (i + 1) + " leads group " + g.id() + " with voters "
                                    + s.membership().voters());
                        }
                    }
                }
                samples.incrementAndGet();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }

    private static String moves(StoreChangeResponse r) {
        StringBuilder b = new StringBuilder();
        for (ReplicaMove mv : r.getMovesList()) {
            b.append(mv.getGroupId()).append(':').append(mv.getFromStore()).append("->").append(mv.getToStore())
                    .append(' ');
        }
        return b.toString().trim();
    }

    @Test
    void addStoreThenRemoveStoreUnderWritesKeepsThreeVotersThroughout() throws Exception {
        startCluster(1, 3);
        Map<String, String> acked;
        try (Monitor monitor = new Monitor(); Writer writer = new Writer()) {
            acked = writer.acked;
            await().atMost(WAIT).until(() -> acked.size() >= 30);

            // add-store: store 4 starts (registers itself) and takes 2 of the 9 replicas.
            stores[3] = StoreNode.start(configs[3]);
            StoreChangeResponse added = client.addStore(configs[3].self().serviceAddress(), Duration.ofSeconds(60));
            assertThat(added.getError()).isEmpty();
            assertThat(added.getStoreId()).isEqualTo(4);
            assertThat(moves(added)).isEqualTo("1:1->4 2:2->4");
            ShardMap m = client.currentMap();
            assertThat(m.findGroup(1).orElseThrow().replicaOn(4)).isPresent();
            assertThat(m.findGroup(2).orElseThrow().replicaOn(4)).isPresent();
            long before = acked.size();
            await().atMost(WAIT).until(() -> acked.size() >= before + 20); // still writing

            // remove-store: store 1's two replicas (groups 2 and 3) go to stores lacking them.
            StoreChangeResponse removed = client.removeStore(1);
            assertThat(removed.getError()).isEmpty();
            assertThat(removed.getMovesList()).extracting(ReplicaMove::getFromStore).containsOnly(1L);
            assertThat(removed.getMovesList()).extracting(ReplicaMove::getGroupId).containsExactly(2L, 3L);
            long after = acked.size();
            await().atMost(WAIT).until(() -> acked.size() >= after + 20);

            monitor.close();
            assertThat(monitor.violations).isEmpty();
            assertThat(monitor.samples.get()).isGreaterThan(50);
        }

        ShardMap m = client.currentMap();
        assertThat(m.store(1).orElseThrow().state()).isEqualTo(StoreState.REMOVED);
        for (GroupInfo g : m.groups()) {
            assertThat(g.replicaOn(1)).isEmpty();
            assertThat(g.voterCount()).isEqualTo(RF);
            await().atMost(WAIT).until(() -> {
                int leader = leaderIndex(g.id());
                return leader > 0 && status(leader, g.id()).membership().voters().size() == RF;
            });
        }
        // Store 1 destroyed every replica and deleted their key ranges.
        await().atMost(WAIT).until(() -> stores[0].runtime().groupIds().isEmpty());
        for (long g = 1; g <= 3; g++) {
            long group = g;
            await().atMost(WAIT).until(() -> keysInRange(stores[0], group) == 0);
        }
        // Every acknowledged write is there (linearizable reads at each group's leader).
        assertThat(acked.size()).isGreaterThan(70);
        int[] leaders = new int[4];
        for (int g = 1; g <= 3; g++) {
            long group = g;
            await().atMost(WAIT).until(() -> leaderIndex(group) > 0);
            leaders[g] = leaderIndex(group);
        }
        for (Map.Entry<String, String> e : acked.entrySet()) {
            long group = groupOf(m, e.getKey());
            Result r = exec(leaders[(int) group], cmd(group, "GET", e.getKey()));
            assertThat(r.getResp().toStringUtf8()).as("key %s of group %d", e.getKey(), group)
                    .isEqualTo(bulk(e.getValue()));
        }

        // Repeating the removal answers done, with nothing left to move.
        StoreChangeResponse again = client.removeStore(1);
        assertThat(again.getError()).isEmpty();
        assertThat(again.getMovesList()).isEmpty();
        // Refusals: three stores left for groups of three; an unknown store; no such address.
        long version = client.currentMap().version();
        assertThat(client.removeStore(2).getError())
                .isEqualTo("cannot remove store 2: group 1 has 3 replicas and only 2 other stores would be left [3, 4]");
        assertThat(client.removeStore(9).getError()).isEqualTo("unknown store: 9");
        assertThat(client.addStore("127.0.0.1:1", Duration.ofMillis(200)).getError())
                .startsWith("no store registered with service address 127.0.0.1:1 within 200 ms");
        assertThat(client.currentMap().version()).isEqualTo(version);
    }

    /**
     * The meta leader stops while remove-store waits for the new replica to catch up (a LEARNER on
     * store 4, whose process is stopped, so it cannot): the client repeats the call on the new
     * meta leader, which carries on from the map — it promotes that learner rather than adding
     * another — once store 4 is back, and finishes. The group has three voters throughout.
     */
    @Test
    void aMetaLeaderChangeInTheMiddleOfARemoveStoreFinishesIt() throws Exception {
        startCluster(3, 1);
        stores[3] = StoreNode.start(configs[3]);
        await().atMost(WAIT).until(() -> map().stores().size() == 4);
        Map<String, String> acked;
        try (Monitor monitor = new Monitor(); Writer writer = new Writer()) {
            acked = writer.acked;
            await().atMost(WAIT).until(() -> acked.size() >= 20);
            stores[3].close(); // still UP in the map (store.heartbeat.timeout.ms 10 s), but it cannot catch up
            stores[3] = null;
            CompletableFuture<StoreChangeResponse> remove = CompletableFuture.supplyAsync(() -> client.removeStore(1));
            await().atMost(WAIT).until(() -> map().findGroup(1).orElseThrow().replicaOn(4)
                    .map(r -> r.role() == ReplicaRole.LEARNER).orElse(false));
            assertThat(remove).isNotDone();
            int leader = -1;
            for (int i = 0; i < metas.size(); i++) {
                if (metas.get(i) != null && metas.get(i).isLeader()) {
                    leader = i;
                }
            }
            assertThat(leader).isNotNegative();
            metas.get(leader).close();
            metas.set(leader, null);
            stores[3] = StoreNode.start(configs[3]);

            StoreChangeResponse r = remove.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(r.getError()).isEmpty();
            assertThat(moves(r)).isEqualTo("1:1->4");
            long before = acked.size();
            await().atMost(WAIT).until(() -> acked.size() >= before + 20);
            monitor.close();
            assertThat(monitor.violations).isEmpty();
            assertThat(monitor.samples.get()).isGreaterThan(50);
        }
        ShardMap m = map();
        assertThat(m.store(1).orElseThrow().state()).isEqualTo(StoreState.REMOVED);
        assertThat(m.findGroup(1).orElseThrow().replicas())
                .containsExactly(Replica.voter(2), Replica.voter(3), Replica.voter(4));
        await().atMost(WAIT).until(() -> stores[0].runtime().groupIds().isEmpty() && keysInRange(stores[0], 1) == 0);
        await().atMost(WAIT).until(() -> leaderIndex(1) > 0);
        int leader = leaderIndex(1);
        for (Map.Entry<String, String> e : acked.entrySet()) {
            assertThat(exec(leader, cmd(1, "GET", e.getKey())).getResp().toStringUtf8()).as("key %s", e.getKey())
                    .isEqualTo(bulk(e.getValue()));
        }
    }

    /** A store whose process is gone (a dead machine) is drained the same way: its group keeps three voters. */
    @Test
    void aStoppedStoreIsRemovedAndItsReplicaRebuiltElsewhere() throws Exception {
        startCluster(1, 1);
        stores[3] = StoreNode.start(configs[3]);
        await().atMost(WAIT).until(() -> map().stores().size() == 4);
        Map<String, String> acked;
        try (Writer writer = new Writer()) {
            acked = writer.acked;
            await().atMost(WAIT).until(() -> acked.size() >= 20);
            stores[0].close();
            stores[0] = null;
            try (Monitor monitor = new Monitor()) {
                StoreChangeResponse r = client.removeStore(1);
                assertThat(r.getError()).isEmpty();
                assertThat(moves(r)).isEqualTo("1:1->4");
                long before = acked.size();
                await().atMost(WAIT).until(() -> acked.size() >= before + 20);
                monitor.close();
                assertThat(monitor.violations).isEmpty();
            }
        }
        assertThat(map().store(1).orElseThrow().state()).isEqualTo(StoreState.REMOVED);
        assertThat(map().findGroup(1).orElseThrow().replicas())
                .containsExactly(Replica.voter(2), Replica.voter(3), Replica.voter(4));
        await().atMost(WAIT).until(() -> leaderIndex(1) > 0
                && status(leaderIndex(1), 1).membership().voters().equals(java.util.Set.of(2L, 3L, 4L)));
        GroupStatus four = status(3, 1);
        assertThat(four).isNotNull();
        for (Map.Entry<String, String> e : acked.entrySet()) {
            assertThat(exec(3, cmd(1, "GET", e.getKey())).getResp().toStringUtf8()).as("key %s", e.getKey())
                    .isEqualTo(bulk(e.getValue()));
        }
    }
}
