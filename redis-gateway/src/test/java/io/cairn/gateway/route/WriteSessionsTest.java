package io.cairn.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.gateway.route.WriteSessions.Ticket;
import io.cairn.gateway.route.WriteSessions.WriteSession;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once bookkeeping: acked is the highest seq with every reply up to it received; writes of
 * a group share a session until {@link WriteSessions#MAX_OUT} are out.
 */
class WriteSessionsTest {

  @Test
  void ackedAdvancesOnlyOverAContiguousPrefix() {
    WriteSession s = new WriteSession();
    assertThat(s.id).isPositive();
    for (int i = 1; i <= 5; i++) {
      assertThat(s.tryNext()).isEqualTo(i);
    }
    assertThat(s.acked()).isZero();
    s.received(2);
    s.received(3);
    assertThat(s.acked()).isZero(); // 1 still out
    s.received(1);
    assertThat(s.acked()).isEqualTo(3);
    s.received(5);
    assertThat(s.acked()).isEqualTo(3);
    s.received(3); // a duplicate changes nothing
    s.received(4);
    assertThat(s.acked()).isEqualTo(5);
  }

  @Test
  void aGroupsWritesShareASessionUntilItsWindowIsFull() {
    WriteSessions sessions = new WriteSessions();
    List<Ticket> first = new ArrayList<>();
    for (int i = 1; i <= WriteSessions.MAX_OUT; i++) {
      Ticket t = sessions.take(7);
      assertThat(t.seq()).isEqualTo(i);
      first.add(t);
    }
    assertThat(first).extracting(Ticket::session).containsOnly(first.get(0).session());
    // The window is full: the next write opens a second session.
    Ticket overflow = sessions.take(7);
    assertThat(overflow.session()).isNotSameAs(first.get(0).session());
    assertThat(overflow.seq()).isEqualTo(1);
    assertThat(sessions.sessions(7)).isEqualTo(2);
    // Another group has its own pool.
    assertThat(sessions.take(8).session()).isNotIn(first.get(0).session(), overflow.session());
    // The session the previous write took is tried first, while it has room.
    first.get(5).session().received(6);
    assertThat(sessions.take(7)).isEqualTo(new Ticket(overflow.session(), 2));
    first.get(0).session().received(1); // the first session has room again ...
    for (int seq = 3; seq <= WriteSessions.MAX_OUT; seq++) {
      assertThat(sessions.take(7)).isEqualTo(new Ticket(overflow.session(), seq));
    }
    // ... and takes the write the full second session cannot, with its next seq.
    assertThat(sessions.take(7))
        .isEqualTo(new Ticket(first.get(0).session(), WriteSessions.MAX_OUT + 1));
    assertThat(sessions.sessions(7)).isEqualTo(2);
    assertThat(sessions.unacknowledged(7)).isEqualTo(2L * WriteSessions.MAX_OUT);
  }

  @Test
  void concurrentWritersNeverShareASeqAndEveryWindowDrains() throws Exception {
    WriteSessions sessions = new WriteSessions();
    ConcurrentLinkedQueue<Ticket> taken = new ConcurrentLinkedQueue<>();
    // Replies arrive on another thread, as from gRPC, in the order the writers hand them over.
    LinkedBlockingQueue<Object[]> answers = new LinkedBlockingQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Semaphore out = new Semaphore(8); // eight out per writer
      Thread th = new Thread(() -> {
        List<Ticket> mine = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
          out.acquireUninterruptibly();
          Ticket k = sessions.take(1);
          taken.add(k);
          mine.add(k);
          if (mine.size() == 4) { // a random one of the last four is answered
            answers.add(new Object[] {mine.remove(ThreadLocalRandom.current().nextInt(4)), out});
          }
        }
        for (Ticket k : mine) {
          answers.add(new Object[] {k, out});
        }
      });
      threads.add(th);
      th.start();
    }
    Thread acker = new Thread(() -> {
      try {
        for (int i = 0; i < 20_000; i++) {
          Object[] a = answers.take();
          Ticket k = (Ticket) a[0];
          k.session().received(k.seq());
          ((Semaphore) a[1]).release();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    acker.start();
    for (Thread th : threads) {
      th.join();
    }
    acker.join(60_000);
    assertThat(acker.isAlive()).isFalse();
    Set<String> distinct = new HashSet<>();
    for (Ticket k : taken) {
      assertThat(distinct.add(k.session().id + ":" + k.seq())).as("%s", k).isTrue();
    }
    assertThat(taken).hasSize(20_000);
    assertThat(sessions.unacknowledged(1)).isZero();
    // A new session opens only when every session has a write out at its window's start; at
    // most 31 others are out then (four writers, eight each).
    assertThat(sessions.sessions(1)).isBetween(1, 32);
  }

  @Test
  void readonlyIsPerConnection() {
    RouteSession a = new RouteSession();
    RouteSession b = new RouteSession();
    a.setReadonly(true);
    assertThat(a.readonly()).isTrue();
    assertThat(b.readonly()).isFalse();
  }
}
