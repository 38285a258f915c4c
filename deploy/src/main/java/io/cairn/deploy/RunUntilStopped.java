package io.cairn.deploy;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a role process alive until the JVM is asked to stop (SIGTERM, SIGINT/Ctrl-C, or
 * {@code System.exit}), then closes the role from a shutdown hook, so every role stops the same
 * clean way: listeners closed, Raft runtime and RocksDB closed (a SIGKILL skips all of this; the
 * fsynced Raft log makes that safe too).
 */
final class RunUntilStopped {
    private static final Logger LOG = LoggerFactory.getLogger(Cairn.class);

    private RunUntilStopped() {
    }

    /** Blocks until the shutdown hook has closed {@code role}; returns the exit code 0. */
    static int run(String name, AutoCloseable role) {
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("{}: stopping", name);
            try {
                role.close();
                LOG.info("{}: stopped", name);
            } catch (Exception e) {
                LOG.warn("{}: error while stopping", name, e);
            } finally {
                closed.countDown();
            }
        }, "cairn-shutdown"));
        boolean interrupted = false;
        while (true) {
            try {
                closed.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return Cairn.EXIT_OK;
    }
}
