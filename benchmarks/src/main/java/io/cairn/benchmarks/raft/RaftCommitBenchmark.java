package io.cairn.benchmarks.raft;

import io.cairn.raft.runtime.RaftRuntime;
import io.cairn.raft.runtime.RuntimeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Committed entries per second and commit latency of 3 Raft nodes on loopback with fsync on.
 * Each proposal is a fixed-size entry proposed at its group's leader; its latency runs from the
 * call to the future completing (committed by a quorum and applied on the leader).
 *
 * <p>Usage: {@code RaftCommitBenchmark [groups=64] [seconds=20] [inflight=1024] [bytes=128] [warmupSeconds=5]}
 */
public final class RaftCommitBenchmark {

    public static void main(String[] args) throws Exception {
        int groups = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int inflight = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        int bytes = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 5;

        Path dir = Files.createTempDirectory("cairn-raft-bench");
        RuntimeOptions opts = RuntimeOptions.defaults(dir).withTickMillis(100).withHibernateAfterTicks(0);
        try (BenchCluster cluster = new BenchCluster(dir, 3, opts)) {
            cluster.createGroups(1, groups);
            RaftRuntime[] leaders = new RaftRuntime[groups + 1];
            for (int g = 1; g <= groups; g++) {
                leaders[g] = cluster.leaderOf(g);
            }
            byte[] payload = new byte[bytes];
            Arrays.fill(payload, (byte) 'x');

            Semaphore window = new Semaphore(inflight);
            AtomicLong done = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            long[] latencies = new long[20_000_000];
            AtomicInteger recorded = new AtomicInteger();
            long start = System.nanoTime();
            long measureFrom = start + warmup * 1_000_000_000L;
            long end = measureFrom + seconds * 1_000_000_000L;
            AtomicLong measuredDone = new AtomicLong();
            int g = 0;
            while (System.nanoTime() < end) {
                window.acquire();
                g = g % groups + 1;
                long t0 = System.nanoTime();
                leaders[g].propose(g, payload).whenComplete((r, err) -> {
                    long t1 = System.nanoTime();
                    window.release();
                    if (err != null) {
                        failed.incrementAndGet();
                        return;
                    }
                    done.incrementAndGet();
                    if (t0 >= measureFrom && t1 <= end) {
                        measuredDone.incrementAndGet();
                        int i = recorded.getAndIncrement();
                        if (i < latencies.length) {
                            latencies[i] = t1 - t0;
                        }
                    }
                });
            }
            window.acquire(inflight);
            int n = Math.min(recorded.get(), latencies.length);
            long[] lat = Arrays.copyOf(latencies, n);
            Arrays.sort(lat);
            double perSec = measuredDone.get() / (double) seconds;
            System.out.printf("groups=%d entryBytes=%d inflight=%d seconds=%d%n", groups, bytes, inflight, seconds);
            System.out.printf("committed entries/s: %.0f  (failed proposals: %d)%n", perSec, failed.get());
            if (n > 0) {
                System.out.printf("commit latency ms: p50=%.2f p99=%.2f p99.9=%.2f max=%.2f%n",
                        lat[n / 2] / 1e6, lat[(int) (n * 0.99)] / 1e6, lat[(int) (n * 0.999)] / 1e6, lat[n - 1] / 1e6);
            }
            for (RaftRuntime rt : cluster.nodes) {
                System.out.println("node " + rt.nodeId() + " log store: "
                        + ((io.cairn.raft.storage.RocksLogStore) rt.store()).stats());
            }
        }
    }
}
