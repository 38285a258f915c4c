package io.cairn.raft.storage;

/**
 * Counters of a {@link RocksLogStore} since it was opened. With group commit
 * {@code syncedWrites <= diskWrites <= batchesWritten}: the gap is the merging.
 *
 * @param batchesCommitted     batches (including group creations and destructions) accepted by commit
 * @param batchesWritten       of those, batches whose write completed (their futures completed)
 * @param diskWrites           RocksDB writes issued by the writer thread
 * @param syncedWrites         of those, writes made with fsync (all of them unless relaxed)
 * @param bytesWritten         bytes of the RocksDB write batches written (their data size)
 * @param entriesReadFromDisk  entries (or terms) read from RocksDB because they were not cached
 */
public record LogStoreStats(long batchesCommitted, long batchesWritten, long diskWrites, long syncedWrites,
                            long bytesWritten, long entriesReadFromDisk) {
}
