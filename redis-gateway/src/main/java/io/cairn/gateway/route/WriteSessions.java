package io.cairn.gateway.route;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The gateway's exactly-once sessions (Raft thesis §6.3; the store keeps them in shard-store's
 * {@code Sessions}). The writes of all connections share them: per group a small pool, and a
 * write takes the session the previous write took if fewer than {@link #MAX_OUT} of its seqs are
 * above its acked, else the first such session of the pool, else a new one. So a store's apply batch, which carries the writes of many connections, reads,
 * rebuilds and writes one or two session headers instead of one per connection (the header is a
 * memtable insert on every replica: at {@code -c 50} about as many inserts as the records
 * themselves).
 *
 * <p>Why sharing is safe. The store applies a {@code (session, seq)} at most once, in any order
 * within the session's unacknowledged window, and remembers each reply until the session
 * acknowledges it. A write keeps its {@code (session, seq)} for all its attempts, also when
 * re-routed to another group (slot migration carries the source group's sessions to the
 * target). Per-connection order does not come from seqs but from the connection's lanes
 * ({@link Lane}), so writes of different connections may reach the store in any seq order.
 *
 * <p>Why a bounded window. A session's {@code acked} only passes a seq once that write's reply is
 * in, so one write that waits (retries after a leader change, a slot moving) holds its
 * session's window open. With at most {@link #MAX_OUT} writes out per session, later writes then
 * take another session: the store keeps a session's unacknowledged replies inline in its header
 * (up to 32 of them; more spill into reply records, a put and a delete each), and a waiting write
 * holds back only its own session.
 *
 * <p>A write takes its ticket when it first leaves, not when it is routed: a deep pipeline's
 * queued writes hold no window (a lane has one unit out at a time, of up to
 * {@code route.max.commands.per.call} commands). The pool keeps the sessions it ever opened: at
 * least the most writes out at once divided by 16, more when slow writes hold windows open (one
 * waiting write keeps its session's window from moving however many later writes were answered;
 * at most one session per write out). Sessions unused for 30 minutes are dropped by the stores
 * and start afresh if used again; pools of groups that left the map stay, a few objects each.
 *
 * <p>Thread-safety: {@link #take} runs under a lane's lock (event loops, gRPC and timer threads),
 * {@link WriteSession#received} on any of them; both are synchronized, pool then session.
 */
final class WriteSessions {

  /**
   * Writes out per session at most. A seq {@code s} is given out only while the session's acked
   * is at least {@code s - 16}, and a command carries the acked of when its unit was built, after
   * that: so the store's acked for the session is at least its highest applied seq minus 16, and
   * its header keeps at most 16 unacknowledged replies inline (it allows 32, and 480 bytes: small
   * replies such as {@code +OK} or integers fit; larger ones spill into reply records, correct
   * but slower).
   */
  static final int MAX_OUT = 16;

  private final ConcurrentHashMap<Long, Pool> pools = new ConcurrentHashMap<>();

  /** A write's identity for exactly-once: the session and the seq it got there. */
  record Ticket(WriteSession session, long seq) {}

  /** One group's sessions, and where the last write found room. Guarded by itself. */
  private static final class Pool {
    final List<WriteSession> sessions = new ArrayList<>();
    int current;
  }

  /**
   * Gives a write leaving for group {@code group} its session and seq: the session the previous
   * write took if it has room, else the first with room, else a new one. (A lane takes the
   * tickets of a unit at once, when the unit first leaves.)
   */
  Ticket take(long group) {
    Pool pool = pools.computeIfAbsent(group, g -> new Pool());
    synchronized (pool) {
      List<WriteSession> list = pool.sessions;
      int n = list.size();
      for (int k = 0; k < n; k++) { // from the current one, each once
        int i = (pool.current + k) % n;
        long seq = list.get(i).tryNext();
        if (seq > 0) {
          pool.current = i;
          return new Ticket(list.get(i), seq);
        }
      }
      WriteSession s = new WriteSession();
      list.add(s);
      pool.current = list.size() - 1;
      return new Ticket(s, s.tryNext());
    }
  }

  /** Sessions in the pool of {@code group} (tests, diagnostics). */
  int sessions(long group) {
    Pool pool = pools.get(group);
    if (pool == null) {
      return 0;
    }
    synchronized (pool) {
      return pool.sessions.size();
    }
  }

  /** Over the sessions of {@code group}: seqs given out whose replies are not all in. */
  long unacknowledged(long group) {
    Pool pool = pools.get(group);
    if (pool == null) {
      return 0;
    }
    long n = 0;
    synchronized (pool) {
      for (WriteSession s : pool.sessions) {
        n += s.unacknowledged();
      }
    }
    return n;
  }

  /**
   * One exactly-once session: {@link #id} is a random nonzero 63-bit number; every write gets
   * {@code seq = ++n}; {@link #acked()} is the highest seq such that the replies of all writes up
   * to it have been received (or given up on: timed out, or dropped when its connection closed;
   * such a write is never sent again, and a copy still in flight is applied at most once).
   */
  static final class WriteSession {
    final long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private long lastSeq;
    private long acked;
    /**
     * Bit {@code i}: the reply of seq {@code acked + 1 + i} is in. Seqs above acked are at most
     * {@link #MAX_OUT} (16) apart from it ({@link #tryNext}), so a long holds them all, with no
     * allocation per write.
     */
    private long receivedAboveAck;

    /** The next seq, or 0 if {@link #MAX_OUT} writes are out. */
    synchronized long tryNext() {
      if (lastSeq - acked >= MAX_OUT) {
        return 0;
      }
      return ++lastSeq;
    }

    synchronized long acked() {
      return acked;
    }

    /** Seqs given out above {@link #acked()} (their replies are not all in). */
    synchronized long unacknowledged() {
      return lastSeq - acked;
    }

    /** The reply of write {@code seq} arrived (or it was given up on): advances {@link #acked}. */
    synchronized void received(long seq) {
      if (seq <= acked || seq > lastSeq) {
        return;
      }
      receivedAboveAck |= 1L << (seq - acked - 1);
      while ((receivedAboveAck & 1) != 0) {
        receivedAboveAck >>>= 1;
        acked++;
      }
    }
  }
}
