package io.cairn.raft.transport;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns the in-process path off for each test of the class it extends
 * ({@code @ExtendWith(InProcessOff.class)}): servers started and channels opened in the test use
 * Netty and TCP only.
 */
class InProcessOff implements BeforeEachCallback, AfterEachCallback {
    private final String property;

    InProcessOff() {
        this(CoLocatedServers.ENABLED_PROPERTY);
    }

    /** Sets another switch of ours to {@code false} around each test instead. */
    InProcessOff(String property) {
        this.property = property;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        System.setProperty(property, "false");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        System.clearProperty(property);
    }
}
