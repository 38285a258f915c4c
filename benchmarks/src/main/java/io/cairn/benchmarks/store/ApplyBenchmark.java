package io.cairn.benchmarks.store;

import io.cairn.raft.core.Entry;
import io.cairn.store.replica.DataDb;
import io.cairn.store.replica.ShardStateMachine;
import io.cairn.store.replica.StoreCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Apply throughput of the shard state machine per command type: batches of {@value #BATCH}
 * committed entries applied as the runtime applies them (one RocksDB write batch per call, WAL
 * without fsync — the Raft log is the durable copy). Reported as commands per second.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:$(cat benchmarks/target/bench.cp) \
 *   org.openjdk.jmh.Main ApplyBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ApplyBenchmark {
    static final int BATCH = 64;

    @Param({"SET", "INCR", "HSET", "LPUSH", "SADD", "ZADD"})
    public String command;

    /** Distinct keys written (each command picks one); members come from a larger space. */
    @Param({"10000"})
    public int keys;

    /** Whether commands carry an exactly-once session (the gateway's writes always do). */
    @Param({"true"})
    public boolean session;

    private Path dir;
    private DataDb db;
    private ShardStateMachine sm;
    private long index;
    private long counter;
    private final byte[] value = new byte[64];

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("cairn-apply-bench");
        db = DataDb.open(dir);
        sm = new ShardStateMachine(db, 1);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        db.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private byte[][] next() {
        long n = counter++;
        byte[] key = ("key:" + (n * 2654435761L % keys)).getBytes(StandardCharsets.UTF_8);
        byte[] member = ("m" + (n % 100_000)).getBytes(StandardCharsets.UTF_8);
        switch (command) {
            case "SET": return new byte[][] {b("set"), key, value};
            case "INCR": return new byte[][] {b("incr"), key};
            case "HSET": return new byte[][] {b("hset"), key, member, value};
            case "LPUSH": return new byte[][] {b("lpush"), key, value};
            case "SADD": return new byte[][] {b("sadd"), key, member};
            case "ZADD": return new byte[][] {b("zadd"), key, Long.toString(n % 1000).getBytes(), member};
            default: throw new IllegalArgumentException(command);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<Object> applyBatch() {
        List<Entry> batch = new ArrayList<>(BATCH);
        long now = 1_800_000_000_000L + index;
        for (int i = 0; i < BATCH; i++) {
            batch.add(Entry.normal(1, ++index, new StoreCommand(session ? 1 : 0, index, index - 1, now, index, next()).encode()));
        }
        return sm.apply(batch);
    }
}
