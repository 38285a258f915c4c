package io.cairn.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real {@code redis-benchmark} (7.0.15) with its default test list against a whole cluster:
 * every test completes, none gets an error reply, without and with pipelining ({@code -P 16}).
 * redis-benchmark 7.0 exits with a nonzero code at the first error reply (its {@code -e} is a
 * no-op now), so exit code 0 and a CSV row for every default test mean no error. The request count is {@code cairn.e2e.benchmark.requests} (default
 * 2000 to keep CI short; the figure is 20000). Speed is printed, never asserted.
 */
@Timeout(600)
class RedisBenchmarkE2eTest extends ClusterE2eTest {
    /** redis-benchmark 7.0.15's default tests, in its order (its CSV names). */
    static final List<String> DEFAULT_TESTS = List.of("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR",
            "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN",
            "LPUSH (needed to benchmark LRANGE)", "LRANGE_100 (first 100 elements)",
            "LRANGE_300 (first 300 elements)", "LRANGE_500 (first 500 elements)",
            "LRANGE_600 (first 600 elements)", "MSET (10 keys)");

    private static String redisBenchmark;

    @BeforeAll
    static void findTool() {
        redisBenchmark = ExternalTool.require("redis-benchmark");
    }

    @Test
    void defaultTestsWithoutErrors() throws Exception {
        runAndCheck();
    }

    @Test
    void defaultTestsPipelined() throws Exception {
        runAndCheck("-P", "16");
    }

    private static void runAndCheck(String... extra) throws Exception {
        int requests = Integer.getInteger("cairn.e2e.benchmark.requests", 2000);
        List<String> cmd = new ArrayList<>(List.of(redisBenchmark, "-h", cluster.host(), "-p",
                Integer.toString(cluster.gatewayPort()), "-r", "100000", "-n", Integer.toString(requests),
                "--csv"));
        cmd.addAll(List.of(extra));
        ExternalTool.Run r = ExternalTool.run(cmd, null, Map.of(), 540);
        System.out.println("redis-benchmark " + String.join(" ", cmd.subList(1, cmd.size())) + "\n"
                + r.stdout() + r.stderr());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        List<String> tests = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith("\"test\"") || line.isBlank()) {
                continue;
            }
            if (line.startsWith("\"")) {
                tests.add(line.substring(1, line.indexOf('"', 1)));
            } else {
                other.add(line); // an error report
            }
        }
        assertThat(other).as("lines other than results").isEmpty();
        assertThat(tests).containsExactlyElementsOf(DEFAULT_TESTS);
    }
}
