package io.cairn.gateway.route;

import com.google.protobuf.UnsafeByteOperations;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.store.node.proto.Command;
import io.cairn.store.node.proto.Result;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands of one client connection for one group, in connection order, with at most one
 * unit of them at a store at a time.
 *
 * <p>Ordering argument. A connection's commands for a group enter this lane in the order the
 * client sent them (they are enqueued on the connection's event loop). Everything queued leaves
 * as one {@link StoreBatcher.Unit}, which is never split across {@code Execute} calls; inside one
 * request the store keeps per-group order (writes proposed in order, a read after the earlier
 * writes, a write after the earlier reads). The next unit leaves only once the previous one's
 * results are all in. So the store sees a connection's commands for a group in connection
 * order: write-after-write and read-your-writes hold per connection. Pipelining still works:
 * the commands of one read leave together (the connection kicks its lanes at the end of each
 * read), and while one unit is out the next commands gather and leave together after it (one
 * unit per round trip, as many commands as were pipelined). Different groups (lanes) do not wait for each other.
 *
 * <p>Retries. A unit's results are taken in order up to the first one that is not a reply; that
 * command and every later command of the unit go back to the front of the queue (later
 * successful results are dropped: reads run again, writes are answered from the store's
 * exactly-once memory with the same (session, seq)), and are sent again: at once to the hinted
 * leader after NOT_LEADER, after a backoff for unknown leaders, store errors and unreachable
 * stores (trying the next voter), after a newer map for WRONG_GROUP (re-routing by slot, which
 * may move commands to another lane). Not ideal: if a later write of the unit did succeed while an
 * earlier one failed (e.g. its proposal was dropped), the later one is applied before the
 * earlier one's retry.
 *
 * <p>Time-outs. A command's budget ({@code route.timeout.ms}) starts with its first failed
 * attempt, not when it arrives or leaves: waiting behind earlier commands, and time in a call the
 * store is working on, do not count (the store answers what it cannot finish itself, and the
 * call's own gRPC deadline is only a safety net, see {@link StoreBatcher}). An attempt that
 * makes progress (some commands of the unit answered) starts the budget of the rest afresh.
 * Commands whose budget is spent when a retry is due are answered {@code -TRYAGAIN} (no reachable
 * leader) or {@code -CLUSTERDOWN} (the slot has no serving owner). A write answered so may have
 * been applied (an attempt whose outcome was unknown); like a Redis client's time-out. It is
 * never sent again by this gateway, and a copy of it still in flight cannot be applied twice:
 * the store applies a (session, seq) at most once.
 *
 * <p>Closing. {@link #close()} (the client connection closed) drops the queued commands unsent,
 * and units waiting in the store's batcher are dropped there; a unit already in a call completes
 * and its replies are discarded, without retries.
 *
 * <p>Failures of the lane itself. Its steps run on event loops, the route timer, map-watch
 * callbacks and the batcher's completions, where an exception would be swallowed and leave the
 * lane busy with nothing to end it: its client would wait forever. So an unexpected exception
 * in a step ({@link #abort}) answers every command the lane holds with an error and makes it
 * idle; commands that come later go out as usual.
 */
final class Lane {
  private static final Logger log = LoggerFactory.getLogger(Lane.class);

  /** One command waiting for its reply. {@code slot} -1: a keyless command bound to the group. */
  static final class Pending {
    final byte[][] argv;
    final boolean write;
    /**
     * A write's session and seq: taken when the write first leaves (so queued writes do not hold
     * sessions' windows), then kept for all its attempts, also in another lane after a re-route.
     * Null for a read and for a write not sent yet.
     */
    private volatile WriteSessions.Ticket ticket;
    final boolean staleOk;
    final int slot;
    final int protocol;
    /** When the budget runs out; meaningful only while {@link #failing}. */
    long deadlineNanos;
    private final long budgetNanos;
    /** Attempts failed since the last progress: the budget is running. */
    private boolean failing;
    final CompletableFuture<byte[]> result = new CompletableFuture<>();
    /**
     * The store may hold it for long on purpose (WAIT): its unit goes in a call of its own
     * ({@link StoreBatcher.Unit#alone}). Set before it is enqueued.
     */
    boolean alone;

    Pending(byte[][] argv, boolean write, boolean staleOk, int slot, int protocol,
        long budgetNanos) {
      this.argv = argv;
      this.write = write;
      this.staleOk = staleOk;
      this.slot = slot;
      this.protocol = protocol;
      this.budgetNanos = Math.max(0, budgetNanos);
    }

    /**
     * An attempt failed: starts the budget unless it runs already. {@code progress}: the attempt
     * answered earlier commands of its unit, so the leader works: the budget starts afresh.
     */
    void failed(long now, boolean progress) {
      if (!failing || progress) {
        failing = true;
        deadlineNanos = now + budgetNanos;
      }
    }

    /**
     * The reply is in, or the write was given up on (never sent again): its session may
     * acknowledge it.
     */
    void givenUp() {
      WriteSessions.Ticket t = ticket;
      if (t != null) {
        t.session().received(t.seq());
      }
    }

    /** This write's ticket, taken from {@code sessions} for {@code group} on its first attempt. */
    WriteSessions.Ticket ticket(WriteSessions sessions, long group) {
      WriteSessions.Ticket t = ticket;
      if (t == null) {
        t = sessions.take(group);
        ticket = t;
      }
      return t;
    }

    boolean expired(long now) {
      return failing && now - deadlineNanos >= 0;
    }

    long bytes() {
      long n = 0;
      for (byte[] a : argv) {
        n += a.length + 16;
      }
      return n;
    }
  }

  private static final long MAX_BACKOFF_MILLIS = 200;
  /** How long to wait for a newer map after WRONG_GROUP before trying again anyway. */
  private static final long MAP_WAIT_MILLIS = 500;
  /**
   * After WRONG_GROUP with {@code moving} (the group refused the slot during a migration,
   * docs/slot-migration.md): the longest wait for a newer map before trying again anyway. The
   * pause ends when the target takes the slot, which may come before or after the map version
   * that names it reaches this gateway, so the lane retries on its own too: 5 ms, doubling.
   */
  private static final long MAX_MOVING_WAIT_MILLIS = 50;

  private final RouteSession session;
  final long group;
  private final Router router;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** A unit is out, or a retry is scheduled: new commands only queue. */
  private boolean busy;
  private int attempts;
  private int voterCursor;
  /** Leader address from a NOT_LEADER whose leader id is not in our map; null when none. */
  private String hintAddress;
  /** Why the last attempt failed; null after a success. */
  private String problem;
  /** The last failure was WRONG_GROUP: a timeout then means the slot is not served. */
  private boolean wrongGroup;
  /** ... with {@code moving}: a timeout then means the migration took too long. */
  private boolean moving;
  /** The connection closed: nothing more is sent. Read unlocked by the batcher. */
  private volatile boolean closed;

  Lane(RouteSession session, long group, Router router) {
    this.session = session;
    this.group = group;
    this.router = router;
  }

  /**
   * Queues a command. {@code hold}: do not send yet, the caller {@link #kick}s the lane later
   * (the connection does at the end of each read, so a pipeline that arrived in one read leaves
   * as one unit); else send at once if no unit is out.
   */
  void enqueue(Pending p, boolean hold) {
    synchronized (this) {
      if (closed) {
        drop(p);
        return;
      }
      queue.addLast(p);
      if (busy || hold) {
        return;
      }
      busy = true;
    }
    sendNext();
  }

  /** Sends what is queued, unless a unit is already out (it will send the rest when done). */
  void kick() {
    synchronized (this) {
      if (busy || queue.isEmpty()) {
        return;
      }
      busy = true;
    }
    sendNext();
  }

  /**
   * The connection closed: drops the queued commands (they are not sent; their futures complete
   * with an error nobody reads) and makes sure nothing of this lane is sent again. Idempotent.
   */
  void close() {
    List<Pending> dropped;
    synchronized (this) {
      closed = true;
      dropped = new ArrayList<>(queue);
      queue.clear();
    }
    for (Pending p : dropped) {
      drop(p);
    }
  }

  private void drop(Pending p) {
    finish(p, router.error(CLOSED, p.protocol));
  }

  /** What a dropped command completes with (the connection is gone: nobody reads it). */
  private static final String CLOSED = "ERR connection closed before the command was sent";

  /** Sends what is queued (busy is true on entry); clears busy when nothing is left. */
  private void sendNext() {
    List<Pending> expired = new ArrayList<>();
    List<Pending> moved = new ArrayList<>();
    List<Pending> taken = null;
    Unit unit = null;
    StoreBatcher batcher = null;
    String expiredReply;
    try {
      synchronized (this) {
        if (closed || queue.isEmpty()) {
          busy = false;
          return;
        }
        long now = System.nanoTime();
        queue.removeIf(p -> {
          if (p.expired(now)) {
            expired.add(p);
            return true;
          }
          return false;
        });
        expiredReply = timeoutReply();
        ShardMap map = router.view.map();
        Optional<GroupInfo> info = map.findGroup(group);
        if (info.isEmpty()) {
          // The group went away: keyed commands follow their slot, keyless ones cannot run.
          moved.addAll(queue);
          queue.clear();
        }
        if (queue.isEmpty()) {
          busy = false;
        } else {
          Pending first = queue.peekFirst();
          taken = new ArrayList<>();
          long bytes = 0;
          while (!queue.isEmpty() && taken.size() < router.config.maxCommandsPerCall()) {
            Pending p = queue.peekFirst();
            if (p.protocol != first.protocol || p.staleOk != first.staleOk
                || (!taken.isEmpty() && bytes + p.bytes() > router.config.maxBytesPerCall())) {
              break;
            }
            bytes += p.bytes();
            taken.add(queue.pollFirst());
          }
          String address = address(map, info.get(), first.staleOk);
          if (address == null) {
            // No store address for any voter: treat like an unreachable store.
            retryLater(taken, now, "group " + group + " has no store with an address in map version "
                + map.version());
          } else {
            try {
              batcher = router.clients.batcher(address);
            } catch (RuntimeException e) {
              // An address no channel can be made for (a malformed leader hint from a store):
              // forget it and try the next voter, as for an unreachable store. Left to propagate,
              // it would end this lane's sending for good (busy stays set, nothing times out).
              router.view.noteLeader(group, 0);
              hintAddress = null;
              voterCursor++;
              retryLater(taken, now, "store address " + address + " is not usable: " + e);
            }
            if (batcher != null) {
              unit = new Unit(taken, address, map.version());
            }
          }
        }
      }
    } catch (RuntimeException e) {
      // Nothing has left: what was taken from the queue (or put back) and the queue are answered.
      List<Pending> held = new ArrayList<>(expired);
      held.addAll(moved);
      if (taken != null) {
        held.addAll(taken);
      }
      abort(e, held);
      return;
    }
    for (Pending p : expired) {
      finish(p, router.error(expiredReply, p.protocol));
    }
    for (Pending p : moved) {
      router.reroute(session, p, this);
    }
    if (unit != null) {
      batcher.submit(unit);
    }
  }

  /**
   * {@code taken} could not leave: back to the front of the queue, their budgets running, and a
   * retry after the backoff. Under this lane's lock.
   */
  private void retryLater(List<Pending> taken, long now, String why) {
    requeueFront(taken);
    for (Pending p : taken) {
      p.failed(now, false);
    }
    problem = why;
    scheduleRetry(backoffMillis());
    attempts++;
  }

  /** Puts {@code taken} back at the front of the queue, in order (they were at the front). */
  private void requeueFront(List<Pending> taken) {
    for (int i = taken.size() - 1; i >= 0; i--) {
      queue.addFirst(taken.get(i));
    }
  }

  private String timeoutReply() {
    if (moving) {
      return "TRYAGAIN Cairn group " + group + " refused the slot for " + router.config.timeoutMillis()
          + " ms while it moves between groups (" + problem + ")";
    }
    if (wrongGroup) {
      return "CLUSTERDOWN Hash slot not served (group " + group + " does not serve it: " + problem
          + ")";
    }
    return "TRYAGAIN Cairn group " + group + " has no reachable leader after "
        + router.config.timeoutMillis() + " ms" + (problem == null ? "" : " (" + problem + ")");
  }

  /** The store to send to: any replica for stale reads, else the known leader or a voter. */
  private String address(ShardMap map, GroupInfo info, boolean staleOk) {
    List<Replica> replicas = info.replicas();
    if (staleOk && !replicas.isEmpty()) {
      for (int i = 0; i < replicas.size(); i++) {
        String a = storeAddress(map, replicas.get(router.nextReplica(replicas.size())).storeId());
        if (a != null) {
          return a;
        }
      }
    }
    long hint = router.view.leaderHint(group);
    if (hint != 0 && info.replicaOn(hint).isPresent()) {
      String a = storeAddress(map, hint);
      if (a != null) {
        return a;
      }
    }
    if (hintAddress != null) {
      return hintAddress;
    }
    List<Long> voters = new ArrayList<>();
    for (Replica r : replicas) {
      if (r.role() == ReplicaRole.VOTER) {
        voters.add(r.storeId());
      }
    }
    for (int i = 0; i < voters.size(); i++) {
      String a = storeAddress(map, voters.get(Math.floorMod(voterCursor + i, voters.size())));
      if (a != null) {
        return a;
      }
    }
    return null;
  }

  private static String storeAddress(ShardMap map, long storeId) {
    Optional<StoreInfo> s = map.store(storeId);
    return s.isPresent() && !s.get().serviceAddress().isEmpty() ? s.get().serviceAddress() : null;
  }

  private long backoffMillis() {
    return Math.min(MAX_BACKOFF_MILLIS, 5L << Math.min(attempts, 6));
  }

  private void scheduleRetry(long delayMillis) {
    if (delayMillis <= 0) {
      router.timer.execute(this::sendNext);
    } else {
      router.timer.schedule(this::sendNext, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void finish(Pending p, byte[] reply) {
    p.givenUp();
    p.result.complete(reply);
  }

  /** Results of a unit are in (or its call failed). */
  private void done(Unit unit, List<Result> results, Throwable failure) {
    List<Pending> taken = unit.pending;
    List<Pending> answered = new ArrayList<>();
    List<byte[]> replies = new ArrayList<>();
    List<Pending> dropped = new ArrayList<>();
    long waitForMap = -1;
    long mapWaitMillis = MAP_WAIT_MILLIS;
    boolean again;
    try {
      synchronized (this) {
        int i = 0;
        if (results != null) {
          for (; i < taken.size() && results.get(i).hasResp(); i++) {
            answered.add(taken.get(i));
            replies.add(results.get(i).getResp().toByteArray());
          }
        }
        again = i < taken.size();
        if (closed) {
          // Nobody waits: no retries; what was answered completes as usual (and is discarded).
          dropped.addAll(taken.subList(i, taken.size()));
          again = false;
          busy = false;
        } else if (!again) {
          attempts = 0;
          problem = null;
          wrongGroup = false;
          moving = false;
        } else {
          long now = System.nanoTime();
          for (Pending p : taken.subList(i, taken.size())) {
            p.failed(now, i > 0);
          }
          requeueFront(taken.subList(i, taken.size()));
          long delay;
          wrongGroup = false;
          moving = false;
          if (failure != null) {
            Status s = Status.fromThrowable(failure);
            problem = "store " + unit.address + ": " + s.getCode()
                + (s.getDescription() == null ? "" : " " + s.getDescription());
            // Unreachable or stuck: forget the leader, try the next voter.
            if (s.getCode() == Status.Code.UNAVAILABLE) {
              router.clients.reconnectNow(unit.address);
            }
            router.view.noteLeader(group, 0);
            hintAddress = null;
            voterCursor++;
            delay = backoffMillis();
          } else {
            Result r = results.get(i);
            switch (r.getOutcomeCase()) {
              case NOT_LEADER -> {
                long leader = r.getNotLeader().getLeaderId();
                String address = r.getNotLeader().getLeaderAddress();
                if (leader != 0) {
                  router.view.noteLeader(group, leader);
                  hintAddress = address.isEmpty() ? null : address;
                  problem = "store " + unit.address + " is not the leader, hint: store " + leader;
                  delay = attempts < 3 ? 0 : backoffMillis();
                } else {
                  router.view.noteLeader(group, 0);
                  hintAddress = null;
                  voterCursor++;
                  problem = "store " + unit.address + " knows no leader";
                  delay = backoffMillis();
                }
              }
              case WRONG_GROUP -> {
                wrongGroup = true;
                long version = Math.max(r.getWrongGroup().getMapVersion(), unit.mapVersion);
                problem = "store " + unit.address + " answered WRONG_GROUP at map version "
                    + r.getWrongGroup().getMapVersion() + ", routed with " + unit.mapVersion;
                waitForMap = version;
                moving = r.getWrongGroup().getMoving();
                if (moving) {
                  problem = "store " + unit.address + ": the slot is moving between groups (map version "
                      + r.getWrongGroup().getMapVersion() + ")";
                }
                // Moving, or the store has not seen the map this gateway routed with (a slot just
                // moved to its group): no newer map may come here soon, so retry shortly anyway.
                if (moving || r.getWrongGroup().getMapVersion() < unit.mapVersion) {
                  mapWaitMillis = Math.min(MAX_MOVING_WAIT_MILLIS, 5L << Math.min(attempts, 4));
                }
                delay = 0;
              }
              default -> {
                problem = "store " + unit.address + ": " + r.getError();
                delay = backoffMillis();
              }
            }
          }
          attempts++;
          if (waitForMap < 0) {
            long left = TimeUnit.NANOSECONDS.toMillis(queue.peekFirst().deadlineNanos
                - System.nanoTime());
            scheduleRetry(Math.max(0, Math.min(delay, left)));
          }
        }
      }
    } catch (RuntimeException e) {
      // Nothing was handed on (a retry is the locked part's last act): the replies taken from
      // the results still reach their clients, the rest of the unit and the queue are answered.
      for (int k = 0; k < Math.min(answered.size(), replies.size()); k++) {
        finish(answered.get(k), replies.get(k));
      }
      abort(e, taken);
      return;
    }
    for (int k = 0; k < answered.size(); k++) {
      finish(answered.get(k), replies.get(k));
    }
    for (Pending p : dropped) {
      drop(p);
    }
    if (closed) {
      return;
    }
    if (waitForMap >= 0) {
      CompletableFuture<ShardMap> newer;
      try {
        newer = router.view.newerThan(waitForMap);
      } catch (RuntimeException e) {
        abort(e, null); // the unit's commands are back in the queue, nothing scheduled
        return;
      }
      newer.orTimeout(mapWaitMillis, TimeUnit.MILLISECONDS).whenComplete((m, e) -> afterMapChange());
    } else if (!again) {
      sendNext();
    }
  }

  /** After WRONG_GROUP: moves the commands whose slot now belongs to another group, then sends. */
  private void afterMapChange() {
    List<Pending> moved = new ArrayList<>();
    try {
      ShardMap map = router.view.map();
      synchronized (this) {
        queue.removeIf(p -> {
          if (p.slot >= 0 && map.groupOf(p.slot) != group) {
            moved.add(p);
            return true;
          }
          return false;
        });
      }
    } catch (RuntimeException e) {
      abort(e, moved);
      return;
    }
    for (Pending p : moved) {
      router.reroute(session, p, this);
    }
    sendNext();
  }


  /**
   * A step of this lane failed unexpectedly (a bug, or a collaborator that threw) while it was
   * busy, before anything of it was handed on (no retry is scheduled and no unit is out: those
   * are a step's last acts). Answers {@code inHand} and everything queued with an error, once
   * each, and makes the lane idle.
   */
  private void abort(RuntimeException e, List<Pending> inHand) {
    log.error("route lane of group {} failed; answering its commands with an error", group, e);
    List<Pending> failed = new ArrayList<>();
    synchronized (this) {
      if (inHand != null) {
        failed.addAll(inHand);
      }
      failed.addAll(queue);
      queue.clear();
      busy = false;
    }
    String reply = "ERR internal error in the gateway's routing of group " + group + ": " + e;
    for (Pending p : failed) {
      if (!p.result.isDone()) {
        finish(p, router.error(reply, p.protocol));
      }
    }
  }

  /** A unit as the batcher sees it. */
  private final class Unit implements StoreBatcher.Unit {
    final List<Pending> pending;
    final String address;
    final long mapVersion;
    private final List<Command> commands;
    private final long bytes;
    private final boolean alone;

    Unit(List<Pending> pending, String address, long mapVersion) {
      this.pending = pending;
      this.address = address;
      this.mapVersion = mapVersion;
      List<Command> cs = new ArrayList<>(pending.size());
      long b = 0;
      boolean anyAlone = false;
      for (Pending p : pending) {
        anyAlone |= p.alone;
        // The routed map version lets a group that imports the slot serve it as soon as the map
        // naming it is out (docs/slot-migration.md, "Release by routed version").
        Command.Builder c = Command.newBuilder().setGroupId(group).setMapVersion(mapVersion);
        for (byte[] a : p.argv) {
          // The decoder gives every argument its own array and nothing writes to it after:
          // wrap instead of copying each argument once more per attempt.
          c.addArgv(UnsafeByteOperations.unsafeWrap(a));
        }
        if (p.write) {
          WriteSessions.Ticket t = p.ticket(router.sessions, group);
          c.setSession(t.session().id).setSeq(t.seq()).setAcked(t.session().acked());
        }
        if (p.staleOk) {
          c.setStaleOk(true);
        }
        cs.add(c.build());
        b += p.bytes();
      }
      this.commands = cs;
      this.bytes = b;
      this.alone = anyAlone;
    }

    @Override
    public List<Command> commands() {
      return commands;
    }

    @Override
    public int protocol() {
      return pending.get(0).protocol;
    }

    @Override
    public long bytes() {
      return bytes;
    }

    @Override
    public boolean abandoned() {
      return closed;
    }

    @Override
    public boolean alone() {
      return alone;
    }

    @Override
    public void done(List<Result> results, Throwable failure) {
      Lane.this.done(this, results, failure);
    }
  }
}
