package io.cairn.store.node;

import static io.cairn.store.node.StoreServiceTest.cmd;
import static io.cairn.testing.Ports.freePort;
import static io.cairn.store.node.StoreServiceTest.keyIn;
import static io.cairn.store.node.StoreServiceTest.resp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.admin.MapTables;
import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.proto.StoreControlGrpc;
import io.cairn.meta.proto.StoreTransferLeaderRequest;
import io.cairn.meta.proto.StoreTransferLeaderResponse;
import io.cairn.meta.proto.TransferLeaderResponse;
import io.cairn.meta.server.MetaConfig;
import io.cairn.meta.server.MetaNode;
import io.cairn.store.node.proto.ExecuteRequest;
import io.cairn.store.node.proto.GroupInfo;
import io.cairn.store.node.proto.Result;
import io.cairn.store.node.proto.StatusRequest;
import io.cairn.store.node.proto.StatusResponse;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One meta replica and three real store nodes in meta mode (RocksDB, Raft, gRPC on 127.0.0.1):
 * the stores register, the meta service bootstraps three groups of three replicas, the stores
 * create them from the map, and data flows through the StoreService of the leaders; leadership
 * moves where the meta service's TransferLeader says, and its balancer spreads it over the stores.
 */
@Timeout(120)
class MetaModeClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(45);
    /** Bootstrap of 3 groups: 0-5461, 5462-10922, 10923-16383. */
    private static final int[][] RANGES = {{0, 5461}, {5462, 10922}, {10923, 16383}};

    @TempDir
    Path tmp;

    private MetaNode meta;
    private final StoreConfig[] configs = new StoreConfig[4];
    private final StoreNode[] stores = new StoreNode[4];
    private final Map<Integer, ManagedChannel> channels = new HashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (ManagedChannel c : channels.values()) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (StoreNode s : stores) {
            if (s != null) {
                s.close();
            }
        }
        if (meta != null) {
            meta.close();
        }
    }

    /** A store node in meta mode on free loopback ports, with fast ticks and heartbeats for tests. */
    static StoreConfig metaModeStore(int id, Path dataDir, String metaAddress) throws java.io.IOException {
        Properties p = new Properties();
        p.setProperty("node.id", Integer.toString(id));
        p.setProperty("data.dir", dataDir.toString());
        p.setProperty("host", "127.0.0.1");
        p.setProperty("raft.port", Integer.toString(freePort()));
        p.setProperty("service.port", Integer.toString(freePort()));
        p.setProperty("meta.address", metaAddress);
        p.setProperty("meta.heartbeat.ms", "100");
        p.setProperty("raft.tick.ms", "20");
        p.setProperty("raft.workers", "1");
        p.setProperty("raft.apply.threads", "1");
        p.setProperty("read.threads", "2");
        return StoreConfig.from(p);
    }

    private StoreServiceGrpc.StoreServiceBlockingStub stub(int i) {
        return StoreServiceGrpc.newBlockingStub(channel(i)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private Result exec(int node, io.cairn.store.node.proto.Command c) {
        return stub(node).execute(ExecuteRequest.newBuilder().setProtocol(2).addCommands(c).build()).getResults(0);
    }

    /** Index (0..2) of the store leading the group, or -1. */
    private int leaderOf(long group) {
        for (int i = 0; i < 3; i++) {
            StatusResponse s = stub(i).status(StatusRequest.getDefaultInstance());
            for (GroupInfo g : s.getGroupsList()) {
                if (g.getGroupId() == group && g.getRole().equals("LEADER")) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * Starts the meta replica ({@code leader.balance.ms} = {@code balanceMillis}; 0 = off) on the
     * ports of its config, which stay the same across restarts.
     */
    private MetaConfig startMeta(MetaConfig config, long balanceMillis) throws Exception {
        Properties mp = new Properties();
        mp.setProperty("node.id", "1");
        mp.setProperty("data.dir", tmp.resolve("meta").toString());
        mp.setProperty("raft.port", Integer.toString(config == null ? freePort() : config.raftPort()));
        mp.setProperty("service.port", Integer.toString(config == null ? freePort() : config.servicePort()));
        mp.setProperty("raft.tick.ms", "20");
        mp.setProperty("leader.task.ms", "50");
        mp.setProperty("leader.balance.ms", Long.toString(balanceMillis));
        MetaConfig c = MetaConfig.from(mp);
        meta = MetaNode.start(c);
        return c;
    }

    /** Starts store {@code id} (1-based) against the meta replica. */
    private StoreNode startStore(int id) throws Exception {
        configs[id - 1] = metaModeStore(id, tmp.resolve("store-" + id), "127.0.0.1:" + meta.servicePort());
        return StoreNode.start(configs[id - 1]);
    }

    @Test
    void storesRegisterGetTheirGroupsFromTheMapAndServeThem() throws Exception {
        // No leader balancing: the test finds each group's leader and then writes to it.
        startMeta(null, 0);
        String metaAddress = "127.0.0.1:" + meta.servicePort();
        for (int i = 0; i < 3; i++) {
            stores[i] = startStore(i + 1);
        }

        // Registration, bootstrap (version 9), groups created on every store, leaders elected.
        await().atMost(WAIT).until(() -> meta.map().version() == 9);
        ShardMap map = meta.map();
        assertThat(map.groups()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            StoreNode s = stores[i];
            await().atMost(WAIT).until(() -> s.runtime().groupIds().size() == 3
                    && s.clusterView().map().version() == 9);
        }
        for (long g = 1; g <= 3; g++) {
            long group = g;
            await().atMost(WAIT).until(() -> leaderOf(group) >= 0);
        }

        // A write through each group's leader, then a linearizable read through another replica.
        List<String> keys = new ArrayList<>();
        for (int g = 0; g < 3; g++) {
            String key = keyIn("k" + g + "-", RANGES[g][0], RANGES[g][1]);
            keys.add(key);
            long group = g + 1;
            int leader = leaderOf(group);
            assertThat(resp(exec(leader, cmd(group, "SET", key, "v" + g)))).isEqualTo("+OK\r\n");
            int other = (leader + 1) % 3;
            assertThat(resp(exec(other, cmd(group, "GET", key)))).isEqualTo("$2\r\nv" + g + "\r\n");

            // A write to a follower: NOT_LEADER with the leader's StoreService address from the map.
            Result nl = exec(other, cmd(group, "SET", key, "x"));
            assertThat(nl.getOutcomeCase()).isEqualTo(Result.OutcomeCase.NOT_LEADER);
            if (nl.getNotLeader().getLeaderId() != 0) {
                long leaderId = nl.getNotLeader().getLeaderId();
                assertThat(nl.getNotLeader().getLeaderAddress())
                        .isEqualTo(map.store(leaderId).orElseThrow().serviceAddress());
            }
        }

        // A key sent to a group that does not own its slot: WRONG_GROUP with the map's version.
        Result wrong = exec(0, cmd(2, "GET", keys.get(0)));
        assertThat(wrong.getOutcomeCase()).isEqualTo(Result.OutcomeCase.WRONG_GROUP);
        assertThat(wrong.getWrongGroup().getMapVersion()).isEqualTo(9);
        StatusResponse st = stub(0).status(StatusRequest.getDefaultInstance());
        assertThat(st.getMapVersion()).isEqualTo(9);
        assertThat(st.getGroupsList()).filteredOn(g -> g.getGroupId() == 1)
                .singleElement().satisfies(g -> assertThat(g.getSlotsList()).containsExactly("0-5461"));

        // Heartbeats give the meta service a leader for every group.
        try (MetaClient client = new MetaClient(List.of(metaAddress))) {
            await().atMost(WAIT).until(() -> MapTables.leaders(client.getMap(0).getLeadersList()).size() == 3);
            assertThat(MapTables.render(client.status())).contains("GROUP").contains("*");
            // ...and, measured by each group's leader, its size: one key per group (issue 5).
            // (a group measured before its SET is measured again at most every 2 s: wait for it)
            await().atMost(WAIT).until(() -> client.status().getSizesList().stream()
                    .filter(z -> z.getKeyCount() == 1).count() == 3);
            assertThat(client.status().getSizesList()).allSatisfy(z -> {
                assertThat(z.getKeyCount()).isEqualTo(1);
                assertThat(z.getExpiresCount()).isZero();
                assertThat(z.getSizeBytes()).isPositive();
                assertThat(z.getStoreId()).isBetween(1L, 3L); // the leader at the time it measured
            });
        }

        // Restart store 3: it keeps its groups and data, and serves again once it has the map.
        int restarted = 2;
        // The test may not have talked to this store yet (it only uses leaders and their next replica).
        ManagedChannel old = channels.remove(stores[restarted].servicePort());
        if (old != null) {
            old.shutdownNow();
        }
        stores[restarted].close();
        stores[restarted] = StoreNode.start(configs[restarted]);
        assertThat(stores[restarted].runtime().groupIds()).containsExactlyInAnyOrder(1L, 2L, 3L);
        for (int g = 0; g < 3; g++) {
            int group = g + 1;
            String key = keys.get(g);
            String value = "$2\r\nv" + g + "\r\n";
            await().atMost(WAIT).until(() -> {
                Result r = exec(restarted, cmd(group, "GET", key));
                return r.getOutcomeCase() == Result.OutcomeCase.RESP && r.getResp().toStringUtf8().equals(value);
            });
        }
        assertThat(meta.map().version()).isEqualTo(9); // the restart changed nothing in the map
    }

    /** How many groups each running store (index 0..3) leads, by the stores' own Status. */
    private int[] leadCounts() {
        int[] out = new int[stores.length];
        for (int i = 0; i < stores.length; i++) {
            if (stores[i] != null) {
                for (GroupInfo g : stub(i).status(StatusRequest.getDefaultInstance()).getGroupsList()) {
                    out[i] += g.getRole().equals("LEADER") ? 1 : 0;
                }
            }
        }
        return out;
    }

    /** Starts stores 1-3 and waits for the bootstrap, every group's leader and the meta's hints. */
    private MetaClient startBootstrappedCluster() throws Exception {
        for (int i = 0; i < 3; i++) {
            stores[i] = startStore(i + 1);
        }
        await().atMost(WAIT).until(() -> meta.map().version() == 9);
        for (int i = 0; i < 3; i++) {
            StoreNode s = stores[i];
            await().atMost(WAIT).until(() -> s.runtime().groupIds().size() == 3);
        }
        // The transfer's answer can take up to the meta's request.timeout.ms (5 s): a longer call timeout.
        MetaClient client = new MetaClient(List.of("127.0.0.1:" + meta.servicePort()),
                MetaClient.Options.defaults().withCallTimeout(Duration.ofSeconds(10)));
        await().atMost(WAIT).until(() -> MapTables.leaders(client.getMap(0).getLeadersList()).size() == 3);
        return client;
    }

    /** Asks the meta service to move a group's leadership; waits out a group between leaders. */
    private static TransferLeaderResponse transfer(MetaClient client, long group, long store) {
        TransferLeaderResponse[] last = new TransferLeaderResponse[1];
        await().atMost(WAIT).until(() -> {
            last[0] = client.transferLeader(group, store);
            return !last[0].getError().contains("try again");
        });
        return last[0];
    }

    @Test
    void transferLeaderMovesLeadershipToTheNamedStoreOnly() throws Exception {
        startMeta(null, 0);
        try (MetaClient client = startBootstrappedCluster()) {
            // Store 4 registers after the bootstrap: it holds no replica of any group.
            stores[3] = startStore(4);
            await().atMost(WAIT).until(() -> meta.map().store(4).isPresent());

            for (long g = 1; g <= 3; g++) {
                TransferLeaderResponse r = transfer(client, g, 1);
                assertThat(r.getError()).isEmpty();
                assertThat(r.getLeaderStoreId()).isEqualTo(1);
                assertThat(leaderOf(g)).isZero(); // store 1, by its own Status
            }
            assertThat(leadCounts()).containsExactly(3, 0, 0, 0);
            // The meta service knows at once (before the next heartbeats).
            assertThat(MapTables.leaders(client.getMap(0).getLeadersList()))
                    .isEqualTo(Map.of(1L, 1L, 2L, 1L, 3L, 1L));

            TransferLeaderResponse toTwo = transfer(client, 2, 2);
            assertThat(toTwo.getError()).isEmpty();
            assertThat(toTwo.getLeaderStoreId()).isEqualTo(2);
            assertThat(toTwo.getTerm()).isPositive();
            assertThat(transfer(client, 3, 3).getLeaderStoreId()).isEqualTo(3);
            assertThat(leadCounts()).containsExactly(1, 1, 1, 0);
            assertThat(transfer(client, 1, 1).getLeaderStoreId()).isEqualTo(1); // already there

            // Refused, with the reason; nothing moves.
            assertThat(client.transferLeader(1, 4).getError())
                    .isEqualTo("store 4 holds no voter replica of group 1 (replicas: 1:voter 2:voter 3:voter)");
            assertThat(client.transferLeader(9, 1).getError()).isEqualTo("unknown group 9");
            assertThat(client.transferLeader(1, 7).getError()).isEqualTo("unknown store 7");
            assertThat(leadCounts()).containsExactly(1, 1, 1, 0);

            // The store-side call: a store that does not lead the group names the one that does.
            StoreTransferLeaderResponse nl = StoreControlGrpc.newBlockingStub(channel(1))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .transferLeader(StoreTransferLeaderRequest.newBuilder().setGroupId(1).setToStore(3).build());
            assertThat(nl.getOutcomeCase()).isEqualTo(StoreTransferLeaderResponse.OutcomeCase.NOT_LEADER);
            assertThat(nl.getNotLeader()).isEqualTo(1);
            // ...and the leader refuses a target that is not a voter.
            StoreTransferLeaderResponse notVoter = StoreControlGrpc.newBlockingStub(channel(0))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .transferLeader(StoreTransferLeaderRequest.newBuilder().setGroupId(1).setToStore(4).build());
            assertThat(notVoter.getError()).isEqualTo("store 4 is not a voter of group 1 (voters: [1, 2, 3])");
        }
    }

    @Test
    void theMetaLeaderSpreadsLeadersOverTheStoresAgainAfterAStoreRestarts() throws Exception {
        // First every group led by store 1 (the balancer off), as `cairn dev` often starts.
        MetaConfig metaConfig = startMeta(null, 0);
        try (MetaClient client = startBootstrappedCluster()) {
            for (long g = 1; g <= 3; g++) {
                assertThat(transfer(client, g, 1).getLeaderStoreId()).isEqualTo(1);
            }
        }
        assertThat(leadCounts()).containsExactly(3, 0, 0, 0);

        // The meta service restarted with the balancer on: one group each.
        meta.close();
        startMeta(metaConfig, 200);
        await().atMost(WAIT).untilAsserted(() -> assertThat(leadCounts()).containsExactly(1, 1, 1, 0));

        // Store 2 stops: its group fails over to store 1 or 3. Back again, it gets one to lead.
        ManagedChannel old = channels.remove(stores[1].servicePort());
        if (old != null) {
            old.shutdownNow();
        }
        stores[1].close();
        stores[1] = null;
        await().atMost(WAIT).until(() -> leadCounts()[0] + leadCounts()[2] == 3);
        stores[1] = StoreNode.start(configs[1]);
        await().atMost(WAIT).untilAsserted(() -> assertThat(leadCounts()).containsExactly(1, 1, 1, 0));
    }

    private ManagedChannel channel(int i) {
        return channels.computeIfAbsent(stores[i].servicePort(),
                port -> NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
    }
}
