package io.cairn.store.node;

import static io.cairn.store.node.StoreServiceTest.cmd;
import static io.cairn.store.node.StoreServiceTest.freePort;
import static io.cairn.store.node.StoreServiceTest.keyIn;
import static io.cairn.store.node.StoreServiceTest.resp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.admin.MapTables;
import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.ShardMap;
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
 * create them from the map, and data flows through the StoreService of the leaders.
 */
@Timeout(120)
class MetaModeClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(45);
    /** Bootstrap of 3 groups: 0-5461, 5462-10922, 10923-16383. */
    private static final int[][] RANGES = {{0, 5461}, {5462, 10922}, {10923, 16383}};

    @TempDir
    Path tmp;

    private MetaNode meta;
    private final StoreConfig[] configs = new StoreConfig[3];
    private final StoreNode[] stores = new StoreNode[3];
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
        ManagedChannel c = channels.computeIfAbsent(stores[i].servicePort(),
                port -> NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
        return StoreServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
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

    @Test
    void storesRegisterGetTheirGroupsFromTheMapAndServeThem() throws Exception {
        Properties mp = new Properties();
        mp.setProperty("node.id", "1");
        mp.setProperty("data.dir", tmp.resolve("meta").toString());
        mp.setProperty("raft.port", Integer.toString(freePort()));
        mp.setProperty("service.port", Integer.toString(freePort()));
        mp.setProperty("raft.tick.ms", "20");
        mp.setProperty("leader.task.ms", "50");
        meta = MetaNode.start(MetaConfig.from(mp));
        String metaAddress = "127.0.0.1:" + meta.servicePort();
        for (int i = 0; i < 3; i++) {
            configs[i] = metaModeStore(i + 1, tmp.resolve("store-" + (i + 1)), metaAddress);
            stores[i] = StoreNode.start(configs[i]);
        }

        // Registration, bootstrap (version 9), groups created on every store, leaders elected.
        await().atMost(WAIT).until(() -> meta.map().version() == 9);
        ShardMap map = meta.map();
        assertThat(map.groups()).hasSize(3);
        for (StoreNode s : stores) {
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
}
