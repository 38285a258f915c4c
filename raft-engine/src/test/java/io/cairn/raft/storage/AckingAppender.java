package io.cairn.raft.storage;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.HardState;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link LogStoreCrashTest}: appends one entry per group per round to a store,
 * with up to 64 commits in flight (so the writer merges them), and prints {@code ack <group>
 * <index> end} for each only once its commit future completed, i.e. once it is durable. It is
 * meant to be killed with SIGKILL; it stops by itself after {@link #MAX_SECONDS} or
 * {@link #MAX_ROUNDS}, or when its stdout is gone.
 *
 * <p>Usage: {@code AckingAppender <store directory>}
 */
public final class AckingAppender {

    static final int GROUPS = 4;
    static final int MAX_ROUNDS = 200_000;
    static final int MAX_SECONDS = 30;

    private AckingAppender() {
    }

    /** The entry the child writes at {@code index} of {@code group}: a known term and payload. */
    static Entry entry(long group, long index) {
        byte[] data = new byte[10 + (int) (index % 50)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (group * 31 + index * 7 + i);
        }
        return Entry.normal(term(index), index, data);
    }

    static long term(long index) {
        return 1 + index / 100;
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + MAX_SECONDS * 1_000_000_000L;
        try (RocksLogStore store = RocksLogStore.open(RocksLogStoreConfig.defaults(Path.of(args[0])))) {
            for (long g = 1; g <= GROUPS; g++) {
                store.createGroup(g, ConfState.ofVoters(1L, 2L, 3L)).join();
            }
            out.println("ready");
            Semaphore inFlight = new Semaphore(64);
            for (long i = 1; i <= MAX_ROUNDS && System.nanoTime() < deadline && !out.checkError(); i++) {
                for (long g = 1; g <= GROUPS; g++) {
                    inFlight.acquire();
                    LogWriteBatch batch = store.newBatch()
                            .append(g, List.of(entry(g, i)))
                            .setHardState(g, new HardState(term(i), 1, i - 1));
                    long group = g;
                    long index = i;
                    store.commit(batch).whenComplete((v, failure) -> {
                        if (failure == null) {
                            out.println("ack " + group + " " + index + " end");
                        }
                        inFlight.release();
                    });
                }
            }
        }
        out.println("done");
    }
}
