package io.cairn.raft.transport;

import io.cairn.raft.core.Message;

/** A Raft message of one group, as carried between nodes (many groups share a stream). */
public record GroupMessage(long groupId, Message message) {
}
