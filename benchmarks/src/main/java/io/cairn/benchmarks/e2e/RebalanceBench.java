package io.cairn.benchmarks.e2e;

import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.GroupInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;

/**
 * Client throughput while the cluster rebalances, relative to a quiet cluster (issue 6,
 * "Measured"). Against a running cluster (e.g. {@code cairn dev}): preloads {@code keys} keys,
 * warms up, measures a quiet phase, then joins a new group (the meta service moves a share of the
 * slots onto it) and measures while that runs, then makes the group leave again (its slots move
 * back) and measures that, then a second quiet phase. Each phase: requests/s of {@code threads}
 * Jedis clients doing 50% GET, 50% SET on random keys, and the clients' latency p50 / p99 / max,
 * relative to the first quiet phase and to the faster of the two (the JIT and RocksDB may still be
 * warming up in the first). Prints a table; asserts nothing.
 *
 * <pre>
 * RebalanceBench [gateway host:port] [meta host:port,...] [threads] [keys] [quietSeconds] [warmupSeconds]
 *                [controlSeconds]
 *   defaults: 127.0.0.1:6379 127.0.0.1:7100 32 100000 20 30 0
 * </pre>
 *
 * <p>{@code controlSeconds} > 0: the control run — the join and leave phases are replaced by two
 * phases of that many seconds in which nothing moves, to tell the cost of a rebalance from the
 * cluster's own drift over the same time.
 */
public final class RebalanceBench {
    private RebalanceBench() {
    }

    /** What the clients saw in one phase. */
    record Phase(String name, long ops, double seconds, long[] micros) {
        double rps() {
            return ops / seconds;
        }

        double percentileMillis(double p) {
            return micros.length == 0 ? 0 : micros[(int) Math.min(micros.length - 1, Math.floor(p * micros.length))] / 1000.0;
        }
    }

    public static void main(String[] args) throws Exception {
        String gateway = args.length > 0 ? args[0] : "127.0.0.1:6379";
        String metaAddresses = args.length > 1 ? args[1] : "127.0.0.1:7100";
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int keys = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        int quietSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        int warmupSeconds = args.length > 5 ? Integer.parseInt(args[5]) : 30;
        int controlSeconds = args.length > 6 ? Integer.parseInt(args[6]) : 0;
        HostAndPort at = HostAndPort.from(gateway);
        byte[] value = new byte[100];
        Arrays.fill(value, (byte) 'x');

        try (MetaClient meta = new MetaClient(MetaClient.parseAddresses(metaAddresses))) {
            System.out.printf("preloading %d keys%n", keys);
            try (Jedis j = jedis(at)) {
                Pipeline p = j.pipelined();
                for (int i = 0; i < keys; i++) {
                    p.set(("bench:" + i).getBytes(), value);
                    if (i % 1000 == 999) {
                        p.sync();
                    }
                }
                p.sync();
            }
            Load load = new Load(at, threads, keys, value);
            load.start();
            try {
                load.phase("warm-up", () -> sleep(warmupSeconds));
                List<Phase> phases = new ArrayList<>();
                phases.add(load.phase("quiet", () -> sleep(quietSeconds)));
                long group = meta.currentMap().groups().stream().mapToLong(GroupInfo::id).max().orElse(0) + 1;
                if (controlSeconds > 0) {
                    phases.add(load.phase("control (nothing moves)", () -> sleep(controlSeconds)));
                    phases.add(load.phase("control again", () -> sleep(controlSeconds)));
                } else {
                    phases.add(load.phase("join group " + group + " + rebalance", () -> meta.joinGroup(group, 3, true)));
                    phases.add(load.phase("leave group " + group, () -> meta.leaveGroup(group, true)));
                }
                phases.add(load.phase("quiet again", () -> sleep(quietSeconds)));
                double quiet = phases.get(0).rps();
                double best = Math.max(quiet, phases.get(phases.size() - 1).rps());
                System.out.println();
                System.out.println("| phase | seconds | requests/s | vs quiet | vs faster quiet | p50 ms | p99 ms | max ms |");
                System.out.println("|---|---|---|---|---|---|---|---|");
                for (Phase ph : phases) {
                    System.out.printf("| %s | %.1f | %,.0f | %.2f | %.2f | %.2f | %.2f | %.1f |%n", ph.name(),
                            ph.seconds(), ph.rps(), ph.rps() / quiet, ph.rps() / best, ph.percentileMillis(0.5),
                            ph.percentileMillis(0.99),
                            ph.micros().length == 0 ? 0 : ph.micros()[ph.micros().length - 1] / 1000.0);
                }
                System.out.println();
                System.out.println("migration pauses (meta leader): "
                        + io.cairn.meta.admin.MapTables.pauses(meta.migrations().getPauses()));
            } finally {
                load.stop();
            }
        }
    }

    private static void sleep(int seconds) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Jedis jedis(HostAndPort at) {
        return new Jedis(at, DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP2)
                .socketTimeoutMillis(120_000).build());
    }

    /** The clients: each loops GET/SET on random keys and records its latencies per phase. */
    private static final class Load {
        private final HostAndPort at;
        private final int keys;
        private final byte[] value;
        private final List<Thread> threads = new ArrayList<>();
        private final List<long[]> samples = new ArrayList<>();
        private final int[] counts;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Throwable> failed = new AtomicReference<>();

        Load(HostAndPort at, int n, int keys, byte[] value) {
            this.at = at;
            this.keys = keys;
            this.value = value;
            this.counts = new int[n];
            for (int i = 0; i < n; i++) {
                samples.add(new long[1 << 20]);
                int id = i;
                threads.add(new Thread(() -> run(id), "bench-client-" + i));
            }
        }

        void start() {
            threads.forEach(Thread::start);
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
            }
        }

        private void run(int id) {
            Random random = new Random(id);
            long[] mine = samples.get(id);
            try (Jedis j = jedis(at)) {
                while (!stop.get()) {
                    byte[] key = ("bench:" + random.nextInt(keys)).getBytes();
                    long start = System.nanoTime();
                    if (random.nextBoolean()) {
                        j.get(key);
                    } else {
                        j.set(key, value);
                    }
                    long micros = (System.nanoTime() - start) / 1000;
                    synchronized (mine) {
                        if (counts[id] < mine.length) {
                            mine[counts[id]] = micros;
                        }
                        counts[id]++;
                    }
                }
            } catch (RuntimeException e) {
                failed.compareAndSet(null, e);
            }
        }

        /** Runs {@code during} and returns what the clients did meanwhile. */
        Phase phase(String name, Runnable during) {
            for (int i = 0; i < counts.length; i++) {
                synchronized (samples.get(i)) {
                    counts[i] = 0;
                }
            }
            long start = System.nanoTime();
            during.run();
            double seconds = (System.nanoTime() - start) / 1e9;
            long ops = 0;
            List<Long> all = new ArrayList<>();
            for (int i = 0; i < counts.length; i++) {
                long[] s = samples.get(i);
                synchronized (s) {
                    ops += counts[i];
                    for (int k = 0; k < Math.min(counts[i], s.length); k++) {
                        all.add(s[k]);
                    }
                }
            }
            if (failed.get() != null) {
                throw new IllegalStateException("a client failed", failed.get());
            }
            long[] micros = all.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("%s: %.1f s, %,.0f requests/s%n", name, seconds, ops / seconds);
            return new Phase(name, ops, seconds, micros);
        }
    }
}
