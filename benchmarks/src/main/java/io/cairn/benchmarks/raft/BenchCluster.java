package io.cairn.benchmarks.raft;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.core.StateType;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.raft.runtime.RaftRuntime;
import io.cairn.raft.runtime.RuntimeOptions;
import io.cairn.raft.runtime.StateMachine;
import io.cairn.raft.transport.GrpcTransportOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Three real Raft nodes in this JVM for benchmarks: RocksDB log stores (fsync on), gRPC on
 * 127.0.0.1. The state machine only counts what it applies, so the numbers are those of the Raft
 * layer (replication, durability, apply hand-off), not of a data model.
 */
final class BenchCluster implements AutoCloseable {

    /** Applies by counting; keeps nothing. */
    static final class CountingStateMachine implements StateMachine {
        private volatile long applied;

        @Override
        public List<Object> apply(List<Entry> entries) {
            applied = entries.get(entries.size() - 1).index();
            return Arrays.asList(new Object[entries.size()]);
        }

        @Override
        public long appliedIndex() {
            return 0; // nothing is kept: a restart replays the log
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

    final List<RaftRuntime> nodes = new ArrayList<>();

    BenchCluster(Path dir, int nodeCount, RuntimeOptions base) throws IOException {
        int[] ports = new int[nodeCount + 1];
        for (int id = 1; id <= nodeCount; id++) {
            try (ServerSocket s = new ServerSocket(0)) {
                ports[id] = s.getLocalPort();
            }
        }
        for (int id = 1; id <= nodeCount; id++) {
            long nid = id;
            RaftRuntime rt = RaftRuntime.onDisk(nid, dir.resolve("node-" + id), "127.0.0.1", ports[id],
                    g -> new CountingStateMachine(), base.withSnapshotEveryEntries(0, 0), GrpcTransportOptions.defaults());
            rt.start();
            nodes.add(rt);
        }
        for (RaftRuntime rt : nodes) {
            for (int other = 1; other <= nodeCount; other++) {
                if (other != rt.nodeId()) {
                    rt.transport().setPeer(other, "127.0.0.1:" + ports[other]);
                }
            }
        }
    }

    void createGroups(long first, int count) {
        Long[] voters = new Long[nodes.size()];
        for (int i = 0; i < voters.length; i++) {
            voters[i] = (long) (i + 1);
        }
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (RaftRuntime rt : nodes) {
            for (long g = first; g < first + count; g++) {
                all.add(rt.createGroup(g, ConfState.ofVoters(voters)));
            }
        }
        all.forEach(CompletableFuture::join);
    }

    /** Waits until the group has a leader; returns it. */
    RaftRuntime leaderOf(long group) throws Exception {
        for (int attempt = 0; attempt < 6000; attempt++) {
            for (RaftRuntime rt : nodes) {
                GroupStatus s = rt.status(group).get(5, TimeUnit.SECONDS);
                if (s.role() == StateType.LEADER) {
                    return rt;
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("group " + group + " elected no leader");
    }

    @Override
    public void close() {
        nodes.forEach(RaftRuntime::close);
    }
}
