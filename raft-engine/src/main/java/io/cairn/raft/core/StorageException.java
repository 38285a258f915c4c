package io.cairn.raft.core;

/**
 * Errors a {@link LogStorage} reports. The core handles {@link Kind#COMPACTED} and
 * {@link Kind#SNAPSHOT_TEMPORARILY_UNAVAILABLE} (it falls back to a snapshot, or retries later);
 * any other storage failure is fatal to the node (the storage implementation throws whatever it
 * likes, and the runtime must stop the replica).
 */
public final class StorageException extends RaftException {

    public enum Kind {
        /** The requested index is below the first index: the entries were compacted away. */
        COMPACTED,
        /** The requested index is above the last index. */
        UNAVAILABLE,
        /** The requested snapshot is older than the one already held. */
        SNAPSHOT_OUT_OF_DATE,
        /** A snapshot is being prepared; ask again later. */
        SNAPSHOT_TEMPORARILY_UNAVAILABLE
    }

    private final Kind kind;

    public StorageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static StorageException compacted(long index, long firstIndex) {
        return new StorageException(Kind.COMPACTED,
                "requested index " + index + " is compacted (first index " + firstIndex + ")");
    }

    public static StorageException unavailable(long index, long lastIndex) {
        return new StorageException(Kind.UNAVAILABLE,
                "requested index " + index + " is unavailable (last index " + lastIndex + ")");
    }
}
