package io.cairn.raft.storage;

/**
 * A failure of the log store's disk (a RocksDB error). Fatal to the node: once a write failed, the
 * in-memory view is ahead of the disk, the store refuses further commits, and the replicas using it
 * must stop (see {@code io.cairn.raft.core.StorageException} for the errors the core handles).
 */
public final class LogStoreException extends RuntimeException {

    public LogStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
