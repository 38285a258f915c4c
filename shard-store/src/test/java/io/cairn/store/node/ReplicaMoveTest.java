package io.cairn.store.node;

import static io.cairn.store.node.MetaModeCluster.WAIT;
import static io.cairn.store.node.MetaModeCluster.bulk;
import static io.cairn.store.node.MetaModeCluster.keysInRange;
import static io.cairn.store.node.StoreServiceTest.cmd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.StoreState;
import io.cairn.meta.proto.ReplicaChangeResponse;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.store.node.proto.Command;
import io.cairn.store.node.proto.Result;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replica moves made real (issue 6): meta replicas and four real store nodes in meta mode. A
 * three-replica group holding data moves its replica from store 1 to store 4 while a writer
 * keeps writing: store 4 gets every key, store 1 drops the group and its key range, the Raft
 * configuration becomes {2,3,4}, no acknowledged write is lost; the refusals of the calls.
 */
@Timeout(180)
class ReplicaMoveTest {
    private static final long GROUP = 1;

    @TempDir
    Path tmp;

    private MetaModeCluster cluster;
    private StoreNode[] stores;
    private MetaClient client;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Meta replicas (one group of {@code n}), four stores; one group of three replicas on stores 1-3. */
    private void startCluster(int metaReplicas) throws Exception {
        cluster = new MetaModeCluster(tmp, metaReplicas, 1, 1500);
        stores = cluster.stores;
        client = cluster.client;
        // Stores 1-3 first: the bootstrap (at 3 UP stores) places the group on them; then store 4.
        cluster.startFirstThree(1);
        cluster.start(3);
        await().atMost(WAIT).until(() -> client.currentMap().stores().size() == 4);
        assertThat(client.currentMap().findGroup(GROUP).orElseThrow().replicas())
                .containsExactly(Replica.voter(1), Replica.voter(2), Replica.voter(3));
        await().atMost(WAIT).until(() -> leaderIndex() >= 0);
    }

    private Result exec(int node, Command c) {
        return cluster.exec(node, c);
    }

    /** Index (0..3) of the store whose replica of the group is leader, or -1. */
    private int leaderIndex() {
        return cluster.leaderIndex(GROUP);
    }

    private GroupStatus status(int i) {
        return cluster.status(i, GROUP);
    }

    private volatile int lastLeader = -1;

    /** SET through the store that led last time (found again when it does not); true once acknowledged. */
    private boolean set(String key, String value) {
        int leader = lastLeader;
        if (leader < 0 || stores[leader] == null) {
            leader = leaderIndex();
            if (leader < 0) {
                return false;
            }
        }
        try {
            Result r = exec(leader, cmd(GROUP, "SET", key, value));
            boolean ok = r.getOutcomeCase() == Result.OutcomeCase.RESP && r.getResp().toStringUtf8().equals("+OK\r\n");
            lastLeader = ok ? leader : -1;
            return ok;
        } catch (StatusRuntimeException e) {
            lastLeader = -1;
            return false;
        }
    }

    private String get(int node, String key) {
        Result r = exec(node, cmd(GROUP, "GET", key));
        return r.getOutcomeCase() == Result.OutcomeCase.RESP ? r.getResp().toStringUtf8() : r.toString();
    }

    /** Writes k0..k99, then keeps writing w0, w1, ... (each acknowledged one recorded) until stopped. */
    private final class Writer extends MetaModeCluster.Loop {
        final Map<String, String> acked = new ConcurrentHashMap<>();

        Writer() {
            super("replica-move-writer");
            for (int i = 0; i < 100; i++) {
                String k = "k" + i;
                await().atMost(WAIT).until(() -> set(k, "v" + k));
                acked.put(k, "v" + k);
            }
            begin();
        }

        @Override
        void step(long i) throws InterruptedException {
            String k = "w" + i;
            if (set(k, "v" + k)) {
                acked.put(k, "v" + k);
            } else {
                Thread.sleep(20);
            }
        }
    }

    private void assertMovedFrom1To4(Map<String, String> acked) {
        GroupInfo g = client.currentMap().findGroup(GROUP).orElseThrow();
        assertThat(g.replicas()).containsExactly(Replica.voter(2), Replica.voter(3), Replica.voter(4));
        assertThat(g.founders()).containsExactly(1L, 2L, 3L);
        // Raft configuration {2,3,4} on every remaining replica (once applied there).
        for (int i = 1; i < 4; i++) {
            int node = i;
            await().atMost(WAIT).until(() -> status(node) != null
                    && status(node).membership().voters().equals(java.util.Set.of(2L, 3L, 4L))
                    && status(node).membership().learners().isEmpty());
        }
        // Store 1 destroyed its replica and deleted the group's key range.
        await().atMost(WAIT).until(() -> !stores[0].runtime().groupIds().contains(GROUP));
        await().atMost(WAIT).until(() -> keysInRange(stores[0], GROUP) == 0);
        // Store 4 has every acknowledged write (linearizable reads through it, a follower or leader).
        assertThat(acked.size()).isGreaterThan(100);
        for (Map.Entry<String, String> e : acked.entrySet()) {
            assertThat(get(3, e.getKey())).as("key %s on store 4", e.getKey()).isEqualTo(bulk(e.getValue()));
        }
        // ...and leads the group well: hand it the leadership and write through it.
        int leader = leaderIndex();
        stores[leader].runtime().transferLeader(GROUP, 4).join();
        await().atMost(WAIT).until(() -> leaderIndex() == 3);
        assertThat(exec(3, cmd(GROUP, "SET", "after", "move")).getResp().toStringUtf8()).isEqualTo("+OK\r\n");
        assertThat(get(3, "k7")).isEqualTo(bulk("vk7"));
    }

    @Test
    void moveReplicaFromStore1To4UnderWritesThenRefusals() throws Exception {
        startCluster(1);
        Map<String, String> acked;
        try (Writer w = new Writer()) {
            acked = w.acked;
            ReplicaChangeResponse add = client.addReplica(GROUP, 4, "voter");
            assertThat(add.getError()).isEmpty();
            assertThat(client.currentMap().findGroup(GROUP).orElseThrow().replicaOn(4))
                    .contains(Replica.voter(4));
            // Store 1 leads when it is removed: it hands the leadership to another voter first.
            await().atMost(WAIT).until(() -> {
                int leader = leaderIndex();
                if (leader > 0) {
                    stores[leader].runtime().transferLeader(GROUP, 1).join();
                }
                return leaderIndex() == 0;
            });
            ReplicaChangeResponse remove = client.removeReplica(GROUP, 1);
            assertThat(remove.getError()).isEmpty();
            assertThat(remove.getMapVersion()).isGreaterThan(add.getMapVersion());
        }
        assertMovedFrom1To4(acked);

        // Refusals, each answered with the rule it breaks; the map does not change.
        long version = client.currentMap().version();
        assertThat(client.addReplica(9, 1, "voter").getError()).isEqualTo("unknown group: 9");
        assertThat(client.addReplica(GROUP, 9, "voter").getError()).isEqualTo("unknown store: 9");
        assertThat(client.addReplica(GROUP, 2, "voter").getError())
                .isEqualTo("store 2 already hosts a replica of group 1 (voter)");
        assertThat(client.addReplica(GROUP, 1, "witness").getError())
                .startsWith("unknown replica role: witness");
        assertThat(client.removeReplica(GROUP, 1).getError()).isEqualTo("group 1 has no replica on store 1");
        assertThat(client.removeReplica(GROUP, 2).getError())
                .startsWith("group 1 would keep 2 voters, fewer than the replication factor 3");
        // A DOWN store gets no replica.
        cluster.stop(0);
        await().atMost(WAIT).until(() -> client.currentMap().store(1).orElseThrow().state() == StoreState.DOWN);
        assertThat(client.addReplica(GROUP, 1, "learner").getError()).isEqualTo("store 1 is DOWN (expected: UP)");
        assertThat(client.currentMap().findGroup(GROUP).orElseThrow().replicas())
                .extracting(Replica::storeId).containsExactly(2L, 3L, 4L);
        assertThat(client.currentMap().version()).isEqualTo(version + 1); // only the DOWN mark
    }

    @Test
    void aLearnerStaysALearnerAndAnObserverAnObserverAndBothGoAgain() throws Exception {
        startCluster(1);
        try (Writer w = new Writer()) {
            assertThat(client.addReplica(GROUP, 4, "learner").getError()).isEmpty();
        }
        assertThat(client.currentMap().findGroup(GROUP).orElseThrow().replicaOn(4))
                .contains(new Replica(4, ReplicaRole.LEARNER));
        await().atMost(WAIT).until(() -> status(3) != null && status(3).membership().learners().contains(4L)
                && status(3).appliedIndex() >= status(leaderIndex()).commitIndex() - 5);
        // Removing a learner does not count against the replication factor.
        assertThat(client.removeReplica(GROUP, 4).getError()).isEmpty();
        await().atMost(WAIT).until(() -> !stores[3].runtime().groupIds().contains(GROUP)
                && keysInRange(stores[3], GROUP) == 0);
        GroupStatus leader = status(leaderIndex());
        assertThat(leader.membership().learners()).isEmpty();
        assertThat(leader.membership().voters()).containsExactlyInAnyOrder(1L, 2L, 3L);

        // An observer: OBSERVER in the map and in the Raft configuration, and it gets the data.
        assertThat(client.addReplica(GROUP, 4, "observer").getError()).isEmpty();
        assertThat(client.currentMap().findGroup(GROUP).orElseThrow().replicaOn(4))
                .contains(new Replica(4, ReplicaRole.OBSERVER));
        assertThat(status(leaderIndex()).membership().observers()).containsExactly(4L);
        await().atMost(WAIT).until(() -> status(3) != null
                && status(3).appliedIndex() >= status(leaderIndex()).commitIndex() - 5);
        assertThat(exec(3, cmd(GROUP, "GET", "k5").toBuilder().setStaleOk(true).build()).getResp().toStringUtf8())
                .isEqualTo(bulk("vk5"));
        assertThat(client.removeReplica(GROUP, 4).getError()).isEmpty();
        assertThat(status(leaderIndex()).membership().observers()).isEmpty();
    }

    /**
     * The meta leader stops while the new replica is a LEARNER waiting to catch up (its store is
     * stopped, so it cannot): the client repeats the call on the new meta leader, which carries
     * on from the map and the group's Raft configuration once the store is back, and finishes.
     */
    @Test
    void aMetaLeaderChangeInTheMiddleOfAnAddFinishesIt() throws Exception {
        startCluster(3);
        Map<String, String> acked;
        try (Writer w = new Writer()) {
            acked = w.acked;
            // Store 4 stops first (still UP in the map for store.heartbeat.timeout.ms), so its learner
            // cannot catch up: stopping it once the map shows the LEARNER raced the whole catch-up.
            cluster.stop(3);
            java.util.concurrent.CompletableFuture<ReplicaChangeResponse> add =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> client.addReplica(GROUP, 4, "voter"));
            await().atMost(WAIT).until(() -> client.currentMap().findGroup(GROUP).orElseThrow().replicaOn(4)
                    .map(r -> r.role() == ReplicaRole.LEARNER).orElse(false));
            assertThat(add).isNotDone();
            int leader = cluster.metaLeader();
            assertThat(leader).isNotNegative();
            cluster.stopMeta(leader);
            cluster.start(3);
            ReplicaChangeResponse r = add.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(r.getError()).isEmpty();
            assertThat(client.currentMap().findGroup(GROUP).orElseThrow().replicaOn(4)).contains(Replica.voter(4));
            await().atMost(WAIT).until(() -> leaderIndex() >= 0 && status(leaderIndex()) != null
                    && status(leaderIndex()).membership().voters().equals(java.util.Set.of(1L, 2L, 3L, 4L)));
            assertThat(client.removeReplica(GROUP, 1).getError()).isEmpty();
        }
        assertMovedFrom1To4(acked);
    }
}
