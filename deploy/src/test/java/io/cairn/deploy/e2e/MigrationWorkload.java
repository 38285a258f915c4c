package io.cairn.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.store.types.Slots;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.params.SetParams;

/**
 * The load the migration tests run while slots move: {@code threads} Jedis clients, each the only
 * writer of its own keys of every type, so what every read must return is known exactly.
 *
 * <p>Per thread: registers (SET / GET, checked on every read: a read returns the last
 * acknowledged value — a single-writer register history is linearizable iff every read returns
 * the latest completed write, or a write still in flight), counters (INCR: the final value is the
 * number of acknowledged INCRs, so a retried INCR applied twice — a lost exactly-once session —
 * shows), a set, a list, a hash and a sorted set (every acknowledged add is present at the end, a
 * list in order), and keys with a TTL (it survives the moves). Half the keys are chosen in
 * {@code hotSlots} (the slots the test moves), the rest anywhere.
 *
 * <p>A command that fails at the client (an exception, or an error reply) is recorded and fails
 * the test: the gateway is meant to retry through every move invisibly.
 */
final class MigrationWorkload implements AutoCloseable {
    private final String host;
    private final int port;
    private final int threads;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> workers = new ArrayList<>();
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final AtomicLong ops = new AtomicLong();
    /** Slowest single command seen by any client, ns. */
    final AtomicLong maxNanos = new AtomicLong();

    MigrationWorkload(String host, int port, int threads) {
        this.host = host;
        this.port = port;
        this.threads = threads;
    }

    /** Keys {@code prefix + n} whose slot is in [first, last] (when {@code inRange}) or anywhere. */
    static List<String> keys(String prefix, int count, int first, int last, boolean inRange) {
        List<String> out = new ArrayList<>();
        for (int n = 0; out.size() < count; n++) {
            String k = prefix + n;
            int slot = Slots.slot(k.getBytes(StandardCharsets.UTF_8));
            if (!inRange || (slot >= first && slot <= last)) {
                out.add(k);
            }
        }
        return out;
    }

    void start(int hotFirst, int hotLast) {
        for (int t = 0; t < threads; t++) {
            Client c = new Client(t, hotFirst, hotLast);
            clients.add(c);
            Thread th = new Thread(c, "migration-load-" + t);
            th.setDaemon(true);
            workers.add(th);
            th.start();
        }
    }

    /** Stops the clients and waits for them. */
    void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : workers) {
            t.join(120_000);
        }
    }

    /** Checks the final state of every key with a fresh connection. */
    void verify() {
        try (Jedis j = jedis()) {
            for (Client c : clients) {
                c.verify(j);
            }
        }
    }

    /** Client-side latency percentile (0..1) over every command, ms. */
    double percentileMillis(double p) {
        List<Long> all = new ArrayList<>();
        for (Client c : clients) {
            synchronized (c.lat) {
                for (int i = 0; i < c.latCount; i++) {
                    all.add(c.lat[i]);
                }
            }
        }
        if (all.isEmpty()) {
            return 0;
        }
        all.sort(null);
        return all.get((int) Math.min(all.size() - 1, Math.floor(p * all.size()))) / 1000.0;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private Jedis jedis() {
        return new Jedis(new HostAndPort(host, port), DefaultJedisClientConfig.builder()
                .protocol(RedisProtocol.RESP2).socketTimeoutMillis(120_000).build());
    }

    private final class Client implements Runnable {
        final int id;
        final Random random;
        final List<String> registers;
        final String[] lastValue;
        final List<String> counters;
        final long[] counts;
        final String set;
        final String list;
        final String hash;
        final String zset;
        final List<String> ttlKeys;
        final Set<String> setMembers = new LinkedHashSet<>();
        final List<String> listElements = new ArrayList<>();
        final Map<String, String> hashFields = new java.util.HashMap<>();
        final Map<String, Double> zsetScores = new java.util.HashMap<>();
        final long[] lat = new long[250_000];
        int latCount;
        long n;

        Client(int id, int hotFirst, int hotLast) {
            this.id = id;
            this.random = new Random(id);
            String p = "mig" + id + ":";
            registers = new ArrayList<>(keys(p + "r", 10, hotFirst, hotLast, true));
            registers.addAll(keys(p + "R", 10, 0, 0, false));
            lastValue = new String[registers.size()];
            counters = new ArrayList<>(keys(p + "c", 3, hotFirst, hotLast, true));
            counters.addAll(keys(p + "C", 2, 0, 0, false));
            counts = new long[counters.size()];
            set = keys(p + "s", 1, hotFirst, hotLast, true).get(0);
            list = keys(p + "l", 1, hotFirst, hotLast, true).get(0);
            hash = keys(p + "h", 1, hotFirst, hotLast, true).get(0);
            zset = keys(p + "z", 1, hotFirst, hotLast, true).get(0);
            ttlKeys = keys(p + "t", 3, hotFirst, hotLast, true);
        }

        @Override
        public void run() {
            try (Jedis j = jedis()) {
                for (String k : ttlKeys) {
                    timed(() -> expect(j.set(k, "ttl", SetParams.setParams().ex(3600)), "OK", "SET EX " + k));
                }
                while (!stop.get()) {
                    step(j);
                    ops.incrementAndGet();
                }
            } catch (RuntimeException e) {
                failures.add("client " + id + ": " + e);
            }
        }

        private void step(Jedis j) {
            long m = ++n;
            int op = random.nextInt(10);
            switch (op) {
                case 0, 1, 2 -> {
                    int i = random.nextInt(registers.size());
                    String v = id + ":" + m;
                    timed(() -> expect(j.set(registers.get(i), v), "OK", "SET " + registers.get(i)));
                    lastValue[i] = v;
                }
                case 3, 4, 5 -> {
                    int i = random.nextInt(registers.size());
                    String got = timed(() -> j.get(registers.get(i)));
                    if (!java.util.Objects.equals(got, lastValue[i])) {
                        failures.add("GET " + registers.get(i) + " = " + got + ", last acknowledged SET was "
                                + lastValue[i]);
                    }
                }
                case 6 -> {
                    int i = random.nextInt(counters.size());
                    long v = timed(() -> j.incr(counters.get(i)));
                    counts[i]++;
                    if (v != counts[i]) {
                        failures.add("INCR " + counters.get(i) + " = " + v + ", expected " + counts[i]);
                    }
                }
                case 7 -> {
                    String member = "m" + m;
                    timed(() -> j.sadd(set, member));
                    setMembers.add(member);
                    String e = "e" + m;
                    timed(() -> j.rpush(list, e));
                    listElements.add(e);
                }
                case 8 -> {
                    String f = "f" + (m % 50);
                    timed(() -> j.hset(hash, f, "v" + m));
                    hashFields.put(f, "v" + m);
                    String member = "z" + (m % 50);
                    timed(() -> j.zadd(zset, m, member));
                    zsetScores.put(member, (double) m);
                }
                default -> {
                    // read back a collection while it moves
                    long card = timed(() -> j.scard(set));
                    if (card != setMembers.size()) {
                        failures.add("SCARD " + set + " = " + card + ", expected " + setMembers.size());
                    }
                }
            }
        }

        private <T> T timed(java.util.function.Supplier<T> call) {
            long start = System.nanoTime();
            T r = call.get();
            long took = System.nanoTime() - start;
            maxNanos.accumulateAndGet(took, Math::max);
            synchronized (lat) {
                lat[latCount % lat.length] = took / 1000;
                latCount = Math.min(latCount + 1, lat.length);
            }
            return r;
        }

        private Object expect(String got, String want, String what) {
            if (!want.equals(got)) {
                failures.add(what + " answered " + got);
            }
            return got;
        }

        void verify(Jedis j) {
            for (int i = 0; i < registers.size(); i++) {
                assertThat(j.get(registers.get(i))).as("register %s", registers.get(i)).isEqualTo(lastValue[i]);
            }
            for (int i = 0; i < counters.size(); i++) {
                String v = j.get(counters.get(i));
                assertThat(v == null ? 0 : Long.parseLong(v)).as("counter %s", counters.get(i)).isEqualTo(counts[i]);
            }
            assertThat(j.smembers(set)).as("set %s", set).containsExactlyInAnyOrderElementsOf(setMembers);
            assertThat(j.lrange(list, 0, -1)).as("list %s", list).containsExactlyElementsOf(listElements);
            assertThat(j.hgetAll(hash)).as("hash %s", hash).isEqualTo(hashFields);
            for (Map.Entry<String, Double> e : zsetScores.entrySet()) {
                assertThat(j.zscore(zset, e.getKey())).as("zset %s %s", zset, e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(j.zcard(zset)).isEqualTo(zsetScores.size());
            for (String k : ttlKeys) {
                assertThat(j.get(k)).as("ttl key %s", k).isEqualTo("ttl");
                assertThat(j.ttl(k)).as("TTL of %s", k).isBetween(1L, 3600L);
            }
        }
    }
}
