package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.store.types.RecordCache;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's record cache budget is shared by the groups it hosts, as they come and go. */
class ShardStateMachinesTest {
    @TempDir
    Path dir;

    private static long limit(ShardStateMachines machines, long group) {
        return machines.get(group).recordCacheLimit();
    }

    @Test
    void groupsShareTheRecordCacheBudgetWithinItsFloorAndCap() throws Exception {
        try (DataDb db = DataDb.open(dir)) {
            ShardStateMachines machines = new ShardStateMachines(db, 1L << 20);
            machines.open(1);
            assertThat(limit(machines, 1)).isEqualTo(1L << 20);
            for (long g = 2; g <= 4; g++) {
                machines.open(g);
            }
            for (long g = 1; g <= 4; g++) {
                assertThat(limit(machines, g)).isEqualTo(256L << 10);
            }
            for (long g = 5; g <= 40; g++) {
                machines.open(g);
            }
            assertThat(limit(machines, 1)).as("floor").isEqualTo(ShardStateMachines.MIN_RECORD_CACHE_BYTES);
            assertThat(limit(machines, 40)).isEqualTo(ShardStateMachines.MIN_RECORD_CACHE_BYTES);
            for (long g = 3; g <= 40; g++) {
                machines.get(g).close();
                machines.deleteGroupData(g).get();
            }
            assertThat(limit(machines, 1)).isEqualTo(512L << 10);
            assertThat(limit(machines, 2)).isEqualTo(512L << 10);

            // a node's default budget: a few groups get the per-group cap
            ShardStateMachines defaults = new ShardStateMachines(db);
            defaults.open(50);
            defaults.open(51);
            assertThat(limit(defaults, 50)).isEqualTo(RecordCache.DEFAULT_BYTES);
        }
    }
}
