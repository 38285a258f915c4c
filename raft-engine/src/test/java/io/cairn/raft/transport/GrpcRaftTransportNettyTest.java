package io.cairn.raft.transport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link GrpcRaftTransportTest} with the in-process path off: every call over Netty and TCP. */
@DisplayName("GrpcRaftTransport over Netty (in-process off)")
@ExtendWith(InProcessOff.class)
class GrpcRaftTransportNettyTest extends GrpcRaftTransportTest {
}
