package io.cairn.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.ShardMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slot migrations survive crashes (issue 6): under {@link MigrationWorkload}'s load, slots 0-255
 * move back and forth between two groups six times, and during each move one process is killed
 * with SIGKILL at a random moment — in turn the source group's leader, the target group's leader
 * and the meta leader — and started again two seconds later. Each move finishes (the meta
 * leader's successor carries it on from the map), no client sees an error, every read returns the
 * last acknowledged write, and afterwards every acknowledged write is there.
 */
@Timeout(900)
class MigrationKillE2eTest {
    @TempDir
    static Path dir;

    static ProcessCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        Properties meta = new Properties();
        meta.setProperty("migration.batch.slots", "64");
        cluster = ProcessCluster.start(dir, 3, meta);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void movesFinishThroughKillsOfSourceTargetAndMetaLeaders() throws Exception {
        Random random = new Random(6);
        try (MetaClient meta = new MetaClient(cluster.metaAddresses());
                MigrationWorkload load = new MigrationWorkload(cluster.host(), cluster.gatewayPort(), 6)) {
            ShardMap start = meta.currentMap();
            long a = start.groupOf(0);
            long b = start.groups().stream().mapToLong(GroupInfo::id).filter(g -> g != a).min().orElseThrow();
            load.start(0, 255);
            await().atMost(Duration.ofSeconds(60)).until(() -> load.ops.get() > 1_000);
            for (int round = 0; round < 6; round++) {
                long source = round % 2 == 0 ? a : b;
                long target = round % 2 == 0 ? b : a;
                CompletableFuture<Void> move = CompletableFuture.runAsync(() -> {
                    try (MetaClient m = new MetaClient(cluster.metaAddresses())) {
                        m.moveSlots(MigrationE2eTest.HOT, target, false);
                    }
                });
                Thread.sleep(random.nextInt(400));
                String victim;
                switch (round % 3) {
                    case 0 -> {
                        long store = cluster.killLeaderOf(source);
                        victim = "store " + store + " (source leader)";
                        Thread.sleep(2_000);
                        cluster.restartStore(store);
                    }
                    case 1 -> {
                        long store = cluster.killLeaderOf(target);
                        victim = "store " + store + " (target leader)";
                        Thread.sleep(2_000);
                        cluster.restartStore(store);
                    }
                    default -> {
                        long id = cluster.killMetaLeader();
                        victim = "meta " + id + " (meta leader)";
                        Thread.sleep(2_000);
                        cluster.restartMeta(id);
                    }
                }
                // The call may have failed with its meta leader; the migrations are in the map.
                move.exceptionally(e -> null).join();
                await("round " + round + " after killing " + victim).atMost(Duration.ofSeconds(180))
                        .pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                            ShardMap m = meta.currentMap();
                            if (!m.migrations().isEmpty()) {
                                return false;
                            }
                            for (int s = 0; s <= 255; s++) {
                                if (m.groupOf(s) != target) {
                                    // a move whose call died before it was committed: ask again
                                    meta.moveSlots(MigrationE2eTest.HOT, target, false);
                                    return false;
                                }
                            }
                            return true;
                        });
                System.out.println("round " + round + ": slots 0-255 moved to group " + target + " through the kill of "
                        + victim);
            }
            long before = load.ops.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> load.ops.get() > before + 1_000);
            load.stop();
            System.out.printf("migration kill e2e: %d ops, client latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    load.ops.get(), load.percentileMillis(0.5), load.percentileMillis(0.99),
                    load.maxNanos.get() / 1e6);
            assertThat(load.failures).isEmpty();
            load.verify();
        }
    }
}
