package io.cairn.meta.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.StoreState;
import io.cairn.meta.proto.StoreChangeResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * AddStore / RemoveStore against one meta replica whose stores are registrations only (no store
 * process): the calls that need no replica move — waiting for a store to register, removing a
 * store without replicas, repeating a removal — and the refusals. With a move under way (it
 * cannot finish: nobody serves StoreControl), a second store change and a new replica on the
 * store being drained are refused. Moves against real stores: shard-store's StoreChangesTest.
 */
@Timeout(120)
class StoreChangeCallsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path tmp;

  private MetaNode node;
  private MetaClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private static String service(long id) {
    return "127.0.0.1:" + (18000 + id);
  }

  /** One meta replica (no DOWN marking: these stores never heartbeat) and stores 1..n registered. */
  private void start(int bootstrapStores, int groups, int registered) throws Exception {
    MetaConfig c = MetaNodeTest.configs(tmp, 1, "bootstrap.stores", Integer.toString(bootstrapStores),
        "bootstrap.groups", Integer.toString(groups)).get(0);
    node = MetaNode.start(c);
    client = new MetaClient(List.of("127.0.0.1:" + node.servicePort()));
    for (int id = 1; id <= registered; id++) {
      register(id);
    }
    await().atMost(WAIT).until(() -> node.map().groups().size() == groups);
  }

  private void register(long id) {
    assertThat(client.registerStore(id, "127.0.0.1:" + (17000 + id), service(id)).getError()).isEmpty();
  }

  @Test
  void callsThatMoveNothingAndRefusals() throws Exception {
    start(3, 1, 3); // group 1 on stores 1-3
    // add-store waits for the store to register; 1,1,1,0 is even enough: nothing moves.
    CompletableFuture<StoreChangeResponse> add =
        CompletableFuture.supplyAsync(() -> client.addStore(service(4), Duration.ofSeconds(20)));
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !add.isDone()); // it waits for the store
    register(4);
    StoreChangeResponse added = add.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(added.getError()).isEmpty();
    assertThat(added.getStoreId()).isEqualTo(4);
    assertThat(added.getMovesList()).isEmpty();

    // A store without replicas is removed at once; repeating it answers done again.
    StoreChangeResponse removed = client.removeStore(4);
    assertThat(removed.getError()).isEmpty();
    assertThat(removed.getMovesList()).isEmpty();
    assertThat(node.map().store(4).orElseThrow().state()).isEqualTo(StoreState.REMOVED);
    long version = node.map().version();
    assertThat(removed.getMapVersion()).isEqualTo(version);
    StoreChangeResponse again = client.removeStore(4);
    assertThat(again.getError()).isEmpty();
    assertThat(again.getStoreId()).isEqualTo(4);

    // Refusals change nothing.
    assertThat(client.removeStore(1).getError())
        .isEqualTo("cannot remove store 1: group 1 has 3 replicas and only 2 other stores would be left [2, 3]");
    assertThat(client.removeStore(9).getError()).isEqualTo("unknown store: 9");
    assertThat(client.addStore(service(4), Duration.ofMillis(200)).getError()) // a REMOVED store does not count
        .isEqualTo("no store registered with service address " + service(4) + " within 200 ms (is it running"
            + " with meta.address set? registered: 1@" + service(1) + ", 2@" + service(2) + ", 3@" + service(3) + ")");
    assertThat(client.addStore(" ", Duration.ZERO).getError())
        .isEqualTo("no store address given (expected: host:port of its StoreService)");
    assertThat(node.map().version()).isEqualTo(version);
  }

  @Test
  void whileAStoreIsDrainedItTakesNoReplicaAndNoOtherStoreChangeStarts() throws Exception {
    start(4, 2, 4); // group 1 on {1,2,3}, group 2 on {1,2,4}
    assertThat(node.map().findGroup(2).orElseThrow().replicaOn(3)).isEmpty();
    CompletableFuture<StoreChangeResponse> drain = CompletableFuture.supplyAsync(() -> client.removeStore(3));
    // Its first move adds group 1 on store 4 (the only UP store without it): a learner in the map,
    // which waits for a store that is not there.
    await().atMost(WAIT).until(() -> node.map().findGroup(1).orElseThrow().replicaOn(4)
        .equals(java.util.Optional.of(new Replica(4, ReplicaRole.LEARNER))));
    assertThat(node.storeChanges().inProgress()).isTrue(); // the leader balancer waits meanwhile
    assertThat(client.removeStore(2).getError()).isEqualTo("a store change is in progress (remove-store 3)");
    assertThat(client.addReplica(2, 3, "observer").getError())
        .isEqualTo("store 3 is being removed (remove-store): it takes no new replica");
    assertThat(drain).isNotDone();
  }
}
