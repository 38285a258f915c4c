package io.cairn.raft.metrics;

import static io.cairn.testing.Ports.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.raft.runtime.RaftRuntime;
import io.cairn.raft.runtime.RuntimeOptions;
import io.cairn.raft.runtime.StateMachine;
import io.cairn.raft.transport.GrpcTransportOptions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RaftMetrics over a real single-node RaftRuntime (RocksDB log, gRPC transport on a free port):
 * the gauges follow elections and proposals, lag is commit - applied, and /metrics serves them.
 */
class RaftMetricsTest {
    @TempDir
    Path tmp;

    private RaftRuntime runtime;
    private RaftMetrics metrics;
    private MetricsEndpoint endpoint;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** Applies nothing but the index: enough for a group to make progress. */
    private static final class CountingMachine implements StateMachine {
        private volatile long applied;

        @Override
        public List<Object> apply(List<Entry> entries) {
            List<Object> out = new ArrayList<>(entries.size());
            for (Entry e : entries) {
                applied = e.index();
                out.add(e.index());
            }
            return out;
        }

        @Override
        public long appliedIndex() {
            return applied;
        }

        @Override
        public long snapshot(Path dir) {
            return applied;
        }

        @Override
        public void installSnapshot(Path dir, SnapshotMetadata metadata) {
            applied = metadata.index();
        }
    }

    @AfterEach
    void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    /** A group gauge's value; NaN while the refresh thread has not registered it yet. */
    private double gauge(String name, long group) {
        Gauge g = registry.find(name).tag("group", Long.toString(group)).gauge();
        return g == null ? Double.NaN : g.value();
    }

    @Test
    void gaugesFollowTheGroupsAndTheEndpointServesThem() throws Exception {
        runtime = RaftRuntime.onDisk(1, tmp.resolve("n1"), "127.0.0.1", freePort(), g -> new CountingMachine(),
                RuntimeOptions.defaults(tmp.resolve("snap")).withTickMillis(10).withWorkers(2),
                GrpcTransportOptions.defaults());
        runtime.start();
        for (long g = 1; g <= 3; g++) {
            runtime.createGroup(g, ConfState.ofVoters(1L)).join();
        }
        metrics = RaftMetrics.bind(runtime, registry, Duration.ofMillis(20));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (long g = 1; g <= 3; g++) {
                assertThat(gauge("cairn.raft.group.state", g)).isEqualTo(2.0); // leader
            }
            assertThat(registry.find("cairn.raft.groups.leader").gauge().value()).isEqualTo(3.0);
        });
        for (int i = 0; i < 5; i++) {
            runtime.propose(2, ("v" + i).getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        }
        GroupStatus truth = runtime.status(2).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(gauge("cairn.raft.group.commit.index", 2)).isGreaterThanOrEqualTo(truth.commitIndex());
            assertThat(gauge("cairn.raft.group.applied.index", 2)).isGreaterThanOrEqualTo(truth.commitIndex());
            assertThat(gauge("cairn.raft.group.apply.lag", 2)).isZero();
            assertThat(gauge("cairn.raft.group.term", 2)).isPositive();
        });
        assertThat(registry.get("cairn.raft.groups").gauge().value()).isEqualTo(3.0);
        assertThat(registry.get("cairn.raft.log.batches.written").functionCounter().count()).isPositive();
        assertThat(registry.get("cairn.raft.log.synced.writes").functionCounter().count()).isPositive();
        // A single voter answers reads by itself: counted on the ReadIndex path, not the lease's.
        runtime.readIndex(1).get(10, TimeUnit.SECONDS);
        assertThat(registry.get("cairn.raft.reads").tag("path", "readindex").functionCounter().count())
                .isGreaterThanOrEqualTo(1.0);
        assertThat(registry.get("cairn.raft.reads").tag("path", "lease").functionCounter().count()).isZero();

        endpoint = MetricsEndpoint.start("127.0.0.1", 0, registry);
        assertThat(endpoint.port()).isPositive();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.CONTENT_TYPE);
        assertThat(resp.body())
                .contains("cairn_raft_group_state{group=\"1\",node=\"1\"} 2.0")
                .contains("cairn_raft_group_apply_lag{group=\"2\",node=\"1\"} 0.0")
                .contains("cairn_raft_log_batches_written_total{node=\"1\"}")
                .contains("cairn_raft_reads_total{node=\"1\",path=\"lease\"} 0.0");
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + endpoint.port() + "/other")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(404);

        // A destroyed group's gauges go away on the next refresh.
        runtime.destroyGroup(3).get(30, TimeUnit.SECONDS);
        metrics.refreshNow().get(30, TimeUnit.SECONDS);
        assertThat(registry.find("cairn.raft.group.state").tag("group", "3").gauge()).isNull();
        assertThat(metrics.cached(3)).isNull();
        assertThat(registry.get("cairn.raft.groups").gauge().value()).isEqualTo(2.0);
    }

    @Test
    void closeRemovesTheMeters() throws Exception {
        runtime = RaftRuntime.onDisk(1, tmp.resolve("n1"), "127.0.0.1", freePort(), g -> new CountingMachine(),
                RuntimeOptions.defaults(tmp.resolve("snap")).withTickMillis(10).withWorkers(1),
                GrpcTransportOptions.defaults());
        runtime.start();
        runtime.createGroup(7, ConfState.ofVoters(1L)).join();
        metrics = RaftMetrics.bind(runtime, registry, Duration.ofSeconds(60));
        metrics.refreshNow().get(30, TimeUnit.SECONDS);
        assertThat(registry.find("cairn.raft.group.term").tag("group", "7").gauge()).isNotNull();
        metrics.close();
        assertThat(registry.find("cairn.raft.group.term").gauge()).isNull();
        assertThat(registry.find("cairn.raft.groups").gauge()).isNull();
    }
}
