package io.cairn.deploy.e2e;

import java.nio.file.Path;

/**
 * The one place that decides which {@link E2eCluster} the end-to-end tests run against:
 * {@link ProcessCluster} (every role a child JVM) by default, {@link InProcessCluster} with
 * {@code -Dcairn.e2e.cluster=inprocess} (faster to start, easier to debug).
 */
final class E2eClusters {
    private E2eClusters() {
    }

    /** Starts a cluster with its data under {@code dir} and returns once a client can use it. */
    static E2eCluster start(Path dir) throws Exception {
        String kind = System.getProperty("cairn.e2e.cluster", "process");
        return switch (kind) {
            case "process" -> ProcessCluster.start(dir);
            case "inprocess" -> InProcessCluster.start(dir);
            default -> throw new IllegalArgumentException(
                    "cairn.e2e.cluster=" + kind + " (expected: process or inprocess)");
        };
    }
}
