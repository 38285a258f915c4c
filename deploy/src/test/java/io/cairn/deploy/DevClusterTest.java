package io.cairn.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.deploy.it.ClusterProcesses;
import io.cairn.deploy.it.StoreServiceClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn dev}'s cluster in this JVM: up, every group elects a leader, the gateway answers;
 * closed and started again on the same data directory, the groups come back with their data.
 */
class DevClusterTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(180)
    void startsServesClosesAndRestartsWithItsData() throws Exception {
        DevCluster.Options options = new DevCluster.Options(tmp.resolve("data"), "127.0.0.1", 0,
                ClusterProcesses.freePortBlock(2 * DevCluster.STORES));

        try (DevCluster dev = DevCluster.start(options)) {
            assertThat(dev.map().groups()).hasSize(DevCluster.GROUPS);
            assertThat(dev.map().groups()).allSatisfy(g -> assertThat(g.replicas()).hasSize(DevCluster.REPLICAS));
            assertThat(dev.map().slotCount(1) + dev.map().slotCount(2) + dev.map().slotCount(3)).isEqualTo(16384);
            Map<Long, Long> leaders = dev.awaitLeaders(Duration.ofSeconds(60));
            assertThat(leaders).hasSize(3).doesNotContainValue(0L);
            assertThat(ping(dev.gatewayPort())).isEqualTo("+PONG\r\n");
            assertThat(dev.banner(leaders)).contains("127.0.0.1:" + dev.gatewayPort(),
                    "redis-cli -p " + dev.gatewayPort(), options.dataDir().toString(), "leader store");
            try (StoreServiceClient client = new StoreServiceClient(dev.map(), 1)) {
                for (String key : new String[] {"a", "b", "c", "{user1}x"}) {
                    assertThat(client.call(key, "SET", key, "value-of-" + key)).isEqualTo("+OK\r\n");
                }
            }
        }
        for (int n = 1; n <= 3; n++) {
            assertThat(options.dataDir().resolve("store-" + n).resolve("raft")).isDirectory();
        }
        assertThat(Files.list(options.dataDir()).map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("store-1", "store-2", "store-3");

        try (DevCluster again = DevCluster.start(options)) {
            assertThat(again.awaitLeaders(Duration.ofSeconds(60))).hasSize(3).doesNotContainValue(0L);
            assertThat(ping(again.gatewayPort())).isEqualTo("+PONG\r\n");
            try (StoreServiceClient client = new StoreServiceClient(again.map(), 2)) {
                for (String key : new String[] {"a", "b", "c", "{user1}x"}) {
                    assertThat(client.call(key, "GET", key)).isEqualTo(StoreServiceClient.bulk("value-of-" + key));
                }
            }
        }
    }

    /** Sends PING inline over TCP and returns the reply line. */
    private static String ping(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                sb.append((char) c);
                if (sb.toString().endsWith("\r\n")) {
                    break;
                }
            }
            return sb.toString();
        }
    }
}
