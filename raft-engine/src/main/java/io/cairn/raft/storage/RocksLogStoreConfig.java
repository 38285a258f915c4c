package io.cairn.raft.storage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Options of a {@link RocksLogStore}: every knob with its default and meaning in one place.
 * Start from {@link #defaults(Path)} and change what you need with the {@code with*} methods.
 *
 * @param directory               directory of the node's log database (created if missing); one per node
 * @param sync                    fsync every write before completing its commit futures. Default
 *                                {@value #DEFAULT_SYNC}. {@code false} is the <b>relaxed-durability
 *                                mode</b>: writes reach the write-ahead log in the OS page cache, so
 *                                they survive a process crash (kill -9) but not a machine crash or
 *                                power loss; a node may then acknowledge a vote or an append and forget
 *                                it, which breaks Raft's safety. Only for pure-cache deployments that
 *                                accept losing acknowledged writes.
 * @param entryCacheBytesPerGroup bytes of recent entries (by {@code Entry.sizeBytes()}) kept in memory
 *                                per group to serve reads without touching RocksDB. Default
 *                                {@value #DEFAULT_ENTRY_CACHE_BYTES_PER_GROUP}; worst case memory is
 *                                this times the number of groups. Entries not yet written to RocksDB
 *                                stay cached whatever this says. 0 disables caching of written entries.
 * @param maxBytesPerWrite        the writer stops merging queued batches into one RocksDB write once it
 *                                holds this many bytes (a single larger batch is still written whole),
 *                                which bounds the latency one write adds to the next. Default
 *                                {@value #DEFAULT_MAX_BYTES_PER_WRITE}.
 * @param writeBufferBytes        RocksDB memtable size of the log column family. Default
 *                                {@value #DEFAULT_WRITE_BUFFER_BYTES}.
 */
public record RocksLogStoreConfig(Path directory, boolean sync, long entryCacheBytesPerGroup,
                                  long maxBytesPerWrite, long writeBufferBytes) {

    public static final boolean DEFAULT_SYNC = true;
    public static final long DEFAULT_ENTRY_CACHE_BYTES_PER_GROUP = 512L * 1024;
    public static final long DEFAULT_MAX_BYTES_PER_WRITE = 32L * 1024 * 1024;
    public static final long DEFAULT_WRITE_BUFFER_BYTES = 64L * 1024 * 1024;

    public RocksLogStoreConfig {
        Objects.requireNonNull(directory, "directory");
        if (entryCacheBytesPerGroup < 0) {
            throw new IllegalArgumentException("entryCacheBytesPerGroup: " + entryCacheBytesPerGroup
                    + " (expected: >= 0)");
        }
        if (maxBytesPerWrite <= 0) {
            throw new IllegalArgumentException("maxBytesPerWrite: " + maxBytesPerWrite + " (expected: > 0)");
        }
        if (writeBufferBytes < 64 * 1024) {
            throw new IllegalArgumentException("writeBufferBytes: " + writeBufferBytes
                    + " (expected: >= 65536)");
        }
    }

    /** Durable defaults for a store in {@code directory}. */
    public static RocksLogStoreConfig defaults(Path directory) {
        return new RocksLogStoreConfig(directory, DEFAULT_SYNC, DEFAULT_ENTRY_CACHE_BYTES_PER_GROUP,
                DEFAULT_MAX_BYTES_PER_WRITE, DEFAULT_WRITE_BUFFER_BYTES);
    }

    public RocksLogStoreConfig withSync(boolean newSync) {
        return new RocksLogStoreConfig(directory, newSync, entryCacheBytesPerGroup, maxBytesPerWrite,
                writeBufferBytes);
    }

    public RocksLogStoreConfig withEntryCacheBytesPerGroup(long bytes) {
        return new RocksLogStoreConfig(directory, sync, bytes, maxBytesPerWrite, writeBufferBytes);
    }

    public RocksLogStoreConfig withMaxBytesPerWrite(long bytes) {
        return new RocksLogStoreConfig(directory, sync, entryCacheBytesPerGroup, bytes, writeBufferBytes);
    }

    public RocksLogStoreConfig withWriteBufferBytes(long bytes) {
        return new RocksLogStoreConfig(directory, sync, entryCacheBytesPerGroup, maxBytesPerWrite, bytes);
    }
}
