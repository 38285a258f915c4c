package io.cairn.meta.server;

import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.MapException;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.meta.proto.ReplicaChangeResponse;
import io.cairn.meta.proto.ReplicaMove;
import io.cairn.meta.proto.StoreChangeResponse;
import io.cairn.raft.runtime.NotLeaderException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meta leader's store changes (AddStore / RemoveStore, docs/meta-service.md "Store changes"):
 * a store taken into use gets replicas from the stores with the most, a store drained gives each
 * of its replicas to another store before it is marked REMOVED. The moves are planned by
 * {@link ReplicaPlacement} from the applied map, one at a time, and made by
 * {@link ReplicaChanges} (add, then remove), so a change repeated on a later meta leader carries
 * on from the map and the groups' Raft configurations.
 *
 * <p>One store change at a time on this replica; the same call repeated while it runs (a client
 * whose connection broke) waits for the running one. While one runs, the store being drained
 * gets no new replica ({@link #draining}) and the leader balancer stands still.
 */
final class StoreChanges implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StoreChanges.class);
  /** How long AddStore waits for the store to register and be UP when the call names no wait. */
  static final long DEFAULT_WAIT_MS = 30_000;

  private final MetaNode node;
  private final ExecutorService thread;
  private String runningKey;
  private CompletableFuture<StoreChangeResponse> running;
  /** The store being drained by the running RemoveStore; 0 = none. */
  private volatile long draining;

  StoreChanges(MetaNode node) {
    this.node = node;
    this.thread = Executors.newSingleThreadExecutor(MetaNode.daemonThreads("meta-stores-" + node.config().nodeId()));
  }

  /** Whether a store change runs on this replica (the leader balancer waits meanwhile). */
  synchronized boolean inProgress() {
    return running != null;
  }

  /** Whether {@code store} is being drained: it must not get new replicas. */
  boolean isDraining(long store) {
    return store != 0 && draining == store;
  }

  /** The stores being drained (none or one): new groups are not placed there. */
  Set<Long> drainingStores() {
    long d = draining;
    return d == 0 ? Set.of() : Set.of(d);
  }

  CompletableFuture<StoreChangeResponse> addStore(String serviceAddress, long waitMs) {
    if (serviceAddress.isBlank()) {
      return CompletableFuture.completedFuture(refusal("no store address given (expected: host:port of its StoreService)",
          List.of()));
    }
    long wait = waitMs == 0 ? DEFAULT_WAIT_MS : waitMs;
    return run("add-store " + serviceAddress, moves -> addNow(serviceAddress, wait, moves));
  }

  CompletableFuture<StoreChangeResponse> removeStore(long store) {
    return run("remove-store " + store, moves -> removeNow(store, moves));
  }

  private interface Procedure {
    /** Runs the change, appending each move made to {@code moves}; answers the store's id. */
    long run(List<ReplicaMove> moves) throws Exception;
  }

  private synchronized CompletableFuture<StoreChangeResponse> run(String key, Procedure p) {
    if (running != null) {
      if (runningKey.equals(key)) {
        return running; // the same call again (its client lost the first answer): the same outcome
      }
      return CompletableFuture.completedFuture(refusal("a store change is in progress (" + runningKey + ")",
          List.of()));
    }
    CompletableFuture<StoreChangeResponse> f = new CompletableFuture<>();
    runningKey = key;
    running = f;
    try {
      thread.execute(() -> {
        List<ReplicaMove> moves = new ArrayList<>();
        StoreChangeResponse answer = null;
        Throwable failure = null;
        try {
          long store = p.run(moves);
          answer = StoreChangeResponse.newBuilder().setStoreId(store).addAllMoves(moves)
              .setMapVersion(node.map().version()).build();
        } catch (Throwable t) {
          Throwable e = MetaNode.unwrap(t);
          if (e instanceof ReplicaChanges.Refused || e instanceof MapException) {
            answer = refusal(e.getMessage(), moves);
          } else {
            LOG.info("{} interrupted after {} moves: {}", key, moves.size(), e.toString());
            failure = e; // UNAVAILABLE: the client repeats it (maybe on a new leader), which carries on
          }
        } finally {
          draining = 0;
          done();
        }
        if (failure != null) {
          f.completeExceptionally(failure);
        } else {
          f.complete(answer);
        }
      });
    } catch (RuntimeException e) {
      done();
      f.completeExceptionally(e);
    }
    return f;
  }

  private synchronized void done() {
    running = null;
    runningKey = null;
  }

  private StoreChangeResponse refusal(String why, List<ReplicaMove> moves) {
    return StoreChangeResponse.newBuilder().setError(why).addAllMoves(moves).setMapVersion(node.map().version())
        .build();
  }

  private long addNow(String serviceAddress, long waitMs, List<ReplicaMove> moves) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
    StoreInfo s;
    while (true) {
      checkLeader();
      s = registered(node.map(), serviceAddress).orElse(null);
      if (s != null && s.state() == StoreState.UP) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new ReplicaChanges.Refused(s != null
            ? "store " + s.id() + " (" + serviceAddress + ") is " + s.state() + " (expected: UP within " + waitMs + " ms)"
            : "no store registered with service address " + serviceAddress + " within " + waitMs
                + " ms (is it running with meta.address set? registered: " + addresses(node.map()) + ")");
      }
      Thread.sleep(50);
    }
    LOG.info("add-store: store {} ({}) is UP, spreading replicas", s.id(), serviceAddress);
    ReplicaPlacement.Move last = null;
    while (true) {
      checkLeader();
      Optional<ReplicaPlacement.Move> next = ReplicaPlacement.nextSpreadMove(node.map());
      if (next.isEmpty()) {
        break;
      }
      if (next.get().equals(last)) {
        throw new ReplicaChanges.Refused("the move of group " + last.groupId() + " from store " + last.from()
            + " to store " + last.to() + " made no progress");
      }
      last = next.get();
      move(last, moves);
    }
    LOG.info("add-store: store {} added, {} replicas moved", s.id(), moves.size());
    return s.id();
  }

  private long removeNow(long store, List<ReplicaMove> moves) throws Exception {
    checkLeader();
    ShardMap m = node.map();
    StoreInfo s = m.store(store).orElseThrow(() -> new ReplicaChanges.Refused("unknown store: " + store));
    if (s.state() == StoreState.REMOVED) {
      return store; // an earlier call finished it
    }
    int rf = node.config().replicationFactor();
    String refused = ReplicaPlacement.removalRefusal(m, store, rf);
    if (refused != null) {
      throw new ReplicaChanges.Refused(refused);
    }
    draining = store;
    LOG.info("remove-store: draining store {}", store);
    ReplicaPlacement.Move last = null;
    while (true) {
      checkLeader();
      Optional<ReplicaPlacement.Move> next = ReplicaPlacement.nextDrainMove(node.map(), store, rf);
      if (next.isEmpty()) {
        break;
      }
      if (next.get().equals(last)) {
        throw new ReplicaChanges.Refused("the move of group " + last.groupId() + " from store " + store
            + " made no progress");
      }
      last = next.get();
      move(last, moves);
    }
    if (node.map().store(store).orElseThrow().state() != StoreState.REMOVED) {
      ShardMap after = node.propose(new MapCommand.RemoveStore(store)).join();
      LOG.info("remove-store: store {} REMOVED after {} moves (map version {})", store, moves.size(), after.version());
    }
    return store;
  }

  /** Adds the replica on the target (unless only a removal), then removes the one on the source. */
  private void move(ReplicaPlacement.Move mv, List<ReplicaMove> moves) throws Exception {
    String role = mv.role().name().toLowerCase(Locale.ROOT);
    if (mv.to() != 0) {
      checked(mv, node.replicaChanges().add(mv.groupId(), mv.to(), role).get());
    }
    checked(mv, node.replicaChanges().remove(mv.groupId(), mv.from()).get());
    moves.add(ReplicaMove.newBuilder().setGroupId(mv.groupId()).setFromStore(mv.from()).setToStore(mv.to())
        .setRole(role).build());
    LOG.info("group {}: {} replica moved from store {} to store {}", mv.groupId(), role, mv.from(), mv.to());
  }

  private static void checked(ReplicaPlacement.Move mv, ReplicaChangeResponse r) {
    if (!r.getError().isEmpty()) {
      throw new ReplicaChanges.Refused("moving the replica of group " + mv.groupId() + " from store " + mv.from()
          + (mv.to() == 0 ? "" : " to store " + mv.to()) + ": " + r.getError());
    }
  }

  private void checkLeader() {
    if (!node.isLeader()) {
      throw new NotLeaderException(MetaNode.GROUP, node.leaderId());
    }
  }

  private static Optional<StoreInfo> registered(ShardMap m, String serviceAddress) {
    return m.stores().stream()
        .filter(s -> s.state() != StoreState.REMOVED && s.serviceAddress().equals(serviceAddress)).findFirst();
  }

  private static String addresses(ShardMap m) {
    List<String> list = new ArrayList<>();
    for (StoreInfo s : m.stores()) {
      if (s.state() != StoreState.REMOVED) {
        list.add(s.id() + "@" + s.serviceAddress());
      }
    }
    return list.isEmpty() ? "none" : String.join(", ", list);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
