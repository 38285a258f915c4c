package io.cairn.store.replica;

import java.nio.file.Files;
import java.nio.file.Path;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * The one data RocksDB of a store node, shared by the state machines of all its groups (each
 * group owns the key range of its 8-byte prefix). Writes of applied commands go through the WAL
 * without fsync: the Raft log is the durable copy, and the applied index is written in the same
 * batch as the data, so a node that loses the tail of this WAL replays it from the log.
 * Before a snapshot the WAL is synced (see {@link ShardStateMachine#snapshot}).
 */
public final class DataDb implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    /** Memtable size of the data DB (see {@link #open}). */
    static final long WRITE_BUFFER_BYTES = 4L << 20;
    /** Block cache of the data DB unless configured ({@code data.block.cache.bytes}). */
    public static final long DEFAULT_BLOCK_CACHE_BYTES = 128L << 20;

    private final Options options;
    private final RocksDB db;
    private final WriteOptions applyWrites;
    /** Null: RocksDB's own default cache. */
    private final LRUCache blockCache;

    private DataDb(Options options, RocksDB db, LRUCache blockCache) {
        this.options = options;
        this.db = db;
        this.blockCache = blockCache;
        this.applyWrites = new WriteOptions().setSync(false);
    }

    public static DataDb open(Path dir) {
        return open(dir, DEFAULT_BLOCK_CACHE_BYTES);
    }

    /**
     * Opens (or creates) the data DB at {@code dir} with a block cache of {@code blockCacheBytes}
     * (0: the Java binding's default, 8 MiB). The cache holds uncompressed SST blocks, off the
     * Java heap: a write reads the key's record before it replaces it, so with more keys than the
     * groups' record caches hold (up to 16 MiB each), every miss reads a block; with the 8 MiB
     * cache, under {@code redis-benchmark -r 1000000} most of those came from the page cache,
     * copied, checksummed and decompressed (docs/benchmarks.md, session 15: 128 MiB gave SET
     * +15-29%, GET -P 16 +11-19%).
     */
    public static DataDb open(Path dir, long blockCacheBytes) {
        LRUCache cache = blockCacheBytes > 0 ? new LRUCache(blockCacheBytes) : null;
        try {
            Files.createDirectories(dir);
            BlockBasedTableConfig table = new BlockBasedTableConfig()
                    .setFilterPolicy(new BloomFilter(10, false))
                    .setBlockSize(16 * 1024);
            if (cache != null) {
                table.setBlockCache(cache);
            }
            Options options = new Options()
                    .setCreateIfMissing(true)
                    .setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setTableFormatConfig(table)
                    .setMaxBackgroundJobs(2)
                    // Small memtables: every replica applies each write as a few random inserts into
                    // this skip list, and in a 64 MB one (~1M versions under SET load) each insert
                    // was a chain of cache misses — the apply threads' largest cost. Reads of key
                    // records mostly hit the apply path's RecordCache instead of the L0 files that
                    // small memtables make. Measured in docs/benchmarks.md (2026-11-30, session 7).
                    .setWriteBufferSize(WRITE_BUFFER_BYTES);
            return new DataDb(options, RocksDB.open(options, dir.toString()), cache);
        } catch (RocksDBException | java.io.IOException e) {
            if (cache != null) {
                cache.close();
            }
            throw new IllegalStateException("cannot open data RocksDB at " + dir, e);
        }
    }

    public RocksDB rocks() {
        return db;
    }

    Options options() {
        return options;
    }

    WriteOptions applyWrites() {
        return applyWrites;
    }

    @Override
    public void close() {
        applyWrites.close();
        db.close();
        options.close();
        if (blockCache != null) {
            blockCache.close();
        }
    }
}
