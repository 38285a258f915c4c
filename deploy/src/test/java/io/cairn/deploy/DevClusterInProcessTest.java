package io.cairn.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.transport.CoLocatedServers;
import io.cairn.raft.transport.GrpcChannels;
import io.cairn.testing.Ports;
import io.grpc.ManagedChannel;
import io.cairn.store.types.Slots;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * {@code cairn dev}'s roles talk through gRPC's in-process transport (the registry of
 * {@code CoLocatedServers} in raft-engine): every gRPC server of the cluster is registered, and
 * the traffic of SET, GET, MGET and a pipeline over keys of every group (gateway → store, Raft
 * between the stores) is counted in-process with no Netty call. With
 * {@code -Dcairn.grpc.inprocess=false} the same cluster serves the same commands over Netty.
 */
@DisplayName("cairn dev: gRPC between the roles in-process, or over Netty when switched off")
class DevClusterInProcessTest {
    private static final int KEYS = 60;

    @TempDir
    Path tmp;

    @AfterEach
    void inProcessDefault() {
        System.clearProperty(CoLocatedServers.ENABLED_PROPERTY);
    }

    @Test
    @Timeout(180)
    @DisplayName("in-process by default: every server registered, the traffic in-process")
    void inProcessByDefault() throws Exception {
        DevCluster.Options options = options();
        try (DevCluster dev = DevCluster.start(options)) {
            assertThat(dev.awaitLeaders(Duration.ofSeconds(60))).hasSize(DevCluster.GROUPS).doesNotContainValue(0L);
            assertThat(CoLocatedServers.registered()).extracting(CoLocatedServers.Registration::port)
                    .containsAll(grpcPorts(options));
            long direct = CoLocatedServers.directCalls();

            servesCommands(dev, "inproc:");

            // Each command is at least one Execute call, which the gateway makes on the co-located
            // store's service object (CoLocatedServers.direct); the Raft streams are long-lived
            // in-process calls. (The Netty counter is JVM-wide and other test classes' clients in
            // this fork may use it meanwhile: that no call of this cluster goes over Netty follows
            // from every one of its ports being registered, which GrpcChannels checks per call.)
            assertThat(CoLocatedServers.directCalls() - direct).isGreaterThanOrEqualTo(KEYS);
        }
        assertThat(CoLocatedServers.registered()).extracting(CoLocatedServers.Registration::port)
                .doesNotContainAnyElementsOf(grpcPorts(options));
    }

    @Test
    @Timeout(180)
    @DisplayName("switched off: nothing registered, the same commands served over Netty")
    void switchedOff() throws Exception {
        System.setProperty(CoLocatedServers.ENABLED_PROPERTY, "false");
        DevCluster.Options options = options();
        try (DevCluster dev = DevCluster.start(options)) {
            assertThat(dev.awaitLeaders(Duration.ofSeconds(60))).hasSize(DevCluster.GROUPS).doesNotContainValue(0L);
            assertThat(CoLocatedServers.registered()).extracting(CoLocatedServers.Registration::port)
                    .doesNotContainAnyElementsOf(grpcPorts(options));
            // No port of this cluster is registered, so none of its calls can go in-process; a
            // channel to any of them (as every client of ours opens it) is a plain Netty one.
            // (The call counters are JVM-wide and not counted with the switch off: no use here.)
            for (int port : grpcPorts(options)) {
                ManagedChannel channel = GrpcChannels.open("127.0.0.1", port, 1 << 20, true, null);
                try {
                    assertThat(GrpcChannels.isInProcessNow(channel)).as("port %d", port).isFalse();
                } finally {
                    channel.shutdownNow();
                }
            }

            servesCommands(dev, "netty:");
        }
    }

    private DevCluster.Options options() {
        return new DevCluster.Options(tmp.resolve("data"), "127.0.0.1", 0,
                Ports.freePortBlock(DevCluster.PORTS));
    }

    /** The meta replica's service and Raft ports and each store's Raft and service ports. */
    private static List<Integer> grpcPorts(DevCluster.Options o) {
        return IntStream.range(o.basePort(), o.basePort() + DevCluster.PORTS).boxed().toList();
    }

    /** SET, GET, MGET across groups and a pipeline of SETs and GETs, through the gateway. */
    private static void servesCommands(DevCluster dev, String prefix) {
        List<String> keys = IntStream.range(0, KEYS).mapToObj(i -> prefix + i).toList();
        assertThat(keys).extracting(k -> dev.map().groupOf(Slots.slot(k.getBytes(StandardCharsets.UTF_8))))
                .contains(1L, 2L, 3L);
        try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", dev.gatewayPort()),
                DefaultJedisClientConfig.builder().socketTimeoutMillis(30_000).build())) {
            for (String k : keys.subList(0, KEYS / 2)) {
                assertThat(j.set(k, "v-" + k)).isEqualTo("OK");
                assertThat(j.get(k)).isEqualTo("v-" + k);
            }
            Pipeline p = j.pipelined();
            List<Response<String>> sets = new ArrayList<>();
            List<Response<String>> gets = new ArrayList<>();
            for (String k : keys.subList(KEYS / 2, KEYS)) {
                sets.add(p.set(k, "v-" + k));
                gets.add(p.get(k));
            }
            p.sync();
            assertThat(sets).extracting(Response::get).containsOnly("OK");
            assertThat(gets).extracting(Response::get)
                    .containsExactlyElementsOf(keys.subList(KEYS / 2, KEYS).stream().map(k -> "v-" + k).toList());

            List<String> withMissing = new ArrayList<>(keys);
            withMissing.add(prefix + "missing");
            List<String> expected = new ArrayList<>(keys.stream().map(k -> "v-" + k).toList());
            expected.add(null);
            assertThat(j.mget(withMissing.toArray(String[]::new))).containsExactlyElementsOf(expected);
        }
    }
}
