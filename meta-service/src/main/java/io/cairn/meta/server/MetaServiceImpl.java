package io.cairn.meta.server;

import com.google.protobuf.UnsafeByteOperations;
import io.cairn.meta.admin.MapTables;
import io.cairn.meta.map.MapException;
import io.cairn.meta.map.MapHistory;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.ShardMapCodec;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.meta.map.MapCommand;
import io.cairn.meta.proto.AddReplicaRequest;
import io.cairn.meta.proto.AddStoreRequest;
import io.cairn.meta.proto.RemoveStoreRequest;
import io.cairn.meta.proto.StoreChangeResponse;
import io.cairn.meta.proto.GetMapRequest;
import io.cairn.meta.proto.GetMapResponse;
import io.cairn.meta.proto.GroupSize;
import io.cairn.meta.proto.HeartbeatRequest;
import io.cairn.meta.proto.HeartbeatResponse;
import io.cairn.meta.proto.HistoryEntry;
import io.cairn.meta.proto.HistoryRequest;
import io.cairn.meta.proto.HistoryResponse;
import io.cairn.meta.proto.MapUpdate;
import io.cairn.meta.proto.MetaReplica;
import io.cairn.meta.proto.MetaServiceGrpc;
import io.cairn.meta.proto.MetaStatusRequest;
import io.cairn.meta.proto.MetaStatusResponse;
import io.cairn.meta.proto.RegisterStoreRequest;
import io.cairn.meta.proto.RegisterStoreResponse;
import io.cairn.meta.proto.TransferLeaderRequest;
import io.cairn.meta.proto.TransferLeaderResponse;
import io.cairn.meta.proto.RemoveReplicaRequest;
import io.cairn.meta.proto.ReplicaChangeResponse;
import io.cairn.meta.proto.WatchMapRequest;
import io.cairn.meta.proto.AbortMigrationRequest;
import io.cairn.meta.proto.JoinGroupRequest;
import io.cairn.meta.proto.LeaveGroupRequest;
import io.cairn.meta.proto.MigrationsRequest;
import io.cairn.meta.proto.MoveSlotsRequest;
import io.cairn.meta.proto.RebalanceRequest;
import io.cairn.meta.proto.SlotMoveResponse;
import io.cairn.raft.runtime.NotLeaderException;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MetaService of one meta replica (meta_service.proto). Leader-only calls (RegisterStore,
 * Heartbeat, Status, TransferLeader, the replica and store changes) answer {@code redirect} on other replicas; GetMap, WatchMap and History are
 * answered by any replica from its applied state (GetMap of the current map linearizably on the
 * leader). Calls do not block gRPC threads on Raft: they complete from futures. A transient
 * failure (timeout, leadership lost mid-call) fails the call with UNAVAILABLE, so the client
 * retries elsewhere.
 */
final class MetaServiceImpl extends MetaServiceGrpc.MetaServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(MetaServiceImpl.class);

  private final MetaNode node;

  MetaServiceImpl(MetaNode node) {
    this.node = node;
  }

  @Override
  public void registerStore(RegisterStoreRequest req, StreamObserver<RegisterStoreResponse> out) {
    if (!node.isLeader()) {
      reply(out, RegisterStoreResponse.newBuilder().setRedirect(node.redirect()).build());
      return;
    }
    if (req.getStoreId() <= 0 || req.getRaftAddress().isBlank() || req.getServiceAddress().isBlank()) {
      reply(out, RegisterStoreResponse.newBuilder().setError("invalid registration: store id " + req.getStoreId()
          + ", raft '" + req.getRaftAddress() + "', service '" + req.getServiceAddress()
          + "' (expected: id > 0 and both addresses)").build());
      return;
    }
    RegisterStoreResponse known = registered(node.map(), req);
    if (known != null) {
      reply(out, known); // a DOWN store registering again is marked UP by the liveness check
      return;
    }
    StoreInfo s = new StoreInfo(req.getStoreId(), req.getRaftAddress(), req.getServiceAddress(), StoreState.UP);
    // Alive from now, before the map has it: the liveness check counts a store never heard from
    // as silent since this replica began to lead, so between the AddStore's apply and this
    // call's completion it could mark the new store DOWN at once (seen in CI: add-store then
    // refused to move a replica onto "store 4 is DOWN").
    node.reports().touch(s.id(), System.nanoTime());
    answer(out, node.propose(new MapCommand.AddStore(s)).handle((m, err) -> {
      if (err == null) {
        LOG.info("store {} registered (raft {}, service {}): map version {}", s.id(), s.raftAddress(),
            s.serviceAddress(), m.version());
        return RegisterStoreResponse.newBuilder().setMapVersion(m.version()).build();
      }
      Throwable e = MetaNode.unwrap(err);
      if (e instanceof MapException refused) {
        // A concurrent registration of the same store may have won: same addresses = success.
        RegisterStoreResponse now = registered(node.map(), req);
        return now != null ? now : RegisterStoreResponse.newBuilder().setError(refused.getMessage()).build();
      }
      if (e instanceof NotLeaderException) {
        return RegisterStoreResponse.newBuilder().setRedirect(node.redirect()).build();
      }
      throw new java.util.concurrent.CompletionException(e);
    }));
  }

  /** The answer for a store the map already has, or null when it does not have it. */
  private RegisterStoreResponse registered(ShardMap m, RegisterStoreRequest req) {
    StoreInfo s = m.store(req.getStoreId()).orElse(null);
    if (s == null) {
      return null;
    }
    if (s.state() == StoreState.REMOVED) {
      return RegisterStoreResponse.newBuilder().setError("store " + s.id()
          + " was removed; store ids are never reused (give the node a new node.id)").build();
    }
    if (!s.raftAddress().equals(req.getRaftAddress()) || !s.serviceAddress().equals(req.getServiceAddress())) {
      return RegisterStoreResponse.newBuilder().setError("store " + s.id() + " is registered with raft "
          + s.raftAddress() + ", service " + s.serviceAddress() + " (asked: raft " + req.getRaftAddress()
          + ", service " + req.getServiceAddress() + ")").build();
    }
    node.reports().touch(s.id(), System.nanoTime());
    return RegisterStoreResponse.newBuilder().setMapVersion(m.version()).build();
  }

  @Override
  public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> out) {
    if (!node.isLeader()) {
      reply(out, HeartbeatResponse.newBuilder().setRedirect(node.redirect()).build());
      return;
    }
    ShardMap m = node.map();
    StoreInfo s = m.store(req.getStoreId()).orElse(null);
    if (s == null || s.state() == StoreState.REMOVED) {
      reply(out, HeartbeatResponse.newBuilder().setMapVersion(m.version())
          .setError((s == null ? "unknown store " : "removed store ") + req.getStoreId() + ": register first")
          .build());
      return;
    }
    node.watchers().reportsChanged(node.reports().record(req, System.nanoTime(), m.groupIds()));
    reply(out, HeartbeatResponse.newBuilder().setMapVersion(m.version()).build());
  }

  @Override
  public void getMap(GetMapRequest req, StreamObserver<GetMapResponse> out) {
    if (req.getVersion() != 0) {
      GetMapResponse.Builder b = GetMapResponse.newBuilder();
      try {
        ShardMap m = node.state().at(req.getVersion());
        b.setMap(UnsafeByteOperations.unsafeWrap(ShardMapCodec.encode(m))).setVersion(m.version());
      } catch (MapException e) {
        b.setError(e.getMessage()).setVersion(node.map().version());
      }
      reply(out, b.addAllLeaders(node.reports().hints()).build());
      return;
    }
    CompletableFuture<Long> barrier = node.isLeader() ? node.readBarrier() : CompletableFuture.completedFuture(0L);
    answer(out, barrier.handle((index, err) -> {
      // A failed barrier (leadership just moved) still answers this replica's applied map.
      ShardMap m = node.map();
      return GetMapResponse.newBuilder().setMap(UnsafeByteOperations.unsafeWrap(ShardMapCodec.encode(m)))
          .setVersion(m.version()).addAllLeaders(node.reports().hints()).build();
    }));
  }

  @Override
  public void watchMap(WatchMapRequest req, StreamObserver<MapUpdate> out) {
    node.watchers().add((ServerCallStreamObserver<MapUpdate>) out, req.getKnownVersion());
  }

  @Override
  public void history(HistoryRequest req, StreamObserver<HistoryResponse> out) {
    HistoryResponse.Builder b = HistoryResponse.newBuilder();
    for (MapHistory.Entry e : node.state().history()) {
      String change = e.command() != null ? MapTables.describe(e.command())
          : e.version() == 0 ? "empty map" : "base (older changes no longer kept)";
      b.addEntries(HistoryEntry.newBuilder().setVersion(e.version()).setChange(change));
    }
    reply(out, b.build());
  }

  @Override
  public void status(MetaStatusRequest req, StreamObserver<MetaStatusResponse> out) {
    if (!node.isLeader()) {
      reply(out, MetaStatusResponse.newBuilder().setRedirect(node.redirect()).build());
      return;
    }
    answer(out, node.raftStatus().thenApply(st -> {
      ShardMap m = node.map();
      MetaStatusResponse.Builder b = MetaStatusResponse.newBuilder().setTerm(st.term())
          .setMap(UnsafeByteOperations.unsafeWrap(ShardMapCodec.encode(m))).setVersion(m.version())
          .addAllLeaders(node.reports().hints());
      for (MetaConfig.Peer p : node.config().peers().values()) {
        b.addReplicas(MetaReplica.newBuilder().setId(p.id()).setAddress(p.serviceAddress())
            .setLeader(p.id() == st.leader()));
      }
      List<Long> ids = new ArrayList<>();
      m.stores().forEach(s -> ids.add(s.id()));
      b.addAllStores(node.reports().reports(ids, System.nanoTime()));
      for (GroupSize size : node.reports().sizes()) {
        if (m.findGroup(size.getGroupId()).isPresent()) {
          b.addSizes(size);
        }
      }
      return b.build();
    }));
  }

  @Override
  public void transferLeader(TransferLeaderRequest req, StreamObserver<TransferLeaderResponse> out) {
    if (!node.isLeader()) {
      reply(out, TransferLeaderResponse.newBuilder().setRedirect(node.redirect()).build());
      return;
    }
    answer(out, node.transfers().transfer(req.getGroupId(), req.getStoreId()));
  }

  @Override
  public void addReplica(AddReplicaRequest req, StreamObserver<ReplicaChangeResponse> out) {
    if (!node.isLeader()) {
      reply(out, ReplicaChangeResponse.newBuilder().setRedirect(node.redirect()).build());
      return;
    }
    answer(out, node.replicaChanges().add(req.getGroupId(), req.getStoreId(), req.getRole()));
  }

  @Override
  public void removeReplica(RemoveReplicaRequest req, StreamObserver<ReplicaChangeResponse> out) {
    if (!node.isLeader()) {
      reply(out, ReplicaChangeResponse.newBuilder().setRedirect(node.redirect()).build());
      return;
    }
    answer(out, node.replicaChanges().remove(req.getGroupId(), req.getStoreId()));
  }

  @Override
  public void moveSlots(MoveSlotsRequest req, StreamObserver<SlotMoveResponse> out) {
    if (redirected(out)) {
      return;
    }
    answer(out, node.migrations().moveSlots(req.getSlots(), req.getTargetGroup(), req.getWait()));
  }

  @Override
  public void migrations(MigrationsRequest req, StreamObserver<SlotMoveResponse> out) {
    if (redirected(out)) {
      return;
    }
    reply(out, node.migrations().migrations());
  }

  @Override
  public void abortMigration(AbortMigrationRequest req, StreamObserver<SlotMoveResponse> out) {
    if (redirected(out)) {
      return;
    }
    answer(out, node.migrations().abort(req.getMigrationId()));
  }

  @Override
  public void rebalance(RebalanceRequest req, StreamObserver<SlotMoveResponse> out) {
    if (redirected(out)) {
      return;
    }
    answer(out, node.migrations().rebalance(req.getWait()));
  }

  @Override
  public void joinGroup(JoinGroupRequest req, StreamObserver<SlotMoveResponse> out) {
    if (redirected(out)) {
      return;
    }
    answer(out, node.migrations().join(req.getGroupId(), req.getReplicas(), req.getWait()));
  }

  @Override
  public void leaveGroup(LeaveGroupRequest req, StreamObserver<SlotMoveResponse> out) {
    if (redirected(out)) {
      return;
    }
    answer(out, node.migrations().leave(req.getGroupId(), req.getWait()));
  }

  /** Answers a redirect to the leader when this replica does not lead (slot migration calls). */
  private boolean redirected(StreamObserver<SlotMoveResponse> out) {
    if (node.isLeader()) {
      return false;
    }
    reply(out, SlotMoveResponse.newBuilder().setRedirect(node.redirect()).build());
    return true;
  }

  @Override
  public void addStore(AddStoreRequest req, StreamObserver<StoreChangeResponse> out) {
    if (!node.isLeader()) {
      reply(out, StoreChangeResponse.newBuilder().setRedirect(node.redirect()).build());
      return;
    }
    answer(out, node.storeChanges().addStore(req.getServiceAddress().trim(), req.getWaitMs()));
  }

  @Override
  public void removeStore(RemoveStoreRequest req, StreamObserver<StoreChangeResponse> out) {
    if (!node.isLeader()) {
      reply(out, StoreChangeResponse.newBuilder().setRedirect(node.redirect()).build());
      return;
    }
    answer(out, node.storeChanges().removeStore(req.getStoreId()));
  }

  private static <T> void reply(StreamObserver<T> out, T value) {
    try {
      out.onNext(value);
      out.onCompleted();
    } catch (RuntimeException e) {
      LOG.debug("response dropped: {}", e.toString());
    }
  }

  /** Completes the call from a future; a failure becomes UNAVAILABLE (retry, maybe elsewhere). */
  private static <T> void answer(StreamObserver<T> out, CompletableFuture<T> f) {
    f.whenComplete((v, err) -> {
      if (err == null) {
        reply(out, v);
        return;
      }
      Throwable e = MetaNode.unwrap(err);
      String why = e instanceof TimeoutException ? "timed out" : e.toString();
      try {
        out.onError(Status.UNAVAILABLE.withDescription("meta: " + why).asRuntimeException());
      } catch (RuntimeException dropped) {
        LOG.debug("error response dropped: {}", dropped.toString());
      }
    });
  }
}
