package io.cairn.meta.server;

import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.meta.proto.LeaderHint;
import io.cairn.meta.proto.StoreControlGrpc;
import io.cairn.meta.proto.StoreTransferLeaderRequest;
import io.cairn.meta.proto.StoreTransferLeaderResponse;
import io.cairn.meta.proto.TransferLeaderResponse;
import io.grpc.stub.StreamObserver;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership transfers run by the meta leader (the MetaService call and the leader balancer):
 * checks a request against the map and the heartbeats, asks the store that leads the group
 * ({@code StoreControl.TransferLeader}, following up to {@value #MAX_HOPS} not-leader answers)
 * and, once the target answers that it leads, records it as the group's leader hint (pushed to
 * the watchers at once, so gateways route to the new leader before its next heartbeat).
 */
final class LeaderTransfers {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderTransfers.class);
  private static final int MAX_HOPS = 3;

  private final MetaNode node;
  private final AtomicInteger inFlight = new AtomicInteger();

  LeaderTransfers(MetaNode node) {
    this.node = node;
  }

  /** Transfers started and not answered yet (the balancer starts one only when none is). */
  int inFlight() {
    return inFlight.get();
  }

  /**
   * Makes {@code storeId} the leader of {@code groupId}. Completes (never exceptionally) with the
   * new leader and its term, or an {@code error} that says why not.
   */
  CompletableFuture<TransferLeaderResponse> transfer(long groupId, long storeId) {
    ShardMap map = node.map();
    String refused = refusal(map, groupId, storeId);
    if (refused != null) {
      return CompletableFuture.completedFuture(error(refused));
    }
    LeaderHint hint = node.reports().hint(groupId);
    if (hint == null) {
      return CompletableFuture.completedFuture(error("group " + groupId
          + " has no known leader (no store reported leading it yet): try again"));
    }
    long timeout = node.config().requestTimeoutMillis();
    inFlight.incrementAndGet();
    CompletableFuture<TransferLeaderResponse> f;
    try {
      f = ask(map, groupId, storeId, hint, timeout, 0);
    } catch (RuntimeException e) {
      f = done(error("asking store " + hint.getStoreId() + " failed: " + e));
    }
    f.whenComplete((r, err) -> inFlight.decrementAndGet());
    return f;
  }

  /** Why the map or the heartbeats rule the transfer out, or null. */
  private String refusal(ShardMap map, long groupId, long storeId) {
    GroupInfo g = map.findGroup(groupId).orElse(null);
    if (g == null) {
      return "unknown group " + groupId;
    }
    StoreInfo s = map.store(storeId).orElse(null);
    if (s == null || s.state() == StoreState.REMOVED) {
      return "unknown store " + storeId;
    }
    Replica r = g.replicaOn(storeId).orElse(null);
    if (r == null || r.role() != ReplicaRole.VOTER) {
      return "store " + storeId + " holds no voter replica of group " + groupId + " (replicas: "
          + g.replicas().stream().map(x -> x.storeId() + ":" + x.role().name().toLowerCase(Locale.ROOT))
              .collect(Collectors.joining(" ")) + ")";
    }
    if (s.state() != StoreState.UP) {
      return "store " + storeId + " is " + s.state();
    }
    if (node.reports().lastSeenNanos(storeId) == null) {
      return "store " + storeId + " has not reported to this meta leader yet: try again";
    }
    return null;
  }

  private CompletableFuture<TransferLeaderResponse> ask(ShardMap map, long groupId, long to, LeaderHint hint,
                                                      long timeout, int hop) {
    return ask(map, groupId, to, hint.getStoreId(), hint.getTerm(), timeout, hop);
  }

  /** Asks {@code leader} ({@code leaderTerm}: its hint's term, 0 = unknown) for the transfer. */
  private CompletableFuture<TransferLeaderResponse> ask(ShardMap map, long groupId, long to, long leader,
                                                      long leaderTerm, long timeout, int hop) {
    if (leader == to) {
      // Already there: the term of the hint that names it, if that is where it came from.
      return CompletableFuture.completedFuture(TransferLeaderResponse.newBuilder().setLeaderStoreId(to)
          .setTerm(leaderTerm).build());
    }
    StoreInfo at = map.store(leader).orElse(null);
    if (at == null) {
      return CompletableFuture.completedFuture(error("group " + groupId + " is led by store " + leader
          + ", which is not in the map"));
    }
    CompletableFuture<StoreTransferLeaderResponse> call = new CompletableFuture<>();
    StoreControlGrpc.newStub(node.storeChannel(at.serviceAddress()))
        .withDeadlineAfter(timeout + 1_000, TimeUnit.MILLISECONDS)
        .transferLeader(StoreTransferLeaderRequest.newBuilder().setGroupId(groupId).setToStore(to)
            .setTimeoutMs(timeout).build(), observer(call));
    return call.handle((r, err) -> {
      if (err != null) {
        return done(error("store " + leader + " (" + at.serviceAddress() + ") did not answer: "
            + MetaNode.unwrap(err).getMessage()));
      }
      switch (r.getOutcomeCase()) {
        case LEADER_ID -> {
          node.watchers().reportsChanged(node.reports().leaderMoved(groupId, r.getLeaderId(), r.getTerm()));
          LOG.info("group {}: leadership moved from store {} to store {} (term {})", groupId, leader,
              r.getLeaderId(), r.getTerm());
          return done(TransferLeaderResponse.newBuilder().setLeaderStoreId(r.getLeaderId()).setTerm(r.getTerm())
              .build());
        }
        case NOT_LEADER -> {
          long hint = r.getNotLeader();
          if (hint == 0 || hint == leader || hop + 1 >= MAX_HOPS) {
            return done(error("group " + groupId + " has no leader at the moment (store " + leader
                + " does not lead it" + (hint == 0 ? "" : ", names store " + hint) + "): try again"));
          }
          return ask(map, groupId, to, hint, 0, timeout, hop + 1);
        }
        default -> {
          return done(error(r.getError().isEmpty() ? "store " + leader + " gave no outcome" : r.getError()));
        }
      }
    }).thenCompose(x -> x);
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> f) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        f.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        f.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        f.completeExceptionally(new IllegalStateException("no answer"));
      }
    };
  }

  private static CompletableFuture<TransferLeaderResponse> done(TransferLeaderResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  private static TransferLeaderResponse error(String message) {
    return TransferLeaderResponse.newBuilder().setError(message).build();
  }
}
