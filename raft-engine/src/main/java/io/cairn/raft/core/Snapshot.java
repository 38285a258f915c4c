package io.cairn.raft.core;

/**
 * A state machine snapshot. The core treats {@code data} as opaque; the runtime may put a
 * handle to streamed files here instead of the bytes themselves.
 */
public record Snapshot(SnapshotMetadata metadata, byte[] data) {
    public static final Snapshot EMPTY = new Snapshot(SnapshotMetadata.EMPTY, new byte[0]);

    public Snapshot {
        if (metadata == null) {
            metadata = SnapshotMetadata.EMPTY;
        }
        if (data == null) {
            data = new byte[0];
        }
    }

    public boolean isEmpty() {
        return metadata.index() == 0;
    }

    public long index() {
        return metadata.index();
    }

    public long term() {
        return metadata.term();
    }

    @Override
    public String toString() {
        return "Snapshot{" + metadata.index() + "/" + metadata.term() + " " + metadata.confState()
                + " " + data.length + "B}";
    }
}
