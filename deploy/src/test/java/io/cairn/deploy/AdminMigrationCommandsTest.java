package io.cairn.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static io.cairn.deploy.AdminRun.admin;
import static org.awaitility.Awaitility.await;

import io.cairn.deploy.it.RespCall;
import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.proto.MigrateSlotsRequest;
import io.cairn.meta.proto.MigrateSlotsResponse;
import io.cairn.meta.proto.StoreControlGrpc;
import io.cairn.meta.server.MetaConfig;
import io.cairn.meta.server.MetaNode;
import io.cairn.raft.transport.GrpcServers;
import io.cairn.store.types.Slots;
import io.cairn.testing.Ports;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn admin move | rebalance | join | leave | migrations | abort-migration |
 * remove-observer}: parsing, what they print, refusals with exit code 1. Against one meta replica
 * whose three stores are a stand-in StoreControl that answers every MigrateSlots step done (the
 * store side of a migration is shard-store's, tested there).
 */
class AdminMigrationCommandsTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void moveRebalanceJoinLeaveAndRefusals() throws Exception {
        List<Server> stores = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stores.add(GrpcServers.start("127.0.0.1", 0, 4 << 20, new StoreControlGrpc.StoreControlImplBase() {
                @Override
                public void migrateSlots(MigrateSlotsRequest req, StreamObserver<MigrateSlotsResponse> out) {
                    out.onNext(MigrateSlotsResponse.newBuilder().setDone(true).setIndex(1).build());
                    out.onCompleted();
                }
            }));
        }
        Properties p = new Properties();
        p.setProperty("node.id", "1");
        p.setProperty("data.dir", tmp.resolve("meta").toString());
        p.setProperty("raft.port", Integer.toString(Ports.freePort()));
        p.setProperty("service.port", Integer.toString(Ports.freePort()));
        p.setProperty("raft.tick.ms", "20");
        p.setProperty("leader.task.ms", "50");
        p.setProperty("store.heartbeat.timeout.ms", "0");
        p.setProperty("migration.batch.slots", "4096");
        try (MetaNode meta = MetaNode.start(MetaConfig.from(p));
                MetaClient client = new MetaClient(MetaConfig.from(p).serviceAddresses())) {
            String address = "127.0.0.1:" + meta.servicePort();
            await().atMost(Duration.ofSeconds(30)).until(meta::isLeader);
            for (long id = 1; id <= 3; id++) {
                client.registerStore(id, "127.0.0.1:" + (17100 + id), "127.0.0.1:" + stores.get((int) id - 1).getPort());
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> meta.map().slotCount(ShardMap.UNASSIGNED) == 0);

            AdminRun move = admin(address, "move", "0-9", "2", "--wait");
            assertThat(move.code()).as("%s", move.err()).isEqualTo(Cairn.EXIT_OK);
            assertThat(move.out()).startsWith("moved slots 0-9 to group 2 (map version ")
                    .contains("MIGRATION  SLOTS  FROM  TO  PHASE\n1          0-9    1     2   DONE\n");
            assertThat(meta.map().groupOf(9)).isEqualTo(2);

            AdminRun list = admin(address, "migrations");
            assertThat(list.out()).contains("no migrations in flight\n", "pauses: 1 measured, p50 ");

            AdminRun rebalance = admin(address, "rebalance", "--wait");
            assertThat(rebalance.code()).as("%s", rebalance.err()).isEqualTo(Cairn.EXIT_OK);
            assertThat(rebalance.out()).startsWith("rebalanced (map version ");
            AdminRun balanced = admin(address, "rebalance");
            assertThat(balanced.out()).startsWith("rebalancing: nothing to move (map version ");

            AdminRun join = admin(address, "join", "4", "--replicas", "2", "--wait");
            assertThat(join.code()).as("%s", join.err()).isEqualTo(Cairn.EXIT_OK);
            assertThat(join.out()).startsWith("group 4 joined (map version ");
            assertThat(meta.map().findGroup(4).orElseThrow().replicas()).hasSize(2);
            assertThat(meta.map().slotCount(4)).isEqualTo(4096);

            AdminRun leave = admin(address, "leave", "4", "--wait");
            assertThat(leave.code()).as("%s", leave.err()).isEqualTo(Cairn.EXIT_OK);
            assertThat(leave.out()).startsWith("group 4 left and was destroyed (map version ");
            assertThat(meta.map().findGroup(4)).isEmpty();

            AdminRun unknown = admin(address, "abort-migration", "77");
            assertThat(unknown.code()).isEqualTo(Cairn.EXIT_FAILED);
            assertThat(unknown.err()).isEqualTo("cairn admin abort-migration: unknown migration: 77\n");
            AdminRun badSlots = admin(address, "move", "1-x", "2");
            assertThat(badSlots.code()).isEqualTo(Cairn.EXIT_FAILED);
            assertThat(badSlots.err()).contains("invalid slot list: '1-x'");
            AdminRun noGroup = admin(address, "leave", "9");
            assertThat(noGroup.err()).contains("unknown group: 9");
            AdminRun voter = admin(address, "remove-observer", "1", "1");
            assertThat(voter.code()).isEqualTo(Cairn.EXIT_FAILED);
            assertThat(voter.err()).contains("the replica of group 1 on store 1 is a voter, not an observer");
            AdminRun usage = admin(address, "move", "0-9");
            assertThat(usage.code()).isEqualTo(Cairn.EXIT_USAGE);
            assertThat(usage.err()).contains("Missing required parameter: 'GROUP'");
        } finally {
            stores.forEach(s -> GrpcServers.stop(s, Duration.ofSeconds(1)));
        }
    }

    /** With the real store side (shard-store's MigrateSlots): the keys of the moved slots stay readable. */
    @Test
    @Timeout(240)
    void moveWithRealStoresKeepsTheData() throws Exception {
        DevCluster.Options options = new DevCluster.Options(tmp.resolve("data"), "127.0.0.1", 0,
                Ports.freePortBlock(DevCluster.PORTS));
        try (DevCluster dev = DevCluster.start(options)) {
            dev.awaitLeaders(Duration.ofSeconds(60));
            int port = dev.gatewayPort();
            List<String> keys = new ArrayList<>();
            for (int i = 0; keys.size() < 40; i++) {
                String k = "key" + i;
                if (Slots.slot(k.getBytes(StandardCharsets.UTF_8)) < 100) {
                    keys.add(k);
                }
            }
            for (String k : keys) {
                assertThat(RespCall.call(port, "SET", k, "v-" + k)).isEqualTo("+OK\r\n");
            }
            AdminRun move = admin(options.metaAddress(), "move", "0-99", "2", "--wait");
            assertThat(move.code()).as("%s", move.err()).isEqualTo(Cairn.EXIT_OK);
            assertThat(move.out()).startsWith("moved slots 0-99 to group 2 (map version ");
            ShardMap m = dev.meta().map(); // the gateway's view (dev.map()) follows it a moment later
            assertThat(m.migrations()).isEmpty();
            assertThat(m.slotRangesText(2)).isEqualTo("0-99,5462-10922");
            for (String k : keys) {
                assertThat(RespCall.call(port, "GET", k)).as("GET %s", k)
                        .isEqualTo("$" + ("v-" + k).length() + "\r\nv-" + k + "\r\n");
            }
            AdminRun list = admin(options.metaAddress(), "migrations");
            assertThat(list.out()).contains("no migrations in flight", "pauses: 7 measured");
        }
    }
}
