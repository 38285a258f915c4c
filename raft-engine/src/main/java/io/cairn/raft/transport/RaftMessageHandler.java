package io.cairn.raft.transport;

import java.nio.file.Path;
import java.util.List;

/**
 * Receives what the transport delivers. Called from transport threads, or from the sending
 * node's thread when the sender runs in the same JVM (a co-located peer): must not block.
 */
public interface RaftMessageHandler {

    /** A batch of messages from {@code fromNode}, in the order they were sent. */
    void onMessages(long fromNode, List<GroupMessage> batch);

    /**
     * A snapshot was received completely into {@code receivedDir} (owned by the handler from now
     * on); {@code snapMessage} is the SNAP message to step into the group.
     */
    void onSnapshot(long fromNode, GroupMessage snapMessage, Path receivedDir);
}
