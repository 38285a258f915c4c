package io.cairn.benchmarks.raft;

import io.cairn.raft.runtime.RaftRuntime;
import io.cairn.raft.runtime.RuntimeOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * CPU used by idle (hibernated) groups: 3 Raft nodes in this JVM each host every group; after one
 * write per group, the groups fall idle and hibernate; the process CPU time is then measured over
 * a quiet interval and reported per node, as a percentage of one core.
 *
 * <p>Usage: {@code IdleGroupsCpuBenchmark [groups=10000] [seconds=30]}
 */
public final class IdleGroupsCpuBenchmark {

    public static void main(String[] args) throws Exception {
        int groups = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path dir = Files.createTempDirectory("cairn-idle-bench");
        RuntimeOptions opts = RuntimeOptions.defaults(dir).withTickMillis(100).withHibernateAfterTicks(5);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (BenchCluster cluster = new BenchCluster(dir, 3, opts)) {
            long t0 = System.nanoTime();
            cluster.createGroups(1, groups);
            List<CompletableFuture<Object>> writes = new ArrayList<>();
            for (long g = 1; g <= groups; g++) {
                writes.add(cluster.leaderOf(g).propose(g, new byte[] {1}));
            }
            for (CompletableFuture<Object> w : writes) {
                try {
                    w.join();
                } catch (RuntimeException e) {
                    // a leadership change during the storm of elections: that group stays idle anyway
                }
            }
            System.out.printf("created %d groups on 3 nodes and wrote once to each in %.1f s%n", groups,
                    (System.nanoTime() - t0) / 1e9);
            long waitStart = System.nanoTime();
            while (true) {
                int awake = 0;
                for (RaftRuntime rt : cluster.nodes) {
                    awake += rt.awakeGroups().join();
                }
                if (awake == 0) {
                    break;
                }
                if (System.nanoTime() - waitStart > 120_000_000_000L) {
                    System.out.println("still awake after 120 s: " + awake);
                    break;
                }
                Thread.sleep(200);
            }
            System.gc();
            Thread.sleep(2_000);
            long cpu0 = os.getProcessCpuTime();
            long w0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long cpu = os.getProcessCpuTime() - cpu0;
            long wall = System.nanoTime() - w0;
            double pctOfCoreTotal = 100.0 * cpu / wall;
            System.out.printf("idle groups per node: %d; process CPU over %d s: %.2f%% of one core for 3 nodes, "
                    + "%.2f%% per node%n", groups, seconds, pctOfCoreTotal, pctOfCoreTotal / 3);
        }
    }
}
