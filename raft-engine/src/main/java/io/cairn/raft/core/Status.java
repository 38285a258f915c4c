package io.cairn.raft.core;

import io.cairn.raft.core.tracker.Progress;
import java.util.Map;

/**
 * A snapshot of a node's state for monitoring and tests.
 *
 * @param progress per-peer replication progress (copies), only on the leader; else empty
 */
public record Status(long id, HardState hardState, SoftState softState, long applied,
                     ConfState config, Map<Long, Progress> progress, long leadTransferee,
                     long uncommittedSize, boolean leaseValid) {
}
