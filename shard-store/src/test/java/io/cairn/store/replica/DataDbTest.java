package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data DB takes the block cache it is given (data.block.cache.bytes). */
class DataDbTest {
    @TempDir
    Path dir;

    private static long capacity(DataDb db) throws Exception {
        return Long.parseLong(db.rocks().getProperty("rocksdb.block-cache-capacity"));
    }

    @Test
    void theBlockCacheHasTheConfiguredCapacity() throws Exception {
        try (DataDb db = DataDb.open(dir.resolve("a"), 96L << 20)) {
            assertThat(capacity(db)).isEqualTo(96L << 20);
        }
        try (DataDb db = DataDb.open(dir.resolve("b"))) {
            assertThat(capacity(db)).isEqualTo(DataDb.DEFAULT_BLOCK_CACHE_BYTES);
        }
        // 0: the Java binding's default (8 MiB in rocksdbjni 11.8), far smaller than ours
        try (DataDb db = DataDb.open(dir.resolve("c"), 0)) {
            assertThat(capacity(db)).isPositive().isLessThan(DataDb.DEFAULT_BLOCK_CACHE_BYTES);
        }
    }
}
