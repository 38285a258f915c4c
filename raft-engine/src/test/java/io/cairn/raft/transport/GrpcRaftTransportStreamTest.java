package io.cairn.raft.transport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link GrpcRaftTransportTest} with the direct hand-off to co-located peers off
 * ({@value GrpcRaftTransport#DIRECT_PROPERTY}{@code =false}): messages between nodes of this JVM
 * take the in-process gRPC stream, drained on the transport's executor.
 */
@DisplayName("GrpcRaftTransport over in-process streams (direct hand-off off)")
@ExtendWith(GrpcRaftTransportStreamTest.DirectOff.class)
class GrpcRaftTransportStreamTest extends GrpcRaftTransportTest {

    @Override
    boolean expectDirect() {
        return false;
    }

    /** The direct hand-off off around each test. */
    static final class DirectOff extends InProcessOff {
        DirectOff() {
            super(GrpcRaftTransport.DIRECT_PROPERTY);
        }
    }
}
