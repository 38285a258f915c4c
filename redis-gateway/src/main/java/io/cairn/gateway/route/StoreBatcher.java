package io.cairn.gateway.route;

import io.cairn.store.node.proto.Command;
import io.cairn.store.node.proto.ExecuteRequest;
import io.cairn.store.node.proto.ExecuteResponse;
import io.cairn.store.node.proto.Result;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.cairn.raft.transport.CoLocatedServers;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The queue of one store: units from every client connection wait here and each
 * {@code Execute} call carries as many as fit ({@link RouteConfig#maxCommandsPerCall()},
 * {@link RouteConfig#maxBytesPerCall()}), with at most {@link RouteConfig#maxCallsPerStore()}
 * calls in flight. No timer: a call leaves as soon as a call slot is free, so under light load
 * a call carries one command, and under load the queue grows while the calls are busy and the
 * next call takes it all.
 *
 * <p>A unit is never split across calls (its commands keep their order inside one request, which
 * the store keeps per group); units of one call share the RESP protocol of the replies (a unit
 * with another protocol waits for the next call, and so do the units after it, so no unit
 * overtakes an earlier one).
 *
 * <p>Deadline: each call gets {@link RouteConfig#callTimeoutMillis()}, not the routing budget: a
 * store that accepted a call answers every command of it, also one it cannot finish (its own
 * time-out), so the gateway does not cut a call the store is still working on. Units whose
 * connection closed before their call left ({@link Unit#abandoned()}) are dropped here, unsent.
 *
 * <p>Co-located store ({@code cairn dev}: the store runs in this JVM): the request goes to the
 * store's StoreService object directly ({@link CoLocatedServers#direct}), not through a gRPC call
 * — the same request and response messages and the same threads as an in-process call with direct
 * executors, without gRPC's call objects, headers and a deadline timer task per call (about 15% of
 * a GET's CPU in cairn dev). No deadline is needed there: the store answers every command itself.
 */
final class StoreBatcher {

  /** Commands that must go in one call, in order, and the callback for their results. */
  interface Unit {
    List<Command> commands();

    int protocol();

    long bytes();

    /** Nobody waits for the results any more (the connection closed): do not send it. */
    boolean abandoned();

    /**
     * The store may hold it for long on purpose (WAIT): it goes in a call of its own, at once,
     * outside {@code route.max.calls.per.store}, so that it holds up no other connection's
     * commands and takes no call slot they need.
     */
    default boolean alone() {
      return false;
    }

    /** Exactly one of {@code results} (one per command, in order) and {@code failure} is set. */
    void done(List<Result> results, Throwable failure);
  }

  /** The failure given to an abandoned unit's callback. */
  private static final Throwable ABANDONED = io.grpc.Status.CANCELLED
      .withDescription("the client connection closed before the call left").asRuntimeException();

  private final String address;
  private final StoreServiceGrpc.StoreServiceStub stub;
  /** The store's service when it runs in this JVM (looked up again only when servers change). */
  private final Supplier<StoreServiceGrpc.AsyncService> local;
  private final RouteConfig config;
  private final ArrayDeque<Unit> queue = new ArrayDeque<>();
  private int inFlight;
  private final AtomicLong calls;
  private final AtomicLong commands;

  StoreBatcher(String address, ManagedChannel channel, RouteConfig config, AtomicLong calls,
      AtomicLong commands) {
    this.address = address;
    this.stub = StoreServiceGrpc.newStub(channel);
    int colon = address.lastIndexOf(':');
    this.local = colon < 0 ? () -> null : CoLocatedServers.direct(address.substring(0, colon),
        Integer.parseInt(address.substring(colon + 1)), StoreServiceGrpc.AsyncService.class);
    this.config = config;
    this.calls = calls;
    this.commands = commands;
  }

  String address() {
    return address;
  }

  void submit(Unit unit) {
    if (unit.alone()) {
      send(List.of(unit), false);
      return;
    }
    synchronized (this) {
      queue.addLast(unit);
    }
    drain();
  }

  /**
   * Set while this thread runs {@link #drain} of this batcher. A call can be answered before
   * {@code execute} returns (in-process, a read the store ran inline, or an error it answered at
   * once): its callbacks then submit the connection's next unit and drain again on the same
   * stack. Instead of recursing (a stack that grows with every answered call while other threads
   * keep the queue full), they return; the loop already on the stack sends what is queued.
   */
  private final ThreadLocal<Boolean> draining = new ThreadLocal<>();

  private void drain() {
    if (draining.get() != null) {
      return;
    }
    draining.set(Boolean.TRUE);
    try {
      drainLoop();
    } finally {
      draining.remove();
    }
  }

  private void drainLoop() {
    while (true) {
      List<Unit> batch;
      List<Unit> dropped = new ArrayList<>();
      synchronized (this) {
        batch = inFlight < config.maxCallsPerStore() ? take(dropped) : null;
        if (batch != null) {
          inFlight++;
        }
      }
      for (Unit u : dropped) {
        done(u, null, ABANDONED);
      }
      if (batch == null) {
        return;
      }
      send(batch, true);
    }
  }

  /**
   * The units of the next call, from the head of the queue; null when nothing is left to send.
   * Abandoned units met on the way go to {@code dropped} (their callbacks run outside the lock).
   */
  private List<Unit> take(List<Unit> dropped) {
    List<Unit> batch = new ArrayList<>();
    int protocol = 0;
    int n = 0;
    long bytes = 0;
    while (!queue.isEmpty()) {
      Unit u = queue.peekFirst();
      if (u.abandoned()) {
        dropped.add(queue.pollFirst());
        continue;
      }
      int size = u.commands().size();
      if (batch.isEmpty()) {
        protocol = u.protocol();
      } else if (u.protocol() != protocol || n + size > config.maxCommandsPerCall()
          || bytes + u.bytes() > config.maxBytesPerCall()) {
        break;
      }
      batch.add(queue.pollFirst());
      n += size;
      bytes += u.bytes();
    }
    return batch.isEmpty() ? null : batch;
  }

  /** {@code counted}: the call holds one of the {@code maxCallsPerStore} slots. */
  private void send(List<Unit> batch, boolean counted) {
    ExecuteRequest.Builder req = ExecuteRequest.newBuilder().setProtocol(batch.get(0).protocol());
    for (Unit u : batch) {
      req.addAllCommands(u.commands());
    }
    int count = req.getCommandsCount();
    calls.incrementAndGet();
    commands.addAndGet(count);
    StreamObserver<ExecuteResponse> observer = new StreamObserver<>() {
      private ExecuteResponse response;

      @Override
      public void onNext(ExecuteResponse value) {
        response = value;
      }

      @Override
      public void onError(Throwable t) {
        finish(batch, null, t, counted);
      }

      @Override
      public void onCompleted() {
        if (response == null || response.getResultsCount() != count) {
          finish(batch, null, new IllegalStateException("store " + address + " answered "
              + (response == null ? 0 : response.getResultsCount()) + " results for " + count
              + " commands"), counted);
        } else {
          finish(batch, response.getResultsList(), null, counted);
        }
      }
    };
    try {
      StoreServiceGrpc.AsyncService store = local.get();
      if (store != null) {
        store.execute(req.build(), observer);
      } else {
        stub.withDeadlineAfter(config.callTimeoutMillis(), TimeUnit.MILLISECONDS)
            .execute(req.build(), observer);
      }
    } catch (RuntimeException e) {
      finish(batch, null, e, counted);
    }
  }

  private void finish(List<Unit> batch, List<Result> results, Throwable failure, boolean counted) {
    if (counted) {
      synchronized (this) {
        inFlight--;
      }
    }
    int from = 0;
    for (Unit u : batch) {
      int size = u.commands().size();
      done(u, results == null ? null : results.subList(from, from + size), failure);
      from += size;
    }
    drain();
  }

  private static void done(Unit u, List<Result> results, Throwable failure) {
    try {
      u.done(results, results == null ? failure : null);
    } catch (RuntimeException e) {
      // A unit's callback must not stop the others from being answered.
      Thread t = Thread.currentThread();
      t.getUncaughtExceptionHandler().uncaughtException(t, e);
    }
  }
}
