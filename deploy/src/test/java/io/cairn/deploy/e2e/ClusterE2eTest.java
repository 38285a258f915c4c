package io.cairn.deploy.e2e;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster every end-to-end test class runs against: started once per class with its data in
 * a temporary directory ({@link E2eClusters} picks the kind), closed after the class. A subclass's
 * own {@code @BeforeAll} runs after the start and its {@code @AfterAll} before the close.
 */
abstract class ClusterE2eTest {
    @TempDir
    static Path dir;

    static E2eCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = E2eClusters.start(dir);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }
}
