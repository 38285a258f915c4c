package io.cairn.raft.transport;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Carries Raft messages between nodes: one stream per pair of nodes, batching messages of many
 * groups. Sending never blocks a Raft thread: each peer has a bounded queue, and a message that
 * does not fit is dropped (Raft tolerates loss; the caller reports the peer unreachable) —
 * backpressure instead of unbounded memory.
 */
public interface RaftTransport extends AutoCloseable {

    /** Starts the server side; incoming messages go to the handler given at construction. */
    void start();

    /** The port the server listens on (after start). */
    int port();

    /** Sets (or changes) the address of a peer node, as {@code host:port}. */
    void setPeer(long nodeId, String address);

    void removePeer(long nodeId);

    /** The peers this transport knows an address for. */
    java.util.Set<Long> peers();

    /**
     * Whether the stream to a peer is currently open. The runtime watches this to wake hibernating
     * groups whose leader's node went away (they do not tick, so they would never notice).
     */
    boolean isConnected(long nodeId);

    /**
     * Queues a message for {@code toNode}. Returns false if it was dropped (queue full, or no
     * address for the peer).
     */
    boolean send(long toNode, GroupMessage message);

    /**
     * Streams a snapshot to {@code toNode} in chunks with bounded memory on both sides: every file
     * under {@code snapshotDir}, then the SNAP message itself. Completes when the receiver has
     * stored all of it and handed it to its handler; completes exceptionally if the stream broke
     * (the receiver discards what it got; the leader retries later).
     */
    CompletableFuture<Void> sendSnapshot(long toNode, GroupMessage snapMessage, Path snapshotDir);

    @Override
    void close();
}
