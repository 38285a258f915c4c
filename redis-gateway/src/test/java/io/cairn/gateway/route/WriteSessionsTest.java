package io.cairn.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.gateway.route.WriteSessions.Ticket;
import io.cairn.gateway.route.WriteSessions.WriteSession;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
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
    // A reply received out of order does not open the window (seq 1 is still out) ...
    first.get(5).session().received(6);
    assertThat(sessions.take(7).session()).isSameAs(overflow.session());
    // ... seq 1's reply does: the first session takes writes again, with the next seq.
    first.get(0).session().received(1);
    Ticket again = sessions.take(7);
    assertThat(again.session()).isSameAs(first.get(0).session());
    assertThat(again.seq()).isEqualTo(WriteSessions.MAX_OUT + 1);
    assertThat(sessions.sessions(7)).isEqualTo(2);
  }

  @Test
  void concurrentWritersNeverShareASeqAndStayWithinTheWindow() throws Exception {
    WriteSessions sessions = new WriteSessions();
    ConcurrentLinkedQueue<Ticket> taken = new ConcurrentLinkedQueue<>();
    AtomicInteger outsideWindow = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th = new Thread(() -> {
        List<Ticket> mine = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
          Ticket k = sessions.take(1);
          if (k.seq() - k.session().acked() > WriteSessions.MAX_OUT) {
            outsideWindow.incrementAndGet();
          }
          taken.add(k);
          mine.add(k);
          if (mine.size() == 8) { // eight out per writer, answered oldest first
            Ticket done = mine.remove(0);
            done.session().received(done.seq());
          }
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    Set<String> distinct = new HashSet<>();
    for (Ticket k : taken) {
      assertThat(distinct.add(k.session().id + ":" + k.seq())).as("%s", k).isTrue();
    }
    assertThat(taken).hasSize(20_000);
    assertThat(outsideWindow).hasValue(0);
    // A new session opens only when every session has a write out at its window's start; at most
    // 31 others are out then (four writers, eight each).
    assertThat(sessions.sessions(1)).isBetween(2, 32);
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
