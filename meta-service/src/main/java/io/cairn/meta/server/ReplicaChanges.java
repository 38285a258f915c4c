package io.cairn.meta.server;

import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.MapException;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.meta.proto.ChangeMembershipRequest;
import io.cairn.meta.proto.ChangeMembershipResponse;
import io.cairn.meta.proto.MembershipAction;
import io.cairn.meta.proto.ReplicaChangeResponse;
import io.cairn.meta.proto.StoreControlGrpc;
import io.cairn.raft.runtime.NotLeaderException;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meta leader's replica changes (AddReplica / RemoveReplica, docs/meta-service.md "Replica
 * changes"). Each change is a short procedure run on its own thread; every step is derived from
 * the applied map and the group's Raft configuration (as its leader store answers), never from
 * memory of an earlier step, so the same call repeated on a later meta leader finishes a change
 * an earlier leader began:
 *
 * <ul>
 *   <li>add: map {@code SetReplicaRole(LEARNER | OBSERVER)} (the store creates its replica) →
 *       the group's leader adds it to the Raft configuration → for a voter: wait until the
 *       store reports an applied index at least the leader's commit index when it was added →
 *       the leader promotes it → map {@code SetReplicaRole(VOTER)};</li>
 *   <li>remove: the group's leader removes it from the Raft configuration (handing leadership
 *       to another voter first if it leads) → map {@code RemoveReplica} (the store then
 *       destroys its replica and deletes the group's data).</li>
 * </ul>
 *
 * One change per group at a time on this replica. Not ideal: a change abandoned by its caller
 * (no retry after a meta leader change) stays half done — e.g. a LEARNER in the map — until an
 * operator repeats or reverses it.
 */
final class ReplicaChanges implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaChanges.class);
  /** How far behind the leader's commit index a learner may be when it is promoted. */
  static final long PROMOTE_MAX_LAG = 1000;

  private final MetaNode node;
  private final ExecutorService threads;
  private final Set<Long> busy = ConcurrentHashMap.newKeySet();

  ReplicaChanges(MetaNode node) {
    this.node = node;
    this.threads = Executors.newCachedThreadPool(MetaNode.daemonThreads("meta-replicas-" + node.config().nodeId()));
  }

  /** Refusal of a change before anything is done; the message is the answer's {@code error}. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  CompletableFuture<ReplicaChangeResponse> add(long group, long store, String roleName) {
    ReplicaRole role;
    try {
      role = parseRole(roleName);
    } catch (Refused e) {
      return CompletableFuture.completedFuture(refusal(e.getMessage()));
    }
    return run(group, () -> addNow(group, store, role));
  }

  CompletableFuture<ReplicaChangeResponse> remove(long group, long store) {
    return run(group, () -> removeNow(group, store));
  }

  static ReplicaRole parseRole(String name) {
    return switch (name.isEmpty() ? "voter" : name.toLowerCase(Locale.ROOT)) {
      case "voter" -> ReplicaRole.VOTER;
      case "learner" -> ReplicaRole.LEARNER;
      case "observer" -> ReplicaRole.OBSERVER;
      default -> throw new Refused("unknown replica role: " + name + " (expected: voter, learner or observer)");
    };
  }

  private interface Procedure {
    ShardMap run() throws Exception;
  }

  private CompletableFuture<ReplicaChangeResponse> run(long group, Procedure p) {
    if (!busy.add(group)) {
      return CompletableFuture.completedFuture(refusal("a replica change of group " + group + " is in progress"));
    }
    CompletableFuture<ReplicaChangeResponse> f = new CompletableFuture<>();
    try {
      threads.execute(() -> {
        ReplicaChangeResponse answer = null;
        Throwable failure = null;
        try {
          answer = ReplicaChangeResponse.newBuilder().setMapVersion(p.run().version()).build();
        } catch (Throwable t) {
          Throwable e = MetaNode.unwrap(t);
          if (e instanceof Refused || e instanceof MapException) {
            answer = refusal(e.getMessage());
          } else {
            LOG.info("replica change of group {} interrupted: {}", group, e.toString());
            failure = e; // UNAVAILABLE: the client repeats it (maybe on a new leader)
          }
        }
        busy.remove(group); // before answering: the caller's next change of the group may follow at once
        if (failure != null) {
          f.completeExceptionally(failure);
        } else {
          f.complete(answer);
        }
      });
    } catch (RuntimeException e) {
      busy.remove(group);
      f.completeExceptionally(e);
    }
    return f;
  }

  private ReplicaChangeResponse refusal(String why) {
    return ReplicaChangeResponse.newBuilder().setError(why).setMapVersion(node.map().version()).build();
  }

  private ShardMap addNow(long group, long store, ReplicaRole role) throws Exception {
    long deadline = System.nanoTime() + MetaClient.REPLICA_CHANGE_TIMEOUT.toNanos();
    ShardMap m = node.map();
    GroupInfo g = groupOf(m, group);
    StoreInfo s = storeOf(m, store);
    Replica r = g.replicaOn(store).orElse(null);
    if (r == null) {
      if (s.state() != StoreState.UP) {
        throw new Refused("store " + store + " is " + s.state() + " (expected: UP)");
      }
      if (node.storeChanges().isDraining(store)) {
        throw new Refused("store " + store + " is being removed (remove-store): it takes no new replica");
      }
      ReplicaRole first = role == ReplicaRole.OBSERVER ? ReplicaRole.OBSERVER : ReplicaRole.LEARNER;
      m = node.propose(new MapCommand.SetReplicaRole(group, store, first)).join();
      LOG.info("group {}: {} added on store {} in the map (version {})", group, first, store, m.version());
    } else if (r.role() == role || !(r.role() == ReplicaRole.LEARNER && role == ReplicaRole.VOTER)) {
      throw new Refused("store " + store + " already hosts a replica of group " + group + " ("
          + r.role().name().toLowerCase(Locale.ROOT) + ")");
    }
    // else: a LEARNER on its way to VOTER, an earlier call's unfinished change: carry on.
    MembershipAction action = role == ReplicaRole.OBSERVER ? MembershipAction.ADD_OBSERVER
        : MembershipAction.ADD_LEARNER;
    ChangeMembershipResponse added = changeMembership(group, store, action, deadline);
    if (role != ReplicaRole.VOTER) {
      return m;
    }
    long target = added.getCommitIndex();
    while (true) {
      long applied = node.reports().appliedIndex(store, group);
      ChangeMembershipResponse now = changeMembership(group, store, action, deadline); // still there, leader's commit
      if (applied >= target && applied + PROMOTE_MAX_LAG >= now.getCommitIndex()) {
        break;
      }
      checkDeadline(deadline, "store " + store + " to catch up with group " + group + " (applied " + applied
          + ", leader's commit " + now.getCommitIndex() + ")");
      Thread.sleep(100);
    }
    changeMembership(group, store, MembershipAction.ADD_VOTER, deadline);
    m = node.map();
    Replica now = groupOf(m, group).replicaOn(store).orElse(null);
    if (now == null || now.role() != ReplicaRole.VOTER) {
      m = node.propose(new MapCommand.SetReplicaRole(group, store, ReplicaRole.VOTER)).join();
    }
    LOG.info("group {}: store {} is a voter (map version {})", group, store, m.version());
    return m;
  }

  private ShardMap removeNow(long group, long store) throws Exception {
    long deadline = System.nanoTime() + MetaClient.REPLICA_CHANGE_TIMEOUT.toNanos();
    ShardMap m = node.map();
    GroupInfo g = groupOf(m, group);
    Replica r = g.replicaOn(store).orElseThrow(() -> new Refused(
        "group " + group + " has no replica on store " + store));
    if (r.role() == ReplicaRole.VOTER) {
      long voters = g.voterCount();
      if (voters == 1) {
        throw new Refused("cannot remove the last voter of group " + group + " (store " + store + ")");
      }
      int rf = node.config().replicationFactor();
      if (voters - 1 < rf) {
        throw new Refused("group " + group + " would keep " + (voters - 1) + " voters, fewer than the replication"
            + " factor " + rf + " (add a replica first, or move it: move-replica)");
      }
    }
    changeMembership(group, store, MembershipAction.REMOVE, deadline);
    m = node.map();
    if (groupOf(m, group).replicaOn(store).isPresent()) {
      m = node.propose(new MapCommand.RemoveReplica(group, store)).join();
    }
    LOG.info("group {}: replica on store {} removed (map version {})", group, store, m.version());
    return m;
  }

  /**
   * Asks the group's leader store to make the change, following its hints, until it is done.
   * Fails with {@link NotLeaderException} once this replica no longer leads the meta group (the
   * caller repeats the call on the new leader) and with a timeout at {@code deadline}.
   */
  private ChangeMembershipResponse changeMembership(long group, long store, MembershipAction action, long deadline)
      throws Exception {
    ChangeMembershipRequest req = ChangeMembershipRequest.newBuilder().setGroupId(group).setStoreId(store)
        .setAction(action).build();
    long target = node.reports().leaderByGroup().getOrDefault(group, 0L);
    int tried = 0;
    String last = "no answer yet";
    while (true) {
      if (!node.isLeader()) {
        throw new NotLeaderException(MetaNode.GROUP, node.leaderId());
      }
      ShardMap m = node.map();
      List<Replica> replicas = groupOf(m, group).replicas();
      if (target == 0 || m.store(target).isEmpty()) {
        target = replicas.get(tried % replicas.size()).storeId();
      }
      StoreInfo s = m.store(target).orElseThrow();
      try {
        ChangeMembershipResponse r = StoreControlGrpc.newBlockingStub(node.storeChannel(s.serviceAddress()))
            .withDeadlineAfter(5, TimeUnit.SECONDS).changeMembership(req);
        if (r.getDone()) {
          return r;
        }
        if (!r.getError().isEmpty()) {
          last = "store " + target + ": " + r.getError();
        } else {
          last = "store " + target + " does not lead group " + group + " (hint: " + r.getLeaderId() + ")";
          long hint = r.getLeaderId();
          target = hint != target ? hint : 0;
          if (hint != 0 && hint != s.id()) {
            continue; // straight to the leader named
          }
        }
      } catch (StatusRuntimeException e) {
        last = "store " + target + ": " + e.getStatus();
        target = 0;
      }
      tried++;
      checkDeadline(deadline, action + " of store " + store + " in group " + group + " (last: " + last + ")");
      Thread.sleep(Math.min(500, 50L * tried));
    }
  }

  private static void checkDeadline(long deadline, String waitingFor) throws TimeoutException {
    if (System.nanoTime() > deadline) {
      throw new TimeoutException("gave up waiting for " + waitingFor);
    }
  }

  private static GroupInfo groupOf(ShardMap m, long group) {
    return m.findGroup(group).orElseThrow(() -> new Refused("unknown group: " + group));
  }

  private static StoreInfo storeOf(ShardMap m, long store) {
    StoreInfo s = m.store(store).orElseThrow(() -> new Refused("unknown store: " + store));
    if (s.state() == StoreState.REMOVED) {
      throw new Refused("store " + store + " is REMOVED");
    }
    return s;
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
