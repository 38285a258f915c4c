package io.cairn.gateway.route;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The gateway's exactly-once sessions (Raft thesis §6.3; the store keeps them in shard-store's
 * {@code Sessions}). The writes of all connections share them: per group a small pool, and a
 * write takes the first session of its group's pool with fewer than {@link #MAX_OUT} writes out,
 * or a new one. So a store's apply batch, which carries the writes of many connections, reads,
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
 * <p>Thread-safety: {@link #take} runs on the connections' event loops (any of them), {@link
 * WriteSession#received} on gRPC and timer threads; both are synchronized.
 */
final class WriteSessions {

  /**
   * Writes out per session at most. The store's header keeps the replies above the {@code acked}
   * it last heard, which lags the gateway's by the writes answered since: 16 out keeps that
   * within its 32 inline replies.
   */
  static final int MAX_OUT = 16;

  private final ConcurrentHashMap<Long, List<WriteSession>> pools = new ConcurrentHashMap<>();

  /** A write's identity for exactly-once: the session and the seq it got there. */
  record Ticket(WriteSession session, long seq) {}

  /** Gives a new write to group {@code group} its session and seq. */
  Ticket take(long group) {
    List<WriteSession> pool = pools.computeIfAbsent(group, g -> new ArrayList<>());
    synchronized (pool) {
      for (WriteSession s : pool) {
        long seq = s.tryNext();
        if (seq > 0) {
          return new Ticket(s, seq);
        }
      }
      WriteSession s = new WriteSession();
      pool.add(s);
      return new Ticket(s, s.tryNext());
    }
  }

  /** Sessions in the pool of {@code group} (tests, diagnostics). */
  int sessions(long group) {
    List<WriteSession> pool = pools.get(group);
    if (pool == null) {
      return 0;
    }
    synchronized (pool) {
      return pool.size();
    }
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
    private final TreeSet<Long> receivedAboveAck = new TreeSet<>();

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

    /** The reply of write {@code seq} arrived (or it was given up on): advances {@link #acked}. */
    synchronized void received(long seq) {
      if (seq <= acked) {
        return;
      }
      receivedAboveAck.add(seq);
      while (!receivedAboveAck.isEmpty() && receivedAboveAck.first() == acked + 1) {
        receivedAboveAck.pollFirst();
        acked++;
      }
    }
  }
}
