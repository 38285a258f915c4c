package io.cairn.deploy.e2e;

import java.nio.file.Path;

/**
 * The one place that decides which {@link E2eCluster} the end-to-end tests run against. Today
 * the in-process cluster; once the child-process harness of the deploy module exists this
 * switches to it (the tests do not change).
 */
final class E2eClusters {
    private E2eClusters() {
    }

    /** Starts a cluster with its data under {@code dir} and returns once a client can use it. */
    static E2eCluster start(Path dir) throws Exception {
        return InProcessCluster.start(dir);
    }
}
