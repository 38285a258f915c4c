package io.cairn.raft.transport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link SnapshotTransferTest} with the in-process path off: every call over Netty and TCP. */
@DisplayName("Snapshot transfer over Netty (in-process off)")
@ExtendWith(InProcessOff.class)
class SnapshotTransferNettyTest extends SnapshotTransferTest {
}
