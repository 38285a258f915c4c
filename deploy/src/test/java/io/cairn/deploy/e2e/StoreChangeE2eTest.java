package io.cairn.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.deploy.it.StoreServiceClient;
import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.meta.proto.StoreChangeResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code add-store} then {@code remove-store} under load on a cluster of child processes (issue 6):
 * a fourth store process is started and added (replicas spread onto it), then store 1 is removed
 * (its replicas drained to the others first). Meanwhile a monitor asks every live store's Status
 * and, for each group, counts the voters of the Raft configuration its leader reports: never fewer
 * than three. The {@link MigrationWorkload} clients see no error and every acknowledged write is
 * read back afterwards.
 */
@Timeout(600)
class StoreChangeE2eTest {
    @TempDir
    static Path dir;

    static ProcessCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = ProcessCluster.start(dir, 1, new Properties());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void addStoreThenRemoveStoreKeepsThreeVotersPerGroupUnderLoad() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger samples = new AtomicInteger();
        List<String> fewer = new CopyOnWriteArrayList<>();
        try (MetaClient meta = new MetaClient(cluster.metaAddresses());
                MigrationWorkload load = new MigrationWorkload(cluster.host(), cluster.gatewayPort(), 6)) {
            Thread monitor = new Thread(() -> {
                ShardMap seen = null;
                StoreServiceClient stores = null;
                while (!stop.get()) {
                    try {
                        ShardMap m = meta.currentMap();
                        if (seen == null || m.stores().size() != seen.stores().size()) {
                            if (stores != null) {
                                stores.close();
                            }
                            stores = new StoreServiceClient(m, 1);
                        }
                        seen = m;
                        for (GroupInfo g : m.groups()) {
                            int voters = votersAtLeader(stores, m, g.id());
                            if (voters >= 0 && voters < 3) {
                                fewer.add("group " + g.id() + ": " + voters + " voters at map version " + m.version());
                            }
                        }
                        samples.incrementAndGet();
                    } catch (RuntimeException e) {
                        // a meta or store call that failed now: sample again
                    }
                }
                if (stores != null) {
                    stores.close();
                }
            }, "voter-monitor");
            monitor.start();
            load.start(0, 255);
            await().atMost(Duration.ofSeconds(60)).until(() -> load.ops.get() > 1_000);

            String address = cluster.addStoreProcess(4);
            StoreChangeResponse added = meta.addStore(address, Duration.ofSeconds(120));
            assertThat(added.getError()).isEmpty();
            assertThat(added.getStoreId()).isEqualTo(4);
            ShardMap afterAdd = meta.currentMap();
            assertThat(replicasOn(afterAdd, 4)).as("replicas spread onto store 4").isGreaterThanOrEqualTo(2);

            StoreChangeResponse removed = meta.removeStore(1);
            assertThat(removed.getError()).isEmpty();
            ShardMap afterRemove = meta.currentMap();
            assertThat(afterRemove.store(1).map(StoreInfo::state)).contains(StoreState.REMOVED);
            assertThat(replicasOn(afterRemove, 1)).isZero();
            for (GroupInfo g : afterRemove.groups()) {
                assertThat(g.replicas().stream().filter(r -> r.role() == ReplicaRole.VOTER).count())
                        .as("voters of group %d", g.id()).isEqualTo(3);
            }

            long before = load.ops.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> load.ops.get() > before + 1_000);
            load.stop();
            stop.set(true);
            monitor.join(10_000);
            System.out.printf("store change e2e: %d ops, %d monitor samples, client p99 %.1f ms, max %.1f ms%n",
                    load.ops.get(), samples.get(), load.percentileMillis(0.99), load.maxNanos.get() / 1e6);
            assertThat(fewer).isEmpty();
            assertThat(samples.get()).isGreaterThan(20);
            assertThat(load.failures).isEmpty();
            load.verify();
        } finally {
            stop.set(true);
        }
    }

    private static long replicasOn(ShardMap m, long store) {
        return m.groups().stream().filter(g -> g.replicaOn(store).isPresent()).count();
    }

    /** Voters in the Raft configuration the group's leader reports now; -1 when no leader answers. */
    private static int votersAtLeader(StoreServiceClient stores, ShardMap m, long group) {
        int voters = -1;
        long term = -1;
        for (StoreInfo s : m.stores()) {
            if (s.state() == StoreState.REMOVED) {
                continue;
            }
            try {
                for (var g : stores.status(s.id()).getGroupsList()) {
                    if (g.getGroupId() == group && g.getRole().equals("LEADER") && g.getTerm() > term) {
                        term = g.getTerm();
                        voters = g.getVotersCount();
                    }
                }
            } catch (RuntimeException e) {
                // not answering now
            }
        }
        return voters;
    }
}
