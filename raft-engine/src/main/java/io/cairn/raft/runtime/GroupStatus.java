package io.cairn.raft.runtime;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.StateType;

/** What a replica reports about its group. */
public record GroupStatus(long groupId, long nodeId, StateType role, long leader, long term, long commitIndex,
                          long appliedIndex, long lastIndex, ConfState membership, boolean hibernating) {
}
