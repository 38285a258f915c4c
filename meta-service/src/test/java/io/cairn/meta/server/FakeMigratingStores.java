package io.cairn.meta.server;

import io.cairn.meta.proto.MigrateSlotsRequest;
import io.cairn.meta.proto.MigrateSlotsResponse;
import io.cairn.meta.proto.MigrationStep;
import io.cairn.meta.proto.StoreControlGrpc;
import io.cairn.raft.transport.GrpcServers;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

/**
 * Store nodes that implement {@code StoreControl.MigrateSlots} in memory, for driver tests: group
 * g is led by store {@code (g - 1) % n + 1}; another store answers not done with that leader. Per
 * (group, range) the recorded attempt follows docs/slot-migration.md: PREPARE_* set it (an older
 * one is refused), COPY needs it exactly, FINISH_* / ABORT_* accept it or newer. COPY answers a
 * growing index and {@code keysOfRound(round)} keys; it can be held at a gate.
 */
final class FakeMigratingStores implements AutoCloseable {
  /** One call as a store leader saw it (refused ones too). */
  record Call(long group, MigrationStep step, long attempt, int first, int last, long since, boolean sessions,
      String sourceAddress, String outcome) {}

  final List<Call> calls = new CopyOnWriteArrayList<>();
  /** Each call's request, its answer's index and when it arrived (System.nanoTime). */
  record Request(MigrateSlotsRequest req, long index, long arrivedNanos) {}

  final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Server> servers = new ArrayList<>();
  private final Map<String, Long> attempts = new HashMap<>();
  private final Map<String, Integer> rounds = new HashMap<>();
  private final AtomicLong index = new AtomicLong(100);
  private final int n;
  volatile LongUnaryOperator keysOfRound = round -> round == 0 ? 500 : round == 1 ? 100 : 10;
  volatile CountDownLatch copyGate = new CountDownLatch(0);

  FakeMigratingStores(int n) {
    this.n = n;
    for (int i = 1; i <= n; i++) {
      long store = i;
      servers.add(GrpcServers.start("127.0.0.1", 0, 4 << 20, new StoreControlGrpc.StoreControlImplBase() {
        @Override
        public void migrateSlots(MigrateSlotsRequest req, StreamObserver<MigrateSlotsResponse> out) {
          out.onNext(answer(store, req));
          out.onCompleted();
        }
      }));
    }
  }

  String address(long store) {
    return "127.0.0.1:" + servers.get((int) store - 1).getPort();
  }

  long leaderOf(long group) {
    return (group - 1) % n + 1;
  }

  /** The calls of one migration range at one group's leader, as "STEP" strings, in order. */
  List<String> steps(int first) {
    return calls.stream().filter(c -> c.first() == first && c.outcome().equals("done"))
        .map(c -> c.step().name()).toList();
  }

  private MigrateSlotsResponse answer(long store, MigrateSlotsRequest req) {
    long arrived = System.nanoTime();
    if (leaderOf(req.getGroupId()) != store) {
      return MigrateSlotsResponse.newBuilder().setLeaderId(leaderOf(req.getGroupId())).build();
    }
    if (req.getStep() == MigrationStep.COPY) {
      try {
        copyGate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      String key = req.getGroupId() + ":" + req.getFirstSlot() + "-" + req.getLastSlot();
      long recorded = attempts.getOrDefault(key, 0L);
      long a = req.getAttempt();
      MigrateSlotsResponse.Builder b = MigrateSlotsResponse.newBuilder();
      String outcome = "done";
      switch (req.getStep()) {
        case PREPARE_TARGET, PREPARE_SOURCE -> {
          if (a < recorded) {
            outcome = "older attempt";
          } else {
            attempts.put(key, a);
            rounds.put(key, 0);
          }
        }
        case COPY -> {
          if (a != recorded) {
            outcome = "attempt " + a + " is not the prepared one " + recorded;
          } else {
            int round = rounds.merge(key, 1, Integer::sum) - 1;
            b.setIndex(index.incrementAndGet()).setKeys(keysOfRound.applyAsLong(round));
          }
        }
        case FREEZE -> {
          if (a < recorded) {
            outcome = "older attempt";
          } else {
            b.setIndex(index.incrementAndGet());
          }
        }
        default -> {
          if (a < recorded) {
            outcome = "older attempt";
          } else {
            attempts.put(key, a);
          }
        }
      }
      requests.add(new Request(req, b.getIndex(), arrived));
      calls.add(new Call(req.getGroupId(), req.getStep(), a, req.getFirstSlot(), req.getLastSlot(),
          req.getSinceIndex(), req.getWithSessions(), req.getSourceAddress(), outcome));
      return outcome.equals("done") ? b.setDone(true).build() : b.setError(outcome).build();
    }
  }

  @Override
  public void close() {
    copyGate.countDown();
    servers.forEach(s -> GrpcServers.stop(s, Duration.ofSeconds(1)));
  }
}
