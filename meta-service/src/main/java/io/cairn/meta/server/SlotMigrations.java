package io.cairn.meta.server;

import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.MapException;
import io.cairn.meta.map.Migration;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.SlotRange;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.proto.MigrateSlotsRequest;
import io.cairn.meta.proto.MigrateSlotsResponse;
import io.cairn.meta.proto.MigrationInfo;
import io.cairn.meta.proto.MigrationPauses;
import io.cairn.meta.proto.MigrationStep;
import io.cairn.meta.proto.SlotMoveResponse;
import io.cairn.meta.proto.StoreControlGrpc;
import io.cairn.raft.runtime.NotLeaderException;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver of slot migrations on the meta leader (docs/slot-migration.md, "The steps"), and the
 * operations built on it: move, rebalance, join, leave, abort.
 *
 * <p>Threads: one scheduler thread ({@code meta-migrations-N}) that every {@code leader.task.ms}
 * starts the migrations of the map (up to {@code migration.concurrency} at a time; aborts do not
 * wait for a free place), drains leaving groups and destroys them once empty; the calls that plan
 * and begin migrations (MoveSlots, Rebalance, JoinGroup, LeaveGroup) run on it too, so two plans
 * never race. Each running migration has a worker thread that calls {@code StoreControl.MigrateSlots}
 * on the leader of the group concerned (the store that last answered done, else the leader hint
 * from heartbeats, else each replica in turn; a {@code leader_id} answer is followed) and proposes
 * the map commands.
 *
 * <p>Restart from the map alone: on a new meta leader (after one read barrier per term) a MOVING
 * migration starts again at PREPARE_TARGET, a COMMITTED one finishes (FINISH_TARGET,
 * FINISH_SOURCE, EndMigration). Every (re)start takes a new attempt {@code term << 24 | counter}
 * (counter: this replica's, 24 bits), so attempts grow across meta leaders. A step answered with
 * an error restarts the migration with a new attempt after a backoff (100 ms doubling to 5 s).
 *
 * <p>Not ideal: abort requests and waiting calls are in memory: after a meta leader change the
 * waiting client repeats its call (MoveSlots and LeaveGroup continue what the map holds), an abort
 * must be asked again.
 */
final class SlotMigrations implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SlotMigrations.class);
  /** Copy rounds before the freeze, at most. */
  static final int MAX_ROUNDS = 5;
  /** Pauses kept for the p50 / p99 / max of Migrations. */
  static final int PAUSES_KEPT = 1000;
  /** How long a step may go unanswered by the group's leader before the migration restarts. */
  private static final long STEP_TIMEOUT_MS = 60_000;
  /** Deadline of one COPY call (the target copies a whole range in it). */
  private static final long COPY_CALL_MS = 660_000; // above the store's 10 min export limit
  private static final long CALL_MS = 30_000;

  private final MetaNode node;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final Set<Long> running = ConcurrentHashMap.newKeySet();
  private final Set<Long> abortRequested = ConcurrentHashMap.newKeySet();
  /** Store that last answered done for a group (its leader then). */
  private final Map<Long, Long> knownLeader = new ConcurrentHashMap<>();
  private final Map<Long, List<CompletableFuture<MigrationInfo>>> migrationWaiters = new ConcurrentHashMap<>();
  /** The record of each waited-for migration as last seen (to tell DONE from ABORTED once it went). */
  private final Map<Long, Migration> waited = new ConcurrentHashMap<>();
  private final Map<Long, List<CompletableFuture<Void>>> groupWaiters = new ConcurrentHashMap<>();
  private final AtomicLong counter = new AtomicLong();
  private final long[] pauses = new long[PAUSES_KEPT];
  private int pauseCount;
  private volatile Timer pauseTimer;
  /** The term whose read barrier passed (scheduler thread only). */
  private long barrierTerm;
  private volatile boolean closed;
  /** The throttle ({@code migration.gap.ms}): no new migration starts before this (nanoTime). */
  private volatile long nextStartNanos = System.nanoTime();

  SlotMigrations(MetaNode node) {
    this.node = node;
    long id = node.config().nodeId();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(MetaNode.daemonThreads("meta-migrations-" + id));
    this.workers = Executors.newCachedThreadPool(MetaNode.daemonThreads("meta-migration-" + id));
  }

  /** Starts the periodic task; the map listener completes waiting calls. */
  void start() {
    node.state().addListener(this::mapApplied);
    long period = node.config().leaderTaskMillis();
    scheduler.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
  }

  /** Registers {@code cairn.migration.pause} (FREEZE sent → map commit applied). */
  void bindTo(MeterRegistry registry) {
    pauseTimer = Timer.builder("cairn.migration.pause")
        .description("Time the slots of a migration were served by no group: FREEZE sent to the map commit"
            + " that releases them at the target")
        .register(registry);
  }

  // ---------------------------------------------------------------- calls (MetaService)

  CompletableFuture<SlotMoveResponse> moveSlots(String slots, long target, boolean wait) {
    return plan(wait, m -> {
      List<SlotRange> ranges;
      try {
        ranges = SlotRange.parse(slots);
      } catch (MapException e) {
        throw new SlotPlans.Refused(e.getMessage());
      }
      SlotPlans.Split split = SlotPlans.split(m, ranges, target, node.config().migrationBatchSlots());
      List<Long> ids = new ArrayList<>(split.awaiting());
      ids.addAll(begin(split.begin()));
      return ids;
    });
  }

  CompletableFuture<SlotMoveResponse> rebalance(boolean wait) {
    return plan(wait, m -> {
      List<Long> ids = new ArrayList<>(m.migrations().stream().map(Migration::id).toList());
      ids.addAll(begin(SlotPlans.migrations(m, SlotPlans.rebalance(m), node.config().migrationBatchSlots())));
      return ids;
    });
  }

  CompletableFuture<SlotMoveResponse> join(long group, int replicas, boolean wait) {
    return plan(wait, m -> {
      if (group <= 0 || group > Integer.MAX_VALUE) {
        throw new SlotPlans.Refused("invalid group id: " + group + " (expected: 1.." + Integer.MAX_VALUE + ")");
      }
      if (m.findGroup(group).isEmpty()) {
        int n = replicas == 0 ? node.config().replicationFactor() : replicas;
        List<Replica> voters = SlotPlans.placement(m, n, node.storeChanges().drainingStores()).stream().map(Replica::voter).toList();
        ShardMap after = node.propose(new MapCommand.CreateGroup(group, voters)).join();
        LOG.info("join: group {} created on stores {} (map version {})", group,
            voters.stream().map(Replica::storeId).toList(), after.version());
        m = after;
      } else if (m.isLeaving(group)) {
        throw new SlotPlans.Refused("group " + group + " is leaving");
      }
      List<Long> ids = new ArrayList<>(m.migrations().stream().map(Migration::id).toList());
      ids.addAll(begin(SlotPlans.migrations(m, SlotPlans.rebalance(m), node.config().migrationBatchSlots())));
      return ids;
    });
  }

  CompletableFuture<SlotMoveResponse> leave(long group, boolean wait) {
    CompletableFuture<Void> gone = new CompletableFuture<>();
    CompletableFuture<SlotMoveResponse> begun = plan(false, m -> {
      if (m.findGroup(group).isEmpty()) {
        throw new SlotPlans.Refused("unknown group: " + group);
      }
      if (!m.isLeaving(group)) {
        m = node.propose(new MapCommand.LeaveGroup(group)).join();
        LOG.info("leave: group {} is leaving (map version {})", group, m.version());
      }
      if (wait) {
        groupWaiters.computeIfAbsent(group, g -> new CopyOnWriteArrayList<>()).add(gone);
      }
      drainLeaving(m);
      return node.map().migrations().stream().filter(x -> x.source() == group).map(Migration::id).toList();
    });
    if (!wait) {
      return begun;
    }
    return begun.thenCompose(r -> {
      if (!r.getError().isEmpty() || node.map().findGroup(group).isEmpty()) {
        return CompletableFuture.completedFuture(r);
      }
      return gone.thenApply(x -> r.toBuilder().setMapVersion(node.map().version()).build());
    });
  }

  CompletableFuture<SlotMoveResponse> abort(long id) {
    Migration m = node.map().findMigration(id).orElse(null);
    if (m == null) {
      return CompletableFuture.completedFuture(refusal("unknown migration: " + id));
    }
    if (m.phase() != Migration.Phase.MOVING) {
      return CompletableFuture.completedFuture(refusal("migration " + id + " is " + m.phase()
          + ": it only goes forward now"));
    }
    CompletableFuture<MigrationInfo> done = waitFor(id, m);
    abortRequested.add(id);
    scheduler.execute(this::tick);
    return done.thenApply(info -> {
      SlotMoveResponse.Builder b = response(List.of(info));
      if (!info.getPhase().equals("ABORTED")) { // committed between the request and the worker's next step
        b.setError("migration " + id + " was committed before the abort took effect");
      }
      return b.build();
    });
  }

  SlotMoveResponse migrations() {
    return response(node.map().migrations().stream().map(SlotMigrations::info).toList()).build();
  }

  private interface Plan {
    List<Long> run(ShardMap m) throws Exception;
  }

  /**
   * Runs a plan on the scheduler thread (after the term's read barrier) and answers with the
   * migrations it names; {@code wait}: once they all left the map.
   */
  private CompletableFuture<SlotMoveResponse> plan(boolean wait, Plan plan) {
    CompletableFuture<List<Long>> ids = new CompletableFuture<>();
    try {
      scheduler.execute(() -> {
        try {
          if (!node.isLeader()) {
            throw new NotLeaderException(MetaNode.GROUP, node.leaderId());
          }
          ensureBarrier();
          ids.complete(plan.run(node.map()));
        } catch (Throwable t) {
          ids.completeExceptionally(MetaNode.unwrap(t));
        }
      });
    } catch (RuntimeException e) {
      ids.completeExceptionally(e);
    }
    return ids.handle((list, err) -> {
      if (err != null) {
        Throwable e = MetaNode.unwrap(err);
        if (e instanceof SlotPlans.Refused || e instanceof MapException) {
          return CompletableFuture.completedFuture(refusal(e.getMessage()));
        }
        return CompletableFuture.<SlotMoveResponse>failedFuture(e);
      }
      ShardMap m = node.map();
      List<CompletableFuture<MigrationInfo>> each = new ArrayList<>();
      for (long id : list) {
        Migration mig = m.findMigration(id).orElse(null);
        each.add(wait ? waitFor(id, mig) : CompletableFuture.completedFuture(
            mig != null ? info(mig) : MigrationInfo.newBuilder().setId(id).setPhase("DONE").build()));
      }
      scheduler.execute(this::tick);
      return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(x -> {
        List<MigrationInfo> infos = each.stream().map(CompletableFuture::join).toList();
        SlotMoveResponse.Builder b = response(infos);
        infos.stream().filter(i -> i.getPhase().equals("ABORTED")).findFirst()
            .ifPresent(i -> b.setError("migration " + i.getId() + " was aborted"));
        return b.build();
      });
    }).thenCompose(f -> f);
  }

  /** Proposes one BeginMigration for all of them (nothing when empty); their ids. */
  private List<Long> begin(List<Migration> list) {
    if (list.isEmpty()) {
      return List.of();
    }
    ShardMap m = node.propose(new MapCommand.BeginMigration(list)).join();
    LOG.info("begun {} migration(s) {}..{} (map version {})", list.size(), list.get(0).id(),
        list.get(list.size() - 1).id(), m.version());
    return list.stream().map(Migration::id).toList();
  }

  /** Completes when the migration left the map: DONE (its range is the target's) or ABORTED. */
  private CompletableFuture<MigrationInfo> waitFor(long id, Migration known) {
    CompletableFuture<MigrationInfo> f = new CompletableFuture<>();
    if (known == null) {
      f.complete(MigrationInfo.newBuilder().setId(id).setPhase("DONE").build());
      return f;
    }
    waited.put(id, known);
    migrationWaiters.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(f);
    finished(node.map(), id); // it may have gone meanwhile
    return f;
  }

  /** Map listener (apply thread): completes the waiters of migrations and groups that left the map. */
  private void mapApplied(ShardMap m) {
    for (Long id : migrationWaiters.keySet()) {
      finished(m, id);
    }
    for (Long g : groupWaiters.keySet()) {
      if (m.findGroup(g).isEmpty()) {
        List<CompletableFuture<Void>> l = groupWaiters.remove(g);
        if (l != null) {
          l.forEach(f -> f.complete(null));
        }
      }
    }
  }

  private void finished(ShardMap m, long id) {
    Migration now = m.findMigration(id).orElse(null);
    if (now != null) {
      waited.put(id, now);
      return;
    }
    Migration last = waited.remove(id);
    List<CompletableFuture<MigrationInfo>> l = migrationWaiters.remove(id);
    if (l == null) {
      return;
    }
    if (last == null) { // another thread saw it go first and answered with the record
      l.forEach(f -> f.complete(MigrationInfo.newBuilder().setId(id).setPhase("DONE").build()));
      return;
    }
    // Gone: DONE when its range is the target's (a commit happened), else rolled back.
    boolean moved = m.groupOf(last.range().first()) == last.target();
    MigrationInfo info = info(last).toBuilder().setPhase(moved ? "DONE" : "ABORTED").build();
    l.forEach(f -> f.complete(info));
  }

  // ---------------------------------------------------------------- periodic task

  private void tick() {
    try {
      if (closed) {
        return;
      }
      if (!node.isLeader()) {
        if (barrierTerm != 0) {
          barrierTerm = 0;
          abortRequested.clear();
          knownLeader.clear();
          failWaiters();
        }
        return;
      }
      ensureBarrier();
      ShardMap m = node.map();
      drainLeaving(m);
      startMigrations(node.map());
    } catch (RuntimeException e) {
      LOG.debug("migration task: {}", MetaNode.unwrap(e).toString());
    }
  }

  /** Once per term: every map change of earlier leaders is applied here before planning on the map. */
  private void ensureBarrier() {
    long term = node.state().leaderTerm();
    if (term != barrierTerm) {
      node.readBarrier().join();
      barrierTerm = term;
    }
  }

  private void failWaiters() {
    NotLeaderException e = new NotLeaderException(MetaNode.GROUP, node.leaderId());
    migrationWaiters.values().forEach(l -> l.forEach(f -> f.completeExceptionally(e)));
    migrationWaiters.clear();
    waited.clear();
    groupWaiters.values().forEach(l -> l.forEach(f -> f.completeExceptionally(e)));
    groupWaiters.clear();
  }

  /**
   * Leaving groups: one that still owns slots no migration moves gets a rebalance (which moves
   * all of a leaving group's slots to the others); one that owns none and is in no migration is
   * destroyed.
   */
  private void drainLeaving(ShardMap m) {
    for (long g : m.leavingGroups()) {
      boolean inMigration = m.migrations().stream().anyMatch(x -> x.involves(g));
      if (m.slotCount(g) == 0 && !inMigration) {
        ShardMap after = node.propose(new MapCommand.DestroyGroup(g)).join();
        LOG.info("leave: group {} owns no slots: destroyed (map version {})", g, after.version());
        m = after;
        continue;
      }
      // a slot of the group that no migration moves yet (one pass over the migrations, not one per slot)
      java.util.BitSet moving = new java.util.BitSet();
      for (Migration x : m.migrations()) {
        moving.set(x.range().first(), x.range().last() + 1);
      }
      boolean free = m.slotRanges(g).stream().anyMatch(r -> moving.nextClearBit(r.first()) <= r.last());
      if (free) {
        begin(SlotPlans.migrations(m, SlotPlans.rebalance(m), node.config().migrationBatchSlots()));
        m = node.map();
      }
    }
  }

  private void startMigrations(ShardMap m) {
    List<Migration> order = new ArrayList<>(m.migrations());
    // aborts first, then COMMITTED ones (their FINISH_SOURCE frees the source's copy), then by id
    order.sort(Comparator.comparing((Migration x) -> !abortRequested.contains(x.id()))
        .thenComparing(x -> x.phase() != Migration.Phase.COMMITTED).thenComparingLong(Migration::id));
    int limit = node.config().migrationConcurrency();
    for (Migration x : order) {
      if (running.contains(x.id())) {
        continue;
      }
      boolean abort = abortRequested.contains(x.id()) && x.phase() == Migration.Phase.MOVING;
      if (!abort && (running.size() >= limit || System.nanoTime() - nextStartNanos < 0)) {
        continue;
      }
      running.add(x.id());
      try {
        workers.execute(() -> drive(x.id()));
      } catch (RuntimeException e) {
        running.remove(x.id());
        throw e;
      }
    }
  }

  // ---------------------------------------------------------------- one migration

  /** A step failed (an error answer, or no leader answered in time): restart with a new attempt. */
  static final class StepFailed extends RuntimeException {
    StepFailed(String message) {
      super(message, null, false, false);
    }
  }

  /** The operator asked to abort while the migration was under way. */
  private static final class AbortAsked extends RuntimeException {
    AbortAsked() {
      super("abort asked", null, false, false);
    }
  }

  private void drive(long id) {
    long backoff = 100;
    long attempt = nextAttempt(); // kept from the commit to the end; a restart after a failure takes a new one
    try {
      while (!closed && node.isLeader()) {
        ShardMap m = node.map();
        Migration mig = m.findMigration(id).orElse(null);
        if (mig == null) {
          return;
        }
        try {
          if (mig.phase() == Migration.Phase.COMMITTED) {
            finish(mig, attempt);
          } else if (abortRequested.contains(id) || m.findGroup(mig.target()).isEmpty()) {
            rollBack(mig, attempt);
          } else {
            move(mig, attempt);
          }
          backoff = 100;
        } catch (AbortAsked e) {
          attempt = nextAttempt(); // the roll-back outranks every step sent so far
        } catch (StepFailed | MapException e) {
          LOG.info("migration {} ({} from group {} to group {}), attempt {}: {}; restarting in {} ms", id,
              mig.range(), mig.source(), mig.target(), attemptText(attempt), e.getMessage(), backoff);
          Thread.sleep(backoff);
          backoff = Math.min(backoff * 2, 5_000);
          attempt = nextAttempt();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      Throwable e = MetaNode.unwrap(t);
      if (!(e instanceof NotLeaderException)) {
        LOG.info("migration {} interrupted: {}", id, e.toString());
      }
    } finally {
      nextStartNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(node.config().migrationGapMillis());
      running.remove(id);
    }
  }

  /** {@code term << 24 | counter}: grows with every (re)start, across meta leaders. */
  private long nextAttempt() {
    return (node.state().leaderTerm() << 24) | (counter.incrementAndGet() & 0xFF_FFFFL);
  }

  private static String attemptText(long attempt) {
    return (attempt >>> 24) + "." + (attempt & 0xFF_FFFFL);
  }

  /** Steps 1-6: prepare both groups, copy rounds, freeze, final copy with sessions, map commit. */
  private void move(Migration mig, long attempt) throws InterruptedException {
    // Every map version from now until the commit still names the source: a command routed with a
    // newer version than this one and sent to the target can only come from the committed map.
    step(mig, mig.target(), MigrationStep.PREPARE_TARGET, attempt,
        MigrateSlotsRequest.newBuilder().setServeAfterVersion(node.map().version()));
    step(mig, mig.source(), MigrationStep.PREPARE_SOURCE, attempt, null);
    long since = 0;
    int catchup = node.config().migrationCatchupKeys();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      checkAbort(mig);
      MigrateSlotsResponse r = copy(mig, attempt, since, 0);
      since = r.getIndex();
      if (r.getKeys() <= catchup) {
        break;
      }
    }
    checkAbort(mig);
    long t0 = System.nanoTime();
    long frozenIndex = step(mig, mig.source(), MigrationStep.FREEZE, attempt, null).getIndex();
    long t1 = System.nanoTime();
    MigrateSlotsResponse last = copy(mig, attempt, since, frozenIndex);
    long t2 = System.nanoTime();
    checkAbort(mig);
    ShardMap m = node.propose(new MapCommand.CommitMigration(mig.id())).join();
    long t3 = System.nanoTime();
    // The pause ends here: the target serves commands routed with this map version or newer.
    recordPause(t3 - t0);
    LOG.info("migration {}: slots {} committed to group {} (map version {}); pause {} ms: freeze {} ms, final copy"
        + " of {} keys {} ms, map commit {} ms", mig.id(), mig.range(), mig.target(), m.version(),
        (t3 - t0) / 1_000_000, (t1 - t0) / 1_000_000, last.getKeys(), (t2 - t1) / 1_000_000,
        (t3 - t2) / 1_000_000);
  }

  /** Steps 7-8, after the map commit. */
  private void finish(Migration mig, long attempt) throws InterruptedException {
    step(mig, mig.target(), MigrationStep.FINISH_TARGET, attempt, null);
    step(mig, mig.source(), MigrationStep.FINISH_SOURCE, attempt, null);
    ShardMap m = node.propose(new MapCommand.EndMigration(mig.id())).join();
    LOG.info("migration {}: slots {} moved from group {} to group {} (map version {})", mig.id(), mig.range(),
        mig.source(), mig.target(), m.version());
  }

  /** Before the commit only: the source serves again, the target drops its copy, the record goes. */
  private void rollBack(Migration mig, long attempt) throws InterruptedException {
    step(mig, mig.source(), MigrationStep.ABORT_SOURCE, attempt, null);
    if (node.map().findGroup(mig.target()).isPresent()) {
      step(mig, mig.target(), MigrationStep.ABORT_TARGET, attempt, null);
    }
    ShardMap m = node.propose(new MapCommand.AbortMigration(mig.id())).join();
    abortRequested.remove(mig.id());
    LOG.info("migration {}: slots {} stay with group {}: aborted (map version {})", mig.id(), mig.range(),
        mig.source(), m.version());
  }

  private void checkAbort(Migration mig) {
    if (abortRequested.contains(mig.id())) {
      throw new AbortAsked();
    }
  }

  /**
   * A copy round; {@code frozenIndex}: the source's FREEZE entry (final round), else 0. Every round
   * carries sessions: round 0 all of them, later rounds (the final one too) only those that wrote to
   * the range since the previous round (docs/slot-migration.md, step 3).
   */
  private MigrateSlotsResponse copy(Migration mig, long attempt, long since, long frozenIndex)
      throws InterruptedException {
    long sourceLeader = leaderGuess(mig.source(), node.map());
    String address = node.map().store(sourceLeader).map(StoreInfo::serviceAddress).orElse("");
    MigrateSlotsRequest.Builder b = MigrateSlotsRequest.newBuilder().setSourceGroup(mig.source())
        .setSourceAddress(address).setSinceIndex(since).setWithSessions(true).setFrozenIndex(frozenIndex);
    return step(mig, mig.target(), MigrationStep.COPY, attempt, b);
  }

  /** The store believed to lead the group: the last one that answered done, the heartbeats' hint, else 0. */
  private long leaderGuess(long group, ShardMap m) {
    Long known = knownLeader.get(group);
    if (known != null && m.store(known).isPresent()) {
      return known;
    }
    return node.reports().leaderByGroup().getOrDefault(group, 0L);
  }

  /**
   * One step at the leader of {@code group}, following its hints; retried (backoff 50 ms doubling
   * to 1 s) while no leader answers, for up to {@link #STEP_TIMEOUT_MS}. An {@code error} answer
   * fails the attempt ({@link StepFailed}).
   */
  private MigrateSlotsResponse step(Migration mig, long group, MigrationStep step, long attempt,
      MigrateSlotsRequest.Builder extra) throws InterruptedException {
    MigrateSlotsRequest.Builder b = extra != null ? extra : MigrateSlotsRequest.newBuilder();
    MigrateSlotsRequest req = b.setGroupId(group).setFirstSlot(mig.range().first()).setLastSlot(mig.range().last())
        .setStep(step).setAttempt(attempt).build();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STEP_TIMEOUT_MS);
    long target = leaderGuess(group, node.map());
    long backoff = 50;
    int tried = 0;
    String last = "no answer yet";
    while (true) {
      if (closed || !node.isLeader()) {
        throw new NotLeaderException(MetaNode.GROUP, node.leaderId());
      }
      ShardMap m = node.map();
      GroupInfo g = m.findGroup(group).orElseThrow(() -> new StepFailed("group " + group + " is not in the map"));
      if (target == 0 || m.store(target).isEmpty() || g.replicaOn(target).isEmpty()) {
        target = g.replicas().get(tried % g.replicas().size()).storeId();
      }
      StoreInfo s = m.store(target).orElseThrow();
      boolean follow = false;
      try {
        MigrateSlotsResponse r = StoreControlGrpc.newBlockingStub(node.storeChannel(s.serviceAddress()))
            .withDeadlineAfter(step == MigrationStep.COPY ? COPY_CALL_MS : CALL_MS, TimeUnit.MILLISECONDS)
            .migrateSlots(req);
        if (r.getDone()) {
          knownLeader.put(group, target);
          LOG.debug("migration {}: {} at group {} (store {}) done: index {}, keys {}", mig.id(), step, group, target,
              r.getIndex(), r.getKeys());
          return r;
        }
        if (!r.getError().isEmpty()) {
          throw new StepFailed(step + " at group " + group + " (store " + target + "): " + r.getError());
        }
        last = "store " + target + " does not lead group " + group + " (hint: " + r.getLeaderId() + ")";
        long hint = r.getLeaderId();
        follow = hint != 0 && hint != target && m.store(hint).isPresent() && tried < 2 * g.replicas().size();
        target = follow ? hint : 0;
      } catch (StatusRuntimeException e) {
        last = "store " + target + ": " + e.getStatus();
        target = 0;
      }
      knownLeader.remove(group);
      tried++;
      if (System.nanoTime() > deadline) {
        throw new StepFailed(step + ": no leader of group " + group + " answered (last: " + last + ")");
      }
      if (!follow) {
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, 1_000);
      }
    }
  }

  // ---------------------------------------------------------------- pauses

  private synchronized void recordPause(long nanos) {
    pauses[pauseCount % PAUSES_KEPT] = nanos;
    pauseCount++;
    Timer t = pauseTimer;
    if (t != null) {
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** p50 / p99 / max (nearest rank) of the last {@link #PAUSES_KEPT} pauses this replica measured. */
  synchronized MigrationPauses pauses() {
    int n = Math.min(pauseCount, PAUSES_KEPT);
    long[] sorted = Arrays.copyOf(pauses, n);
    Arrays.sort(sorted);
    MigrationPauses.Builder b = MigrationPauses.newBuilder().setCount(pauseCount);
    if (n > 0) {
      b.setP50Ms(millis(sorted[rank(0.50, n)])).setP99Ms(millis(sorted[rank(0.99, n)]))
          .setMaxMs(millis(sorted[n - 1]));
    }
    return b.build();
  }

  private static int rank(double q, int n) {
    return Math.max(0, (int) Math.ceil(q * n) - 1);
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  // ---------------------------------------------------------------- answers

  static MigrationInfo info(Migration m) {
    return MigrationInfo.newBuilder().setId(m.id()).setFirstSlot(m.range().first()).setLastSlot(m.range().last())
        .setSourceGroup(m.source()).setTargetGroup(m.target()).setPhase(m.phase().name()).build();
  }

  private SlotMoveResponse.Builder response(Collection<MigrationInfo> infos) {
    return SlotMoveResponse.newBuilder().setMapVersion(node.map().version()).addAllMigrations(infos)
        .setPauses(pauses());
  }

  private SlotMoveResponse refusal(String why) {
    return SlotMoveResponse.newBuilder().setError(why).setMapVersion(node.map().version()).build();
  }

  /** Whether an abort of the migration was asked on this replica and is not done yet (tests). */
  boolean abortAsked(long id) {
    return abortRequested.contains(id);
  }

  /** Whether a migration runs on this replica (tests). */
  boolean isRunning(long id) {
    return running.contains(id);
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    workers.shutdownNow();
    failWaiters();
  }
}
