package io.cairn.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.store.types.Slots;
import io.cairn.testing.Ports;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roles as separate JVMs, wired the way a deployment is: {@code cairn meta} (one replica),
 * three {@code cairn store} in meta mode and a {@code cairn gateway} following the meta service.
 * The meta service bootstraps 3 groups over the stores; SET and GET of keys of every group go
 * through the gateway; each role serves Prometheus metrics on its {@code metrics.port}; SIGTERM
 * stops the gateway cleanly.
 */
class MetaClusterProcessesTest {
    /** Keys whose slots fall in each of the three bootstrapped ranges (0-5461, 5462-10922, 10923-16383). */
    private static final String[] KEYS = {"a", "b", "c", "d", "e", "f", "{user1}x", "{user1}y"};

    @TempDir
    Path tmp;

    private static String metrics(int port) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/metrics").toURL()
                .openConnection();
        c.setConnectTimeout(5_000);
        c.setReadTimeout(10_000);
        try (InputStream in = c.getInputStream()) {
            assertThat(c.getResponseCode()).isEqualTo(200);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    @Test
    @Timeout(300)
    void metaStoresAndGatewayAsProcessesServeSetAndGet() throws Exception {
        assertThat(Arrays.stream(KEYS).map(k -> Slots.slot(k.getBytes(StandardCharsets.UTF_8)) * 3 / Slots.COUNT)
                .distinct()).hasSize(3);
        try (ClusterProcesses cluster = new ClusterProcesses(tmp)) {
            String metaAddress = "127.0.0.1:" + Ports.freePort();
            Properties meta = new Properties();
            meta.setProperty("node.id", "1");
            meta.setProperty("data.dir", tmp.resolve("meta-1").toString());
            meta.setProperty("host", "127.0.0.1");
            meta.setProperty("service.port", metaAddress.substring(metaAddress.indexOf(':') + 1));
            meta.setProperty("raft.port", Integer.toString(Ports.freePort()));
            int metaMetrics = Ports.freePort();
            meta.setProperty("metrics.port", Integer.toString(metaMetrics));
            cluster.start("meta-1", "meta", cluster.writeConfig("meta-1", meta));

            int storeMetrics = Ports.freePort();
            for (int n = 1; n <= 3; n++) {
                Properties store = new Properties();
                if (n == 1) {
                    store.setProperty("metrics.port", Integer.toString(storeMetrics));
                }
                store.setProperty("node.id", Integer.toString(n));
                store.setProperty("data.dir", tmp.resolve("store-" + n).toString());
                store.setProperty("host", "127.0.0.1");
                store.setProperty("raft.port", Integer.toString(Ports.freePort()));
                store.setProperty("service.port", Integer.toString(Ports.freePort()));
                store.setProperty("meta.address", metaAddress);
                store.setProperty("raft.workers", "1");
                store.setProperty("raft.apply.threads", "1");
                store.setProperty("read.threads", "1");
                cluster.start("store-" + n, "store", cluster.writeConfig("store-" + n, store));
            }

            int port = Ports.freePort();
            Properties gateway = new Properties();
            gateway.setProperty("host", "127.0.0.1");
            gateway.setProperty("port", Integer.toString(port));
            gateway.setProperty("meta.address", metaAddress);
            int gatewayMetrics = Ports.freePort();
            gateway.setProperty("metrics.port", Integer.toString(gatewayMetrics));
            cluster.start("gateway-1", "gateway", cluster.writeConfig("gateway-1", gateway));
            cluster.awaitReady("gateway-1", Duration.ofSeconds(180),
                    () -> cluster.log("gateway-1", 100_000).contains("gateway ready"));

            // The groups may still be electing their leaders: the first write is retried until it lands.
            await("first SET").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> RespCall.call(port, "SET", KEYS[0], "v-" + KEYS[0]).equals("+OK\r\n"));
            for (String key : KEYS) {
                assertThat(RespCall.call(port, "SET", key, "v-" + key)).as("SET %s", key).isEqualTo("+OK\r\n");
            }
            for (String key : KEYS) {
                assertThat(RespCall.call(port, "GET", key)).as("GET %s", key)
                        .isEqualTo(StoreServiceClient.bulk("v-" + key));
            }
            assertThat(RespCall.call(port, "GET", "missing")).isEqualTo("$-1\r\n");
            // INFO keyspace from the group sizes: store leaders measure, meta pushes, gateway sums.
            String db0 = "db0:keys=" + KEYS.length + ",expires=0,avg_ttl=0\r\n";
            await("INFO keyspace").atMost(Duration.ofSeconds(60))
                    .until(() -> RespCall.call(port, "INFO", "keyspace").contains(db0));
            if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")) {
                assertThat(RespCall.call(port, "INFO", "server")).contains("multiplexing_api:epoll");
            }

            // Each role's Prometheus endpoint: Raft and JVM meters on meta and store, the gateway's own.
            await("store 1 reports its 3 groups").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> metrics(storeMetrics).contains("cairn_raft_groups{node=\"1\"} 3.0"));
            assertThat(metrics(storeMetrics)).contains("cairn_raft_group_applied_index", "jvm_memory_used_bytes");
            // KEYS[0] was set twice: its second SET read the record the first one left in the cache
            assertThat(metrics(storeMetrics)).containsPattern(
                    "cairn_store_record_cache_lookups_total\\{node=\"1\",result=\"hit\"} [1-9]")
                    .contains("cairn_store_record_cache_lookups_total{node=\"1\",result=\"miss\"}");
            assertThat(metrics(metaMetrics)).contains("cairn_raft_groups{node=\"1\"}", "jvm_threads_live_threads");
            assertThat(metrics(gatewayMetrics)).contains("cairn_gateway_");

            assertThat(cluster.stop("gateway-1")).as("exit code after SIGTERM").isEqualTo(128 + 15);
            assertThat(cluster.log("gateway-1", 4000)).contains("gateway: stopped");
        }
    }
}
