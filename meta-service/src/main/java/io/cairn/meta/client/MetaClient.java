package io.cairn.meta.client;

import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.ShardMapCodec;
import io.cairn.meta.proto.GetMapRequest;
import io.cairn.meta.proto.GetMapResponse;
import io.cairn.meta.proto.HeartbeatRequest;
import io.cairn.meta.proto.HeartbeatResponse;
import io.cairn.meta.proto.HistoryRequest;
import io.cairn.meta.proto.HistoryResponse;
import io.cairn.meta.proto.MetaServiceGrpc;
import io.cairn.meta.proto.MetaStatusRequest;
import io.cairn.meta.proto.MetaStatusResponse;
import io.cairn.meta.proto.Redirect;
import io.cairn.meta.proto.RegisterStoreRequest;
import io.cairn.meta.proto.RegisterStoreResponse;
import io.cairn.meta.proto.TransferLeaderRequest;
import io.cairn.meta.proto.TransferLeaderResponse;
import io.cairn.raft.transport.GrpcChannels;
import io.cairn.meta.proto.AddReplicaRequest;
import io.cairn.meta.proto.RemoveReplicaRequest;
import io.cairn.meta.proto.ReplicaChangeResponse;
import io.cairn.meta.proto.AbortMigrationRequest;
import io.cairn.meta.proto.JoinGroupRequest;
import io.cairn.meta.proto.LeaveGroupRequest;
import io.cairn.meta.proto.MigrationsRequest;
import io.cairn.meta.proto.MoveSlotsRequest;
import io.cairn.meta.proto.RebalanceRequest;
import io.cairn.meta.proto.SlotMoveResponse;
import io.cairn.meta.proto.AddStoreRequest;
import io.cairn.meta.proto.RemoveStoreRequest;
import io.cairn.meta.proto.StoreChangeResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Blocking calls to the meta service, given the MetaService addresses of its replicas
 * ({@code host:port}). Each call:
 *
 * <ul>
 *   <li>starts at the replica that answered last (or was named leader in a redirect);</li>
 *   <li>follows {@code redirect}s to the leader;</li>
 *   <li>on a replica that is down or slow (UNAVAILABLE, DEADLINE_EXCEEDED after
 *       {@code callTimeout}) tries the next one, sleeping {@code backoffMin} doubling up to
 *       {@code backoffMax} after each full round;</li>
 *   <li>gives up after {@code totalTimeout} with {@link MetaUnavailableException}.</li>
 * </ul>
 *
 * Answers that carry an {@code error} (a refused registration, an unknown version) are returned
 * as they are: they are the meta service's answer, not a failure to reach it. Thread-safe; one
 * gRPC channel per address, kept until {@link #close}.
 */
public final class MetaClient implements AutoCloseable {
  /** gRPC's default limit, which these channels always had. */
  private static final int DEFAULT_MAX_INBOUND_BYTES = 4 << 20;

  /**
   * Timeouts and backoff of the calls. {@code keepAliveTime} / {@code keepAliveTimeout}: while
   * calls are out on a connection (a map watch always is), it is pinged after that long without
   * reads and counts as dead when a ping goes unanswered that long, so a watch on a replica whose
   * machine vanished without closing the connection fails and moves on instead of waiting for
   * ever. gRPC raises a time under 10 s to 10 s; meta replicas accept pings every 5 s.
   */
  public record Options(Duration callTimeout, Duration totalTimeout, Duration backoffMin, Duration backoffMax,
      Duration keepAliveTime, Duration keepAliveTimeout) {
    public static Options defaults() {
      return new Options(Duration.ofSeconds(3), Duration.ofSeconds(15), Duration.ofMillis(20),
          Duration.ofMillis(1000), Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    public Options withTotalTimeout(Duration d) {
      return new Options(callTimeout, d, backoffMin, backoffMax, keepAliveTime, keepAliveTimeout);
    }

    public Options withCallTimeout(Duration d) {
      return new Options(d, totalTimeout, backoffMin, backoffMax, keepAliveTime, keepAliveTimeout);
    }

    public Options withKeepAlive(Duration time, Duration timeout) {
      return new Options(callTimeout, totalTimeout, backoffMin, backoffMax, time, timeout);
    }
  }

  private final List<String> addresses;
  private final Options options;
  /** Longest one AddReplica / RemoveReplica call may take (the meta leader gives up at this too). */
  public static final Duration REPLICA_CHANGE_TIMEOUT = Duration.ofMinutes(2);
  /** Longest one waiting slot-migration call (move, rebalance, join, leave with wait; abort) may take. */
  public static final Duration MIGRATION_TIMEOUT = Duration.ofMinutes(30);
  /** Longest one AddStore / RemoveStore call may take: it makes one replica change after another. */
  public static final Duration STORE_CHANGE_TIMEOUT = Duration.ofMinutes(30);

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile String preferred;
  private volatile boolean closed;

  public MetaClient(List<String> addresses) {
    this(addresses, Options.defaults());
  }

  public MetaClient(List<String> addresses, Options options) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("no meta service address given");
    }
    this.addresses = List.copyOf(addresses);
    this.options = options;
    this.preferred = this.addresses.get(0);
  }

  /** Parses {@code host:port,host:port} (the {@code meta.address} config form). */
  public static List<String> parseAddresses(String commaSeparated) {
    return java.util.Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  public List<String> addresses() {
    return addresses;
  }

  public Options options() {
    return options;
  }

  /** The replica calls go to first: the last one that answered or was named leader. */
  public String preferredAddress() {
    return preferred;
  }

  // ---------------------------------------------------------------- calls

  /** Registers a store (leader only; follows redirects). Check {@code getError()} of the answer. */
  public RegisterStoreResponse registerStore(long storeId, String raftAddress, String serviceAddress) {
    RegisterStoreRequest req = RegisterStoreRequest.newBuilder().setStoreId(storeId).setRaftAddress(raftAddress)
        .setServiceAddress(serviceAddress).build();
    return call("RegisterStore", s -> s.registerStore(req),
        r -> r.hasRedirect() ? r.getRedirect() : null);
  }

  public HeartbeatResponse heartbeat(HeartbeatRequest req) {
    return call("Heartbeat", s -> s.heartbeat(req), r -> r.hasRedirect() ? r.getRedirect() : null);
  }

  /** The current map (version 0) or a kept past version; check {@code getError()}. */
  public GetMapResponse getMap(long version) {
    GetMapRequest req = GetMapRequest.newBuilder().setVersion(version).build();
    return call("GetMap", s -> s.getMap(req), r -> null);
  }

  /** The current map, decoded. */
  public ShardMap currentMap() {
    return ShardMapCodec.decodeMap(getMap(0).getMap().toByteArray());
  }

  public HistoryResponse history() {
    return call("History", s -> s.history(HistoryRequest.getDefaultInstance()), r -> null);
  }

  /** The meta group's status (leader only; follows redirects). */
  public MetaStatusResponse status() {
    return call("Status", s -> s.status(MetaStatusRequest.getDefaultInstance()),
        r -> r.hasRedirect() ? r.getRedirect() : null);
  }

  /**
   * Asks the meta leader to make {@code storeId} the leader of {@code groupId} (leader only;
   * follows redirects). Answers once the store leads or the transfer failed: check
   * {@code getError()}; the store's answer can take up to the meta service's
   * {@code request.timeout.ms}, so give this client a call timeout above it.
   */
  public TransferLeaderResponse transferLeader(long groupId, long storeId) {
    TransferLeaderRequest req = TransferLeaderRequest.newBuilder().setGroupId(groupId).setStoreId(storeId).build();
    return call("TransferLeader", s -> s.transferLeader(req), r -> r.hasRedirect() ? r.getRedirect() : null);
  }

  /**
   * Asks for the meta group's status once around the replicas (no backoff, at most one call
   * timeout each), so that {@link #preferredAddress()} is the leader; returns the leader's
   * address, or null if none answered as leader.
   */
  public String findLeader() {
    try {
      call("Status", s -> s.status(MetaStatusRequest.getDefaultInstance()),
          r -> r.hasRedirect() ? r.getRedirect() : null, options.callTimeout().toNanos() * addresses.size());
      return preferred;
    } catch (MetaUnavailableException e) {
      return null;
    }
  }

  /**
   * Adds a replica of a group ({@code role}: "voter", "learner" or "observer") and waits until it
   * is done: a call may last as long as the new replica takes to catch up, up to
   * {@link #REPLICA_CHANGE_TIMEOUT}. After a meta leader change the call is repeated on the new
   * leader, which finishes the change (a call that was served for long before it broke gives the
   * retries a fresh {@code totalTimeout}). A refusal is returned in {@code error}.
   */
  public ReplicaChangeResponse addReplica(long group, long store, String role) {
    AddReplicaRequest req = AddReplicaRequest.newBuilder().setGroupId(group).setStoreId(store).setRole(role).build();
    return call("AddReplica", s -> s.addReplica(req), r -> r.hasRedirect() ? r.getRedirect() : null,
        options.totalTimeout().toNanos(), REPLICA_CHANGE_TIMEOUT.toMillis());
  }

  /** Removes a replica of a group and waits until it is done (as {@link #addReplica}). */
  public ReplicaChangeResponse removeReplica(long group, long store) {
    RemoveReplicaRequest req = RemoveReplicaRequest.newBuilder().setGroupId(group).setStoreId(store).build();
    return call("RemoveReplica", s -> s.removeReplica(req), r -> r.hasRedirect() ? r.getRedirect() : null,
        options.totalTimeout().toNanos(), REPLICA_CHANGE_TIMEOUT.toMillis());
  }

  // ---------------------------------------------------------------- slot migration

  /**
   * Moves slot ranges ({@code "0-4095,8000"}) to a group (docs/slot-migration.md). Answers with
   * the migrations begun (and those already moving the slots there) at once, or with
   * {@code wait} once they all ended, up to {@link #MIGRATION_TIMEOUT} per call; after a meta
   * leader change the call is repeated on the new leader, which continues what the map holds.
   * A refusal (or an aborted migration, when waiting) is returned in {@code error}.
   */
  public SlotMoveResponse moveSlots(String ranges, long group, boolean wait) {
    MoveSlotsRequest req = MoveSlotsRequest.newBuilder().setSlots(ranges).setTargetGroup(group).setWait(wait).build();
    return migrationCall("MoveSlots", s -> s.moveSlots(req), wait);
  }

  /** Evens out the groups' slot counts (as {@link #moveSlots}: at once or, {@code wait}, once done). */
  public SlotMoveResponse rebalance(boolean wait) {
    RebalanceRequest req = RebalanceRequest.newBuilder().setWait(wait).build();
    return migrationCall("Rebalance", s -> s.rebalance(req), wait);
  }

  /** Creates a group of {@code replicas} voters (0: the replication factor) on the least loaded stores, then rebalances. */
  public SlotMoveResponse joinGroup(long group, int replicas, boolean wait) {
    JoinGroupRequest req = JoinGroupRequest.newBuilder().setGroupId(group).setReplicas(replicas).setWait(wait).build();
    return migrationCall("JoinGroup", s -> s.joinGroup(req), wait);
  }

  /** Drains a group (its slots to the others) and destroys it; {@code wait}: answers once it is gone. */
  public SlotMoveResponse leaveGroup(long group, boolean wait) {
    LeaveGroupRequest req = LeaveGroupRequest.newBuilder().setGroupId(group).setWait(wait).build();
    return migrationCall("LeaveGroup", s -> s.leaveGroup(req), wait);
  }

  /** The migrations in flight and the meta leader's measured pauses. */
  public SlotMoveResponse migrations() {
    return call("Migrations", s -> s.migrations(MigrationsRequest.getDefaultInstance()),
        r -> r.hasRedirect() ? r.getRedirect() : null);
  }

  /** Rolls back a migration still MOVING; answers once it is gone (it may take a step's time). */
  public SlotMoveResponse abortMigration(long id) {
    AbortMigrationRequest req = AbortMigrationRequest.newBuilder().setMigrationId(id).build();
    return migrationCall("AbortMigration", s -> s.abortMigration(req), true);
  }

  private SlotMoveResponse migrationCall(String what, Function<MetaServiceGrpc.MetaServiceBlockingStub,
      SlotMoveResponse> rpc, boolean waits) {
    return call(what, rpc, r -> r.hasRedirect() ? r.getRedirect() : null, options.totalTimeout().toNanos(),
        waits ? MIGRATION_TIMEOUT.toMillis() : Math.max(options.callTimeout().toMillis(), 10_000));
  }

  /**
   * Takes the store with this StoreService address into use once it registered and is UP (the
   * meta leader waits up to {@code wait}; zero = its default, 30 s) and spreads replicas onto it;
   * answers when done, with the moves made (up to {@link #STORE_CHANGE_TIMEOUT}; after a meta
   * leader change the call is repeated there, which carries on). A refusal is in {@code error}.
   */
  public StoreChangeResponse addStore(String serviceAddress, Duration wait) {
    AddStoreRequest req = AddStoreRequest.newBuilder().setServiceAddress(serviceAddress)
        .setWaitMs(wait.toMillis()).build();
    return call("AddStore", s -> s.addStore(req), r -> r.hasRedirect() ? r.getRedirect() : null,
        options.totalTimeout().toNanos(), STORE_CHANGE_TIMEOUT.toMillis());
  }

  /** Moves every replica off a store, then marks it REMOVED; waits until done (as {@link #addStore}). */
  public StoreChangeResponse removeStore(long storeId) {
    RemoveStoreRequest req = RemoveStoreRequest.newBuilder().setStoreId(storeId).build();
    return call("RemoveStore", s -> s.removeStore(req), r -> r.hasRedirect() ? r.getRedirect() : null,
        options.totalTimeout().toNanos(), STORE_CHANGE_TIMEOUT.toMillis());
  }

  /** The channel to one replica (for streams: MetaClusterView). */
  ManagedChannel channel(String address) {
    if (closed) {
      throw new IllegalStateException("meta client closed");
    }
    // gRPC's default inbound limit and executor, in-process when the replica runs in this JVM.
    return channels.computeIfAbsent(address, a -> GrpcChannels.open(a, DEFAULT_MAX_INBOUND_BYTES, false,
        GrpcChannels.keepAlive(options.keepAliveTime().toMillis(), options.keepAliveTimeout().toMillis())));
  }

  /** The address after {@code address} in the list (the first one for an address not in it, or null). */
  String next(String address) {
    // null when the watch failed before it had a target (finding the leader threw): List.of's
    // indexOf throws on null, which killed the watch thread (MetaNodeTest, CI 2026-11-30)
    int i = address == null ? -1 : addresses.indexOf(address);
    return addresses.get((i + 1) % addresses.size());
  }

  void prefer(String address) {
    preferred = address;
  }

  private <T> T call(String what, Function<MetaServiceGrpc.MetaServiceBlockingStub, T> rpc,
      Function<T, Redirect> redirectOf) {
    return call(what, rpc, redirectOf, options.totalTimeout().toNanos());
  }

  private <T> T call(String what, Function<MetaServiceGrpc.MetaServiceBlockingStub, T> rpc,
      Function<T, Redirect> redirectOf, long totalNanos) {
    return call(what, rpc, redirectOf, totalNanos, options.callTimeout().toMillis());
  }

  private <T> T call(String what, Function<MetaServiceGrpc.MetaServiceBlockingStub, T> rpc,
      Function<T, Redirect> redirectOf, long totalNanos, long callTimeoutMillis) {
    long deadline = System.nanoTime() + totalNanos;
    String target = preferred;
    long backoff = options.backoffMin().toMillis();
    int failures = 0;
    int hops = 0;
    Exception last = null;
    while (!closed) {
      long attemptStart = System.nanoTime();
      try {
        T r = rpc.apply(MetaServiceGrpc.newBlockingStub(channel(target))
            .withDeadlineAfter(callTimeoutMillis, TimeUnit.MILLISECONDS));
        Redirect rd = redirectOf.apply(r);
        if (rd == null) {
          preferred = target;
          return r;
        }
        if (!rd.getLeaderAddress().isEmpty() && !rd.getLeaderAddress().equals(target) && hops++ < 3) {
          target = rd.getLeaderAddress();
          preferred = target;
          continue; // one hop to the leader named, no pause
        }
        last = new IllegalStateException(target + " does not know the meta leader");
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED
            && code != Status.Code.CANCELLED && code != Status.Code.UNKNOWN) {
          throw e;
        }
        last = e;
        long served = System.nanoTime() - attemptStart;
        if (callTimeoutMillis > options.callTimeout().toMillis() && served > options.callTimeout().toNanos()) {
          deadline = Math.max(deadline, System.nanoTime() + totalNanos); // a long call broke: retry afresh
        }
      }
      target = next(target);
      failures++;
      hops = 0;
      if (System.nanoTime() >= deadline) {
        break;
      }
      if (failures % addresses.size() == 0) {
        sleep(Math.min(backoff, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        backoff = Math.min(backoff * 2, options.backoffMax().toMillis());
      }
    }
    throw new MetaUnavailableException("meta service: " + what + " got no answer within "
        + TimeUnit.NANOSECONDS.toMillis(totalNanos) + " ms from " + addresses + (last == null ? "" : ": " + last), last);
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MetaUnavailableException("interrupted", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels.values()) {
      try {
        c.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
