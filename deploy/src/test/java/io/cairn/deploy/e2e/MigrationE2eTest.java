package io.cairn.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.ShardMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online slot migration under load (issue 6), against a cluster of child processes (3 meta
 * replicas, 3 stores, 3 groups, a gateway): {@link MigrationWorkload}'s Jedis clients keep writing
 * and reading keys of every type — half of them in slots 0-255, the slots that move — while the
 * test moves those slots to another group and back, joins a fourth group (the meta service
 * rebalances onto it) and makes another group leave. No client sees an error, every read during
 * the run returns the last acknowledged write, and afterwards every acknowledged write is there.
 */
@Timeout(900)
class MigrationE2eTest {
    static final String HOT = "0-255";

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

    static ShardMap map(MetaClient meta) {
        return meta.currentMap();
    }

    static void assertOwner(MetaClient meta, int first, int last, long group) {
        ShardMap m = map(meta);
        for (int s = first; s <= last; s++) {
            assertThat(m.groupOf(s)).as("owner of slot %d", s).isEqualTo(group);
        }
    }

    @Test
    void movesJoinAndLeaveUnderLoadLoseNothing() throws Exception {
        try (MetaClient meta = new MetaClient(cluster.metaAddresses());
                MigrationWorkload load = new MigrationWorkload(cluster.host(), cluster.gatewayPort(), 8)) {
            long home = map(meta).groupOf(0);
            long other = map(meta).groups().stream().mapToLong(GroupInfo::id).filter(g -> g != home).min()
                    .orElseThrow();
            load.start(0, 255);
            await().atMost(Duration.ofSeconds(60)).until(() -> load.ops.get() > 2_000);

            meta.moveSlots(HOT, other, true);
            assertOwner(meta, 0, 255, other);
            meta.moveSlots(HOT, home, true);
            assertOwner(meta, 0, 255, home);

            long quietOps = load.ops.get();
            meta.joinGroup(4, 3, true);
            ShardMap joined = map(meta);
            assertThat(joined.slotRanges(4)).as("the new group owns slots after the rebalance").isNotEmpty();
            assertThat(joined.migrations()).isEmpty();

            long leaving = other;
            meta.leaveGroup(leaving, true);
            ShardMap left = map(meta);
            assertThat(left.findGroup(leaving)).as("group %d is gone", leaving).isEmpty();
            for (int s = 0; s < 16384; s++) {
                assertThat(left.groupOf(s)).as("slot %d is owned", s).isNotZero();
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> load.ops.get() > quietOps + 2_000);
            load.stop();
            System.out.printf("migration e2e: %d ops, client latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    load.ops.get(), load.percentileMillis(0.5), load.percentileMillis(0.99),
                    load.maxNanos.get() / 1e6);
            System.out.println("migration pauses: " + io.cairn.meta.admin.MapTables.pauses(meta.migrations().getPauses()));
            assertThat(load.failures).isEmpty();
            load.verify();
        }
    }
}
