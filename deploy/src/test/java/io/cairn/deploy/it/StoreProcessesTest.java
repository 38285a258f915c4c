package io.cairn.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.deploy.StaticStoreConfigs;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.testing.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClusterProcesses} with a store-only cluster: three {@code cairn store} child JVMs with
 * static groups (3 groups × 3 replicas, as {@code cairn dev} lays them out), written and read
 * through the StoreService, one store SIGKILLed and restarted, one stopped with SIGTERM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoreProcessesTest {
    @TempDir // static: one directory for the whole class (the cluster lives across its tests)
    static Path tmp;

    private ClusterProcesses cluster;
    private ShardMap map;
    private StoreServiceClient client;
    private final Map<String, String> acked = new LinkedHashMap<>();

    @BeforeAll
    void startStores() {
        cluster = new ClusterProcesses(tmp);
        List<StoreInfo> stores = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            stores.add(new StoreInfo(id, "127.0.0.1:" + Ports.freePort(),
                    "127.0.0.1:" + Ports.freePort(), StoreState.UP));
        }
        map = ShardMap.bootstrap(stores, 3, 3);
        for (StoreInfo s : stores) {
            Properties p = StaticStoreConfigs.forStore(map, s.id(), tmp.resolve("store-" + s.id()));
            p.setProperty("raft.tick.ms", "20"); // elections within a second after the kill
            p.setProperty("raft.workers", "1");
            p.setProperty("raft.apply.threads", "1");
            p.setProperty("read.threads", "1");
            cluster.start("store-" + s.id(), "store", cluster.writeConfig("store-" + s.id(), p));
        }
        mark("started");
        client = new StoreServiceClient(map, 7);
        for (long id = 1; id <= 3; id++) {
            awaitServing(id);
        }
    }

    private void awaitServing(long id) {
        cluster.awaitReady("store-" + id, Duration.ofSeconds(60),
                () -> client.status(id).getGroupsCount() == 3);
    }

    @AfterAll
    void stopAll() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void mark(String what) {
        System.out.printf("%tT.%<tL StoreProcessesTest: %s%n", System.currentTimeMillis(), what);
    }

    private void write(int from, int to) throws InterruptedException {
        mark("writes " + from + ".." + to);
        for (int i = from; i < to; i++) {
            String key = "key-" + (i % 24);
            String value = "v" + i;
            assertThat(client.call(key, "SET", key, value)).isEqualTo("+OK\r\n");
            acked.put(key, value);
        }
    }

    private void verifyOn(long storeId) throws InterruptedException {
        mark("verify on " + storeId);
        for (Map.Entry<String, String> e : acked.entrySet()) {
            String got = storeId == 0 ? client.call(e.getKey(), "GET", e.getKey()) : client.getOn(storeId, e.getKey());
            assertThat(got).as("%s via %s", e.getKey(), storeId == 0 ? "the leader" : "store " + storeId)
                    .isEqualTo(StoreServiceClient.bulk(e.getValue()));
        }
    }

    @Test
    @Order(1)
    @Timeout(120)
    @DisplayName("three store processes serve every group; writes survive a SIGKILL of a leader and its restart")
    void killAndRestartALeader() throws Exception {
        write(0, 30);
        assertThat(acked.keySet().stream().map(client::groupOf).distinct()).hasSize(3);
        verifyOn(0);

        long[] leader = {0};
        await("a leader of group 1").atMost(Duration.ofSeconds(30)).until(() -> (leader[0] = client.leaderOf(1)) != 0);
        long victim = leader[0];
        mark("kill");
        cluster.kill9("store-" + victim);
        assertThat(cluster.role("store-" + victim).isAlive()).isFalse();
        write(30, 60); // the two others elect a new leader of group 1 and go on

        mark("restart");
        cluster.restart("store-" + victim);
        client.reconnect(victim);
        awaitServing(victim);
        write(60, 70);
        verifyOn(0);
        verifyOn(victim); // its own replicas caught up (linearizable reads through it)
    }

    @Test
    @Order(2)
    @Timeout(120)
    @DisplayName("SIGTERM closes a store cleanly through the launcher's shutdown hook; it restarts with its data")
    void sigtermStopsCleanly() throws Exception {
        int code = cluster.stop("store-2");
        assertThat(code).as("exit code after SIGTERM").isEqualTo(128 + 15);
        assertThat(cluster.log("store-2", 4000)).contains("store node 2: stopped").contains("store node 2 stopped");
        cluster.restart("store-2");
        client.reconnect(2);
        mark("restarted");
        awaitServing(2);
        verifyOn(2);
        mark("done");
    }
}
