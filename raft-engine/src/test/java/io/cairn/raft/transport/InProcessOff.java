package io.cairn.raft.transport;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns the in-process path off for each test of the class it extends
 * ({@code @ExtendWith(InProcessOff.class)}): servers started and channels opened in the test use
 * Netty and TCP only.
 */
final class InProcessOff implements BeforeEachCallback, AfterEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
        System.setProperty(CoLocatedServers.ENABLED_PROPERTY, "false");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        System.clearProperty(CoLocatedServers.ENABLED_PROPERTY);
    }
}
