package io.cairn.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.deploy.it.RespCall;
import io.cairn.deploy.it.StoreServiceClient;
import io.cairn.store.types.Slots;
import io.cairn.testing.Ports;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn dev}'s cluster in this JVM: the meta service bootstraps three groups over the three
 * stores, every group elects a leader, the gateway follows the map and routes keys of every group;
 * closed and started again on the same data directory, the map (same version: nothing is
 * bootstrapped twice) and the groups come back with their data.
 */
class DevClusterTest {
    private static final String[] KEYS = {"a", "b", "c", "d", "e", "f", "{user1}x", "{user1}y"};

    @TempDir
    Path tmp;

    @Test
    @Timeout(180)
    void startsServesClosesAndRestartsWithItsData() throws Exception {
        DevCluster.Options options = new DevCluster.Options(tmp.resolve("data"), "127.0.0.1", 0,
                Ports.freePortBlock(DevCluster.PORTS));

        try (DevCluster dev = DevCluster.start(options)) {
            Map<Long, Long> leaders = dev.awaitLeaders(Duration.ofSeconds(60));
            assertThat(leaders).hasSize(3).doesNotContainValue(0L);
            assertThat(dev.map().groups()).hasSize(DevCluster.GROUPS);
            assertThat(dev.map().groups()).allSatisfy(g -> assertThat(g.replicas()).hasSize(DevCluster.REPLICAS));
            assertThat(dev.map().slotCount(1) + dev.map().slotCount(2) + dev.map().slotCount(3)).isEqualTo(16384);
            assertThat(ping(dev.gatewayPort())).isEqualTo("+PONG\r\n");
            assertThat(call(dev.gatewayPort(), "INFO", "keyspace")).isEqualTo("$12\r\n# Keyspace\r\n\r\n");
            assertThat(dev.banner(leaders)).contains("127.0.0.1:" + dev.gatewayPort(),
                    "redis-cli -p " + dev.gatewayPort(), options.dataDir().toString(), "leader store",
                    "meta      service 127.0.0.1:" + options.basePort(), "map       version " + dev.map().version());
            // Through the gateway, keys of all three groups, then one straight from a store.
            assertThat(KEYS).extracting(k -> dev.map().groupOf(Slots.slot(k.getBytes(StandardCharsets.UTF_8))))
                    .contains(1L, 2L, 3L);
            for (String key : KEYS) {
                assertThat(call(dev.gatewayPort(), "SET", key, "value-of-" + key)).isEqualTo("+OK\r\n");
            }
            assertThat(call(dev.gatewayPort(), "GET", "a")).isEqualTo("$10\r\nvalue-of-a\r\n");
            try (StoreServiceClient client = new StoreServiceClient(dev.map(), 1)) {
                assertThat(client.call("b", "GET", "b")).isEqualTo(StoreServiceClient.bulk("value-of-b"));
            }
            infoKeyspaceFollowsTheGroupSizes(dev.gatewayPort());
            adminShowsTheCluster(dev);
            leadersSpreadAndMoveOnRequest(dev);
        }
        for (int n = 1; n <= 3; n++) {
            assertThat(options.dataDir().resolve("store-" + n).resolve("raft")).isDirectory();
        }
        assertThat(Files.list(options.dataDir()).map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("meta", "store-1", "store-2", "store-3");

        try (DevCluster again = DevCluster.start(options)) {
            assertThat(again.awaitLeaders(Duration.ofSeconds(60))).hasSize(3).doesNotContainValue(0L);
            assertThat(again.map().version()).isGreaterThanOrEqualTo(9); // a store marked DOWN and UP adds two
            assertThat(again.map().groups()).hasSize(DevCluster.GROUPS);
            assertThat(ping(again.gatewayPort())).isEqualTo("+PONG\r\n");
            for (String key : KEYS) {
                assertThat(call(again.gatewayPort(), "GET", key))
                        .isEqualTo(StoreServiceClient.bulk("value-of-" + key));
            }
        }
    }

    /**
     * Issue 5: INFO keyspace. The group leaders measure their groups, heartbeats carry the sizes
     * to the meta service, which pushes them to the gateway: eventually consistent, so awaited.
     */
    private static void infoKeyspaceFollowsTheGroupSizes(int port) throws Exception {
        for (String key : List.of("t1", "t2", "{user1}t3")) {
            assertThat(call(port, "SET", key, "v", "EX", "3600")).isEqualTo("+OK\r\n");
        }
        int keys = KEYS.length + 3;
        String withTtl = "db0:keys=" + keys + ",expires=3,avg_ttl=0\r\n";
        await().atMost(Duration.ofSeconds(30))
                .until(() -> call(port, "INFO", "keyspace").endsWith("# Keyspace\r\n" + withTtl + "\r\n"));
        assertThat(call(port, "DEL", "t1", "t2", "{user1}t3")).isEqualTo(":3\r\n");
        String without = "db0:keys=" + KEYS.length + ",expires=0,avg_ttl=0\r\n";
        await().atMost(Duration.ofSeconds(30))
                .until(() -> call(port, "INFO", "keyspace").endsWith("# Keyspace\r\n" + without + "\r\n"));
        assertThat(call(port, "DBSIZE")).isEqualTo(":" + KEYS.length + "\r\n");
    }

    /** {@code cairn admin status | query | history} against the running cluster's meta replica. */
    private static void adminShowsTheCluster(DevCluster dev) {
        String meta = "127.0.0.1:" + dev.options().basePort();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(Cairn.execute(new PrintWriter(out), new PrintWriter(err), "admin", "--meta", meta, "status"))
                .as("%s", err).isEqualTo(Cairn.EXIT_OK);
        long version = dev.meta().map().version(); // what admin status reads (the gateway's view follows it)
        assertThat(out.toString()).contains("meta term ", "leader", "map version " + version,
                "STORE  STATE  RAFT", "GROUP  SLOTS  RANGES", "0-5461", "5462-10922", "10923-16383");
        for (int n = 1; n <= 3; n++) {
            int raftPort = dev.options().basePort() + 2 * n;
            assertThat(out.toString()).containsPattern("(?m)^" + n + " +UP +127\\.0\\.0\\.1:" + raftPort + " ");
            assertThat(out.toString()).containsPattern("(?m)^" + n + " +\\d+ +[-0-9,]+ +[-0-9] +1:voter\\*? 2:voter");
        }
        // every group's size, as its leader measured it: the keys of every group add up to KEYS
        assertThat(out.toString()).containsPattern("(?m)^GROUP +SLOTS +RANGES +LEADER +REPLICAS +KEYS +EXPIRES +SIZE$");
        java.util.regex.Matcher rows = java.util.regex.Pattern
                .compile("(?m)^[123] .*:voter\\*? +(\\d+) +0 +[0-9.]+ [KMG]?i?B$").matcher(out.toString());
        long keys = 0;
        int groups = 0;
        while (rows.find()) {
            keys += Long.parseLong(rows.group(1));
            groups++;
        }
        assertThat(groups).as("%s", out).isEqualTo(3);
        assertThat(keys).isEqualTo(KEYS.length);

        out.getBuffer().setLength(0);
        assertThat(Cairn.execute(new PrintWriter(out), new PrintWriter(err), "admin", "-m", meta, "query", "7"))
                .isEqualTo(Cairn.EXIT_OK);
        assertThat(out.toString()).contains("map version 7", "0-5461").doesNotContain("5462-10922")
                .contains("unassigned slots: 10922");

        out.getBuffer().setLength(0);
        assertThat(Cairn.execute(new PrintWriter(out), new PrintWriter(err), "admin", "-m", meta, "history"))
                .isEqualTo(Cairn.EXIT_OK);
        assertThat(out.toString()).contains("VERSION", "CHANGE", "empty map").containsPattern("(?m)^9 +assign slots");
        assertThat(err.toString()).isEmpty();
    }

    /**
     * The meta leader spreads the leaders over the stores (whoever won the first elections), and
     * {@code cairn admin transfer-leader} moves one where asked; the balancer evens it out again.
     */
    private static void leadersSpreadAndMoveOnRequest(DevCluster dev) {
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(dev.leaders().values()).containsExactlyInAnyOrder(1L, 2L, 3L));
        long from = dev.leaders().get(1L);
        long to = from % 3 + 1;
        String meta = "127.0.0.1:" + dev.options().basePort();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(Cairn.execute(new PrintWriter(out), new PrintWriter(err), "admin", "-m", meta,
                "transfer-leader", "1", Long.toString(to))).as("%s", err).isEqualTo(Cairn.EXIT_OK);
        assertThat(out.toString()).matches("group 1 is led by store " + to + " \\(term \\d+\\)\n");

        out.getBuffer().setLength(0);
        assertThat(Cairn.execute(new PrintWriter(out), new PrintWriter(err), "admin", "-m", meta,
                "transfer-leader", "1", "9")).isEqualTo(Cairn.EXIT_FAILED);
        assertThat(err.toString()).isEqualTo("cairn admin transfer-leader: unknown store 9\n");
        assertThat(out.toString()).isEmpty();

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(dev.leaders().values()).containsExactlyInAnyOrder(1L, 2L, 3L));
    }

    private static String ping(int port) throws Exception {
        return RespCall.call(port, "PING");
    }

    private static String call(int port, String... argv) throws Exception {
        return RespCall.call(port, argv);
    }
}
