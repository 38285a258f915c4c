package io.cairn.raft.transport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

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

    static final class DirectOff implements BeforeEachCallback, AfterEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) {
            System.setProperty(GrpcRaftTransport.DIRECT_PROPERTY, "false");
        }

        @Override
        public void afterEach(ExtensionContext context) {
            System.clearProperty(GrpcRaftTransport.DIRECT_PROPERTY);
        }
    }
}
